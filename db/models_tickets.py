"""Complaint and service-request tables (SPEC M3): tickets, their timeline, surveys."""

from __future__ import annotations
