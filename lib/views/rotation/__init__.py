"""Showroom queue page pieces (SPEC M1 1.1): the board and the draw admin."""
