"""deploy/: compose, prefect.yaml and Dockerfile are consistent and safe (no Docker engine needed)."""

from __future__ import annotations

import re
import shutil
import subprocess
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
