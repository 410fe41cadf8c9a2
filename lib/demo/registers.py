"""A week in the information registers (seed 000 D14) and customer-archive access (seed 001 D17).

The demo office has no information centre, so a few people take the titles the chains name (部门主管 and
部门经理 in 销售部, 信息中心经理 and 信息查询员 in 行政部), written like ``office.build`` writes people. Every
entry then goes through ``lib.services.registers`` with the clock set back, so chains, locks and dues hold:
a request fully signed and one waiting, a transfer and its receipt, loans returned, open and overdue, a special
loan approved and one waiting, archive access signed, and one correction.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from db.engine import session_scope
from db.models import User
from lib.demo.office import Office, Person
from lib.services import accounts
from lib.services import registers as R

# (title the person has, department, extra titles)
EXTRA_TITLES = [("销售经理", "销售部", ("部门经理",)), ("供需", "销售部", ("部门主管",)),
                ("综合部主管", "行政部", ("信息中心经理",)), ("前台接待员", "行政部", ("信息查询员",))]


def _titles(office: Office) -> dict[str, Person]:
    """Give the chain titles to one person each; returns them by the new title."""
    given: dict[str, Person] = {}
    with session_scope(office.engine) as session:
        for title, department, extra in EXTRA_TITLES:
            person = next(p for p in office.people if title in p.titles and p.department == department)
            user = session.exec(select(User).where(User.id == person.id)).one()
            user.titles = list(dict.fromkeys([*user.titles, *extra]))
            session.flush()
            person.titles = tuple(user.titles)
            person.actor = accounts.actor_of(user)
            for name in extra:
                given[name] = person
    return given


def load(office: Office) -> None:
    chain = _titles(office)
    engine, now, rng, fake = office.engine, office.now, office.rng, office.fake
    clerk = chain["信息查询员"].actor
    sales = [p.actor for p in office.people if p.department == "销售部" and "销售顾问" in p.titles]
    cs_supervisor = office.one("客服主管")

    def ago(days: float, hours: float = 0) -> dt.datetime:
        return now - dt.timedelta(days=days, hours=hours)

    queries = []
    for days in (6, 4, 2, 1):
        at = ago(days, 3)
        queries.append(R.create_entry(engine, actor=clerk, register="general_query", now=at, values={
            "asked_at": at, "enquirer": rng.choice(sales).name, "content": rng.choice(
                ["客户联系人电话", "客户送货地址", "客户开户卡号", "客户联系人变更"]),
            "purpose": rng.choice(["回访", "送货", "开票", "合同续签"])}))
        R.edit_entry(engine, actor=clerk, register="general_query", entry_id=queries[-1], now=at + dt.timedelta(minutes=20),
                     values={"result": "已提供"})
    R.correct_entry(engine, actor=clerk, register="general_query", entry_id=queries[0], now=ago(5), reason="询问人写错",
                    values={"asked_at": ago(6, 3), "enquirer": sales[0].name, "content": "客户联系人电话",
                            "purpose": "回访", "result": "已提供"})

    applicant = sales[1]
    signed = R.create_entry(engine, actor=applicant, register="info_request", now=ago(5), values={
        "applicant_id": applicant.id, "applied_at": ago(5), "content": f"{fake.company()}的经营范围与注册资金",
        "purpose": "投标资格审查", "urgency": "urgent"})
    for hours, title in ((4, "部门主管"), (3, "部门经理"), (2, "信息中心经理"), (1, "信息查询员"), (0, "部门主管")):
        R.approve_entry(engine, actor=chain[title].actor, register="info_request", entry_id=signed, now=ago(4, hours))
    waiting = R.create_entry(engine, actor=sales[2], register="info_request", now=ago(1), values={
        "applicant_id": sales[2].id, "applied_at": ago(1), "content": f"{fake.company()}的决策相关人员",
        "purpose": "拜访前准备", "urgency": "normal"})
    R.approve_entry(engine, actor=chain["部门主管"].actor, register="info_request", entry_id=waiting, now=ago(0, 20))

    giver, receiver = sales[3], sales[4]
    R.create_entry(engine, actor=giver, register="info_transfer", now=ago(3), values={
        "giver_id": giver.id, "receiver_id": receiver.id, "transferred_at": ago(3), "content": "重点客户名单 20 份",
        "scope": "仅用于本月回访,不得外传"})
    R.create_entry(engine, actor=receiver, register="info_receipt", now=ago(3, -1), values={
        "giver_id": giver.id, "received_at": ago(3, -1), "content": "重点客户名单 20 份", "requirement": "保密,月底归还"})

    returned = R.create_entry(engine, actor=sales[5], register="general_loan", now=ago(6), values={
        "borrower_id": sales[5].id, "content": "安装单(上月)", "borrowed_at": ago(6), "purpose": "核对安装地址"})
    R.edit_entry(engine, actor=sales[5], register="general_loan", entry_id=returned, now=ago(5),
                 values={"returned_at": ago(5)})
    R.create_entry(engine, actor=sales[6], register="general_loan", now=ago(2), values={
        "borrower_id": sales[6].id, "content": "培训名单", "borrowed_at": ago(2), "purpose": "安排新人培训"})
    R.create_entry(engine, actor=sales[7], register="general_loan", now=ago(9), values={
        "borrower_id": sales[7].id, "content": "安装单(季度汇总)", "borrowed_at": ago(9), "purpose": "季度核对"})

    lent = R.create_entry(engine, actor=sales[8], register="special_loan", now=ago(3), values={
        "borrower_id": sales[8].id, "content": "重要客户合同原件", "borrowed_at": ago(3), "purpose": "续签前核对条款"})
    R.approve_entry(engine, actor=chain["部门经理"].actor, register="special_loan", entry_id=lent, now=ago(3, -1))
    R.create_entry(engine, actor=sales[9], register="special_loan", now=ago(0, 2), values={
        "borrower_id": sales[9].id, "content": "年度价格协议", "borrowed_at": ago(0, 2), "purpose": "报价参考"})

    access = R.create_entry(engine, actor=sales[0], register="archive_access", now=ago(2), values={
        "requester_id": sales[0].id, "customer": fake.company(), "purpose": "续签合同前核对信用情况",
        "requested_at": ago(2)})
    R.approve_entry(engine, actor=chain["部门经理"].actor, register="archive_access", entry_id=access, now=ago(2, -1))
    R.approve_entry(engine, actor=cs_supervisor, register="archive_access", entry_id=access, now=ago(2, -2))
    pending = R.create_entry(engine, actor=sales[1], register="archive_access", now=ago(0, 3), values={
        "requester_id": sales[1].id, "customer": fake.company(), "purpose": "投诉处理需要历史记录",
        "requested_at": ago(0, 3)})
    R.approve_entry(engine, actor=chain["部门经理"].actor, register="archive_access", entry_id=pending, now=ago(0, 2))
