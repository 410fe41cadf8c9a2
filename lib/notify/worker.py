"""The background sweeper: one daemon thread per process, so ``make run`` stays one command (issue 15 N5).

It runs beside the app, never inside a page run: a page never waits for a webhook. Its own Engine, so a
cleared ``st.cache_resource`` does not take it away. ``DUTYDESK_SWEEP_SECONDS`` sets the interval (0 turns
it off, e.g. when cron runs ``python -m lib.notify --once``); under pytest it is off unless set.
"""

from __future__ import annotations

import logging
import os
import threading

from db.engine import database_url, make_engine
from lib.notify.sweeper import sweep_once

log = logging.getLogger(__name__)
DEFAULT_SECONDS = 60

_started = False
_lock = threading.Lock()
_stop = threading.Event()


def interval() -> int:
    given = os.environ.get("DUTYDESK_SWEEP_SECONDS")
    if given is not None:
        return int(given) if given.strip().isdigit() else DEFAULT_SECONDS
    return 0 if "PYTEST_CURRENT_TEST" in os.environ else DEFAULT_SECONDS


def _run(url: str, seconds: int) -> None:
    engine = make_engine(url)
    while not _stop.is_set():
        try:
            sweep_once(engine)
        except Exception:  # noqa: BLE001 - a failed sweep is logged and retried next time; the app goes on
            log.exception("notification sweep failed")
        _stop.wait(seconds)


def start_background() -> bool:
    """Start the sweeper thread once per process; True when this call started it."""
    global _started
    seconds = interval()
    if seconds <= 0:
        return False
    with _lock:
        if _started:
            return False
        _started = True
    threading.Thread(target=_run, args=(database_url(), seconds), name="dutydesk-notify", daemon=True).start()
    return True
