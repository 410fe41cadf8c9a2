"""Showroom customer tables (SPEC M2.3-M2.5): customers, contacts, follow-ups, day sheets, access log, receptions."""

from __future__ import annotations
