"""The command line (`nianbao …`): one module per sub-command group, each delegating to the
layers below (crawl, reporting, store, deadlines); `app` is the entry point."""

from nianbao.cli import agencies, alerts, check, crawl, findings, report, serve  # noqa: F401  (register)
from nianbao.cli.common import app

__all__ = ["app"]
