"""The router's one error boundary (R3, R12; STYLE "Failing safely").

A ``DomainError`` escaping a page is shown as its message; a database outage or timeout as the
「数据库暂时无法连接」 message; anything else is logged with its traceback under an incident number
and shown as a Chinese message carrying that number. The run then stops early, which keeps every
widget's state (Streamlit forgets the state of widgets a *finished* run did not draw), so nothing
typed is lost. ``st.rerun``/``st.stop``/``st.switch_page`` raise ``BaseException`` subclasses and pass
through untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from lib.domain.errors import DomainError
from lib.ui import fault_text, show_error

T = TypeVar("T")


def guarded(run: Callable[[], T]) -> T:
    """``run()``'s result; on an error the message in its place, and the run stops there."""
    try:
        return run()
    except DomainError as exc:
        show_error(exc)
    except Exception as exc:  # noqa: BLE001 - the boundary: nothing unplanned reaches the browser
        st.error(fault_text(exc), icon=":material/error:")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises
