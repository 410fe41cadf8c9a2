"""Bench history for the KPI module (M4) and the SQL of its pages.

Scale 1 is one year of: monthly sales figures of 12 consultants (entered on the 1st, with the
demotions the ranking triggered, confirmed), 6,000 ledger entries over 80 people in 6 teams (amounts
from the domain's ``assess`` with true occurrence counts; older entries confirmed, collected, waived or
reversed, only the last fortnight still awaiting the 总经理), warning steps, a published quarter after
each quarter end, and the audit rows the services write. When the complaint module brings no bench
generator of its own, 12,000 follow-up surveys a year stand in for its tickets. Today looks the same at
every scale: the same handful of proposals pending, this month's entries so far.

Importing this module registers the ``kpi`` generator with ``bench.generate``; ``page_sql()`` holds the
page queries for ``bench/run.py``. Standalone, it times the KPI page for a quarter and the wall's refresh
(every panel) at two scales on a SQLite file of its own:

    .venv/bin/python -m bench.gen_kpi --compare 1,10
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy import func, select

from bench.generate import (
    GENERATORS,
    Context,
    Person,
    Row,
    audit_row,
    generator,
)
from bench.standalone import median_ms, module_db
from db.engine import ROOT, session_scope
from db.models import (
    DemotionDecision,
    LedgerEntryRecord,
    MonthlySales,
    OrgUnit,
    QuarterPublication,
    QuarterResult,
    Ticket,
    TicketSurvey,
    User,
    WarningEventRecord,
)
from lib.domain import kpi as kpi_rules
from lib.domain import ledger as ledger_rules
from lib.domain.kpi import add_months, month_start
from lib.services import accounts
from lib.services.kpi.sources import tally_columns
from lib.services.tickets.map import OPEN_STATES

CONSULTANTS = 12
TEAMS = 6
PER_TEAM = 13            # 78 people in the CS department, 20 of them 客服工程师 (quarterly ranking)
ENGINEERS = 20
LEDGER_PER_YEAR = 6_000
LEDGER_TODAY = 6
PENDING_DAYS = 2         # entries younger than this still await the decision (a handful)
WARNINGS_PER_YEAR = 300
SURVEYS_PER_YEAR = 12_000
SURVEYS_TODAY = 20
# Everyday codes weigh more than fights and tampering.
CODES = {"PH1": 30, "PH2": 10, "AT1": 25, "AT2": 8, "CS1": 8, "SQ4": 6, "LG1": 8, "RR1": 3, "RR3": 3, "RR2": 1,
         "RR4": 1, "SQ1": 2, "SQ2": 2, "PH3": 1}
NEEDS = {"PH3": {"amount": Decimal(80)}, "AT2": {"minutes": 8, "day_pay": Decimal(200)}}

U, ORG = User.__table__, OrgUnit.__table__
SALES, DEC, LED = MonthlySales.__table__, DemotionDecision.__table__, LedgerEntryRecord.__table__
WARN, PUB, RES = WarningEventRecord.__table__, QuarterPublication.__table__, QuarterResult.__table__
TIC, SUR = Ticket.__table__, TicketSurvey.__table__


class _Office:
    """The people this module adds: consultants in sales, a CS department of six teams."""

    def __init__(self, ctx: Context, password_hash: str):
        top = max(p.id for p in ctx.staff) + 1000
        ctx.next_ids.setdefault(U.name, top)
        ctx.next_ids.setdefault(ORG.name, top)
        created = ctx.at(ctx.days[0], 8 * 60)
        self.rows: list[Row] = []
        dept = ctx.new_id(ORG)
        self.rows.append((ORG, self._unit(dept, "department", "客服管理部", None)))
        self.teams = []
        for n in range(TEAMS):
            team = ctx.new_id(ORG)
            self.teams.append(team)
            self.rows.append((ORG, self._unit(team, "team", f"客服{n + 1}队", dept)))
        self.consultants: list[Person] = []
        self.members: list[tuple[Person, int]] = []
        for n in range(CONSULTANTS + TEAMS * PER_TEAM):
            person = Person(ctx.new_id(U), f"k{n:04d}")
            consultant = n < CONSULTANTS
            team = None if consultant else self.teams[(n - CONSULTANTS) % TEAMS]
            titles = ["销售顾问"] if consultant else ["客服工程师"] if n < CONSULTANTS + ENGINEERS else ["客服专员"]
            (self.consultants.append(person) if consultant else self.members.append((person, team)))
            self.rows.append((U, {"id": person.id, "username": person.username, "name": ctx.fake.name(),
                                  "password_hash": password_hash, "role": "staff", "staff_no": f"K{n:04d}",
                                  "titles": titles, "department_id": None if consultant else dept,
                                  "team_id": team, "group_id": None, "is_intern": False, "trained_posts": [],
                                  "cert_valid_until": None, "lang": "zh_CN", "active": True, "failed_logins": 0,
                                  "locked_until": None, "created_at": created}))
        self.engineers = [p for p, _ in self.members[:ENGINEERS]]

    @staticmethod
    def _unit(unit_id: int, kind: str, name: str, parent: int | None) -> dict:
        return {"id": unit_id, "kind": kind, "name": name, "parent_id": parent, "is_24x7": False, "min_staff": 0,
                "max_continuous_h": None, "requires_training": False, "requires_certificate": False, "active": True}


class _Ledger:
    """Entries through the domain: occurrence counts per person and code, as the service counts them."""

    def __init__(self, ctx: Context, office: _Office, manager: Person, gm: Person):
        self.ctx, self.office, self.manager, self.gm = ctx, office, manager, gm
        self.seq: dict[int, int] = {}
        self.history: dict[tuple[int, str], list[ledger_rules.LedgerEntry]] = {}
        self.codes, self.weights = list(CODES), list(CODES.values())

    def entry(self, day: dt.date, minutes: float) -> list[Row]:
        ctx, rng = self.ctx, self.ctx.rng
        person, team = rng.choice(self.office.members)
        code = rng.choices(self.codes, self.weights)[0]
        history = self.history.setdefault((person.id, code), [])
        prior = ledger_rules.prior_occurrences(history, person.id, code, day)
        assessed = ledger_rules.assess(code, prior, **NEEDS.get(code, {}))
        at = ctx.at(day, minutes)
        entry_id = ctx.new_id(LED)
        age = (ctx.today - day).days
        status = "proposed"
        if age >= PENDING_DAYS:
            status = rng.choices(["confirmed", "collected", "waived"], [25, 65, 10])[0]
        row = {"id": entry_id, "person_id": person.id, "seq": self._seq(person.id), "team_id": team,
               "department_id": None, "code": code, "occurred_on": day, "occurrence_no": assessed.occurrence_no,
               "team_points": assessed.team_points, "fine": assessed.fine, "compensation": assessed.compensation,
               "payer": assessed.payer.value, "action": assessed.action.value if assessed.action else None,
               "status": status, "reverses_id": None, "facts": {}, "note": "", "proposed_by_id": self.manager.id,
               "proposed_at": at, "decided_by_id": None if status == "proposed" else self.gm.id,
               "decided_at": None if status == "proposed" else at + dt.timedelta(days=2), "decision_reason": "",
               "collected_by_id": self.manager.id if status == "collected" else None,
               "collected_at": at + dt.timedelta(days=7) if status == "collected" else None}
        rows: list[Row] = [(LED, row), audit_row(at=at, who=self.manager, entity="kpi_ledger_entry",
                                                 entity_id=entry_id, action="propose")]
        if status != "proposed":
            rows.append(audit_row(at=row["decided_at"], who=self.gm, entity="kpi_ledger_entry", entity_id=entry_id,
                                  action="waive" if status == "waived" else "confirm"))
        if status != "waived":
            history.append(ledger_rules.LedgerEntry(entry_id, person.id, team, code, day, assessed.occurrence_no, 0,
                                                    assessed.fine, assessed.compensation))
        if status in ("confirmed", "collected") and rng.random() < 0.01:
            undo = {**row, "id": ctx.new_id(LED), "seq": self._seq(person.id), "team_points": -row["team_points"],
                    "fine": -row["fine"], "compensation": -row["compensation"], "status": "confirmed",
                    "reverses_id": entry_id, "note": "更正", "collected_by_id": None, "collected_at": None}
            rows += [(LED, undo), audit_row(at=row["decided_at"], who=self.gm, entity="kpi_ledger_entry",
                                            entity_id=undo["id"], action="reverse")]
        return rows

    def _seq(self, person_id: int) -> int:
        self.seq[person_id] = self.seq.get(person_id, 0) + 1
        return self.seq[person_id]


def _sales(ctx: Context, office: _Office, manager: Person, history: dict, month: dt.date) -> list[Row]:
    """The manager enters last month's figures on the 1st; the demotions they trigger are confirmed."""
    rng, at = ctx.rng, ctx.at(month + dt.timedelta(days=31 + 1 - month.day), 9 * 60)
    figures = {p.id: rng.randint(1, 14) for p in office.consultants}
    history[month] = figures
    rows: list[Row] = [(SALES, {"id": ctx.new_id(SALES), "month": month, "consultant_id": p, "units": u,
                                "source": "manual", "entered_by_id": manager.id, "entered_at": at})
                       for p, u in figures.items()]
    rows.append(audit_row(at=at, who=manager, entity="kpi_monthly_sales", entity_id=month.isoformat(),
                          action="manual", after={str(p): u for p, u in figures.items()}))
    for d in kpi_rules.demotions(history, month):
        rows.append((DEC, {"id": ctx.new_id(DEC), "consultant_id": d.consultant, "trigger_month": month,
                           "start_day": d.start, "end_day": d.end, "rule": d.reason.value,
                           "last_months": [m.isoformat() for m in d.last_months], "decision": "confirmed",
                           "reason": "按制度执行", "decided_by_id": manager.id, "decided_at": at}))
    return rows


