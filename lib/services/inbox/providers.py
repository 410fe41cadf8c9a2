"""One provider per module: ONE indexed query over open rows (never history), turned into inbox items.

Each provider takes the session and a :class:`Context` (clock, zone, settings read once) and returns
:class:`lib.domain.inbox.Item` s for everyone; the inbox filters them for one person, the sweeper fans
them out. The index each query reads is named in its docstring; ``tests/db/test_inbox_providers.py``
checks each one exists and SQLite's planner uses it (issue 15 I3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Date, cast, exists, literal, or_, union_all
from sqlmodel import Session, select

from db.models import (AccessApproval, AccessEntryRecord, CustomerEnquiry, DemotionDecision, DisciplineCase,
                       HandoverRecord, LedgerEntryRecord, MonthlySales, PhoneMessage, ReceptionApplicationRecord,
                       RosterAbsence, RosterPeriod, RosterSwap, ShowroomCustomer, ShowroomDaySheet, Ticket, User,
                       VisitorEntry)
from lib.domain import access as access_rules
from lib.domain import kpi as kpi_rules
from lib.domain.complaints import rules as ticket_rules
from lib.domain.handover import HandoverState
from lib.domain.inbox import Item, Kind, local_end_of
from lib.domain.kpi import SETTINGS as KPI_SETTINGS
from lib.domain.kpi import KpiSettings, add_months, month_start
from lib.domain.reception import ReceptionState
from lib.domain.roster.requests import request_cutoff
from lib.domain.roster.rules import RosterSettings
from lib.domain.showroom.customers import OwnershipState
from lib.domain.showroom.daysheet import MANAGER_TITLE, DaySheetSettings, signer_titles
from lib.services.base import SUPERVISORS
from lib.services.roster import APPROVER_TITLE

OPEN_TICKETS = tuple(s.value for s in ticket_rules.State if s is not ticket_rules.State.closed)
FOLLOW_UP = tuple(s.value for s in (ticket_rules.State.completed, ticket_rules.State.reported,
                                    ticket_rules.State.follow_up, ticket_rules.State.callback))
UNDISPATCHED = (ticket_rules.State.registered.value, ticket_rules.State.awaiting_dispatch.value)
# The front desk relays messages and sees visitors out (seed 000 D9); the titles as the org chart names them.
FRONT_DESK_TITLES = ("前台接待员", "综合部主管")
# Who decides an absence is the service's rule (lib.services.roster.decide_absence), read from there (I10).
ABSENCE_TITLES = {policy.value: title for policy, title in APPROVER_TITLE.items()}
RECEPTION_STEP = {ReceptionState.submitted.value: ("部门经理", "部门主管", "部门负责人"),
                  ReceptionState.dept_reviewed.value: ("总经理", "副总", "销售部负责人")}
DECIDER_TITLES = ("总经理",)
SETTING_KEYS = ["office.timezone", "workday_end", "phone.relay_overdue", "inbox.soon_minutes",
                "inbox.access_wait_minutes", "access.matrix", "repair.dispatcher_titles",
                "privacy.customer_service_titles", "sheet_second_signer_title", "roster.change_cutoff",
                "ownership.lapse_warning", "ledger.decider_titles"] + [d.key for d in KPI_SETTINGS]
LIMIT = 2000  # open rows per provider; a backlog beyond this is a board's job, not an inbox's


@dataclass(frozen=True)
class Context:
    now: dt.datetime
    tz: object
    values: Mapping[str, object]

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(self.tz).date()

    def end_of(self, day: dt.date) -> dt.datetime:
        return local_end_of(day, self.values["workday_end"], self.tz)

    def titles(self, key: str) -> tuple[str, ...]:
        return tuple(self.values.get(key) or ())


def access_approvals(session: Session, ctx: Context) -> list[Item]:
    """Access entries not yet in and approved by nobody, for the titles the matrix names (ix_access_entry_open)."""
    approved = exists().where(AccessApproval.entry_id == AccessEntryRecord.id)
    rows = session.exec(select(AccessEntryRecord.id, AccessEntryRecord.area, AccessEntryRecord.category,
                               AccessEntryRecord.name, AccessEntryRecord.created_at)
                        .where(AccessEntryRecord.time_out.is_(None), AccessEntryRecord.time_in.is_(None), ~approved)
                        .limit(LIMIT)).all()
    matrix = access_rules.parse_matrix(ctx.values["access.matrix"])
    wait = dt.timedelta(minutes=int(ctx.values["inbox.access_wait_minutes"]))
    items = []
    for entry_id, area, category, name, created in rows:
        rule = access_rules.requirement_for(access_rules.Area(area), access_rules.Category(category), matrix)
        if rule.approvers:
            items.append(Item(Kind.access_approval, entry_id, "inbox.item.access_approval", {"name": name},
                              created + wait, "access-log", "inbox.reason.access_approval",
                              for_titles=tuple(rule.approvers)))
    return items


def receptions(session: Session, ctx: Context) -> list[Item]:
    """Receptions waiting for a step's title, and held ones whose feedback is due (ix_reception_application_state)."""
    waiting = list(RECEPTION_STEP) + [ReceptionState.held.value]
    rows = session.exec(select(ReceptionApplicationRecord.id, ReceptionApplicationRecord.state,
                               ReceptionApplicationRecord.host, ReceptionApplicationRecord.starts_on,
                               ReceptionApplicationRecord.feedback_due, ReceptionApplicationRecord.created_by_id)
                        .where(ReceptionApplicationRecord.state.in_(waiting)).limit(LIMIT)).all()
    items = []
    for app_id, state, host, starts_on, feedback_due, creator in rows:
        if state in RECEPTION_STEP:
            due = dt.datetime.combine(starts_on, dt.time(), tzinfo=ctx.tz).astimezone(dt.timezone.utc)
            items.append(Item(Kind.reception_approval, app_id, "inbox.item.reception_approval", {"host": host}, due,
                              "receptions", f"inbox.reason.reception_{state}", for_titles=RECEPTION_STEP[state]))
        elif feedback_due is not None and creator is not None:
            items.append(Item(Kind.reception_feedback, app_id, "inbox.item.reception_feedback", {"host": host},
                              ctx.end_of(feedback_due), "receptions", "inbox.reason.reception_feedback",
                              for_user=creator))
    return items


