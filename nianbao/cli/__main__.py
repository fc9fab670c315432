"""`python -m nianbao.cli`: the same commands as the `nianbao` script."""

from nianbao.cli import app

app()
