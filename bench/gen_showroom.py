"""Bench history for the showroom module (M2.3) and the SQL of its two "today" pages.

Scale 1 is one showroom-year: 100k 来店/来电 contacts over 10k new customers (so scale 10 is 1M
contacts and 100k customers), the owners' follow-ups, the owner changes the replay decides, one
signed day sheet per past day, and the audit rows the services write. Today looks the same at every
scale (60 contacts, the sheet still open). Each customer's history is planned first and replayed with
the domain's ``ownership()``, so the projection on ``showroom_customer`` is exactly what the services
would have stored.

Importing this module registers the ``showroom`` generator with ``bench.generate``; ``PAGE_SQL`` holds
the page queries for ``bench/run.py``. Standalone, it measures the module's pages for its busiest
consultant at two scales, on a SQLite file of its own:

    .venv/bin/python -m bench.gen_showroom --compare 1,10
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Iterator

from sqlalchemy import func, select

from bench.generate import ADMIN_USERNAME, Context, Row, audit_row, generator
from bench.standalone import median_ms, module_db
from db.engine import ROOT, session_scope
from db.models import (
    ShowroomContactRecord,
    ShowroomCustomer,
    ShowroomDaySheet,
    ShowroomFollowUp,
    ShowroomOwnerChange,
    User,
)
from lib.domain.showroom import customers as rules
from lib.services.base import Actor, utcnow
from lib.services.showroom.write import projection

CONTACTS_PER_YEAR = 100_000
CONTACTS_TODAY = 60
NEW_CUSTOMER_SHARE = 0.1
CONSULTANTS = 10
FOLLOW_UP_SHARE = 0.6
SECOND_FOLLOW_UP_SHARE = 0.4
INCOMPLETE_TODAY = 12
MATTERS = ("卡罗拉试驾", "凯美瑞询价", "RAV4 报价", "汉兰达到店看车", "置换评估", "保养预约", "贷款方案", "上牌咨询")

C, K, F, O, D = (ShowroomCustomer.__table__, ShowroomContactRecord.__table__, ShowroomFollowUp.__table__,
                 ShowroomOwnerChange.__table__, ShowroomDaySheet.__table__)


def _office_moment(ctx: Context, rng: random.Random, day: dt.date) -> dt.datetime:
    if day == ctx.today:
        start, end = ctx.today_window()
        return ctx.at(day, rng.uniform(start, end))
    return ctx.at(day, rng.uniform(9 * 60, 17 * 60 + 50))


@generator("showroom")
def showroom(ctx: Context) -> Iterator[list[Row]]:
    """Walk-ins and calls, follow-ups, owner changes and signed day sheets (seed 000 D1)."""
    rng = random.Random(ctx.rng.random())
    consultants = ctx.staff[:CONSULTANTS]
    signer = ctx.staff[CONSULTANTS] if len(ctx.staff) > CONSULTANTS else consultants[0]
    names = [ctx.fake.name() for _ in range(5000)]
    counts = ctx.spread(CONTACTS_PER_YEAR, CONTACTS_TODAY)
    # Plan every customer's record first: a customer row must carry the projection of its whole history.
    histories: list[list] = []
    last_receiver: list[int] = []
    by_day: dict[dt.date, list] = {day: [] for day in ctx.days}
    for day, count in zip(ctx.days, counts):
        for _ in range(count):
            at = _office_moment(ctx, rng, day)
            receiver = rng.choice(consultants).id
            if not histories or rng.random() < NEW_CUSTOMER_SHARE:
                index = len(histories)
                histories.append([])
                last_receiver.append(receiver)
                requested = None
            else:  # returning customers: mostly recent ones
                index = len(histories) - 1 - int(len(histories) * rng.random() ** 3)
                requested = last_receiver[index] if rng.random() < 0.5 else None
            channel = rules.Channel.call if rng.random() < 0.3 else rules.Channel.walk_in
            contact = rules.ShowroomContact(at=at.astimezone(ctx.tz), channel=channel, received_by=receiver,
                                            requested_consultant=requested, recognised_by_owner=rng.random() < 0.2)
            histories[index].append(contact)
            by_day[day].append(("contact", index, contact))
            last_receiver[index] = receiver
            for share, lo, hi in ((FOLLOW_UP_SHARE, 1, 6), (SECOND_FOLLOW_UP_SHARE, 15, 29)):
                follow_at = at + dt.timedelta(days=rng.randint(lo, hi), minutes=rng.randint(-90, 90))
                if rng.random() < share and follow_at < ctx.now:
                    follow = rules.FollowUp(follow_at.astimezone(ctx.tz), receiver)
                    histories[index].append(follow)
                    by_day[follow_at.astimezone(ctx.tz).date()].append(("follow", index, follow))
    now_local = ctx.now.astimezone(ctx.tz)
    ids = [ctx.new_id(C) for _ in histories]
    replays = [rules.ownership(h, now_local) for h in histories]
    changes_on: dict[dt.date, list] = {}
    for index, own in enumerate(replays):
        last = max(item.at for item in histories[index])
        for seq, change in enumerate([e for e in own.events if e.at <= last], start=1):
            changes_on.setdefault(change.at.date(), []).append((index, seq, change))
    for day in ctx.days:
        rows: list[Row] = []
        audits: list[Row] = []
        if day == ctx.days[0]:
            # Every card goes in with the first batch: the driver writes a batch's tables in first-seen order,
            # so later days' contacts and follow-ups always find their customer.
            rows.extend((C, _customer_row(ids[i], i, histories[i], replays[i], names,
                                          min(h.at for h in histories[i]).astimezone(dt.timezone.utc)))
                        for i in range(len(histories)))
        walk_ins = 0
        contacts_today = [e for e in by_day[day] if e[0] == "contact"]
        for kind, index, item in sorted(by_day[day], key=lambda e: e[2].at):
            at_utc = item.at.astimezone(dt.timezone.utc)
            if kind == "contact":
                walk_ins += item.channel == rules.Channel.walk_in
                blank = day == ctx.today and contacts_today.index(("contact", index, item)) >= \
                    len(contacts_today) - INCOMPLETE_TODAY
                row = {"id": ctx.new_id(K), "customer_id": ids[index], "day": day, "at": at_utc,
                       "channel": item.channel.value, "customer_name": names[index % len(names)],
                       "matter": rng.choice(MATTERS), "details": "" if blank else "已接待，报价并留资料",
                       "completed_at": None if blank else at_utc + dt.timedelta(hours=1),
                       "registered_by_id": rng.choice(ctx.desk).id, "received_by_id": item.received_by,
                       "requested_consultant_id": item.requested_consultant,
                       "recognised_by_owner": item.recognised_by_owner, "card": "A", "previous_owner_id": None,
                       "repeat_card": False, "is_correction": False, "correction_reason": "", "created_at": at_utc}
                rows.append((K, row))
                audits.append(audit_row(at=at_utc, who=ctx.desk[0], entity="showroom_contact", entity_id=row["id"],
                                        action="register", after={"customer_id": ids[index]}))
            else:
                row = {"id": ctx.new_id(F), "customer_id": ids[index], "consultant_id": item.consultant,
                       "at": at_utc, "note": "电话回访", "recorded_by_id": item.consultant}
                rows.append((F, row))
                audits.append(audit_row(at=at_utc, who=ctx.desk[0], entity="showroom_customer",
                                        entity_id=ids[index], action="follow_up"))
        for index, seq, change in changes_on.get(day, []):
            rows.append((O, {"id": ctx.new_id(O), "customer_id": ids[index], "seq": seq,
                             "at": change.at.astimezone(dt.timezone.utc), "from_owner_id": change.from_owner,
                             "to_owner_id": change.to_owner, "cause": change.cause.value,
                             "recorded_at": change.at.astimezone(dt.timezone.utc)}))
        signed = day != ctx.today
        signed_at = ctx.at(day, 17 * 60 + 30)
        rows.append((D, {"id": ctx.new_id(D), "day": day, "version": len(contacts_today),
                         "traffic_count": walk_ins if signed else None, "signed_by_id": signer.id if signed else None,
                         "signer_title": "销售经理" if signed else "", "signed_at": signed_at if signed else None,
                         "corrections": 0}))
        if signed:
            audits.append(audit_row(at=signed_at, who=signer, entity="showroom_day_sheet", entity_id=day.isoformat(),
                                    action="sign", after={"traffic_count": walk_ins}))
        yield rows + audits


def _customer_row(customer_id: int, index: int, history: list, own: rules.Ownership, names: list[str],
                  created: dt.datetime) -> dict:
    values = projection(own)
    last = max(item.at for item in history)
    contacts = [h.at for h in history if isinstance(h, rules.ShowroomContact)]
    utc = {k: (v.astimezone(dt.timezone.utc) if isinstance(v, dt.datetime) else v) for k, v in values.items()}
    return {"id": customer_id, "name": names[index % len(names)], "phone": f"13{index:09d}",
            "phone_norm": f"13{index:09d}", **utc, "last_contact_at": max(contacts).astimezone(dt.timezone.utc),
            "owner_changes": len([e for e in own.events if e.at <= last]), "version": len(history),
            "created_by_id": None, "created_at": created}


# ---- page SQL (for bench/run.py PAGE_SQL; ``make bench`` runs the pages as the admin) ----------------------

def _me():
    return select(User.__table__.c.id).where(User.__table__.c.username == ADMIN_USERNAME).scalar_subquery()


def _today(p) -> dt.date:
    """The office date of the probe: the UTC date of local noon (offsets under 12 h)."""
    return (p.day[0] + (p.day[1] - p.day[0]) / 2).date()


def _recent(p) -> dt.datetime:
    return p.now - dt.timedelta(days=30)


PAGE_SQL = {
    "showroom_daysheet": [
        ("today's contacts", lambda p: select(K, C.c.phone).select_from(K.join(C, C.c.id == K.c.customer_id))
         .where(K.c.day == _today(p)).order_by(K.c.at, K.c.id)),
        ("sheet row", lambda p: select(D).where(D.c.day == _today(p))),
    ],
    "showroom_customers": [
        ("held cards", lambda p: select(C).where(C.c.owner_id == _me(), C.c.due_at > p.now)
         .order_by(C.c.due_at).limit(500)),
        ("lapsed", lambda p: select(C).where(C.c.owner_id == _me(), C.c.due_at <= p.now, C.c.due_at >= _recent(p))
         .order_by(C.c.due_at.desc()).limit(500)),
        ("released", lambda p: select(C).where(C.c.released_from_id == _me(), C.c.due_at >= _recent(p))
         .order_by(C.c.due_at.desc()).limit(500)),
    ],
}


# ---- standalone measurement --------------------------------------------------------------------------------



def measure(scale: float, runs: int = 5, reuse: bool = False) -> dict:
    """Generate the office plus this module at ``scale`` and time its pages for the busiest consultant."""
    import os

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from lib.services import accounts
    from lib.services.showroom import read as showroom_read

    engine, generated = module_db("showroom", scale, reuse=reuse, marker=K)
    with session_scope(engine, write=False) as session:
        rows = {t.name: session.execute(select(func.count()).select_from(t)).scalar_one() for t in (C, K, F, O)}
        busiest = session.exec(select(C.c.owner_id, func.count()).where(C.c.owner_id.is_not(None))
                               .group_by(C.c.owner_id).order_by(func.count().desc()).limit(1)).first()
        user = session.get(User, busiest[0])
        consultant = accounts.actor_of(user)
    manager = Actor(id=None, username="bench", name="bench", role="supervisor")
    now = utcnow()
    result = {"scale": scale, "rows": rows, "generated_s": generated, "consultant": consultant.username,
              "my_customers_service_wall_cpu_ms": median_ms(
                  lambda: showroom_read.my_customers(engine, actor=consultant, now=now), runs),
              "day_sheet_service_wall_cpu_ms": median_ms(
                  lambda: showroom_read.day_sheet(engine, actor=manager, now=now), runs),
              "held": len(showroom_read.my_customers(engine, actor=consultant, now=now).owned)}
    os.environ["DATABASE_URL"] = str(engine.url)
    st.cache_resource.clear()
    for page in ("showroom_customers", "showroom_daysheet"):
        app = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
        app.session_state["authentication_status"] = True
        app.session_state["username"] = consultant.username
        result[f"{page}_page_wall_cpu_ms"] = median_ms(app.run, runs)
        assert not app.exception, app.exception
    engine.dispose()
    return result




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", default="1,10", help="two scales, e.g. 1,10")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args(argv)
    for scale in [float(s) for s in args.compare.split(",")]:
        print(measure(scale, args.runs, args.reuse), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
