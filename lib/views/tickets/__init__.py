"""Ticket page pieces (SPEC M3): intake, detail, actions and shared table/labels."""
