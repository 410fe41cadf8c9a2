"""L1: `make loadtest` in short (N=5 sessions, 15 s) on SQLite and PostgreSQL, in CI.

The driver runs as `make loadtest` does (its own seeded database, its own app server and the
floor page) and must finish with no error of any kind: no exception or incident message on a page,
no disconnect or timeout, no traceback in the server's log, no save or press refused. It must also
have done every kind of action at least once, so a run that clicked nothing fails. Times are
reported, never judged here: this machine is shared. Both backends run at the same time, so the
test costs one run's wall time (seeding the demo office is most of it).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bench.loadtest.scenarios import ACTIONS
from tests.conftest import IN_CI, PG_URL

ROOT = Path(__file__).resolve().parents[2]
EVERY_ACTION = {action for actions in ACTIONS.values() for action in actions if action != "floor.open"}


def _start(folder: Path, *extra: str) -> subprocess.Popen:
    folder.mkdir()
    cmd = [sys.executable, "-m", "bench.loadtest", "--n", "5", "--seconds", "15", "--timeout", "20",
           "--workdir", str(folder), "--json", str(folder / "result.json"), *extra]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _result(process: subprocess.Popen, folder: Path) -> dict:
    try:
        output, _ = process.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"the load run did not stop by itself within 240 s:\n{output[-4000:]}")
    assert process.returncode == 0, output[-6000:]
    return json.loads((folder / "result.json").read_text(encoding="utf-8"))


def _check(result: dict, backend: str) -> None:
    assert result["config"]["db"] == backend
    assert result["config"]["mix"] == {"receptionist": 1, "consultant": 1, "customer_service": 1,
                                       "supervisor": 1, "wall": 1}
    assert result["totals"]["errors"] == 0, result["errors"]
    assert result["totals"]["server_tracebacks"] == 0, result["errors"]
    assert result["totals"]["refused"] == 0, result["refusals"]
    done = {row["action"] for row in result["actions"] if row["count"]}
    if result["floor"]:
        done.add(result["floor"]["action"])
    assert EVERY_ACTION <= done, f"{backend}: never done: {sorted(EVERY_ACTION - done)}"
    assert result["totals"]["clicks"] > 0 and result["totals"]["app_cpu_per_click_ms"]


def test_loadtest_short_on_both_backends(tmp_path):
    """L1: five sessions of the office's mix (receptionist, consultant, customer service, supervisor, wall TV)
    for 15 s, the floor page beside, on SQLite and PostgreSQL: no error, every kind of action done."""
    runs = {"sqlite": _start(tmp_path / "sqlite", "--db", "sqlite")}
    if PG_URL:
        runs["postgres"] = _start(tmp_path / "postgres", "--db", "postgres", "--pg-url", PG_URL,
                                  "--pg-name", f"dd_load_{uuid.uuid4().hex[:10]}")
    results = {backend: _result(process, tmp_path / backend) for backend, process in runs.items()}
    for backend, result in results.items():
        _check(result, backend)
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL load test must run in CI")
        pytest.skip("SQLite passed; TEST_DATABASE_URL not set (the PostgreSQL load test runs in CI)")


def test_mix_has_every_role_from_five_sessions():
    """L1: the office's mix: 1/8 walls, 1/8 supervisors, staff in three parts; forty sessions are 30/5/5."""
    from bench.loadtest.scenarios import mix

    assert sorted(mix(5)) == sorted(["receptionist", "consultant", "customer_service", "supervisor", "wall"])
    forty = mix(40)
    assert (forty.count("wall"), forty.count("supervisor")) == (5, 5)
    assert {forty.count(r) for r in ("receptionist", "consultant", "customer_service")} == {10}
