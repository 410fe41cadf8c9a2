"""Demo (T14): what an admin sets up once — notification preferences and an admin-made register with entries.

The front desk's receptionists get their overdue items on the 企业微信 front-desk robot (quiet 22:00–07:00), the
customer-service group by e-mail; the office defines its own 报刊签收登记 (issue 14, registers made without code)
and the front desk signs a few deliveries in it, one still waiting for its 行政主管.
"""

from __future__ import annotations

import datetime as dt

from lib.demo.office import Office
from lib.notify import admin as notify_admin
from lib.services import registers as R
from lib.services.registers import custom


def load(office: Office) -> None:
    engine, now, admin = office.engine, office.now, office.admin
    front = office.with_title("前台接待员")
    for person in front[:2]:
        notify_admin.save_preference(engine, actor=admin, scope="user", ref_id=person.id, channels=["wecom"],
                                     quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 0), target="front", now=now)
    cs = office.with_title("客服专员")
    if cs:
        notify_admin.save_preference(engine, actor=admin, scope="user", ref_id=cs[0].id, channels=["email"],
                                     email="kefu@example.com", now=now)
    definition = custom.save_definition(
        engine, actor=admin, name="报刊签收登记", chain=["行政主管"], lock="on_final_approval", now=now,
        fields=[{"key": "paper", "label": "报刊名称", "type": "text", "required": True},
                {"key": "copies", "label": "份数", "type": "int", "required": True},
                {"key": "received_on", "label": "签收日期", "type": "date", "required": True}])
    if not front:
        return
    clerk = front[0].actor
    for days, paper in ((3, "人民日报"), (2, "经济日报"), (1, "参考消息")):
        at = now - dt.timedelta(days=days)
        R.create_entry(engine, actor=clerk, register=f"custom_{definition}", now=at,
                       values={"paper": paper, "copies": 2, "received_on": at.date()})
