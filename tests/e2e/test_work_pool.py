"""Prefect's scale-out for real: a Prefect server on PostgreSQL, `prefect deploy` of
deploy/prefect.yaml to a process work pool, two `prefect worker start` processes, one monitor
run per district for several districts at once over replica portals on two loopback hosts (each
district has agencies on both), the monitor's database on PostgreSQL too, alerts to a webhook
sink. Then one worker is killed mid-run, as a lost machine goes.

What it shows: every agency crawled once, every alert delivered once to each of its
recipients, the per-host limit held across both workers (from the replica's request log: no
two requests to a host overlap or come closer than the registry's delay for it); the killed
worker's run ends Crashed (flow-run heartbeats and deploy/automations.yaml), a rerun completes,
and nothing is recorded or sent twice.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import cast
from uuid import UUID

import pytest
import yaml
from prefect.client.schemas.objects import FlowRun, State
from sqlmodel import col, func, select

from alerts.sink import WebhookSink
from models.db import session_scope
from models.tables import Agency, AgencyCrawl, Alert, AlertDelivery, CrawlRun, Finding, Jurisdiction, Report
from replicas.multihost import MultiHostReplica
from replicas.server import LoggedRequest, Request, Response
from tests.e2e.pool_cluster import (
    POOL,
    Worker,
    deploy,
    kill_like_a_lost_machine,
    poll,
    start_worker,
    stop_worker,
    worker_of,
    worker_running,
)
from tests.request_spacing import by_host, spacing_problems

pytestmark = pytest.mark.e2e

YEAR = 2024
DELAY = 0.2  # the registry's `hosts:` delay for both portal hosts (the default is 1 s)
DISTRICTS = 3  # the first round: one run per district, all at once, on two workers
PER_DISTRICT = 6  # agencies per district, spread over both hosts
VICTIM = DISTRICTS  # one more district: its run's worker is killed mid-run
ADDRESSES = ["127.0.19.2", "127.0.19.3"]  # two portal hosts (all of 127/8 is loopback)
HEARTBEAT = 30  # PREFECT_FLOWS_HEARTBEAT_FREQUENCY: Prefect's shortest
CRASH_WITHIN = 45  # no heartbeat for this long: Crashed (deploy/automations.yaml says 180)
LEASE = 60  # NIANBAO_HOST_SLOT_LEASE: the Prefect server's shortest


def district_code(k: int) -> str:
    return f"pool-d{k}"


def agency_code(k: int, j: int) -> str:
    return f"pool-d{k}-{j}"


class Gate:
    """The first request for a path waits until the test opens the gate: the victim's run is
    caught mid-crawl, one agency's column in flight, at a point the test knows."""

    def __init__(self, route: Response) -> None:
        self.route, self.hit, self.opened = route, threading.Event(), threading.Event()
        self._lock, self._first = threading.Lock(), True

    def __call__(self, request: Request) -> Response:
        with self._lock:
            first, self._first = self._first, False
        if first:
            self.hit.set()
            self.opened.wait(timeout=600)
        return self.route


@dataclass
class Cluster:
    root: Path
    api_url: str
    db_url: str
    env: dict[str, str]
    replica: MultiHostReplica
    hosts: list[str]  # host:port of the portals
    entries: dict[str, str]  # agency code -> its column's path
    gate: Gate
    gated: str  # the agency whose column the gate holds
    sink: WebhookSink
    apprise: Path
    workers: list[Worker]

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.text()[-3000:]}" for w in self.workers)


def _registry(port: int, agencies: list[dict]) -> dict:
    districts: dict[int, list[dict]] = {}
    for a in agencies:
        k = a["district"]
        j = len(districts.setdefault(k, []))
        host = f"{ADDRESSES[j % len(ADDRESSES)]}:{port}"
        districts[k].append(
            {
                "code": agency_code(k, j),
                "name": a["name"],
                "kind": "department",
                "entry_urls": [f"http://{host}{a['entry_path']}"],
                "allowed_hosts": [host],
            }
        )
    return {
        "hosts": {f"{address}:{port}": {"delay": DELAY, "concurrency": 1} for address in ADDRESSES},
        "jurisdictions": [
            {"code": district_code(k), "name": f"基准{k}区", "agencies": members}
            for k, members in districts.items()
        ],
    }


