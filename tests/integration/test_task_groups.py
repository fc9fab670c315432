"""Large runs put several agencies of one district in a Prefect task; nothing else changes:
every agency is crawled once, its outcome, logs and records stay its own."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import col, select

from flows.grouping import group_size, pack_districts, task_groups, tasks_for
from models.db import session_scope
from models.tables import Agency, AgencyCrawl, Report


def test_group_size_keeps_runs_within_the_task_budget() -> None:
    assert group_size([7], 100) == 1
    assert group_size([60, 40], 100) == 1
    assert group_size([101], 100) == 2
    assert group_size([5000], 100) == 50
    assert group_size([5000], 0) == 1  # 0: always one task per agency
    # 1000 agencies in districts of 12: groups of 10 would make 2 per district, 168 tasks;
    # the size that keeps the run within 100 is a district per task
    bench = [12] * 83 + [4]
    assert group_size(bench, 100) == 12 and tasks_for(bench, 12) == 84
    assert group_size(bench, 200) == 6 and tasks_for(bench, 6) == 167
    # more districts than the budget: one task per district is the fewest without mixing them
    assert group_size([3] * 150, 100) == 3


@given(
    sizes=st.lists(st.integers(1, 120), min_size=1, max_size=60),
    slack=st.integers(0, 340),
)
def test_group_size_is_the_smallest_within_budget(sizes: list[int], slack: int) -> None:
    budget = len(sizes) + slack
    size = group_size(sizes, budget)
    assert tasks_for(sizes, size) <= budget
    if size > 1:
        assert tasks_for(sizes, size - 1) > budget


def test_more_districts_than_the_budget_pack_whole_districts_in_order() -> None:
    # 5000 agencies in districts of 12 are 417 districts: 100 tasks of four or five districts
    sizes = [12] * 416 + [8]
    bins = pack_districts(sizes, 100)
    assert len(bins) == 100 and [i for b in bins for i in b] == list(range(417))
    assert {len(b) for b in bins} <= {4, 5}
    assert pack_districts([5, 5, 5], 3) == [[0], [1], [2]]
    assert pack_districts([1, 1, 10, 1], 2) == [[0, 1, 2], [3]]


@given(sizes=st.lists(st.integers(1, 40), min_size=1, max_size=300), budget=st.integers(1, 120))
def test_packed_districts_cover_each_once_within_budget(sizes: list[int], budget: int) -> None:
    bins = pack_districts(sizes, budget)
    assert [i for b in bins for i in b] == list(range(len(sizes)))
    assert 1 <= len(bins) <= budget and all(bins)
    share = sum(sizes) / budget
    assert all(sum(sizes[i] for i in b) <= share + max(sizes) for b in bins)  # no task hoards


def test_groups_cover_every_agency_once_and_never_mix_districts(sample_setup) -> None:
    settings, agencies = sample_setup
    codes = sorted(a["code"] for a in agencies)
    groups = task_groups(settings, codes, max_tasks=4)
    district = {a["code"]: a["district_code"] for a in agencies}
    flat = [c for _, members in groups for c in members]
    assert sorted(flat) == codes and len(flat) == len(set(flat))
    assert all(len({district[c] for c in members}) == 1 for _, members in groups)
    assert len(groups) <= 4 < len(codes)
    for sizes in ([len(m) for _, m in groups if district[m[0]] == d] for d in set(district.values())):
        assert max(sizes) - min(sizes) <= 1  # a district's groups are even
    # a single agency's task is named after it, a group's after its district
    for label, members in groups:
        assert (
            (label == members[0]) if len(members) == 1 else ("个单位" in label and str(len(members)) in label)
        )


def test_a_budget_below_the_districts_joins_whole_districts(sample_setup) -> None:
    settings, agencies = sample_setup
    codes = sorted(a["code"] for a in agencies)
    district = {a["code"]: a["district_code"] for a in agencies}
    assert len(set(district.values())) > 1
    ((label, members),) = task_groups(settings, codes, max_tasks=1)
    assert members == codes and f"等{len(set(district.values()))}个区-" in label
    assert label.endswith(f"-{codes[0]}至{codes[-1]}-{len(codes)}个单位")


def test_grouped_run_records_the_same_as_one_task_per_agency(
    sample_setup, prefect_harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    from flows.monitor import monitor
    from nianbao.runtime.settings import get_settings

    settings, agencies = sample_setup
    monkeypatch.setenv("NIANBAO_MAX_TASKS_PER_RUN", "2")
    get_settings.cache_clear()
    result = monitor(year=2024, return_state=True)
    out = result.result()
    outcomes = {o["agency"]: o for o in out["outcomes"]}
    assert sorted(outcomes) == sorted(a["code"] for a in agencies)
    with session_scope(settings.db_url) as s:
        crawled = s.exec(select(Agency.code).join(AgencyCrawl, col(AgencyCrawl.agency_id) == Agency.id)).all()
        recorded = {
            code: n
            for code, n in s.exec(
                select(Agency.code, Report.id).join(Report, col(Report.agency_id) == Agency.id)
            ).all()
        }
    assert sorted(crawled) == sorted(outcomes)  # each agency crawled exactly once
    assert {c for c, o in outcomes.items() if o["new_versions"]} == set(recorded)
    assert out["stats"]["new_versions"] == len(recorded) > 0
    expected = sorted(f"monitor-{label}" for label, _ in task_groups(settings, sorted(outcomes), 2))
    names: list[str] = []
    deadline = time.monotonic() + 60
    with get_client(sync_client=True) as client:  # task runs reach the server as events: poll
        while time.monotonic() < deadline:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[result.state_details.flow_run_id])),
                limit=200,
                sort=TaskRunSort.NAME_ASC,
            )
            names = sorted(
                r.name for r in runs if r.name.startswith("monitor-") and r.state and r.state.is_final()
            )
            if len(names) >= len(expected):
                break
            time.sleep(0.5)
    assert names == expected
    crawl_tasks = names
    assert len(crawl_tasks) < len(agencies)


def test_an_agency_that_keeps_failing_does_not_take_its_group_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import logging

    from sqlalchemy.exc import OperationalError

    from flows import monitor as monitor_module

    monkeypatch.setattr(monitor_module, "AGENCY_RETRY", monitor_module.AGENCY_RETRY.with_(base_delay=0.0))
    logger = logging.LoggerAdapter(logging.getLogger("test"), {})
    calls = {"flaky": 0, "broken": 0}

    def flaky() -> dict:
        calls["flaky"] += 1
        if calls["flaky"] < 3:
            raise OperationalError("UPDATE agency", {}, Exception("database is locked"))
        return {"agency": "flaky", "outcome": "ok"}

    def broken() -> dict:
        calls["broken"] += 1
        raise RuntimeError("bug")

    assert monitor_module.with_retries(flaky, "flaky", logger) == {"agency": "flaky", "outcome": "ok"}
    failed = monitor_module.with_retries(broken, "broken", logger)
    assert calls == {"flaky": 3, "broken": 1}  # a bug is not retried: it would fail the same way
    assert (
        failed["outcome"] == "error"
        and failed["agency"] == "broken"
        and "RuntimeError: bug" in failed["detail"]
    )


def test_the_crawl_runs_with_startup_objects_frozen(
    sample_setup, prefect_harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agencies' crawls see the collector tuned (nianbao/runtime/gc_tuning.py); afterwards it is not."""
    import gc

    from flows.monitor import monitor
    from nianbao.crawl import service

    _settings, agencies = sample_setup
    frozen_during: list[int] = []
    crawl = service.monitor_agency

    def watched(*args, **kwargs):
        frozen_during.append(gc.get_freeze_count())
        return crawl(*args, **kwargs)

    monkeypatch.setattr(service, "monitor_agency", watched)
    out = monitor(year=2024)
    assert len(frozen_during) == len(agencies) == len(out["outcomes"])
    assert all(count > 0 for count in frozen_during)
    assert gc.get_freeze_count() == 0


