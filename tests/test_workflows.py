"""The GitHub workflows hold to least privilege: pinned actions, per-job permissions,
no persisted credentials, and zizmor (a well-kept Actions linter) finds nothing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, VENV_BIN

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _steps(path: Path) -> list[tuple[str, dict]]:
    return [
        (name, step) for name, job in _load(path)["jobs"].items() for step in job.get("steps", [])
    ]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit(path: Path) -> None:
    uses = [step["uses"] for _, step in _steps(path) if "uses" in step]
    assert uses, "a workflow without actions would make this test vacuous"
    assert [u for u in uses if not SHA_PIN.match(u)] == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkout_never_persists_credentials(path: Path) -> None:
    checkouts = [s for _, s in _steps(path) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    assert all(s.get("with", {}).get("persist-credentials") is False for s in checkouts)


def test_only_the_deploy_job_may_publish() -> None:
    pages = _load(ROOT / ".github" / "workflows" / "pages.yml")
    assert pages["permissions"] == {}
    assert pages["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert pages["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_zizmor_finds_nothing() -> None:
    done = subprocess.run(
        [VENV_BIN / "zizmor", "--offline", "--format", "plain", ROOT / ".github" / "workflows"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_pull_requests_run_zizmor() -> None:
    runs = [s.get("run", "") for _, s in _steps(ROOT / ".github" / "workflows" / "pr.yml")]
    assert any("zizmor" in r for r in runs)