def swaps(session: Session, ctx: Context) -> list[Item]:
    """Swap requests waiting for the 主管 (roster_swap.status index); due before the earlier shift's day."""
    rows = session.exec(select(RosterSwap.id, RosterSwap.requester_day, RosterSwap.counterpart_day, User.name)
                        .join(User, User.id == RosterSwap.requester_id)
                        .where(RosterSwap.status == "requested").limit(LIMIT)).all()
    return [Item(Kind.swap_approval, swap_id, "inbox.item.swap_approval", {"name": name},
                 dt.datetime.combine(min(a, b), dt.time(), tzinfo=ctx.tz).astimezone(dt.timezone.utc),
                 "requests", "inbox.reason.swap_approval", for_roles=("supervisor",), link=(("kind", "swap"),))
            for swap_id, a, b, name in rows]


def absences(session: Session, ctx: Context) -> list[Item]:
    """Absence requests waiting for the policy's title (roster_absence.status index); due at their start.

    Only those who may decide get the item (issue 15 I10): ``roster.decide_absence`` lets a 主管 (an app
    supervisor) decide, and on the front desk and in the CS duty room only one holding the policy's title: the
    综合部主管 (seed 000 D9, 综合部主管 approves leaving the desk) and the 值班经理 (seed 004 D8 「未经值班经理批准不得
    擅离职守」). SPEC's roles table makes both titles supervisor jobs, so a staff-role holder of the title is not
    asked: they could not act. Other posts: any 主管. The link names the kind (a swap may have the same id, I9).
    """
    rows = session.exec(select(RosterAbsence.id, RosterAbsence.policy, RosterAbsence.starts_at, User.name)
                        .join(User, User.id == RosterAbsence.staff_id)
                        .where(RosterAbsence.status == "submitted").limit(LIMIT)).all()
    items = []
    for absence_id, policy, starts_at, name in rows:
        title = ABSENCE_TITLES.get(policy)
        items.append(Item(Kind.absence_approval, absence_id, "inbox.item.absence_approval", {"name": name},
                          starts_at, "requests", "inbox.reason.absence_approval",
                          for_titles=(title,) if title else (), for_roles=() if title else ("supervisor",),
                          title_roles=SUPERVISORS, link=(("kind", "absence"),)))
    return items