def _quarter(ctx: Context, office: _Office, manager: Person, year: int, quarter: int, day: dt.date) -> list[Row]:
    """A published quarter: the engineers ranked on made-up inputs (the published table is what is read)."""
    rng, at = ctx.rng, ctx.at(day, 10 * 60)
    inputs = {p.id: {"survey_score": round(rng.uniform(6, 10), 2), "resolution_rate": round(rng.uniform(70, 100), 1),
                     "sla_breaches": float(rng.randint(0, 6)), "ledger_points": float(-rng.randint(0, 10))}
              for p in office.engineers}
    publication = ctx.new_id(PUB)
    rows: list[Row] = [(PUB, {"id": publication, "year": year, "quarter": quarter,
                              "payout_month": kpi_rules.payout_month(year, quarter),
                              "weights": dict(kpi_rules.DEFAULT_SCORE_WEIGHTS), "tiers": [],
                              "published_by_id": manager.id, "published_at": at})]
    for r in kpi_rules.quarterly_ranking(inputs):
        rows.append((RES, {"id": ctx.new_id(RES), "publication_id": publication, "person_id": r.person,
                           "person_name": f"工程师{r.person}", "components": inputs[r.person], "score": r.score,
                           "rank": r.rank, "bonus": r.bonus}))
    rows.append(audit_row(at=at, who=manager, entity="kpi_quarter", entity_id=publication, action="publish"))
    return rows


