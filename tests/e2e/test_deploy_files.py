"""deploy/: compose, prefect.yaml and Dockerfile are consistent and safe (no Docker engine needed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.schedules import DEADLINE_SCHEDULES, MONITOR_SCHEDULES, build_deployments

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
REPO = DEPLOY.parent
# A key that names a secret, and the value it is given on that line.
SECRET_RE = re.compile(
    r"^[ \t-]*['\"]?(\w*(?:PASSWORD|SECRET|TOKEN|AUTH_STRING)\w*)['\"]?[ \t]*[:=][ \t]*(.*)$", re.I | re.M
)


def secret_values(text: str) -> list[str]:
    """Keys given a literal value (not empty, not ``${VAR}`` from the environment)."""
    return [
        key
        for key, value in SECRET_RE.findall(text)
        if key.lower() != "secrets"  # compose: the list of secret names a service mounts
        and value.strip().strip("'\"")
        and not value.strip().strip("'\"").startswith("${")
    ]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def prefect_yaml() -> dict:
    return yaml.safe_load((DEPLOY / "prefect.yaml").read_text(encoding="utf-8"))


def test_compose_has_the_services_and_only_the_ui_port_published(compose: dict) -> None:
    services = compose["services"]
    assert {"db", "prefect-server", "worker", "app"} <= set(services)
    published = {name: s.get("ports", []) for name, s in services.items() if s.get("ports")}
    assert list(published) == ["prefect-server"]
    assert [p.rsplit(":", 1)[1] for p in published["prefect-server"]] == ["4200"]
    assert "expose" not in services["db"]


def test_compose_keeps_postgres_internal_and_auth_on(compose: dict) -> None:
    services = compose["services"]
    assert services["db"]["networks"] == ["backend"]
    assert compose["networks"]["backend"]["internal"] is True
    assert "PREFECT_SERVER_API_AUTH_STRING" in services["prefect-server"]["environment"]
    for name in ("worker", "app"):
        env = services[name]["environment"]
        assert env["PREFECT_API_AUTH_STRING"].startswith("${")
        assert env["NIANBAO_APPRISE_CONFIG"].startswith("/run/secrets/")
        assert "apprise" in services[name]["secrets"]
    assert "apprise" in compose["secrets"] and "file" in compose["secrets"]["apprise"]


@pytest.mark.parametrize(
    "name", ["docker-compose.yml", "prefect.yaml", "Dockerfile", ".env.example", "initdb/01-databases.sh"]
)
def test_no_secret_values_in_deploy_files(name: str) -> None:
    text = (DEPLOY / name).read_text(encoding="utf-8")
    assert secret_values(text) == []
    assert "postgres://" not in text and not re.search(r"://[^/\s:@]+:[^@\s$]+@", text)


def test_env_file_is_ignored_and_example_lists_every_variable(compose: dict) -> None:
    assert ".env" in (REPO / ".gitignore").read_text().split()
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    example = {
        line.split("=", 1)[0] for line in (DEPLOY / ".env.example").read_text().splitlines() if "=" in line
    }
    assert used <= example, used - example


def _compose_command() -> list[str]:
    """`docker compose` (plugin) or Debian's `docker-compose`; both validate without an engine."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    assert legacy, (
        "neither `docker compose` nor `docker-compose` is installed (scripts/system-packages.sh installs it)"
    )
    return [legacy]


