"""The progress artifact is updated at most every few seconds, and always at the end."""

from __future__ import annotations

from uuid import uuid4

from flows.artifacts import ProgressReporter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _reporter(total: int, clock: Clock, sent: list[tuple[float, str]]) -> ProgressReporter:
    return ProgressReporter(
        "zhanhe",
        2024,
        total,
        min_interval=5.0,
        clock=clock,
        create=lambda **_: uuid4(),
        update=lambda _id, progress, description: sent.append((progress, description)),
    )


def test_a_quick_run_updates_once_at_the_end_not_per_agency() -> None:
    clock, sent = Clock(), list[tuple[float, str]]()
    progress = _reporter(10, clock, sent)
    for _ in range(10):
        clock.now += 0.05
        progress.advance()
    progress.finish()
    assert sent == [(100.0, "2024年度巡检进度（zhanhe）：10/10 个单位已完成")]


def test_a_long_run_updates_at_most_every_interval_and_at_each_twentieth_at_most() -> None:
    clock, sent = Clock(), list[tuple[float, str]]()
    progress = _reporter(1000, clock, sent)
    for _ in range(1000):
        clock.now += 0.1  # 100 s in all
        progress.advance()
    progress.finish()
    assert 15 <= len(sent) <= 21
    assert [p for p, _ in sent] == sorted(p for p, _ in sent) and sent[-1][0] == 100.0
    assert "1000/1000" in sent[-1][1]


def test_slow_agencies_update_at_every_twentieth() -> None:
    clock, sent = Clock(), list[tuple[float, str]]()
    progress = _reporter(40, clock, sent)
    for _ in range(40):
        clock.now += 10.0
        progress.advance()
    progress.finish()
    assert [p for p, _ in sent] == [5.0 * k for k in range(1, 21)]


def _server_error() -> Exception:
    import httpx
    from prefect.exceptions import PrefectHTTPStatusError

    request = httpx.Request("PATCH", "http://127.0.0.1:4200/api/artifacts/x")
    response = httpx.Response(500, request=request, json={"exception_message": "Internal Server Error"})
    return PrefectHTTPStatusError.from_httpx_error(
        httpx.HTTPStatusError("500", request=request, response=response)
    )


def test_a_failed_update_does_not_end_the_run_and_later_updates_still_go(caplog) -> None:
    clock, sent, calls = Clock(), [], []

    def update(_id, progress, description):
        calls.append(progress)
        if len(calls) == 1:
            raise _server_error()
        sent.append(progress)

    progress = ProgressReporter(
        "zhanhe", 2024, 40, min_interval=5.0, clock=clock, create=lambda **_: uuid4(), update=update
    )
    for _ in range(40):
        clock.now += 10.0
        progress.advance()
    progress.finish()
    assert calls[0] == 5.0 and sent == [5.0 * k for k in range(2, 21)]
    assert "progress artifact not updated" in caplog.text


def test_a_progress_artifact_that_cannot_be_created_means_no_updates_and_no_failure(caplog) -> None:
    sent: list[float] = []

    def create(**_):
        raise _server_error()

    progress = ProgressReporter(
        "zhanhe",
        2024,
        3,
        clock=Clock(),
        create=create,
        update=lambda _id, progress, description: sent.append(progress),
    )
    for _ in range(3):
        progress.advance()
    progress.finish()
    assert sent == [] and "progress artifact not created" in caplog.text
