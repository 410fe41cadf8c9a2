"""A week in the seal, lost-and-found, equipment and minor registers (issue 14), so a newcomer sees them filled.

The demo office has no 行政办 or 印章管理员, so a few people take the titles the chains name, written like
``lib.demo.registers`` does it: the 综合部主管 keeps the seal and equipment ledgers (行政主管), a 前台接待员
is the 印章管理员, the 值班经理 is 秩序维护主管 (保卫部门). Every entry goes through ``lib.services.registers``
with the clock set back, so chains, locks, dues and blockers hold: seals at several lifecycle steps, a new seal
approved and waiting to be carved, uses registered and one waiting for review; lost items kept (one overdue),
handed in and returned; the equipment ledger with a repair done, one open (维修中), a swap (调换) and its
half-yearly stocktake due this week, laptop loans open (a departure blocker) and returned;
machine-room records; mail, documents, newspapers, gifts, archives, meetings (minutes due), safety checks.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from db.engine import session_scope
from db.models import User
from db.models_registers import register_table
from lib.demo.office import Office, Person
from lib.services import accounts
from lib.services import registers as R

# (title the person has, department, extra titles, which one of them)
EXTRA_TITLES = [("综合部主管", "行政部", ("行政主管",), 0), ("前台接待员", "行政部", ("印章管理员",), 1),
                ("值班经理", "工程部", ("秩序维护主管",), 0), ("供需", "销售部", ("部门主管",), 0),
                ("综合部主管", "行政部", ("信息中心经理",), 0)]


def grant_titles(office: Office, extra_titles=EXTRA_TITLES) -> dict[str, Person]:
    """Give demo people the register titles they hold in the office: each row is (a title the person has,
    their department, the titles added, which of the matching people); returns each added title's holder."""
    given: dict[str, Person] = {}
    with session_scope(office.engine) as session:
        for title, department, extra, index in extra_titles:
            person = [p for p in office.people if title in p.titles and p.department == department][index]
            user = session.exec(select(User).where(User.id == person.id)).one()
            user.titles = list(dict.fromkeys([*user.titles, *extra]))
            session.flush()
            person.titles = tuple(user.titles)
            person.actor = accounts.actor_of(user)
            for name in extra:
                given[name] = person
    return given


def load(office: Office) -> None:
    chain = grant_titles(office)
    admin_office, seal_keeper = chain["行政主管"].actor, chain["印章管理员"].actor
    sales = [p.actor for p in office.people if p.department == "销售部" and "销售顾问" in p.titles]
    front = [p.actor for p in office.people if "前台接待员" in p.titles]
    _seals(office, admin_office, seal_keeper, sales)
    _lost_found(office, front)
    _equipment(office, admin_office, chain["部门主管"].actor, chain["信息中心经理"].actor, sales, front)
    _minor(office, chain["秩序维护主管"].actor, sales, front)


def _entry_id(engine, register: str, asset_no: str) -> int:
    """The current ledger entry of ``asset_no`` (the demo edits what it just wrote)."""
    tbl = register_table(register)
    with session_scope(engine, write=False) as session:
        return session.execute(select(tbl.c.id).where(tbl.c.asset_no == asset_no,
                                                      tbl.c.superseded_by_id.is_(None))).scalar_one()


def _ago(office: Office, days: float, hours: float = 0) -> dt.datetime:
    return office.now - dt.timedelta(days=days, hours=hours)