def test_docker_compose_config_validates() -> None:
    env = {
        k: "x"
        for k in ("POSTGRES_PASSWORD", "PREFECT_DB_PASSWORD", "NIANBAO_DB_PASSWORD", "PREFECT_AUTH_STRING")
    }
    result = subprocess.run(
        [*_compose_command(), "-f", str(DEPLOY / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={**env, "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert result.returncode == 0, result.stderr


def test_dockerfile_is_slim_pinned_and_non_root() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines[0] == "FROM python:3.11-slim"
    assert any("pip install -c constraints.txt" in ln for ln in lines)
    users = [ln.split()[1] for ln in lines if ln.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert not any(ln.startswith(("ARG", "ENV")) and re.search(r"PASSWORD|AUTH|TOKEN", ln) for ln in lines)
    assert not any("apprise" in ln.lower() and ln.startswith(("COPY", "ADD")) for ln in lines)
    assert "MALLOC_ARENA_MAX=2" in text  # workers' flow runs keep memory flat (nianbao/runtime/memory.py)


def test_prefect_yaml_entrypoints_import_and_name_their_flows(prefect_yaml: dict) -> None:
    from prefect.flows import Flow, load_flow_from_entrypoint

    pools = {d["work_pool"]["name"] for d in prefect_yaml["deployments"]}
    assert pools == {"nianbao"}
    for d in prefect_yaml["deployments"]:
        path = d["entrypoint"].split(":", 1)[0]
        assert (REPO / path).is_file(), path
        flow: Flow[..., Any] = load_flow_from_entrypoint(str(REPO / d["entrypoint"]))
        assert flow.name == d["flow_name"], d


def test_prefect_yaml_matches_the_served_deployments_and_schedules(prefect_yaml: dict) -> None:
    served = {
        (dep.flow_name, dep.name): sorted(
            (s.schedule.cron, s.schedule.timezone, s.slug) for s in (dep.schedules or [])
        )
        for dep in build_deployments()
    }
    declared = {
        (d["flow_name"], d["name"]): sorted(
            (s["cron"], s["timezone"], s["slug"]) for s in (d.get("schedules") or [])
        )
        for d in prefect_yaml["deployments"]
    }
    assert declared == served
    assert served[("monitor", "scheduled")] == sorted((s.cron, s.timezone, s.slug) for s in MONITOR_SCHEDULES)
    assert served[("check-deadlines", "daily")] == [(s.cron, s.timezone, s.slug) for s in DEADLINE_SCHEDULES]


def test_lost_runs_are_marked_crashed_by_an_automation_the_app_creates(compose: dict) -> None:
    """deploy/automations.yaml is what Prefect accepts, the image has it, the `app` one-shot
    creates it once, and its window is three of the heartbeats compose sets for the flow runs
    (tests/e2e/test_work_pool.py runs it, shortened, against a killed worker)."""
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

    spec = yaml.safe_load((DEPLOY / "automations.yaml").read_text(encoding="utf-8"))
    (lost,) = [AutomationCore.model_validate(a) for a in spec["automations"]]
    trigger = lost.trigger
    assert isinstance(trigger, EventTrigger)
    assert lost.name == "nianbao-lost-runs" and trigger.posture == Posture.Proactive
    assert trigger.after == {"prefect.flow-run.heartbeat"}
    assert {"prefect.flow-run.heartbeat", "prefect.flow-run.Completed"} <= trigger.expect
    (action,) = lost.actions
    assert isinstance(action, ChangeFlowRunState) and action.state.value == "CRASHED"
    assert action.message and "运行失联" in action.message

    beat = int(compose["x-prefect-client"]["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"])
    assert beat >= 30 and trigger.within.total_seconds() == 3 * beat
    for name in ("worker", "app"):
        assert compose["services"][name]["environment"]["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] == str(beat)
    command = " ".join(compose["services"]["app"]["command"])
    assert "prefect automation inspect nianbao-lost-runs" in command
    assert "prefect automation create --from-file deploy/automations.yaml" in command
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY deploy/automations.yaml ./deploy/automations.yaml" in dockerfile


# -- what compose makes of the file (interpolated, anchors resolved) ---------------------------
DUMMY_SECRETS = {
    k: "x" for k in ("POSTGRES_PASSWORD", "PREFECT_DB_PASSWORD", "NIANBAO_DB_PASSWORD", "PREFECT_AUTH_STRING")
}


@pytest.fixture(scope="module")
def resolved() -> dict:
    """`docker compose config` of the file with dummy secrets: what compose would run."""
    result = subprocess.run(
        [*_compose_command(), "-f", str(DEPLOY / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env={**DUMMY_SECRETS, "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_the_office_registry_is_mounted_read_only_where_the_settings_look(resolved: dict) -> None:
    for name in ("app", "worker"):
        service = resolved["services"][name]
        target = service["environment"]["NIANBAO_REGISTRY_PATH"]
        mounts = [v for v in service["volumes"] if isinstance(v, dict) and v.get("target") == target]
        assert len(mounts) == 1, (name, service["volumes"])
        (mount,) = mounts
        assert mount["type"] == "bind" and mount["read_only"] is True
        assert Path(mount["source"]) == DEPLOY / "agencies.yaml"  # the default, next to the compose file
        assert not mount.get("bind", {}).get("create_host_path")  # a missing file fails loudly


def test_the_image_carries_no_registry() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    assert "nianbao/agencies.yaml" in ignored and "deploy/agencies.yaml" in ignored
    assert "agencies.yaml" not in "\n".join(ln for ln in dockerfile.splitlines() if not ln.startswith("#"))


def test_services_wait_for_a_healthy_database_and_prefect_server(resolved: dict) -> None:
    services = resolved["services"]
    assert services["db"]["healthcheck"]["test"] and services["prefect-server"]["healthcheck"]["test"]
    assert services["prefect-server"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    healthy = {"condition": "service_healthy"}
    for name in ("app", "worker"):
        depends = services[name]["depends_on"]
        assert depends["db"] == healthy and depends["prefect-server"] == healthy, name
    assert services["worker"]["depends_on"]["app"] == {"condition": "service_completed_successfully"}


def _probe(test: list[str], **swap: str) -> list[str]:
    """A compose healthcheck's CMD as a command line, values swapped (a port, the interpreter):
    `_probe(test, python=sys.executable, **{"4200": "51087"})`."""
    assert test[0] == "CMD"
    out = []
    for part in test[1:]:
        for old, new in swap.items():
            part = new if part == old else part.replace(old, new)
        out.append(part)
    return out


def test_database_healthcheck_probes_postgres_over_tcp(resolved: dict) -> None:
    from flows.server import free_port

    if shutil.which("pg_isready") is None:
        if os.environ.get("CI"):
            pytest.fail("pg_isready (PostgreSQL client) is required on CI")
        pytest.skip("pg_isready not installed")
    test = resolved["services"]["db"]["healthcheck"]["test"]
    assert "127.0.0.1" in test  # not the socket: the init-time server listens on the socket only
    assert subprocess.run(_probe(test), capture_output=True).returncode == 0
    assert subprocess.run(_probe(test, **{"5432": str(free_port())}), capture_output=True).returncode != 0


@pytest.mark.e2e
def test_prefect_healthcheck_passes_without_credentials_once_the_server_is_ready(
    resolved: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    from flows.server import free_port, start_local_server

    test = resolved["services"]["prefect-server"]["healthcheck"]["test"]
    closed = str(free_port())
    probe = _probe(test, python=sys.executable, **{"4200": closed})
    assert subprocess.run(probe, capture_output=True).returncode != 0  # nothing listening yet
    monkeypatch.setenv("PREFECT_SERVER_API_AUTH_STRING", "office:s3cret")
    server = start_local_server(free_port(), home=tmp_path / "prefect", timeout=180)
    try:
        port = server.api_url.split(":")[-1].split("/")[0]
        probe = _probe(test, python=sys.executable, **{"4200": port})
        done = subprocess.run(probe, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        # the probe sent no credentials, and the server does want them elsewhere
        assert httpx.post(f"{server.api_url}/flows/filter", json={}).status_code == 401
    finally:
        server.stop()


# -- passwords: stored as typed, never inside a URL --------------------------------------------
AWKWARD = {
    "PREFECT_DB_PASSWORD": 'it\'s a "pass word"; DROP ROLE postgres; --',
    "NIANBAO_DB_PASSWORD": "$(touch {canary}) `touch {canary}` 100% @db/:?# \\ 密码 '",
}


def scram_matches(verifier: str, password: str) -> bool:
    """Whether PostgreSQL's SCRAM-SHA-256 verifier (pg_authid.rolpassword) is of `password`."""
    import base64
    import hashlib
    import hmac

    scheme, rest = verifier.split("$", 1)
    params, keys = rest.split("$")
    iterations, salt = params.split(":")
    stored_key, server_key = keys.split(":")
    assert scheme == "SCRAM-SHA-256"
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    server = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    return base64.b64encode(hashlib.sha256(client).digest()).decode() == stored_key and (
        base64.b64encode(server).decode() == server_key
    )


@pytest.mark.postgres
def test_initdb_stores_passwords_with_quotes_and_spaces_as_typed(tmp_path: Path, resolved: dict) -> None:
    """The init script against the real PostgreSQL (as the image's entrypoint runs it, with role
    names of its own so nothing else is touched); then the way compose hands the password to
    each service gets it to the driver unchanged."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from tests.conftest import PG_ADMIN_URL

    admin_url = make_url(PG_ADMIN_URL)
    canary = tmp_path / "shell-ran"
    passwords = {k: v.format(canary=canary) for k, v in AWKWARD.items()}
    suffix = uuid.uuid4().hex[:8]
    names = {"PREFECT_DB_USER": f"nbtest_prefect_{suffix}", "NIANBAO_DB_USER": f"nbtest_nianbao_{suffix}"}
    env = {
        "PATH": os.environ["PATH"],
        "POSTGRES_USER": admin_url.username or "postgres",
        "PGHOST": admin_url.host or "127.0.0.1",
        "PGPORT": str(admin_url.port or 5432),
        **passwords,
        **names,
    }
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        done = subprocess.run(
            ["sh", str(DEPLOY / "initdb" / "01-databases.sh")], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert not canary.exists()  # nothing in a password ran as a command
        with admin.connect() as conn:
            for user, secret in (
                ("PREFECT_DB_USER", "PREFECT_DB_PASSWORD"),
                ("NIANBAO_DB_USER", "NIANBAO_DB_PASSWORD"),
            ):
                verifier = conn.execute(
                    text("SELECT rolpassword FROM pg_authid WHERE rolname = :n AND rolcanlogin"),
                    {"n": names[user]},
                ).scalar_one()
                assert scram_matches(verifier, passwords[secret]), user
                assert not scram_matches(verifier, passwords[secret] + "x")
                owner = conn.execute(
                    text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :n"),
                    {"n": names[user]},
                ).scalar_one()
                assert owner == names[user]
        # nianbao: the URL compose gives carries no password; the driver takes PGPASSWORD
        worker = resolved["services"]["worker"]["environment"]
        url = make_url(worker["NIANBAO_DATABASE_URL"])
        assert url.password is None and worker["PGPASSWORD"] == DUMMY_SECRETS["NIANBAO_DB_PASSWORD"]
        here = url.set(host=env["PGHOST"], port=int(env["PGPORT"]), username=names["NIANBAO_DB_USER"])
        engine = create_engine(here.set(database=names["NIANBAO_DB_USER"]))
        old = os.environ.get("PGPASSWORD")
        os.environ["PGPASSWORD"] = passwords["NIANBAO_DB_PASSWORD"]
        try:
            with engine.connect() as conn:
                raw = conn.connection.dbapi_connection
                assert raw is not None
                assert raw.info.password == passwords["NIANBAO_DB_PASSWORD"]
                assert conn.execute(text("SELECT current_user")).scalar_one() == names["NIANBAO_DB_USER"]
        finally:
            engine.dispose()
            if old is None:
                os.environ.pop("PGPASSWORD")
            else:
                os.environ["PGPASSWORD"] = old
    finally:
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def _prefect_reads(env: dict[str, str], expression: str) -> str:
    """`expression` (over `s`, Prefect's settings) as Prefect computes it in a fresh process
    given only `env`: what the server in the container would make of compose's values."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from prefect.settings import get_current_settings as s; print({expression})",
        ],
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_prefect_builds_its_database_url_with_the_password_escaped(resolved: dict) -> None:
    """Prefect assembles its URL from the PREFECT_SERVER_DATABASE_* parts compose sets; the
    password comes back out of it exactly, whatever it holds."""
    from sqlalchemy.engine import make_url

    server_env = resolved["services"]["prefect-server"]["environment"]
    parts = {k: str(v) for k, v in server_env.items() if k.startswith("PREFECT_SERVER_DATABASE_")}
    assert not any("CONNECTION_URL" in k for k in server_env)
    password = AWKWARD["NIANBAO_DB_PASSWORD"].format(canary="/nowhere")
    parts["PREFECT_SERVER_DATABASE_PASSWORD"] = password
    url = make_url(_prefect_reads(parts, "s().server.database.connection_url.get_secret_value()"))
    assert url.drivername == "postgresql+asyncpg"
    assert (url.host, url.port, url.username, url.database) == ("db", 5432, "prefect", "prefect")
    assert url.password == password


def test_apprise_config_is_git_ignored() -> None:
    done = subprocess.run(
        ["git", "-C", str(REPO), "check-ignore", "-q", "deploy/apprise.yml"], capture_output=True
    )
    assert done.returncode == 0, "deploy/apprise.yml (alert recipients and passwords) is not git-ignored"
    assert (
        subprocess.run(
            ["git", "-C", str(REPO), "check-ignore", "-q", "deploy/.env.example"], capture_output=True
        ).returncode
        != 0
    )  # the example stays tracked


def test_the_prefect_server_deletes_old_runs_as_its_settings_read_them(resolved: dict) -> None:
    """Unvacuumed, the server's database grows by tens of GB a year nationally (deploy/README.md
    § National plan): compose turns the vacuum on for flow runs and events, and Prefect itself
    reads the values as meant (a set of two services, a 90-day retention)."""
    server_env = {k: str(v) for k, v in resolved["services"]["prefect-server"]["environment"].items()}
    vacuum = {k: v for k, v in server_env.items() if k.startswith("PREFECT_SERVER_SERVICES_DB_VACUUM_")}
    read = _prefect_reads(
        vacuum,
        "sorted(s().server.services.db_vacuum.enabled), s().server.services.db_vacuum.retention_period.days",
    )
    assert read == "['events', 'flow_runs'] 90"