def roster_drafts(session: Session, ctx: Context) -> list[Item]:
    """Draft rosters starting after today, to publish before the week's Friday cut-off (ix_roster_period_span)."""
    rows = session.exec(select(RosterPeriod.id, RosterPeriod.first_day)
                        .where(RosterPeriod.first_day > ctx.today, RosterPeriod.status == "draft")
                        .limit(LIMIT)).all()
    roster = RosterSettings(change_cutoff_weekday=int(ctx.values["roster.change_cutoff"]))
    items = []
    for period_id, first_day in rows:
        monday = first_day - dt.timedelta(days=first_day.weekday())
        due = request_cutoff(monday, roster).replace(tzinfo=ctx.tz).astimezone(dt.timezone.utc)
        items.append(Item(Kind.roster_publish, period_id, "inbox.item.roster_publish", {"day": first_day.isoformat()},
                          due, "roster", "inbox.reason.roster_publish", for_roles=("supervisor",)))
    return items


def tickets(session: Session, ctx: Context) -> list[Item]:
    """Open tickets by their running SLA deadline: the assignee's and technician's, their group's, and
    unclaimed ones for customer service (ix_ticket_state_due)."""
    rows = session.exec(select(Ticket.id, Ticket.state, Ticket.due_at, Ticket.assignee_id, Ticket.technician_id,
                               Ticket.created_by_id, User.group_id)
                        .outerjoin(User, User.id == Ticket.assignee_id)
                        .where(Ticket.state.in_([s for s in OPEN_TICKETS if s not in FOLLOW_UP]),
                               or_(Ticket.due_at.is_not(None), Ticket.assignee_id.is_(None)))
                        .order_by(Ticket.due_at).limit(LIMIT)).all()
    dispatchers = ctx.titles("repair.dispatcher_titles")
    service = ctx.titles("privacy.customer_service_titles")
    items = []
    for ticket_id, state, due, assignee, technician, creator, group in rows:
        params = {"number": ticket_id}
        if state in UNDISPATCHED:
            items.append(Item(Kind.dispatch_waiting, ticket_id, "inbox.item.dispatch_waiting", params, due,
                              "dispatch", "inbox.reason.dispatch_waiting", for_titles=dispatchers))
        elif assignee is None and technician is None:
            items.append(Item(Kind.ticket_unclaimed, ticket_id, "inbox.item.ticket_unclaimed", params, due,
                              "ticket", "inbox.reason.ticket_unclaimed", for_titles=service,
                              for_user=creator))
        else:
            items.append(Item(Kind.ticket_due, ticket_id, "inbox.item.ticket_due", params, due, "ticket",
                              f"inbox.reason.ticket_{state}", for_user=assignee or technician,
                              also_users=tuple(u for u in (technician,) if u and u != assignee),
                              for_units=(group,) if group else ()))
    return items


def callbacks(session: Session, ctx: Context) -> list[Item]:
    """Completed repairs to call back, due at the booked callback or the follow-up time (ix_ticket_state_due)."""
    rows = session.exec(select(Ticket.id, Ticket.callback_at, Ticket.follow_up_at, Ticket.assignee_id)
                        .where(Ticket.state.in_(FOLLOW_UP)).order_by(Ticket.follow_up_at).limit(LIMIT)).all()
    service = ctx.titles("privacy.customer_service_titles")
    return [Item(Kind.callback_due, ticket_id, "inbox.item.callback_due", {"number": ticket_id},
                 callback or follow_up, "callbacks", "inbox.reason.callback_due", for_titles=service,
                 for_user=assignee)
            for ticket_id, callback, follow_up, assignee in rows]


def customers(session: Session, ctx: Context) -> list[Item]:
    """Owned customers whose first follow-up or lapse is near (ix_showroom_customer_state_due: the two owned
    states, then the due_at range; the released customers, years of them, are never read)."""
    horizon = ctx.now + dt.timedelta(days=max(int(ctx.values["ownership.lapse_warning"]), 1))
    rows = session.exec(select(ShowroomCustomer.id, ShowroomCustomer.name, ShowroomCustomer.state,
                               ShowroomCustomer.due_at, ShowroomCustomer.owner_id)
                        .where(ShowroomCustomer.due_at <= horizon, ShowroomCustomer.owner_id.is_not(None),
                               ShowroomCustomer.state.in_([OwnershipState.owned_new.value,
                                                           OwnershipState.owned_following.value]))
                        .limit(LIMIT)).all()
    items = []
    for customer_id, name, state, due, owner in rows:
        kind = Kind.first_follow_up if state == OwnershipState.owned_new.value else Kind.customer_lapse
        items.append(Item(kind, customer_id, f"inbox.item.{kind.value}", {"name": name}, due, "my-customers",
                          f"inbox.reason.{kind.value}", for_user=owner))
    return items


