"""The parameter schema: one typed record per parameter, and the loader that validates them.

Every parameter of vcsim is a :class:`Param`: a name that carries its units
(``serum_phosphate_mM``, ``k_growth_per_h``), a default, lower/upper bounds, a one-line
meaning and a source (a citation, or a stated reason). The groups live in the sibling
modules named after the part of the model that reads them (``systemic``, ``chemistry``,
``lattice``, ``cells``, ``interventions``, ``outputs``); :mod:`vcsim.params` assembles them
into one schema.

:class:`Parameters` is an immutable, validated mapping of every parameter to its value.
It is built from defaults, updated from TOML files and from ``key=value`` strings; every
way in goes through :func:`validate_value`, so a bad value is always a
:class:`ParameterError` with a one-line message naming the key, the value and what is
allowed.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

Scalar = float | int | bool | str


class ParameterError(ValueError):
    """A parameter name, value or file is invalid. The message is one line for the user."""


@dataclass(frozen=True)
class Param:
    """One model parameter.

    Attributes:
        name: identifier with units as a suffix (``_mM``, ``_uM``, ``_per_h``, ``_h``,
            ``_um``, ``_J_per_m2``; ``_fraction``/``_factor``/``_index`` for dimensionless).
        default: default value; its Python type is the parameter's type (float, int,
            bool or str).
        lower, upper: inclusive bounds for numbers (None = unbounded on that side).
        units: units as text (``"mM"``, ``"1/h"``, ``"1"`` for dimensionless).
        meaning: one line saying what it is.
        source: citation, or the stated reason for the value.
        group: the module that reads it (filled in by the group registry).
        choices: allowed values for string parameters.
        calibrated_by: the anchor (experiment) that set a calibrated value, if any.
    """

    name: str
    default: Scalar
    lower: float | None
    upper: float | None
    units: str
    meaning: str
    source: str
    group: str = ""
    choices: tuple[str, ...] | None = None
    calibrated_by: str = ""

    @property
    def kind(self) -> type:
        return type(self.default)

    def allowed(self) -> str:
        """Human description of the allowed values, for error messages and tables."""
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            if self.choices:
                return "one of " + ", ".join(repr(c) for c in self.choices)
            return "a string"
        lo = "-inf" if self.lower is None else f"{self.lower:g}"
        hi = "inf" if self.upper is None else f"{self.upper:g}"
        kind = "an integer" if self.kind is int else "a finite number"
        units = "" if self.units in ("", "1") else f" {self.units}"  # no stray "1" after a fraction
        return f"{kind} in [{lo}, {hi}]{units}"


def validate_value(p: Param, value: Any) -> Scalar:
    """Return ``value`` converted to ``p``'s type, or raise a one-line :class:`ParameterError`."""
    kind = p.kind
    if isinstance(value, np.generic):  # numpy scalars (np.int64(6), np.float32(0.5), np.bool_)
        value = value.item()
    bad = f"parameter '{p.name}': {value!r} is not allowed; expected {p.allowed()}"
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ParameterError(bad)
    if kind is str:
        if not isinstance(value, str):
            raise ParameterError(bad)
        if p.choices and value not in p.choices:
            raise ParameterError(bad)
        return value
    # numbers
    if isinstance(value, bool):
        raise ParameterError(bad)
    if isinstance(value, str):
        try:
            value = int(value) if kind is int else float(value)
        except ValueError:
            raise ParameterError(bad) from None
    if kind is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise ParameterError(bad)
    else:
        if not isinstance(value, (int, float)):
            raise ParameterError(bad)
        value = float(value)
        if not math.isfinite(value):
            raise ParameterError(bad)
    if (p.lower is not None and value < p.lower) or (p.upper is not None and value > p.upper):
        raise ParameterError(bad)
    return value