def _apprise_config(path: Path, sink_url: str, districts: list[str]) -> Path:
    """The office and each district's office on the sink; every kind sent on its own, so each
    message carries one alert and its idempotency key says which (alerts/deliver.py)."""
    from alerts.config import load_config
    from alerts.kinds import KINDS

    urls = [{f"{sink_url}/office": [{"tag": "office"}]}] + [
        {f"{sink_url}/{d}": [{"tag": d}]} for d in districts
    ]
    path.write_text(
        yaml.safe_dump({"version": 1, "nianbao": {"urgent_kinds": list(KINDS)}, "urls": urls}),
        encoding="utf-8",
    )
    load_config(path)
    return path


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from alerts.sink import start_webhook_sink
    from flows.server import free_port, start_local_server
    from models.db import migrate
    from nianbao.store.registry import load_registry, sync_registry
    from replicas.multihost import MultiHostReplica, bench_district
    from tests.conftest import scratch_pg_database
    from tests.e2e.conftest import BIN

    root = tmp_path_factory.mktemp("pool")
    with ExitStack() as stack:
        prefect_db = stack.enter_context(scratch_pg_database())
        monitor_db = stack.enter_context(scratch_pg_database())
        routes, agencies = bench_district((DISTRICTS + 1) * PER_DISTRICT, per_district=PER_DISTRICT)
        entries = {
            agency_code(a["district"], i % PER_DISTRICT): a["entry_path"] for i, a in enumerate(agencies)
        }
        gated = agency_code(VICTIM, 4)  # on the first host, after two of the victim's agencies there
        gate = Gate(routes[entries[gated]])  # type: ignore[arg-type]
        routes[entries[gated]] = gate
        replica = MultiHostReplica(routes, ADDRESSES)
        stack.callback(replica.stop)
        stack.callback(gate.opened.set)  # never leave a replica thread waiting
        sink = start_webhook_sink(port=0)
        stack.callback(sink.stop)

        registry = root / "agencies.yaml"
        registry.write_text(
            yaml.safe_dump(_registry(replica.port, agencies), allow_unicode=True), encoding="utf-8"
        )
        migrate(monitor_db)
        with session_scope(monitor_db) as s:
            sync_registry(s, load_registry(registry))
        districts = [district_code(k) for k in range(DISTRICTS + 1)]
        apprise = _apprise_config(root / "apprise.yml", sink.url, districts)

        server = start_local_server(
            free_port(),
            log_path=root / "server.log",
            home=root / "server-home",
            timeout=240,
            env={
                "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db.replace("+psycopg", "+asyncpg"),
                "PREFECT_UI_ENABLED": "false",  # not needed here, and faster to start
                "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",  # no cron runs of the deployments
                "PREFECT_SERVER_SERVICES_REPOSSESSOR_LOOP_SECONDS": "2",  # expired slot leases freed soon
            },
        )
        stack.callback(server.stop)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("NIANBAO_", "PREFECT_"))},
            "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
            "PREFECT_API_URL": server.api_url,
            "PREFECT_HOME": str(root / "client-home"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT),
            "PREFECT_WORKER_QUERY_SECONDS": "1",
            "NIANBAO_DATABASE_URL": monitor_db,
            "NIANBAO_DATA_DIR": str(root / "data"),  # shared by both workers, as deploy/README.md says
            "NIANBAO_REGISTRY_PATH": str(registry),
            "NIANBAO_APPRISE_CONFIG": str(apprise),
            "NIANBAO_ALLOW_PRIVATE_HOSTS": "true",
            "NIANBAO_PER_HOST_DELAY": "0",  # only the registry's hosts: delay spaces the requests
            "NIANBAO_HOST_SLOT_LEASE": str(LEASE),
            "NIANBAO_ABANDON_AFTER_MINUTES": "0.5",
        }
        stack.enter_context(temporary_settings(updates={PREFECT_API_URL: server.api_url}))
        deploy(env, root, crash_within=CRASH_WITHIN)
        workers = [start_worker(name, env, root, limit=2) for name in ("pool-w1", "pool-w2")]
        for worker in workers:
            stack.callback(stop_worker, worker)

        def both_polling() -> bool:
            with get_client(sync_client=True) as client:
                names = {w.name for w in client.read_workers_for_work_pool(POOL, offset=0, limit=10)}
            return names >= {"pool-w1", "pool-w2"}

        poll(both_polling, 120, "both workers polling the pool")
        yield Cluster(
            root=root,
            api_url=server.api_url,
            db_url=monitor_db,
            env=env,
            replica=replica,
            hosts=[f"{a}:{replica.port}" for a in ADDRESSES],
            entries=entries,
            gate=gate,
            gated=gated,
            sink=sink,
            apprise=apprise,
            workers=workers,
        )


def _state(run: FlowRun) -> State:
    assert run.state is not None, run
    return run.state


def _span(run: FlowRun) -> tuple[datetime, datetime]:
    """When the run started and ended (a finished run has both)."""
    assert run.start_time is not None and run.end_time is not None, run
    return run.start_time, run.end_time


