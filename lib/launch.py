"""``python -m lib.launch run Home.py …``: ``streamlit run`` with the router in charge from the first request.

Streamlit 1.67 decides when the first browser session of a process opens whether the app is an old-style
``pages/`` folder app, and it is one until some session calls ``st.navigation`` (trap 2 of
``lib/views/router_paths.py``). In that mode it serves ``pages/<file>.py`` by file name, so the first visitor
after a start who opened a deep link whose address is not a file name (``/queue`` is ``pages/rotation_queue.py``)
got Streamlit's English "Page not found" modal over the login form. This launcher gives the answer before any
session exists: the router (``Home.py``) runs from the first request. Everything after the module name is
``streamlit``'s own command line. Every way this repository starts the app goes through it (``make run``,
``deploy/serve.py``, the e2e and load-test servers); ``tests/e2e/test_first_visit.py`` fails without it.
"""

from __future__ import annotations

import ctypes
import os

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main

MALLOC_ARENAS = 2  # glibc's default is 8 per core
_M_ARENA_MAX = -8  # mallopt's parameter number (glibc malloc.h)


def few_malloc_arenas() -> bool:
    """Cap glibc's malloc arenas before Streamlit starts its threads (issue 13, memory under load).

    glibc gives threads arenas of their own, up to eight per core, and Streamlit runs every session's script in a
    thread of its own. Measured side by side (two servers on one database, 20 load-test sessions each, 20 minutes,
    2026-12-07): RSS +34 MB with two arenas against +40 MB with sixteen, while the heap Python itself traces
    (tracemalloc) grew ~1 MB in 8 minutes: most of what grows is outside Python's objects (bench/README.md).
    ``MALLOC_ARENA_MAX`` in the environment, when set, wins (glibc read it at start); elsewhere than glibc this
    does nothing."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, MALLOC_ARENAS))
    except (OSError, AttributeError):
        return False


def run() -> None:
    few_malloc_arenas()
    PagesManager.uses_pages_directory = False
    main(prog_name="streamlit")


if __name__ == "__main__":
    run()
