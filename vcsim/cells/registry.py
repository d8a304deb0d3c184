"""The cell types vcsim knows, by name (``vsmc``; later endothelial cells, macrophages).

A type registers itself when its package is imported; :func:`cell_type` imports the shipped
ones on first use, so ``cell_type("vsmc")`` works from anywhere.
"""

from __future__ import annotations

from vcsim.cells.types import CellType

_TYPES: dict[str, CellType] = {}
_SHIPPED = {"vsmc": "vcsim.cells.vsmc"}


def register(ct: CellType) -> CellType:
    """Make ``ct`` known by its name (a type of the same name is replaced)."""
    _TYPES[ct.name] = ct
    return ct


def cell_type(name: str) -> CellType:
    """The cell type called ``name`` (KeyError naming the known ones otherwise)."""
    if name not in _TYPES and name in _SHIPPED:
        import importlib

        importlib.import_module(_SHIPPED[name])
    try:
        return _TYPES[name]
    except KeyError:
        known = sorted(set(_TYPES) | set(_SHIPPED))
        raise KeyError(f"unknown cell type {name!r}; known: {', '.join(known)}") from None


def cell_types() -> dict[str, CellType]:
    """Every shipped and registered type."""
    for name in _SHIPPED:
        cell_type(name)
    return dict(_TYPES)