def _trigger(jurisdiction: str) -> UUID:
    from prefect.deployments import run_deployment

    run = run_deployment(
        "monitor/scheduled", parameters={"jurisdiction": jurisdiction, "year": YEAR}, timeout=0
    )
    assert isinstance(run, FlowRun)
    return run.id


def _runs(ids: list[UUID]) -> dict[UUID, FlowRun]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return {i: client.read_flow_run(i) for i in ids}


def _finished(ids: list[UUID], timeout: float, cluster: Cluster) -> dict[UUID, FlowRun]:
    def done() -> dict[UUID, FlowRun] | None:
        runs = _runs(ids)
        return runs if all(r.state is not None and r.state.is_final() for r in runs.values()) else None

    try:
        runs = poll(done, timeout, f"flow runs {ids} finished", every=1)
    except TimeoutError as exc:
        raise TimeoutError(f"{exc}\n{cluster.logs()}") from None
    assert runs is not None
    return runs


@dataclass
class FirstRound:
    runs: dict[str, FlowRun]  # district code -> its run
    requests: list[LoggedRequest]  # the replica's log when the round was over


@pytest.fixture(scope="module")
def first_round(cluster: Cluster) -> FirstRound:
    ids = {district_code(k): _trigger(district_code(k)) for k in range(DISTRICTS)}
    runs = _finished(list(ids.values()), 300, cluster)
    return FirstRound({code: runs[i] for code, i in ids.items()}, list(cluster.replica.requests))


def _codes(k: int) -> list[str]:
    return [agency_code(k, j) for j in range(PER_DISTRICT)]


def _crawls(db_url: str, codes: list[str], run_id: int | None = None) -> Counter:
    with session_scope(db_url) as s:
        query = select(Agency.code).join(AgencyCrawl, col(AgencyCrawl.agency_id) == Agency.id)
        query = query.where(col(Agency.code).in_(codes))
        if run_id is not None:
            query = query.where(AgencyCrawl.crawl_run_id == run_id)
        return Counter(s.exec(query).all())


def _delivered_once(cluster: Cluster) -> None:
    """Every alert sent, once to each recipient its tags name: the sink's idempotency keys are
    exactly one per (alert, recipient), no more, no fewer."""
    from alerts.config import load_config
    from alerts.deliver import idempotency_key

    recipients = load_config(cluster.apprise).recipients
    with session_scope(cluster.db_url) as s:
        alerts = s.exec(select(Alert)).all()
        states = Counter(a.state for a in alerts)
        expected = Counter(
            idempotency_key(r, [cast(int, a.id)], (1, 1))
            for a in alerts
            for r in recipients
            if r.tags & set(a.tags or [])
        )
        deliveries = s.exec(select(func.count()).select_from(AlertDelivery)).one()
    assert alerts and states == {"sent": len(alerts)}, states
    received = Counter(str(m.get("_idempotency_key")) for m in cluster.sink.messages)
    assert received == expected, (received - expected, expected - received)
    assert deliveries == sum(expected.values())