def day_sheet(session: Session, ctx: Context) -> list[Item]:
    """Today's day sheet while unsigned, due at workday end, for its signers (showroom_day_sheet.day unique)."""
    row = session.exec(select(ShowroomDaySheet.id).where(ShowroomDaySheet.day == ctx.today,
                                                         ShowroomDaySheet.signed_at.is_(None))).first()
    if row is None:
        return []
    sheet = DaySheetSettings(second_signer_title=str(ctx.values["sheet_second_signer_title"]))
    return [Item(Kind.day_sheet_unsigned, row, "inbox.item.day_sheet_unsigned", {"day": ctx.today.isoformat()},
                 ctx.end_of(ctx.today), "day-sheet", "inbox.reason.day_sheet_unsigned",
                 for_titles=signer_titles(sheet))]


def messages(session: Session, ctx: Context) -> list[Item]:
    """Phone messages not yet relayed, due ``phone.relay_overdue`` hours after the call (phone_message.relayed_at)."""
    rows = session.exec(select(PhoneMessage.id, PhoneMessage.caller_name, PhoneMessage.called_at,
                               PhoneMessage.created_by_id)
                        .where(PhoneMessage.relayed_at.is_(None)).limit(LIMIT)).all()
    hours = dt.timedelta(hours=int(ctx.values["phone.relay_overdue"]))
    return [Item(Kind.message_relay, message_id, "inbox.item.message_relay", {"name": caller}, called + hours,
                 "messages", "inbox.reason.message_relay", for_user=creator, for_titles=FRONT_DESK_TITLES)
            for message_id, caller, called, creator in rows]


def handovers(session: Session, ctx: Context) -> list[Item]:
    """Handovers to take (incoming, outgoing), refused or without relief (supervisors) (handover.state index)."""
    open_states = [s.value for s in HandoverState if s != HandoverState.completed]
    rows = session.exec(select(HandoverRecord.id, HandoverRecord.state, HandoverRecord.shift_start,
                               HandoverRecord.outgoing_id, HandoverRecord.incoming_id)
                        .where(HandoverRecord.state.in_(open_states), HandoverRecord.is_current == True)  # noqa: E712
                        .limit(LIMIT)).all()
    items = []
    for handover_id, state, start, outgoing, incoming in rows:
        if state in (HandoverState.refused.value, HandoverState.no_relief.value):
            kind = Kind.handover_refused if state == HandoverState.refused.value else Kind.handover_no_relief
            items.append(Item(kind, handover_id, f"inbox.item.{kind.value}", {}, start, "handover",
                              f"inbox.reason.{kind.value}", for_roles=("supervisor",), for_user=outgoing))
        else:
            items.append(Item(Kind.handover_due, handover_id, "inbox.item.handover_due", {}, start, "handover",
                              f"inbox.reason.handover_{state}", for_user=incoming,
                              also_users=(outgoing,) if outgoing else ()))
    return items


def discipline(session: Session, ctx: Context) -> list[Item]:
    """劝退/开除 cases waiting for the 总经理's decision (ix_kpi_discipline_case_status)."""
    rows = session.exec(select(DisciplineCase.id, DisciplineCase.opened_at, User.name)
                        .join(User, User.id == DisciplineCase.person_id)
                        .where(DisciplineCase.status == "pending").limit(LIMIT)).all()
    return [Item(Kind.discipline_decision, case_id, "inbox.item.discipline_decision", {"name": name}, None,
                 "warnings", "inbox.reason.discipline_decision", for_titles=DECIDER_TITLES)
            for case_id, _opened, name in rows]


def visitors(session: Session, ctx: Context) -> list[Item]:
    """Visitors not signed out: due at the workday end of the day they came (visitor_entry.time_out index)."""
    rows = session.exec(select(VisitorEntry.id, VisitorEntry.name, VisitorEntry.time_in, VisitorEntry.created_by_id,
                               VisitorEntry.host_id)
                        .where(VisitorEntry.time_out.is_(None)).limit(LIMIT)).all()
    return [Item(Kind.visitor_after_hours, visitor_id, "inbox.item.visitor_after_hours", {"name": name},
                 ctx.end_of(time_in.astimezone(ctx.tz).date()), "visitors", "inbox.reason.visitor_after_hours",
                 for_user=creator, also_users=(host,) if host else (), for_titles=FRONT_DESK_TITLES)
            for visitor_id, name, time_in, creator, host in rows]


