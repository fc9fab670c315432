"""Find or start the Prefect server that `nianbao serve` talks to.

With PREFECT_API_URL configured (production), use it. Otherwise start a local
`prefect server start` (SQLite under PREFECT_HOME) on 127.0.0.1 and point the UI at it —
on a port other than 4200 the UI needs PREFECT_UI_API_URL, or it calls 4200 and shows nothing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass
class PrefectServer:
    api_url: str
    ui_url: str
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def configured_api_url() -> str | None:
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


def wait_healthy(api_url: str, timeout: float = 90.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"prefect server exited with code {process.returncode}")
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"prefect server at {api_url} not healthy after {timeout:.0f}s")


def free_port() -> int:
    """A port nobody listens on right now (on 127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]  # (host, port) for AF_INET; typeshed says Any
        return port


def start_local_server(
    port: int = 4200,
    log_path: Path | None = None,
    home: Path | None = None,
    timeout: float = 90.0,
    env: dict[str, str] | None = None,
) -> PrefectServer:
    """`prefect server start` on 127.0.0.1:`port`; `home` is its PREFECT_HOME (SQLite lives there
    unless `env` names another database: PREFECT_API_DATABASE_CONNECTION_URL)."""
    api_url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, **(env or {})}
    env.update(
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_API_URL=api_url,
        PREFECT_API_URL=api_url,
    )
    if home is not None:
        home.mkdir(parents=True, exist_ok=True)
        env["PREFECT_HOME"] = str(home)
    prefect_bin = shutil.which("prefect", path=str(Path(sys.executable).parent)) or "prefect"
    log = open(log_path or os.devnull, "ab")  # noqa: SIM115 - handed to the child process
    process = subprocess.Popen(
        [prefect_bin, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(api_url, timeout=timeout, process=process)
    except Exception:
        process.kill()
        raise
    return PrefectServer(api_url, f"http://127.0.0.1:{port}", process, log_path)


def ensure_server(port: int = 4200, log_path: Path | None = None) -> PrefectServer:
    """Use the configured server, else start one; either way export PREFECT_API_URL for this process."""
    url = configured_api_url()
    if url:
        wait_healthy(url, timeout=30)
        server = PrefectServer(url, url.removesuffix("/api"))
    else:
        server = start_local_server(port, log_path)
    os.environ["PREFECT_API_URL"] = server.api_url
    return server
