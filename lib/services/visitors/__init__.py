"""Visitor services (SPEC M2.1): the register, badges, kiosks and pre-registration."""
