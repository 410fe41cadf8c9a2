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

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main


def run() -> None:
    PagesManager.uses_pages_directory = False
    main(prog_name="streamlit")


if __name__ == "__main__":
    run()
