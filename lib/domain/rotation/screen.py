"""How the showroom queue board behaves on screen (SPEC M1 1.1 pages): a setting, no rule.

Every screen re-reads the board on its own, so a tap at the front desk shows at the
reception PC and on the manager's screen within this many seconds.
"""

from __future__ import annotations

from lib.domain.settings import SettingDef

SETTINGS: list[SettingDef] = [
    SettingDef("queue.board_refresh_seconds", 5, "int", "s", "(assumed)", minimum=2, maximum=600),
]
