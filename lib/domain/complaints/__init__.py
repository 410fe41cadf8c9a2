"""Complaint and service-request rules (SPEC M3): model, intake, state machines, SLA, surveys."""
