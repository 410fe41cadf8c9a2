"""Visitor page pieces (SPEC M2.1): the form, arrivals, actions and the kiosk."""
