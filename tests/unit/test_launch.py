"""lib/launch.py: the launcher every start goes through caps glibc's malloc arenas unless told otherwise (issue 13)."""

from __future__ import annotations

import subprocess
import sys

from lib import launch

PROBE = "import os; from lib.launch import few_malloc_arenas; print(few_malloc_arenas())"


def run_probe(env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env=env,
                          cwd=launch.__file__.rsplit("/lib/", 1)[0]).stdout.strip()


def test_L2_the_launcher_caps_malloc_arenas_unless_the_environment_sets_them(monkeypatch):
    """Issue 13 L2 (memory under load): on glibc the cap is set (mallopt answers 1); an operator's own
    MALLOC_ARENA_MAX wins and the launcher leaves it alone."""
    import os
    base = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    assert run_probe(base) == "True"
    assert run_probe({**base, "MALLOC_ARENA_MAX": "4"}) == "False"
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert launch.few_malloc_arenas() is False
