"""Roster page pieces (SPEC M1 1.2, 1.3): the roster views and the request inbox."""
