"""The hostile-input layer's figures (R15): counters per family and backend, and the table made from them.

A plugin of its own (registered by ``tests/conftest.py``), light to import, because under pytest-xdist the
families run in the workers while the table is written by the controller: each worker hands its counters over
at the end of its session (``workeroutput``), the controller adds them up, prints the table and writes
``HOSTILE_REPORT`` (default ``/tmp/hostile_report.md``) once. Without xdist the one process does all of it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
# examples per family and backend: 1000 in CI (issue 12 R15: about 6 minutes of one worker's time, 2.5 minutes
# added to `make test` on two workers), 50 locally (a quick run); HOSTILE_EXAMPLES overrides both.
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES") or (1000 if IN_CI else 50))
REPORT = Path(os.environ.get("HOSTILE_REPORT") or "/tmp/hostile_report.md")
COLUMNS = ("tried", "refused", "stored as typed", "stored altered", "unhandled", "partial writes")
_KEY = "hostile_report"

STATS: dict[str, dict[str, Counter]] = {}
TIMES: dict[str, float] = {}


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if (os.environ.get("TEST_DATABASE_URL") or IN_CI) else ["sqlite"]


def is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def report_lines() -> list[str]:
    lines = [f"Hostile-input layer (R15): {EXAMPLES} examples per family and backend "
             f"({dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             "| family | backend | " + " | ".join(COLUMNS) + " | seconds |",
             "|---|---|" + "---:|" * (len(COLUMNS) + 1)]
    for family in sorted(STATS):
        for backend, stats in STATS[family].items():
            cells = " | ".join(str(stats[c]) for c in COLUMNS)
            lines.append(f"| {family} | {backend} | {cells} | {TIMES.get(family, 0):.0f} |")
    if "postgresql" not in backends():
        lines += ["", "PostgreSQL not run: TEST_DATABASE_URL is unset (it is required when CI=true)."]
    return lines


def write_report() -> None:
    REPORT.write_text("\n".join(report_lines()) + "\n", encoding="utf-8")


def merge(payload: str) -> None:
    """Add one worker's counters (``workeroutput``) to this process's."""
    data = json.loads(payload)
    for family, per_backend in data["stats"].items():
        mine = STATS.setdefault(family, {})
        for backend, counts in per_backend.items():
            mine.setdefault(backend, Counter()).update(counts)
    for family, seconds in data["times"].items():
        TIMES[family] = TIMES.get(family, 0.0) + seconds


def pytest_sessionfinish(session):
    if is_worker(session.config):
        if STATS:
            session.config.workeroutput[_KEY] = json.dumps(
                {"stats": {f: {b: dict(c) for b, c in per.items()} for f, per in STATS.items()}, "times": TIMES})
    elif STATS:
        write_report()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist controller: a worker finished; its counters join the table (written at the session's end)."""
    payload = getattr(node, "workeroutput", {}).get(_KEY)
    if payload:
        merge(payload)


def pytest_terminal_summary(terminalreporter):
    if STATS and not is_worker(terminalreporter.config):
        terminalreporter.write_sep("=", "hostile-input layer (R15)")
        for line in report_lines():
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"(written to {REPORT})")