def test_only_a_manual_recrawl_reads_columns_in_full(
    sample_setup, prefect_harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduled run may trust an unchanged column page (`CrawlCache.trust_days`); a manual
    recrawl is asked for because the agency changed something, so it trusts no cache."""
    from flows import monitor as monitor_module
    from nianbao.crawl import service

    _, agencies = sample_setup
    seen: list[tuple[str, bool]] = []
    real = service.monitor_agency

    def spy(*args, **kwargs):
        seen.append((args[2], kwargs.get("read_in_full", False)))
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "monitor_agency", spy)
    monitor_module.monitor(year=2024)
    assert sorted(seen) == sorted((a["code"], False) for a in agencies)
    seen.clear()
    code = agencies[0]["code"]
    monitor_module.recrawl_agency(agency=code, year=2024)
    assert seen == [(code, True)]


def test_a_recrawl_run_is_named_after_district_and_agency(sample_setup) -> None:
    from nianbao.crawl.lookup import agency_label

    settings = sample_setup[0]
    assert agency_label(settings, "zhanhe-yingji") == "平顶山市湛河区-湛河区应急管理局"
    assert agency_label(settings, "湛河区应急管理局") == "平顶山市湛河区-湛河区应急管理局"  # by name too
    assert agency_label(settings, "no-such-agency") == "no-such-agency"  # the run itself then says why


def test_a_run_over_more_than_ten_agencies_gives_each_task_about_ten() -> None:
    from flows.grouping import task_budget

    assert task_budget(1, 100, 10) == 1  # a manual recrawl: its own task
    assert task_budget(10, 100, 10) == 10  # a small district: one task per agency
    assert task_budget(11, 100, 10) == 2
    assert task_budget(100, 100, 10) == 10  # a district of 100: ten tasks, not a hundred
    assert task_budget(5000, 100, 10) == 100  # the cap still holds
    assert task_budget(100, 100, 1) == 100  # 1: one task per agency up to the cap
    assert task_budget(300, 0, 10) == 300  # 0: always one task per agency


def test_grouped_tasks_name_their_first_and_last_agency(sample_setup) -> None:
    settings, agencies = sample_setup
    codes = sorted(a["code"] for a in agencies)
    groups = task_groups(settings, codes, max_tasks=100, per_task=2)
    assert len(groups) < len(codes)
    for label, members in groups:
        if len(members) > 1:
            assert f"{members[0]}至{members[-1]}" in label and f"{len(members)}个单位" in label
        else:
            assert label == members[0]
