"""Kill the delivering process (SIGKILL, via the NIANBAO_ALERTS_CRASH_AT hook) at each step and
show what the next runs do: nothing is lost, nothing marked sent is sent again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from alerts.deliver import CRASH_ENV, deliver_pending
from alerts.outbox import as_utc as utc_of
from tests.known import known

from .conftest import write_config
from .helpers import seed_alerts, states, utc

ROOT = Path(__file__).resolve().parents[2]
T0 = utc(2025, 2, 5, 9)
LEASE = timedelta(seconds=600)
CHILD = """
import sys
from datetime import datetime
from alerts.deliver import deliver_pending
deliver_pending(sys.argv[1], sys.argv[2], now=datetime.fromisoformat(sys.argv[3]))
print("finished without crashing")
"""


def _run_child(db_url: str, cfg: Path, step: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, CRASH_ENV: step}
    return subprocess.run(
        [sys.executable, "-c", CHILD, db_url, str(cfg), T0.isoformat()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _config(tmp_path: Path, sink) -> Path:
    return write_config(
        tmp_path / "apprise.yaml",
        f"""urls:
  - {sink.url}/office:
      - tag: office
  - {sink.url}/pds-zhanhe:
      - tag: pds-zhanhe
""",
    )


def _counts(sink) -> tuple[int, int]:
    return len(sink.messages_for("/office")), len(sink.messages_for("/pds-zhanhe"))


@pytest.mark.parametrize("step", ["after_claim", "after_send", "after_mark"])
def test_crash_at_each_step(step: str, db_url: str, sink, tmp_path: Path) -> None:
    ids = seed_alerts(db_url)
    cfg = _config(tmp_path, sink)

    child = _run_child(db_url, cfg, step)
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    assert "finished without crashing" not in child.stdout

    after_crash = states(db_url)
    assert all(a.attempts == 1 for a in after_crash.values())
    held = [a for a in after_crash.values() if a.state == "sending"]
    assert held and len({a.claim_token for a in held}) == 1 and held[0].claim_token  # the dead run's
    assert all(utc_of(a.claimed_until) == T0 + LEASE and a.next_attempt_at is None for a in held)
    if step == "after_claim":
        assert _counts(sink) == (0, 0)
        assert {a.state for a in after_crash.values()} == {"sending"}
    elif step == "after_send":
        assert _counts(sink) == (1, 0)  # the office digest left, its mark did not happen
        assert {a.state for a in after_crash.values()} == {"sending"}
    else:
        assert _counts(sink) == (1, 0)
        # the 涧西 alert only goes to office: marked sent before the crash
        assert after_crash[ids["missing"]].state == "sent"
        assert after_crash[ids["balance"]].state == after_crash[ids["plan"]].state == "sending"

    # a run while the dead run's lease holds touches nothing
    early = deliver_pending(db_url, cfg, now=T0 + timedelta(seconds=30))
    assert early.claimed == [] and _counts(sink) == ((0, 0) if step == "after_claim" else (1, 0))

    # after the lease: everything not marked is delivered
    recovered = deliver_pending(db_url, cfg, now=T0 + LEASE + timedelta(seconds=2))
    assert recovered.ok
    final = states(db_url)
    assert {a.state for a in final.values()} == {"sent"}, {
        a.id: (a.state, a.last_error) for a in final.values()
    }
    assert all(a.claim_token is None and a.claimed_until is None for a in final.values())

    office, zhanhe = _counts(sink)
    assert zhanhe == 1
    if step == "after_send":
        # at-least-once: the unmarked office digest is sent again, identical, alert numbers and all
        assert office == 2
        first, second = sink.messages_for("/office")
        assert first["title"] == second["title"] and first["message"] == second["message"]
        assert all(f"#{i}" in second["message"] for i in ids.values())
    else:
        assert office == 1
    if step == "after_mark":
        assert ids["missing"] not in recovered.claimed  # marked sent: never selected again
        assert "涧西" not in sink.messages_for("/pds-zhanhe")[0]["message"]

    # and from now on nothing moves
    before = len(sink.messages)
    assert deliver_pending(db_url, cfg, now=T0 + timedelta(days=7)).claimed == []
    assert len(sink.messages) == before


def test_crash_hook_is_inert_without_the_env_var(db_url: str, sink, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(CRASH_ENV, raising=False)
    seed_alerts(db_url)
    report = deliver_pending(db_url, _config(tmp_path, sink), now=T0)
    assert len(report.sent) == 3 and _counts(sink) == (1, 1)


def test_stale_claim_that_keeps_crashing_ends_failed(db_url: str, sink, tmp_path: Path) -> None:
    """A message that kills the sender every time must not be retried forever."""
    seed_alerts(db_url)
    cfg = _config(tmp_path, sink)
    now = T0
    for _ in range(2):
        child = subprocess.run(
            [sys.executable, "-c", CHILD, db_url, str(cfg), now.isoformat()],
            cwd=ROOT,
            env={**os.environ, CRASH_ENV: "after_claim"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert child.returncode == -signal.SIGKILL
        now = now + LEASE + timedelta(seconds=2)
    report = deliver_pending(db_url, cfg, now=now, max_attempts=2)
    assert sorted(report.failed) == sorted(states(db_url)) and _counts(sink) == (0, 0)
    assert all("interrupted" in known(a.last_error) for a in states(db_url).values())
