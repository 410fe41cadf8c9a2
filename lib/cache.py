"""What every rerun would otherwise read again, kept in the process and checked by one row (issue 13 L2).

A Streamlit click reruns the router and the page. Before this module each rerun of each session read the
first-run flag, the session and its user, the credentials and the settings from the database. Now:

- **Versions in the database.** ``cache_version`` holds a counter per domain (``settings``, ``auth``),
  bumped by triggers in the very transaction that changes a setting, an account, a role, a title, a
  language, an activity flag, or ends a session (migration 0021), whoever writes it.
- **One read per script run.** :func:`versions` reads both counters with one primary-key query the first
  time a script run (or a fragment's run) asks, and remembers them for the rest of that run. A write
  committed by this run forgets them, so what the run wrote is what it reads next.
- **Values per process.** :func:`cached` keeps a value beside the counter it was read under, shared by
  every session of this process; another app server's change moves the counter, so the next run here reads
  the value again. Values are keyed by the Engine (a new database, a new cache) and hold nothing a session
  could not read for itself at that moment: per-user entries are keyed by what proves the user (the hash
  of their session secret).

Read the counter before the value: a change committed in between then leaves an older counter beside a
newer value, which costs one more read, never a stale answer.

:func:`freeze_import_heap` is here too: once per process, the objects the imports made are moved out of
the collector's way, so the automatic collections that still run (``runner.postScriptGC`` is off) do not
walk them again and again.
"""

from __future__ import annotations

import gc
import sys
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from db.models import CacheVersion

T = TypeVar("T")
DOMAINS = ("settings", "auth")
_VERSIONS = select(CacheVersion.domain, CacheVersion.version)

_lock = threading.Lock()
_values: weakref.WeakKeyDictionary[Engine, dict[Hashable, tuple[Any, Any]]] = weakref.WeakKeyDictionary()
_hooked: weakref.WeakSet[Engine] = weakref.WeakSet()
_RUN_ATTRIBUTE = "_dutydesk_run_memo"  # on Streamlit's context of a session's script runs
_loading: dict[tuple[int, Hashable], threading.Lock] = {}
_frozen = False
MAX_ENTRIES = 5000
stats = {"version_reads": 0, "loads": 0}  # counted for the tests and the bench


def read_versions(connection: Connection | Session) -> dict[str, int]:
    """The counters, read now (one primary-key query on a two-row table)."""
    stats["version_reads"] += 1
    return {domain: version for domain, version in connection.execute(_VERSIONS).all()}


def _run_memo() -> dict | None:
    """This script run's memo (a fragment's run counts as a run), None outside a script run.

    A run is told apart by ``ctx.cursors``, the dict Streamlit replaces at the start of every run
    (``ScriptRunContext.reset``); tests/unit/test_cache.py fails if an upgrade changes that.
    """
    ctx = _script_run()
    if ctx is None:
        return None
    marker, memo = getattr(ctx, _RUN_ATTRIBUTE, (None, None))
    if marker is not ctx.cursors:
        memo = {}
        setattr(ctx, _RUN_ATTRIBUTE, (ctx.cursors, memo))
    return memo


def _script_run():
    """Streamlit's context of the running script, when Streamlit is loaded at all (services stay usable,
    and import nothing of it, in scripts and tests)."""
    runner = sys.modules.get("streamlit.runtime.scriptrunner_utils.script_run_context")
    return runner.get_script_run_ctx(suppress_warning=True) if runner is not None else None


def _hook(engine: Engine) -> None:
    """A write committed on this thread's script run makes the run read the counters again."""
    if engine in _hooked:
        return
    with _lock:
        if engine in _hooked:
            return

        @event.listens_for(engine, "commit")
        def _after_write(conn) -> None:
            if conn.info.get("write", True):
                forget_run()

        _hooked.add(engine)


def forget_run() -> None:
    """Drop what this script run remembered (the next question reads the database)."""
    memo = _run_memo()
    if memo:
        memo.clear()


def versions(engine: Engine) -> dict[str, int]:
    """The counters for this script run: one query the first time, then remembered until the run ends or
    writes. Outside a script run (services called by tests or scripts), a query every time."""
    _hook(engine)
    memo = _run_memo()
    key = ("versions", id(engine))
    if memo is not None and key in memo:
        return memo[key]
    with engine.connect() as connection:
        connection.info["write"] = False
        found = read_versions(connection)
        connection.rollback()
    if memo is not None:
        memo[key] = found
    return found


def per_run(key: Hashable, load: Callable[[], T]) -> T:
    """``load()`` once per script run (and again after a write in the run); a call outside a run just loads."""
    memo = _run_memo()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def cached(engine: Engine, key: Hashable, version: Any, load: Callable[[], T],
           still_good: Callable[[T], bool] = lambda _value: True) -> T:
    """The value kept for ``key`` when it was read under ``version`` (and ``still_good`` agrees), else
    ``load()``, kept for the next caller of any session of this process."""
    entry = _values.get(engine, {}).get(key)
    if entry is not None and entry[0] == version and still_good(entry[1]):
        return entry[1]
    with _lock:
        if len(_loading) >= 2 * MAX_ENTRIES:
            _loading.clear()
        gate = _loading.setdefault((id(engine), key), threading.Lock())
    with gate:  # ten TVs asking at once: one reads, nine wait for its answer
        entry = _values.get(engine, {}).get(key)
        if entry is not None and entry[0] == version and still_good(entry[1]):
            return entry[1]
        stats["loads"] += 1
        value = load()
        with _lock:
            kept = _values.setdefault(engine, {})
            if len(kept) >= MAX_ENTRIES:  # a process up for months: old sessions' entries go
                kept.clear()
            kept[key] = (version, value)
    return value


def drop(engine: Engine, key: Hashable) -> None:
    with _lock:
        _values.get(engine, {}).pop(key, None)


def clear() -> None:
    """Forget every kept value (tests)."""
    with _lock:
        _values.clear()
        _loading.clear()


def freeze_import_heap() -> bool:
    """Once per process: collect, then move every object alive now (modules, classes, catalogs) into the
    permanent generation, so later collections skip them. True the first time."""
    global _frozen
    with _lock:
        if _frozen:
            return False
        _frozen = True
    gc.collect()
    gc.freeze()
    return True
