"""Shared pieces of the per-module standalone benches (``python -m bench.gen_<module> --compare 1,10``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine

from bench.generate import generate
from db.engine import ROOT, make_engine, session_scope
from db.migrate import upgrade


def median_ms(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds after one warm-up (CPU time is steadier on a shared machine)."""
    call()
    wall, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return round(statistics.median(wall), 1), round(statistics.median(cpu), 1)


def module_db(module: str, scale: float, *, reuse: bool, marker: Table) -> tuple[Engine, float | None]:
    """A migrated SQLite file ``bench/results/<module>_s<scale>.db`` holding the office plus ``module``.

    With ``reuse`` an existing file whose ``marker`` table has rows is kept; otherwise it is
    generated afresh. Returns the engine and the generation time (None when reused).
    """
    path = ROOT / "bench" / "results" / f"{module}_s{scale:g}.db"
    if not (reuse and path.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with session_scope(engine, write=False) as session:
        has_rows = session.execute(select(func.count()).select_from(marker)).scalar_one() > 0
    if reuse and has_rows:
        return engine, None
    return engine, generate(engine, scale=scale, modules=[module]).seconds