@dataclass
class Schema:
    """All parameters by name, with their groups in declaration order."""

    params: dict[str, Param] = field(default_factory=dict)

    def add_group(self, group: str, params: Iterable[Param]) -> None:
        for p in params:
            if p.name in self.params:
                raise RuntimeError(f"parameter {p.name!r} declared twice")
            if p.kind in (int, float):
                validate_value(p, p.default)  # defaults must lie within their own bounds
            object.__setattr__(p, "group", group)
            self.params[p.name] = p

    def __getitem__(self, name: str) -> Param:
        return self.params[name]

    def __contains__(self, name: object) -> bool:
        return name in self.params

    def __iter__(self) -> Iterator[Param]:
        return iter(self.params.values())

    def lookup(self, name: str) -> Param:
        """Return the parameter, or raise naming the closest valid key for a typo."""
        if name in self.params:
            return self.params[name]
        close = difflib.get_close_matches(name, self.params, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ParameterError(f"unknown parameter '{name}'{hint}")

    def defaults(self) -> dict[str, Scalar]:
        return {p.name: p.default for p in self}


class Parameters(Mapping[str, Scalar]):
    """A complete, validated, immutable set of parameter values.

    Read values as ``params["serum_phosphate_mM"]`` or ``params.serum_phosphate_mM``.
    New sets come from :meth:`updated`, :meth:`with_overrides` and :meth:`with_toml`.
    """

    __slots__ = ("_schema", "_values")

    def __init__(self, schema: Schema, values: Mapping[str, Any] | None = None):
        object.__setattr__(self, "_schema", schema)
        vals = schema.defaults()
        for key, value in (values or {}).items():
            vals[key] = validate_value(schema.lookup(key), value)
        object.__setattr__(self, "_values", vals)

    # Mapping protocol
    def __getitem__(self, key: str) -> Scalar:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, key: str) -> Scalar:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("Parameters are immutable; use .updated(...)")

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._values.items() if v != self._schema[k].default}
        return f"Parameters({changed!r})"

    @property
    def schema(self) -> Schema:
        return self._schema

    def updated(self, values: Mapping[str, Any]) -> Parameters:
        """Return a copy with ``values`` applied (each validated)."""
        merged = dict(self._values)
        for key, value in values.items():
            merged[key] = validate_value(self._schema.lookup(key), value)
        return Parameters(self._schema, merged)

    def with_overrides(self, assignments: Iterable[str]) -> Parameters:
        """Apply ``key=value`` strings (as given on a command line)."""
        return self.updated(parse_assignments(assignments))

    def with_toml(self, path: str | Path, table: str | None = None) -> Parameters:
        """Apply the values of a TOML file (optionally only its ``[table]``)."""
        data = read_toml(path)
        if table is not None:
            data = data.get(table, {})
            if not isinstance(data, dict):
                raise ParameterError(f"{path}: [{table}] must be a table of key = value")
        return self.updated(flatten_param_table(data, str(path)))

    def changed(self) -> dict[str, Scalar]:
        """Parameters whose value differs from the default."""
        return {k: v for k, v in self._values.items() if v != self._schema[k].default}

    def to_dict(self) -> dict[str, Scalar]:
        return dict(self._values)


def parse_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """Parse ``["key=value", ...]``; a string without '=' is a one-line ParameterError."""
    out: dict[str, str] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise ParameterError(f"override {item!r} is not of the form key=value")
        out[key] = value
    return out


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file; syntax errors become one line naming the file, line and column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError(f"file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"cannot read {path}: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already reads "... (at line L, column C)"
        raise ParameterError(f"{path}: invalid TOML: {exc}") from None


def flatten_param_table(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Accept ``key = value`` at top level or inside group tables (``[chemistry]``)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for sub, subval in value.items():
                if isinstance(subval, dict):
                    raise ParameterError(f"{where}: table [{key}.{sub}] is nested too deeply")
                flat[sub] = subval
        elif isinstance(value, list):
            raise ParameterError(f"{where}: parameter '{key}' must be a single value, not a list")
        else:
            flat[key] = value
    return flat
