"""Showroom sales queue rules (SPEC M1 1.1) and how its board behaves on screen."""
