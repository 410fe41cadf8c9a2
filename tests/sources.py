"""The project's source files for the tests that read code (architecture, limits, audit catalog, actor matrix)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def python_files(folder: Path) -> list[Path]:
    """Every ``.py`` under ``folder``, sub-packages included; a sub-package's ``__init__.py`` holds only
    its docstring, so it is left out (the folder's own ``__init__.py`` stays)."""
    return sorted(p for p in folder.rglob("*.py") if p.name != "__init__.py" or p.parent == folder)


def module_name(path: Path) -> str:
    """``lib/services/tickets/read.py`` -> ``lib.services.tickets.read``."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)
