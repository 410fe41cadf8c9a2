"""The intake form's pieces that are not widgets: the typed received time and the saved message (T25)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from lib.services.tickets.write import IntakeResult
from lib.ui import local_time, t
from lib.views.tickets.common import label


def received_at(s: Mapping, today: dt.date, zone) -> dt.datetime | None:
    """The 接收时间 typed on the form (T25); empty means now. A time without a day is today's."""
    clock = s.get("tk_recv_time")
    return dt.datetime.combine(s.get("tk_recv_day") or today, clock, tzinfo=zone) if clock else None


def saved_message(result: IntakeResult, zone) -> tuple[str, dict]:
    """Say what was saved, in words: type, customer, severity, where it went, the deadline (T25)."""
    route = result.owner_title or (label("complaints.group", result.cs_group) if result.cs_group else "")
    due = (t("tickets.intake.deadline", kind=label("complaints.sla.kind", result.due_kind),
             at=local_time(result.due_at, zone)) if result.due_at else t("tickets.intake.no_deadline"))
    if result.backdated:
        due += t("tickets.intake.from_received", at=local_time(result.received_at, zone))
    return "tickets.intake.saved", {
        "id": result.id, "type": label("complaints.ticket_type", result.type),
        "customer": result.customer_name or t("tickets.intake.anonymous"),
        "severity": label("complaints.severity", result.severity),
        "route": t("tickets.intake.routed", route=route) if route else t("tickets.intake.unrouted"), "deadline": due}