def _survey(ctx: Context, office: _Office, day: dt.date, minutes: float) -> list[Row]:
    rng, at = ctx.rng, ctx.at(day, minutes)
    ticket = ctx.new_id(TIC)
    technician = rng.choice(office.engineers)
    late = (ctx.today - day).days < 10 and rng.random() < 0.2
    attitude = rng.choices(["satisfied", "average", "dissatisfied"], [90, 8, 2])[0]
    return [(TIC, {"id": ticket, "type": "repair", "flow": "repair", "state": "in_progress" if late else "closed",
                   "channel": "phone", "customer_name": "", "phone": "", "address": "", "problem": "",
                   "agent_no": "017", "severity": "general", "compensation_involved": False, "resident": False,
                   "technician_id": technician.id, "received_at": at - dt.timedelta(days=2),
                   "cs_group": rng.choice(["order_group", "complaint_group", "cs_group"]),
                   "due_at": at - dt.timedelta(hours=1) if late else None, "in_warranty": True,
                   "quality_fault": True, "priority": False, "out_of_town": False, "last_seq": 0,
                   "root_cause": "", "containment": "", "permanent_fix": "", "product_model": "", "product_spec": "",
                   "purchase_place": "", "fault": "", "service_report_no": "", "service_content": "",
                   "updated_at": at}),
            (SUR, {"id": ctx.new_id(SUR), "ticket_id": ticket, "at": at, "agent_id": None, "convenient": True,
                   "resolved": rng.random() < 0.93, "attitude": attitude, "charged": rng.random() < 0.2,
                   "score": rng.randint(7, 10) if attitude == "satisfied" else rng.randint(2, 7), "suggestion": "",
                   "fee_reminder_given": False})]