def enquiries(session: Session, ctx: Context) -> list[Item]:
    """Open customer enquiries by their promised response time (ix_customer_enquiry_open)."""
    rows = session.exec(select(CustomerEnquiry.id, CustomerEnquiry.caller_name, CustomerEnquiry.promised_response_at,
                               CustomerEnquiry.created_by_id)
                        .where(CustomerEnquiry.status == "open", CustomerEnquiry.promised_response_at.is_not(None))
                        .limit(LIMIT)).all()
    return [Item(Kind.enquiry_promised, enquiry_id, "inbox.item.enquiry_promised", {"name": name}, promised,
                 "enquiries", "inbox.reason.enquiry_promised", for_user=creator, for_titles=FRONT_DESK_TITLES)
            for enquiry_id, name, promised, creator in rows]


def demotions(session: Session, ctx: Context) -> list[Item]:
    """Demotions the newest sales month triggered and nobody decided yet, for the 销售经理, due when the
    demotion starts. A triggered demotion is not a row (it is the ranking's replay, the same
    ``lib.domain.kpi.demotions`` the sales page runs), so this reads the bounded window the sales page reads:
    ONE statement, the sales figures (with the consultants' names) and the decisions of the newest
    ``LOOKBACK_MONTHS`` + 1 months with figures, found through the month index (uq_kpi_monthly_sales_month),
    never older history; the KPI settings come with the context."""
    from lib.services.kpi.rankings import LOOKBACK_MONTHS, WAIVED  # late: the KPI package imports settings

    recent = (select(MonthlySales.month).where(MonthlySales.month <= month_start(ctx.today)).distinct()
              .order_by(MonthlySales.month.desc()).limit(LOOKBACK_MONTHS + 1))
    figures = (select(literal("sale").label("source"), MonthlySales.month.label("month"), MonthlySales.consultant_id,
                      MonthlySales.units, cast(None, Date).label("start_day"), literal("").label("decision"),
                      User.name)
               .join(User, User.id == MonthlySales.consultant_id).where(MonthlySales.month.in_(recent)))
    decided = select(literal("decision"), DemotionDecision.trigger_month, DemotionDecision.consultant_id, literal(0),
                     DemotionDecision.start_day, DemotionDecision.decision, literal("")
                     ).where(DemotionDecision.trigger_month.in_(recent))
    rows = session.exec(union_all(figures, decided)).all()
    months = [m for source, m, *_rest in rows if source == "sale"]
    if not months:
        return []
    month = max(months)
    first = add_months(month, -LOOKBACK_MONTHS)
    sales: dict[dt.date, dict[int, int]] = {}
    who: dict[int, str] = {}
    decisions: dict[tuple[int, dt.date], tuple[dt.date, str]] = {}
    for source, m, consultant, units, start_day, decision, name in rows:
        if m < first:
            continue
        if source == "sale":
            sales.setdefault(m, {})[consultant] = units
            who[consultant] = name
        else:
            decisions[(consultant, m)] = (start_day, decision)
    waived = {(c, start) for (c, _m), (start, decision) in decisions.items() if decision == WAIVED}
    settings_ = KpiSettings.from_values({d.key: ctx.values[d.key] for d in KPI_SETTINGS})
    pending = [d for d in kpi_rules.demotions(sales, month, settings_, waived)
               if (d.consultant, month) not in decisions]
    return [Item(Kind.demotion_decision, d.consultant, "inbox.item.demotion_decision",
                 {"name": who.get(d.consultant, ""), "month": month.strftime("%Y-%m")},
                 dt.datetime.combine(d.start, dt.time(), tzinfo=ctx.tz).astimezone(dt.timezone.utc),
                 "sales-ranking", "inbox.reason.demotion_decision", for_titles=(MANAGER_TITLE,))
            for d in pending]


def warning_proposals(session: Session, ctx: Context) -> list[Item]:
    """Proposed ledger entries (warnings, fines, the sweeper's SQ1 proposals) waiting for the decider title
    (ix_kpi_ledger_entry_status); no deadline of their own."""
    rows = session.exec(select(LedgerEntryRecord.id, LedgerEntryRecord.code, User.name)
                        .join(User, User.id == LedgerEntryRecord.person_id)
                        .where(LedgerEntryRecord.status == "proposed").limit(LIMIT)).all()
    deciders = ctx.titles("ledger.decider_titles")
    return [Item(Kind.warning_proposal, entry_id, "inbox.item.warning_proposal", {"name": name, "code": code}, None,
                 "ledger", "inbox.reason.warning_proposal", for_titles=deciders)
            for entry_id, code, name in rows]


BUILT_IN = (access_approvals, receptions, swaps, absences, roster_drafts, tickets, callbacks, customers, day_sheet,
            messages, handovers, discipline, visitors, enquiries, demotions, warning_proposals)
