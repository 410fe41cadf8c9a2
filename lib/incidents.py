"""Incident numbers for errors nobody planned for (R3): the log gets the traceback, the person gets a number.

No Streamlit here; ``lib.views.error_boundary`` shows the message.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

log = logging.getLogger("dutydesk.incident")

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I, read aloud over the phone


def incident_number(now: dt.datetime | None = None) -> str:
    """``YYMMDD-XXXXXX``: the day (for finding the log) and six random characters (R3)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return f"{now:%y%m%d}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def record(exc: BaseException, *, where: str = "") -> str:
    """Log ``exc`` with its traceback under a new incident number and return the number."""
    number = incident_number()
    log.error("incident %s%s: %s", number, f" ({where})" if where else "", type(exc).__name__,
              exc_info=(type(exc), exc, exc.__traceback__))
    return number