@generator("kpi")
def kpi_history(ctx: Context) -> Iterator[list[Row]]:
    """Sales, demotions, ledger, warnings, quarters (and stand-in surveys), day by day."""
    rng = ctx.rng
    office = _Office(ctx, accounts.hash_password("bench-staff-1234"))
    manager, gm = ctx.staff[0], ctx.staff[-1]
    ledger = _Ledger(ctx, office, manager, gm)
    surveys = "tickets" not in GENERATORS
    entries = ctx.spread(LEDGER_PER_YEAR, LEDGER_TODAY)
    warnings = ctx.spread(WARNINGS_PER_YEAR, 1)
    survey_counts = ctx.spread(SURVEYS_PER_YEAR, SURVEYS_TODAY) if surveys else [0] * len(ctx.days)
    sales_history: dict[dt.date, dict[int, int]] = {}
    stages: dict[int, tuple[int, str]] = {}
    for index, day in enumerate(ctx.days):
        rows: list[Row] = list(office.rows) if index == 0 else []
        window = ctx.today_window() if day == ctx.today else (8 * 60 + 50, 18 * 60)
        if day.day == 1 and index > 0:
            rows += _sales(ctx, office, manager, sales_history, add_months(month_start(day), -1))
            if day.month in (1, 4, 7, 10):
                year, quarter = kpi_rules.quarter_of(add_months(day, -1))
                rows += _quarter(ctx, office, manager, year, quarter, day)
        for _ in range(entries[index]):
            rows += ledger.entry(day, rng.uniform(*window))
        for _ in range(survey_counts[index]):
            rows += _survey(ctx, office, day, rng.uniform(*window))
        for _ in range(warnings[index]):
            person, _team = rng.choice(office.members)
            seq, stage = stages.get(person.id, (0, None))
            stage = "recorded" if stage is None else rng.choice(["educated", "rectified", "reported_to_cs_manager"])
            stages[person.id] = (seq + 1, stage)
            at = ctx.at(day, rng.uniform(*window))
            rows += [(WARN, {"id": ctx.new_id(WARN), "person_id": person.id, "track": "cs", "seq": seq + 1,
                             "event": "violation" if seq == 0 else "educate", "stage": stage, "note": "",
                             "by_id": manager.id, "at": at}),
                     audit_row(at=at, who=manager, entity="kpi_warning", entity_id=person.id, action="violation")]
        yield rows


# ---- page SQL ------------------------------------------------------------------------------------------------

def _utc(p, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=p.now.tzinfo)


def _ledger_sums(key, first: dt.date, last: dt.date):
    """What ``lib.services.ledger._sums`` runs: one grouped query, reversals with their original's status."""
    original = LED.alias("original")
    status = func.coalesce(original.c.status, LED.c.status)
    return (select(key, status, func.sum(LED.c.team_points), func.sum(LED.c.fine), func.sum(LED.c.compensation))
            .select_from(LED.outerjoin(original, original.c.id == LED.c.reverses_id))
            .where(LED.c.occurred_on >= first, LED.c.occurred_on <= last).group_by(key, status))


