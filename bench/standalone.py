"""Shared pieces of the per-module standalone benches (``python -m bench.gen_<module> --compare 1,10``)."""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Engine, make_url

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


def add_target_args(parser: argparse.ArgumentParser) -> None:
    """``--dir`` (where the SQLite files go) and ``--database-url`` (a PostgreSQL server to bench on instead)."""
    parser.add_argument("--dir", default=os.environ.get("BENCH_DIR", ""),
                        help="directory of the SQLite bench files (default: bench/results; env BENCH_DIR)")
    parser.add_argument("--database-url", default="",
                        help="postgresql://… : generate into a fresh database <module>_s<scale>_<hex> on that "
                             "server (dropped afterwards unless --keep) instead of a SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _psycopg(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def module_db(module: str, scale: float, *, reuse: bool, marker: Table) -> tuple[Engine, float | None]:
    """A migrated SQLite file ``bench/results/<module>_s<scale>.db`` holding the office plus ``module``
    (see :func:`module_target`). Returns the engine and the generation time (None when reused)."""
    engine, seconds, _drop = module_target(module, scale, reuse=reuse, marker=marker)
    return engine, seconds


def module_target(module: str, scale: float, *, reuse: bool, marker: Table, directory: str = "",
                  database_url: str = "") -> tuple[Engine, float | None, Callable[[], None]]:
    """A migrated database holding the office plus ``module``'s history at ``scale``.

    SQLite (default): the file ``<directory>/<module>_s<scale>.db`` (``directory`` defaults to bench/results);
    with ``reuse`` an existing file whose ``marker`` table has rows is kept, otherwise it is generated afresh.
    PostgreSQL (``database_url``): a fresh database ``<module>_s<scale>_<hex>`` on that server, generated and
    ``VACUUM ANALYZE``d. Returns the engine, the generation time (None when reused) and a drop callable
    (drops the PostgreSQL database; nothing for SQLite).
    """
    if database_url:
        name = f"{module}_s{scale:g}_{uuid.uuid4().hex[:8]}".replace(".", "_")
        server = make_engine(_psycopg(database_url))
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(_psycopg(database_url)).set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)

        def drop() -> None:
            engine.dispose()
            with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            server.dispose()

        upgrade(engine)
        return engine, generate(engine, scale=scale, modules=[module]).seconds, drop
    folder = Path(directory) if directory else ROOT / "bench" / "results"
    path = folder / f"{module}_s{scale:g}.db"
    if not (reuse and path.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with session_scope(engine, write=False) as session:
        has_rows = session.execute(select(func.count()).select_from(marker)).scalar_one() > 0
    if reuse and has_rows:
        return engine, None, lambda: None
    return engine, generate(engine, scale=scale, modules=[module]).seconds, lambda: None


def shows_rows(key_prefix: str, rows: int = 50) -> Callable[[object], str | None]:
    """A page check for ``bench.run.time_page``: no error shown, and a table of ``rows`` rows drawn (the list
    under the register picked by ``key_prefix``'s selectbox), so a page that renders nothing is not timed."""
    def check(app) -> str | None:
        if app.error:
            return "error shown: " + "; ".join(str(e.value) for e in app.error)[:200]
        shapes = [d.value.shape[0] for d in app.dataframe]
        if rows not in shapes:
            return f"{key_prefix}: no table of {rows} rows (tables: {shapes})"
        return None
    return check


def interleaved_page(page: str, urls: list[str], runs: int, *, state: dict | None = None,
                     check: Callable[[object], str | None] | None = None,
                     username: str = "admin") -> list[dict]:
    """One page on several databases, timed in turns (A, B, A, B, …) so a load spike on a shared machine
    hits every database alike: one AppTest per database (each warmed up once), ``DATABASE_URL`` switched
    before each run (the app keeps one engine per URL). Per database: median wall and CPU ms, the spread
    (min–max wall) and what ``check`` found. ``page``: the script's path under the repository."""
    from streamlit.testing.v1 import AppTest

    from bench.run import _forget_app_engines

    _forget_app_engines()
    apps, out = [], []
    for url in urls:
        os.environ["DATABASE_URL"] = url
        app = AppTest.from_file(str(ROOT / page), default_timeout=60)
        app.session_state["authentication_status"] = True
        app.session_state["username"] = username
        for key, value in (state or {}).items():
            app.session_state[key] = value
        app.run()
        apps.append(app)
        out.append({"url": url, "wall": [], "cpu": [], "problem": None})
    for _ in range(runs):
        for app, row in zip(apps, out, strict=True):
            os.environ["DATABASE_URL"] = row["url"]
            started, cpu_started = time.perf_counter(), time.process_time()
            app.run()
            row["wall"].append((time.perf_counter() - started) * 1000)
            row["cpu"].append((time.process_time() - cpu_started) * 1000)
            if app.exception:
                row["problem"] = app.exception[0].message.splitlines()[0][:200]
    results = []
    for app, row in zip(apps, out, strict=True):
        problem = row["problem"] or (check(app) if check else None)
        top = None
        tables = [d.value for d in app.dataframe if d.value.shape[0]]
        if tables and len(tables[0].columns):
            top = tables[0].iloc[0, 0]  # the first column of the first row: the newest entry's number
        results.append({"ms": round(statistics.median(row["wall"]), 1), "cpu_ms": round(statistics.median(row["cpu"]), 1),
                        "min_ms": round(min(row["wall"]), 1), "max_ms": round(max(row["wall"]), 1),
                        "first_cell": str(top), "problem": problem})
    _forget_app_engines()
    return results
