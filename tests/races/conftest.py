"""The race layer's fixtures (issue 12): one fleet of two worker processes for the session, a database per race
on each backend, and the figures table written at the end to ``RACE_REPORT`` (default ``/tmp/race_report.md``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import postgres_engine, sqlite_engine
from tests.races import harness

REPORT = Path(os.environ.get("RACE_REPORT") or "/tmp/race_report.md")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    seconds = harness.race_seconds()
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.races)
            item.add_marker(pytest.mark.timeout(int(seconds * 2 + 2 * harness.BARRIER_TIMEOUT + 120)))


@pytest.fixture(scope="session")
def fleet():
    """Two spawned worker processes, kept for every race of the session (their imports cost seconds)."""
    started = harness.Fleet()
    yield started
    started.close()
    if harness.ROWS:
        REPORT.write_text("\n".join(harness.report_lines(harness.race_seconds())) + "\n", encoding="utf-8")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    """(name, engine, url): a fresh migrated database the workers open with their own engines."""
    if request.param == "sqlite":
        engine = sqlite_engine(tmp_path)
        yield request.param, engine, engine.url.render_as_string(hide_password=False)
        engine.dispose()
    else:
        engine, drop = postgres_engine()
        yield request.param, engine, engine.url.render_as_string(hide_password=False)
        drop()


def pytest_terminal_summary(terminalreporter):
    if harness.ROWS:
        terminalreporter.write_sep("=", "races (issue 12)")
        for line in harness.report_lines(harness.race_seconds()):
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"(written to {REPORT})")