def _seals(office: Office, admin_office, seal_keeper, sales) -> None:
    engine = office.engine
    today = office.today
    steps = (("issued_on", 390), ("activated_on", 380), ("suspended_on", 30), ("recalled_on", 20),
             ("destroyed_on", 10))  # days ago, after 刻制 400 days ago
    for kind, name, count in (("company", "公司公章", 2), ("finance", "财务专用章", 2), ("contract", "合同专用章", 2),
                              ("legal_rep", "法定代表人个人名章", 1), ("other", "旧合同专用章", 5)):
        seal = R.create_entry(engine, actor=admin_office, register="seal", now=_ago(office, 7), values={
            "seal_type": kind, "name": name, "carved_on": today - dt.timedelta(days=400)})
        for i, (field, days) in enumerate(steps[:count]):
            extra = {"keeper_id": seal_keeper.id} if field == "issued_on" else {}
            R.edit_entry(engine, actor=admin_office, register="seal", entry_id=seal, now=_ago(office, 7, -i - 1),
                         values={field: today - dt.timedelta(days=days), **extra})
    config = R.create_entry(engine, actor=sales[0], register="seal_config", now=_ago(office, 3), values={
        "requester_id": sales[0].id, "requested_at": _ago(office, 3), "seal_type": "other", "name": "销售部业务专用章",
        "quantity": 1, "grounds": "新设门店需要业务用章"})
    R.approve_entry(engine, actor=admin_office, register="seal_config", entry_id=config, now=_ago(office, 2))
    for days, document, registered in ((5, "某公司采购合同", True), (2, "年度经销协议", True), (0.2, "报价函", False)):
        requester = sales[int(days) % len(sales)]
        use = R.create_entry(engine, actor=requester, register="seal_use", now=_ago(office, days), values={
            "department": "销售部", "requester_id": requester.id, "requested_at": _ago(office, days),
            "seal_type": "contract", "seal": "合同专用章", "document": document, "purpose": "签订合同", "copies": 2})
        if registered:
            R.approve_entry(engine, actor=seal_keeper, register="seal_use", entry_id=use, now=_ago(office, days, -1))
            R.edit_entry(engine, actor=requester, register="seal_use", entry_id=use, now=_ago(office, days, -2),
                         values={"used_at": _ago(office, days, -2), "keeper_id": seal_keeper.id})
    R.create_entry(engine, actor=seal_keeper, register="seal_change", now=_ago(office, 1), values={
        "seal": "合同专用章", "kind": "replace", "grounds": "印面磨损,字迹不清", "proposed_at": _ago(office, 1)})
    R.create_entry(engine, actor=admin_office, register="seal_impression", now=_ago(office, 6), values={
        "seal": "公司公章", "seal_type": "company", "filed_at": _ago(office, 6), "impression": "印鉴档案盒 A-01"})
    R.create_entry(engine, actor=admin_office, register="seal_audit", now=_ago(office, 4), values={
        "checked_at": _ago(office, 4), "checker_id": admin_office.id, "findings": "用印登记完整,未发现问题"})


def _lost_found(office: Office, front) -> None:
    engine = office.engine
    items = (("黑色雨伞", "客户休息室", 5, "handed_in"), ("车钥匙", "展厅洽谈区", 3, "returned"),
             ("保温杯", "前台", 2, None), ("手机充电器", "客户休息室", 0.1, None))
    for item, place, days, end in items:
        keeper = front[int(days) % len(front)]
        entry = R.create_entry(engine, actor=keeper, register="lost_item", now=_ago(office, days), values={
            "item": item, "found_at": _ago(office, days), "found_place": place, "finder": "保洁员",
            "custodian_id": keeper.id})
        if end == "handed_in":
            R.edit_entry(engine, actor=keeper, register="lost_item", entry_id=entry, now=_ago(office, days - 0.5),
                         values={"handed_in_at": _ago(office, days - 0.5), "handed_to": "行政部"})
        elif end == "returned":
            R.edit_entry(engine, actor=keeper, register="lost_item", entry_id=entry, now=_ago(office, days - 0.2),
                         values={"returned_at": _ago(office, days - 0.2), "owner": office.fake.name()})


