"""KPI tables (SPEC M4): monthly sales, demotions, quarterly scores, ledger, display links."""

from __future__ import annotations
