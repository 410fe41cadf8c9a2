"""The register engine's definitions (SPEC M5, issue 14): every family module's ``REGISTERS`` in one registry.

A family module (``lib/domain/registers/<family>.py``) declares ``FAMILY``, ``REGISTERS`` (a list of
``RegisterDef``) and, when it has rules, pure hooks beside them; add its name to ``FAMILY_MODULES``.
"""

from __future__ import annotations

import importlib

from lib.domain.registers.model import RegisterDef

FAMILY_MODULES = ("information", "seals", "lost_found", "equipment", "minor", "phones", "control_room", "secrecy", "rest")


def _load() -> dict[str, RegisterDef]:
    found: dict[str, RegisterDef] = {}
    for name in FAMILY_MODULES:
        module = importlib.import_module(f"lib.domain.registers.{name}")
        for definition in module.REGISTERS:
            if definition.key in found:
                raise ValueError(f"register {definition.key} declared twice")
            found[definition.key] = definition
    return found


REGISTRY: dict[str, RegisterDef] = _load()


def register(key: str) -> RegisterDef:
    """The definition of ``key``; a KeyError for an unknown register."""
    return REGISTRY[key]


def families() -> dict[str, list[RegisterDef]]:
    """Registers by family, in declaration order (the page's tabs)."""
    out: dict[str, list[RegisterDef]] = {}
    for definition in REGISTRY.values():
        out.setdefault(definition.family, []).append(definition)
    return out