def _equipment(office: Office, admin_office, dept_supervisor, info_manager, sales, front) -> None:
    engine, today = office.engine, office.today
    for n, (category, name, holder) in enumerate((("computer", "台式电脑", sales[0]), ("laptop", "笔记本电脑", None),
                                                  ("laptop", "笔记本电脑", None), ("printer", "激光打印机", None),
                                                  ("projector", "投影仪", None)), 1):
        R.create_entry(engine, actor=admin_office, register="equipment", now=_ago(office, 7), values={
            "asset_no": f"XZ-{n:03d}", "category": category, "name": name, "department": "销售部" if holder else "行政部",
            "holder_id": holder.id if holder else None, "issued_on": today - dt.timedelta(days=200),
            "warranty_end": today + dt.timedelta(days=165)})
    repair = R.create_entry(engine, actor=dept_supervisor, register="equipment_repair", now=_ago(office, 4), values={
        "asset_no": "XZ-001", "fault": "无法开机", "in_warranty": True, "repairer": "联想服务站",
        "reported_at": _ago(office, 4)})
    R.edit_entry(engine, actor=dept_supervisor, register="equipment_repair", entry_id=repair, now=_ago(office, 3),
                 values={"repair_record": "保修期内,供应商上门更换电源", "finished_at": _ago(office, 3)})
    # 调换 (seed 003 X6#20): the projector swapped for a new one; 维修中: the printer's repair form still open
    R.create_entry(engine, actor=admin_office, register="equipment", now=_ago(office, 7), values={
        "asset_no": "XZ-006", "category": "projector", "name": "投影仪(调换)", "department": "行政部",
        "issued_on": today - dt.timedelta(days=20)})
    swapped = _entry_id(engine, "equipment", "XZ-005")
    R.edit_entry(engine, actor=admin_office, register="equipment", entry_id=swapped, now=_ago(office, 6),
                 values={"swapped_on": today - dt.timedelta(days=20), "swapped_for": "XZ-006",
                         "remarks": "灯泡亮度不足,供应商调换新机"})
    R.create_entry(engine, actor=dept_supervisor, register="equipment_repair", now=_ago(office, 1), values={
        "asset_no": "XZ-004", "fault": "卡纸,无法进纸", "in_warranty": False, "reported_at": _ago(office, 1)})
    # 盘点清查 every half year (seed 003 X6#23): the last count is nearly six months old, so it is due this week
    R.create_entry(engine, actor=admin_office, register="equipment_stocktake", now=_ago(office, 178), values={
        "counted_on": today - dt.timedelta(days=178), "counter_id": admin_office.id, "items_counted": 5,
        "matched": False, "findings": "XZ-003 笔记本电脑在销售部,借用单未登记,已补填"})
    # this half-year's count is under way: a draft (not yet submitted) does not answer the due
    R.create_entry(engine, actor=admin_office, register="equipment_stocktake", now=_ago(office, 1), submit=False,
                   values={"counted_on": today - dt.timedelta(days=1), "counter_id": admin_office.id,
                           "items_counted": 3, "matched": False, "findings": "盘点进行中:已清查行政部 3 件,销售部未查"})
    back = R.create_entry(engine, actor=sales[1], register="laptop_loan", now=_ago(office, 6), values={
        "borrower_id": sales[1].id, "asset_no": "XZ-002", "purpose": "外出投标演示", "lent_at": _ago(office, 6)})
    R.edit_entry(engine, actor=sales[1], register="laptop_loan", entry_id=back, now=_ago(office, 5),
                 values={"returned_at": _ago(office, 5)})
    R.create_entry(engine, actor=sales[2], register="laptop_loan", now=_ago(office, 2), values={
        "borrower_id": sales[2].id, "asset_no": "XZ-003", "purpose": "出差", "lent_at": _ago(office, 2),
        "due_back": today + dt.timedelta(days=1)})
    visit = R.create_entry(engine, actor=front[0], register="machine_access", now=_ago(office, 3), values={
        "visitor": "网络公司工程师", "organisation": "某网络公司", "purpose": "更换交换机", "entered_at": _ago(office, 3),
        "escort_id": front[0].id})
    R.approve_entry(engine, actor=info_manager, register="machine_access", entry_id=visit, now=_ago(office, 3, -0.1))
    R.edit_entry(engine, actor=front[0], register="machine_access", entry_id=visit, now=_ago(office, 3, -2),
                 values={"left_at": _ago(office, 3, -2)})
    change = R.create_entry(engine, actor=front[0], register="machine_change", now=_ago(office, 4), values={
        "device": "核心交换机", "change": "更换为千兆交换机", "requested_at": _ago(office, 4), "requester_id": front[0].id})
    R.approve_entry(engine, actor=info_manager, register="machine_change", entry_id=change, now=_ago(office, 3.5))
    R.edit_entry(engine, actor=front[0], register="machine_change", entry_id=change, now=_ago(office, 3, -1),
                 values={"done_at": _ago(office, 3, -1)})
    R.create_entry(engine, actor=front[0], register="machine_history", now=_ago(office, 3, -1), values={
        "device": "核心交换机", "event": "change", "occurred_at": _ago(office, 3, -1), "description": "更换为千兆交换机",
        "operator_id": front[0].id})
    R.create_entry(engine, actor=front[0], register="machine_inspection", now=_ago(office, 1), values={
        "inspected_at": _ago(office, 1), "inspector_id": front[0].id, "floor_ok": True, "ups_ok": True,
        "climate_ok": True, "sensors_ok": True, "fire_ok": True, "rodent_ok": True})
    R.create_entry(engine, actor=front[0], register="machine_fault", now=_ago(office, 5), values={
        "occurred_at": _ago(office, 5), "device": "UPS", "description": "市电中断 20 分钟,UPS 供电正常",
        "handling": "按应急预案切换", "reported_to": "信息中心经理"})


