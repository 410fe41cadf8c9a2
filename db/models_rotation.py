"""Duty rotation tables (SPEC M1): lottery draws, queue events, rosters, requests, check-ins, handovers."""

from __future__ import annotations