def page_sql() -> dict:
    """The queries the KPI pages and the wall run on first render, by indexed ranges only."""

    def month(p):
        first = p.now.date().replace(day=1)
        return first, add_months(first, 1) - dt.timedelta(days=1)

    def quarter(p):
        first = dt.date(p.now.year, 3 * ((p.now.month - 1) // 3) + 1, 1)
        return first, add_months(first, 3) - dt.timedelta(days=1)

    return {
        "kpi_dashboard": [
            *[(f"survey tally, month {n + 1}", lambda p, n=n: select(*tally_columns()).where(
                SUR.c.at >= _utc(p, add_months(quarter(p)[0], n)), SUR.c.at < _utc(p, add_months(quarter(p)[0], n + 1)),
                SUR.c.convenient.is_(True))) for n in range(3)],
            ("breaches by group", lambda p: select(TIC.c.cs_group, func.count()).where(
                TIC.c.state.in_(OPEN_STATES), TIC.c.due_at >= _utc(p, quarter(p)[0]),
                TIC.c.due_at < _utc(p, add_months(quarter(p)[0], 3)), TIC.c.due_at <= p.now).group_by(TIC.c.cs_group)),
            ("ledger sums of the quarter", lambda p: _ledger_sums(LED.c.team_id, *quarter(p))),
            ("ledger sums of the month", lambda p: _ledger_sums(LED.c.team_id, *month(p))),
            ("teams", lambda p: select(ORG.c.id, ORG.c.name).where(ORG.c.kind == "team")),
        ],
        "sales_ranking": [
            ("12 months of figures", lambda p: select(SALES.c.month, SALES.c.consultant_id, SALES.c.units).where(
                SALES.c.month >= add_months(month(p)[0], -13), SALES.c.month <= month(p)[0])),
            ("decisions", lambda p: select(DEC).where(DEC.c.trigger_month >= add_months(month(p)[0], -13))),
        ],
        "ledger": [
            ("this month's entries", lambda p: select(LED).where(LED.c.occurred_on >= month(p)[0],
                                                                 LED.c.occurred_on <= month(p)[1])
             .order_by(LED.c.occurred_on.desc(), LED.c.id.desc()).limit(2000)),
            ("pending", lambda p: select(LED).where(LED.c.status == "proposed").order_by(LED.c.occurred_on)),
        ],
        "quarterly": [
            ("publication", lambda p: select(PUB).order_by(PUB.c.year.desc(), PUB.c.quarter.desc()).limit(1)),
            ("results", lambda p: select(RES).join(PUB).where(PUB.c.year == p.now.year)),
        ],
        "wall": [
            ("fund, this year", lambda p: _ledger_sums(LED.c.team_id, dt.date(p.now.year, 1, 1),
                                                      dt.date(p.now.year, 12, 31))),
        ],
    }


# ---- standalone measurement ----------------------------------------------------------------------------------



def _wall_ms(call, runs: int) -> float:
    return median_ms(call, runs)[0]


def measure(scale: float, runs: int = 5, reuse: bool = False) -> dict:
    """Generate the office plus this module at ``scale``; time the KPI page for a quarter and each wall panel."""
    import os

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import lib.auth  # noqa: F401  (first, as Home.py does, so no page file shadows an import)
    from bench.generate import ADMIN_USERNAME
    from lib.domain.display import PANEL_ORDER
    from lib.services import display
    from lib.services.kpi import rankings as kpi
    from lib.services.base import SYSTEM

    engine, generated = module_db("kpi", scale, reuse=reuse, marker=LED)
    with session_scope(engine, write=False) as session:
        rows = {t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (LED, SUR, SALES, RES, U)}
    today = dt.date.today()
    first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = add_months(first, 3) - dt.timedelta(days=1)
    result = {"scale": scale, "rows": rows, "generated_s": generated,
              "dashboard_quarter_service_ms": _wall_ms(
                  lambda: kpi.dashboard(engine, actor=SYSTEM, first=first, last=last), runs),
              "quarter_preview_service_ms": _wall_ms(
                  lambda: kpi.quarter_view(engine, actor=SYSTEM, year=first.year,
                                           quarter=(first.month - 1) // 3 + 1), runs)}
    for panel in PANEL_ORDER:
        result[f"wall_{panel.value}_ms"] = _wall_ms(
            lambda p=panel.value: display.wall_panel(engine, panel=p, privacy=True), runs)
    os.environ["DATABASE_URL"] = str(engine.url)
    st.cache_resource.clear()
    app = AppTest.from_file(str(ROOT / "pages" / "kpi_dashboard.py"), default_timeout=60)
    app.session_state["authentication_status"] = True
    app.session_state["username"] = ADMIN_USERNAME
    app.run()
    app.segmented_control(key="kd_kind").set_value("quarter").run()
    app.selectbox(key="kd_quarter").set_value((first.year, (first.month - 1) // 3 + 1))
    result["kpi_dashboard_quarter_page_ms"] = _wall_ms(app.run, runs)
    assert not app.exception, app.exception
    for page in ("sales_ranking", "ledger", "quarterly", "wall"):
        app = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
        app.session_state["authentication_status"] = True
        app.session_state["username"] = ADMIN_USERNAME
        result[f"{page}_page_ms"] = _wall_ms(app.run, runs)
        assert not app.exception, app.exception
    engine.dispose()
    return result




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", default="1,10", help="two scales, e.g. 1,10")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args(argv)
    results = [measure(float(s), args.runs, args.reuse) for s in args.compare.split(",")]
    for result in results:
        print(result, flush=True)
    if len(results) == 2:
        small, large = results
        for key in [k for k in small if k.endswith("_ms")]:
            ratio = large[key] / small[key] if small[key] else float("nan")
            print(f"{key:<34} {small[key]:>8.1f} ms → {large[key]:>8.1f} ms  ×{ratio:.2f}")
        page = large["kpi_dashboard_quarter_page_ms"]
        wall = max(v for k, v in large.items() if k.startswith("wall_") and k.endswith("_ms"))
        print(f"KPI page, a quarter: {page:.1f} ms at scale {large['scale']:g} → "
              f"{'PASS' if page < 300 else 'FAIL'} (target < 300 ms)")
        print(f"wall refresh, slowest panel: {wall:.1f} ms → {'PASS' if wall < 100 else 'FAIL'} (target < 100 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
