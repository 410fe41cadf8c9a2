"""Lost and found 遗留物品登记 (REGISTERS.md §1.7): seed 004 D7 「客户遗留下的任何物品均应上缴」, seed 003 X5
「客人遗留物品一律上交部门」「并对客人遗留物品做好登记、保管、上缴的工作」.

An item is 登记 (recorded) and from then 保管 (kept by its custodian) until it is 上缴 (handed in to the
department, with whom and when) or — the chosen reading, no seed has it — returned to its owner; either closes
it, and only one of them. The seeds give no period for handing in: setting ``registers.lost_item.hand_in_hours``
(assumed) makes a kept item due, and overdue after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from lib.domain.errors import FieldError
from lib.domain.registers.family_hooks import is_set, not_before
from lib.domain.registers.hooks import Ctx, Due, Entry, RegisterHooks
from lib.domain.registers.model import FieldDef, RegisterDef
from lib.domain.settings import SettingDef

FAMILY = "lost_found"
ME, NOW = "me", "now"
STATUSES = ("registered", "kept", "handed_in", "returned")  # 登记 → 保管 → 上缴 / 归还失主 (△)

SETTINGS = [
    SettingDef("registers.lost_item.hand_in_hours", 24, "int", "h",
               "(assumed) seed 003 X5 「客人遗留物品一律上交部门」 gives no period", minimum=1, maximum=720),
]


def item_status(state: str, values: Mapping[str, object]) -> str:
    if is_set(values.get("returned_at")):
        return "returned"
    if is_set(values.get("handed_in_at")):
        return "handed_in"
    return "kept" if state in ("recorded", "approved") else "registered"


class LostItemHooks(RegisterHooks):
    """Status from the dates; handed in or returned, not both, each with its counterpart and not before it was
    found; a kept item is due to be handed in ``registers.lost_item.hand_in_hours`` after it was found."""

    def derive(self, entry: Entry, ctx: Ctx) -> Mapping[str, object]:
        return {"status": item_status(entry.state, entry.values)}

    def validate(self, entry: Entry, ctx: Ctx) -> Sequence[FieldError]:
        v = entry.values
        name = f"reg.{entry.register}."
        errors: list[FieldError] = []
        if is_set(v.get("handed_in_at")) and is_set(v.get("returned_at")):
            errors.append(FieldError(name + "returned_at", "registers.lost_item.already_closed"))
        for when, who in (("handed_in_at", "handed_to"), ("returned_at", "owner")):
            if is_set(v.get(when)) != is_set(v.get(who)):
                errors.append(FieldError(name + (who if is_set(v.get(when)) else when), "registers.lost_item.both"))
            errors += not_before(entry, when, "found_at", "registers.lost_item.before_found")
        return errors

    def dues(self, entry: Entry, ctx: Ctx) -> Sequence[Due]:
        found = entry.values.get("found_at")
        if item_status(entry.state, entry.values) != "kept" or not isinstance(found, dt.datetime):
            return ()
        hours = int(ctx.settings.get("registers.lost_item.hand_in_hours") or 24)
        return [Due("lost_item_hand_in", found + dt.timedelta(hours=hours))]


def _t(key: str, type_: str, **kw) -> FieldDef:
    return FieldDef(key, type_, **kw)


REGISTERS = [
    RegisterDef(
        "lost_item", FAMILY, "seed 004 D7 [LF-a], seed 003 X5#21, #25 [LF-b, LF-c] 遗留物品登记 「登记、保管、上缴」",
        fields=(
            _t("item", "text", required=True, max_len=200, quote="(◇) 物品"),
            _t("found_at", "datetime", required=True, default=NOW, indexed=True, quote="(◇) 发现时间"),
            _t("found_place", "text", required=True, max_len=100, quote="(◇) 发现地点"),
            _t("finder", "text", required=True, max_len=50, quote="(◇) 发现人"),
            _t("custodian_id", "person", required=True, default=ME, indexed=True, quote="保管"),
            _t("handed_in_at", "datetime", quote="上缴"),
            _t("handed_to", "text", max_len=100, quote="上缴部门/接收人 「一律上交部门」"),
            _t("returned_at", "datetime", quote="(△) 归还失主时间"),
            _t("owner", "text", max_len=100, quote="(△) 失主/认领人"),
            _t("status", "choice", choices=STATUSES, derived=True, indexed=True, quote="登记 → 保管 → 上缴"),
            _t("remarks", "text", max_len=200, quote="(△) 备注"),
        ),
        lock="on_submit", editable_after_lock=("handed_in_at", "handed_to", "returned_at", "owner"),
        date_field="found_at", title_field="item", hooks=LostItemHooks()),
]