def _minor(office: Office, security, sales, front) -> None:
    engine, fake, rng = office.engine, office.fake, office.rng
    clerk = front[0]
    for days in (6, 4, 3, 1):
        mail = R.create_entry(engine, actor=clerk, register="mail_log", now=_ago(office, days), values={
            "direction": "in", "kind": rng.choice(["letter", "parcel", "express"]), "at": _ago(office, days),
            "sender": fake.company(), "addressee": rng.choice(sales).name, "tracking_no": f"SF{rng.randint(10**9, 10**10)}"})
        if days > 1:
            R.edit_entry(engine, actor=clerk, register="mail_log", entry_id=mail, now=_ago(office, days, -1),
                         values={"handed_to": "本人签收", "handed_at": _ago(office, days, -1)})
    R.create_entry(engine, actor=clerk, register="document_log", now=_ago(office, 2), values={
        "direction": "in", "kind": "fax", "at": _ago(office, 2), "doc_no": "厂家〔2026〕18号", "doc_title": "年度促销政策通知",
        "counterpart": "厂家区域办", "pages": 3, "handler_id": clerk.id})
    for days in range(5):
        R.create_entry(engine, actor=clerk, register="newspaper_log", now=_ago(office, days, 1), values={
            "received_at": _ago(office, days, 1), "title": "人民日报", "quantity": 2})
    R.create_entry(engine, actor=sales[3], register="gift_issue", now=_ago(office, 2), values={
        "issued_at": _ago(office, 2), "gift": "品牌雨伞", "quantity": 1, "customer": fake.name(), "issued_by_id": sales[3].id})
    R.create_entry(engine, actor=clerk, register="archive_loan", now=_ago(office, 1), values={
        "organisation": "市档案局", "letter": True, "archive": "2020 年会议档案", "purpose": "专项检查",
        "requested_at": _ago(office, 1)})
    R.create_entry(engine, actor=clerk, register="archive_transfer", now=_ago(office, 5), values={
        "from_unit": "销售部", "catalogue": "2025 年销售合同 1-12 月", "volumes": 12, "handed_by": sales[0].name,
        "received_by_id": clerk.id, "transferred_at": _ago(office, 5)})
    R.create_entry(engine, actor=clerk, register="archive_check", now=_ago(office, 6), values={
        "year": office.today.year, "checked_at": _ago(office, 6), "checker_id": clerk.id, "findings": "档案齐全,防霉去虫剂已更换"})
    minutes = R.create_entry(engine, actor=clerk, register="meeting", now=_ago(office, 6), values={
        "subject": "周例会", "held_at": _ago(office, 6), "place": "会议室", "recorder_id": clerk.id})
    R.edit_entry(engine, actor=clerk, register="meeting", entry_id=minutes, now=_ago(office, 5),
                 values={"minutes_at": _ago(office, 5)})
    R.create_entry(engine, actor=clerk, register="meeting", now=_ago(office, 1), values={
        "subject": "周例会", "held_at": _ago(office, 1), "place": "会议室", "recorder_id": clerk.id})
    R.create_entry(engine, actor=clerk, register="meeting_notice", now=_ago(office, 2), values={
        "received_at": _ago(office, 2), "organiser": "区商务局", "subject": "汽车消费促进座谈会",
        "meeting_at": office.now + dt.timedelta(days=5)})
    R.create_entry(engine, actor=clerk, register="safety_check", now=_ago(office, 3), values={
        "checked_at": _ago(office, 3), "checker_id": clerk.id, "power_ok": True, "sockets_ok": False, "flame_ok": True,
        "document_control_ok": True, "issues": "前台插座松动,通知工程部更换"})
    permit = R.create_entry(engine, actor=sales[4], register="flame_permit", now=_ago(office, 2), values={
        "place": "展厅后场", "purpose": "焊接展台支架", "applicant_id": sales[4].id, "starts_at": _ago(office, 1)})
    R.approve_entry(engine, actor=security, register="flame_permit", entry_id=permit, now=_ago(office, 1.5))