def test_the_server_takes_the_null_limits_prefect_deploy_sends(cluster: Cluster) -> None:
    """`prefect deploy` (3.8.8) lists the pool's workers with ``"limit": null, "offset": null``
    after each deployment; a server on FastAPI 0.151 or later refuses them (422) and the command
    fails after its first deployment. The pin (fastapi 0.150.0) keeps a server started from this
    environment taking them, as this cluster's `prefect deploy --all` needs."""
    import httpx

    body = {"workers": {"status": {"any_": ["ONLINE"]}}, "offset": None, "limit": None}
    answer = httpx.post(f"{cluster.api_url}/work_pools/{POOL}/workers/filter", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    assert isinstance(answer.json(), list)


def test_districts_run_on_both_workers_each_agency_once_each_alert_once_politely(
    cluster: Cluster, first_round: FirstRound
) -> None:
    from prefect.client.orchestration import get_client

    from flows.politeness import limit_name

    runs = first_round.runs
    assert all(_state(r).is_completed() for r in runs.values()), (
        {c: r.state for c, r in runs.items()},
        cluster.logs(),
    )
    ran_on = {code: worker_of(str(r.id), cluster.workers) for code, r in runs.items()}
    assert {w.name for w in ran_on.values() if w} == {"pool-w1", "pool-w2"}, ran_on
    # runs of the two workers were under way at the same time: the limit had something to hold
    assert any(
        _span(a)[0] < _span(b)[1] and _span(b)[0] < _span(a)[1]
        for ca, a in runs.items()
        for cb, b in runs.items()
        if ran_on[ca] is not ran_on[cb]
    )

    first = [agency_code(k, j) for k in range(DISTRICTS) for j in range(PER_DISTRICT)]
    assert _crawls(cluster.db_url, first) == Counter({c: 1 for c in first})
    asked = Counter(r.path for r in first_round.requests if r.method == "GET")
    assert {c: asked[cluster.entries[c]] for c in first} == {c: 1 for c in first}
    assert asked[cluster.entries[agency_code(VICTIM, 0)]] == 0  # the last district waits its turn

    hosts = by_host(first_round.requests)
    assert set(hosts) == set(cluster.hosts) and all(len(rs) > DISTRICTS for rs in hosts.values())
    assert spacing_problems(first_round.requests, DELAY) == []
    with get_client(sync_client=True) as client:
        for host in cluster.hosts:
            limit = client.read_global_concurrency_limit_by_name(limit_name(host))
            assert limit.limit == 1 and limit.active_slots == 0, (host, limit)

    with session_scope(cluster.db_url) as s:
        reports = Counter(s.exec(select(Report.agency_id)).all())
    assert len(reports) == len(first) and set(reports.values()) == {1}
    _delivered_once(cluster)


@dataclass
class CrashRound:
    killed: FlowRun  # the victim's run after the kill, once Prefect marked it
    worker: Worker
    survivor: Worker
    recorded_at_kill: Counter
    rerun: FlowRun


@pytest.fixture(scope="module")
def crash_round(cluster: Cluster, first_round: FirstRound) -> CrashRound:
    from prefect.client.orchestration import get_client

    victim = _codes(VICTIM)
    run_id = _trigger(district_code(VICTIM))
    poll(cluster.gate.hit.is_set, 180, f"the victim's run at the gated column ({cluster.gated})")
    poll(lambda: _crawls(cluster.db_url, victim), 120, "one of the victim's agencies recorded")

    def running_on() -> Worker | None:
        with get_client(sync_client=True) as client:
            pid = client.read_flow_run(run_id).infrastructure_pid
        return worker_running(pid, cluster.workers) if pid else None

    worker = poll(running_on, 30, "the worker running the victim's flow run")
    kill_like_a_lost_machine(worker)  # type: ignore[arg-type]
    recorded = _crawls(cluster.db_url, victim)
    cluster.gate.opened.set()  # the dead client's request may end now

    def crashed() -> FlowRun | None:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(run_id)
        return run if run.state is not None and run.state.is_crashed() else None

    killed = poll(
        crashed, CRASH_WITHIN + 2 * HEARTBEAT + 60, "the killed worker's run marked Crashed", every=2
    )
    rerun_id = _trigger(district_code(VICTIM))
    rerun = _finished([rerun_id], 240, cluster)[rerun_id]
    survivor = next(w for w in cluster.workers if w is not worker)
    return CrashRound(killed, worker, survivor, recorded, rerun)  # type: ignore[arg-type]


def test_a_killed_workers_run_crashes_and_a_rerun_completes_recording_nothing_twice(
    cluster: Cluster, first_round: FirstRound, crash_round: CrashRound
) -> None:
    victim = _codes(VICTIM)
    # killed mid-run: some of the district recorded, the gated agency (in flight) not
    assert 1 <= sum(crash_round.recorded_at_kill.values()) < PER_DISTRICT
    assert crash_round.recorded_at_kill[cluster.gated] == 0
    assert _state(crash_round.killed).is_crashed()
    assert "运行失联" in (_state(crash_round.killed).message or "")

    assert _state(crash_round.rerun).is_completed(), (crash_round.rerun.state, cluster.logs())
    assert worker_of(str(crash_round.rerun.id), cluster.workers) is crash_round.survivor

    with session_scope(cluster.db_url) as s:
        jur = s.exec(select(Jurisdiction).where(Jurisdiction.code == district_code(VICTIM))).one()
        runs = s.exec(select(CrawlRun).where(CrawlRun.scope == jur.code).order_by(col(CrawlRun.id))).all()
        assert [r.status for r in runs] == ["abandoned", "completed"]  # the rerun said the first died
        rerun_id = runs[1].id
        reports = Counter(s.exec(select(Report.agency_id)).all())
        findings = Counter(
            s.exec(select(Finding.agency_id, Finding.year, Finding.rule, Finding.message)).all()
        )
        alerts = Counter(s.exec(select(Alert.kind, Alert.agency_id, Alert.finding_id, Alert.year)).all())
    assert _crawls(cluster.db_url, victim, rerun_id) == Counter({c: 1 for c in victim})
    total = (DISTRICTS + 1) * PER_DISTRICT
    assert len(reports) == total and set(reports.values()) == {1}  # one report row per agency
    assert findings and set(findings.values()) == {1}
    assert alerts and set(alerts.values()) == {1}
    _delivered_once(cluster)
    requests = list(cluster.replica.requests)
    assert spacing_problems(requests, DELAY) == []  # the rerun too, after the dead run's slot
