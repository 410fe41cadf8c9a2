"""Shift-template presets of SPEC M1 1.2, with their post rules and sources.

Shift codes are stable slugs; the page shows ``rotation.shift.<code>`` (白班, 夜班…)
and an admin may rename a copied template's shifts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from lib.domain.roster.rules import CoverageRule, PostRules, RosterSettings, ShiftDef, ShiftTemplate


class Preset(StrEnum):
    three_crew_two_shift = "three_crew_two_shift"
    four_crew_three_shift = "four_crew_three_shift"
    call_centre_24h = "call_centre_24h"
    cs_three_band = "cs_three_band"
    front_desk = "front_desk"
    fire_room = "fire_room"


@dataclass(frozen=True)
class PresetDef:
    template: ShiftTemplate
    rules: PostRules
    source: str


def _t(hhmm: str) -> dt.time:
    return dt.time.fromisoformat(hhmm)


def presets(settings: RosterSettings = RosterSettings(), post: str = "") -> dict[Preset, PresetDef]:
    """The SPEC M1 1.2 presets (sources per preset); ``post`` names the post the rules are for.

    The fire room's 12 h shifts are assumed (seed 004 D20 gives only ≤12 h
    continuous); the D2 control room keeps its 15 h night with no maximum
    (SPEC reading 8).
    """
    day, night = settings.callcentre_day_min, settings.callcentre_night_min
    return {
        Preset.three_crew_two_shift: PresetDef(
            ShiftTemplate(
                "three_crew_two_shift",
                3,
                (ShiftDef("day", _t("08:00"), _t("17:00")), ShiftDef("night", _t("17:00"), _t("08:00"))),
            ),
            PostRules(post, is_24x7=True, requires_training=True),
            "seed 004 D2",
        ),
        Preset.four_crew_three_shift: PresetDef(
            ShiftTemplate(
                "four_crew_three_shift",
                4,
                (
                    ShiftDef("early", _t("00:00"), _t("08:00")),
                    ShiftDef("middle", _t("08:00"), _t("16:00")),
                    ShiftDef("late", _t("16:00"), _t("00:00")),
                ),
            ),
            PostRules(post, is_24x7=True, requires_training=True),
            "seed 004 D9",
        ),
        Preset.call_centre_24h: PresetDef(
            ShiftTemplate(
                "call_centre_24h",
                1,
                (
                    ShiftDef("day", _t("08:00"), _t("20:00"), 0),
                    ShiftDef("mid", _t("09:00"), _t("21:00"), 0),
                    ShiftDef("night", _t("20:00"), _t("08:00"), 0),
                ),
                (CoverageRule(_t("08:00"), _t("20:00"), day), CoverageRule(_t("20:00"), _t("08:00"), night)),
            ),
            # Round-the-clock, but every shortfall, even an empty hour, only warns (SPEC 1.2 reading).
            PostRules(post, shortfall_warns_only=True),
            "seed 001 D20; seed 000 D2",
        ),
        Preset.cs_three_band: PresetDef(
            ShiftTemplate(
                "cs_three_band",
                1,
                (
                    ShiftDef("day", _t("08:00"), _t("17:00"), 2),
                    ShiftDef("evening", _t("17:00"), _t("01:00"), 2),
                    ShiftDef("regular", _t("09:00"), _t("18:00"), 2),
                ),
            ),
            PostRules(post, rest_days_per_month=settings.cs_rest_days),
            "seed 001 D8",
        ),
        Preset.front_desk: PresetDef(
            ShiftTemplate("front_desk", 1, (ShiftDef("office", _t("08:50"), _t("18:00")),)),
            PostRules(post, first_responsible_daily=True, working_days_only=True),
            "seed 000 D13, D9",
        ),
        Preset.fire_room: PresetDef(
            ShiftTemplate(
                "fire_room",
                2,
                (ShiftDef("day", _t("08:00"), _t("20:00")), ShiftDef("night", _t("20:00"), _t("08:00"))),
            ),
            PostRules(
                post,
                is_24x7=True,
                min_staff=settings.fire_min_staff,
                max_continuous_h=settings.fire_max_continuous_h,
                requires_training=True,
                requires_certificate=True,
            ),
            "seed 004 D20",
        ),
    }
