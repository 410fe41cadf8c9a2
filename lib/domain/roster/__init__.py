"""Shift roster rules (SPEC M1 1.2, 1.3): templates and presets, swaps, absences, check-in."""
