"""Scenarios: a named set of systemic inputs, interventions, schedules and rule changes in TOML.

A scenario file (a shipped scenario, see :data:`SCENARIO_DIR`, or any TOML file)::

    description = "CKD on a phosphate binder from day 7"
    extends = "ckd"            # optional: a scenario name or a path relative to this file
    days = 28                  # default length of a run (simulated days)

    [parameters]               # any parameter of the schema (``vcsim params``)
    tnf_alpha_pg_per_mL = 15.0

    [lattice]                  # optional: lattice and geometry parameters (simulation group)
    lattice_rows = 30

    [[schedule]]               # systemic or intervention values over a window of days
    parameter = "phosphate_binder_fraction"
    value = 0.8
    start_day = 7              # inclusive; end_day (exclusive) optional, default: the end

    [[rules]]                  # rows replacing entries of the cell rules table
    ...                        # passed as dicts to ``vcsim.cells.load_rules().override``

``extends`` chains (a file may extend a file that extends another); the base is applied first,
then each file on top: ``[parameters]`` and ``[lattice]`` values override, ``[[schedule]]`` and
``[[rules]]`` entries are appended (later entries win where they overlap), ``description`` and
``days`` are taken from the nearest file that sets them. A cycle is an error. A file anywhere
(outside the repository too) may extend a shipped scenario by name (``extends = "ckd"``).

Where the shipped scenarios are: the repository keeps them in the top-level ``scenarios/``
folder (``scenarios/sweeps/`` holds the sweep specs); building a wheel copies both into the
package as ``vcsim/scenarios/`` (``setup.py``), so the files are in git once. A source checkout
(an editable install, or ``PYTHONPATH`` on the checkout) reads the top-level folder, an
installed wheel its packaged copy (:func:`find_scenario_dir`).

Every value is validated against the parameter schema when the scenario is loaded, so a typo
is a one-line :class:`vcsim.params.ParameterError` (with the closest valid name) or
:class:`ScenarioError` naming the file, never a failure hours into a run.

Usage::

    from vcsim.scenario import load_scenario
    sc = load_scenario("ckd_rapamycin", overrides=["lattice_rows=10"])
    model = sc.make_model(seed=1)
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import vcsim
from vcsim.params import ParameterError, Parameters, default_parameters, read_toml, schema
from vcsim.progname import program_name
from vcsim.schedule import Schedule

if TYPE_CHECKING:
    from vcsim.model import VascularModel


def find_scenario_dir(package: str | Path | None = None) -> Path:
    """The folder of the shipped scenarios for the ``vcsim`` package at ``package``.

    In a source checkout (the package's parent holds ``pyproject.toml`` and ``scenarios/``) it
    is the top-level ``scenarios/``, so an edited scenario takes effect without a rebuild; in an
    installed wheel it is ``vcsim/scenarios/``, the copy made when the wheel was built.
    """
    package = Path(package) if package is not None else Path(vcsim.__file__).resolve().parent
    source = package.parent / "scenarios"
    if (package.parent / "pyproject.toml").is_file() and source.is_dir():
        return source
    return package / "scenarios"


#: Where scenario names resolve (:func:`find_scenario_dir`); sweep specs are in its ``sweeps/``.
SCENARIO_DIR = find_scenario_dir()

#: The sub-folder of :data:`SCENARIO_DIR` holding the shipped sweep specs.
SWEEPS_SUBDIR = "sweeps"

#: Keys a scenario file may hold at its top level.
TOP_LEVEL_KEYS = ("description", "extends", "days", "parameters", "lattice", "schedule", "rules")

#: Run length when no file in the ``extends`` chain sets ``days``.
DEFAULT_DAYS = 21.0


class ScenarioError(ValueError):
    """A scenario name, file or entry is invalid. The message is one line for the user."""


@dataclass
class Scenario:
    """A fully resolved scenario: validated parameters, schedule and rule overrides.

    Attributes:
        name: the scenario's name (the file stem for a file given by path).
        description: one line saying what it represents.
        params: every model parameter, validated (defaults + files + overrides).
        schedule: time-varying systemic and intervention values.
        rules_overrides: entries replacing rows of the cell rules table, in order.
        days: default run length in simulated days.
        source_files: the TOML files read, base first.
    """

    name: str
    description: str
    params: Parameters
    schedule: Schedule = field(default_factory=Schedule)
    rules_overrides: list[dict[str, Any]] = field(default_factory=list)
    days: float = DEFAULT_DAYS
    source_files: list[str] = field(default_factory=list)

    def make_model(self, seed: int | None = 1, engine: str = "vector", **kwargs: Any) -> VascularModel:
        """A :class:`vcsim.model.VascularModel` set up for this scenario.

        ``kwargs`` are passed on to the model (e.g. ``agent_class=``).
        """
        from vcsim.model import VascularModel

        return VascularModel(
            seed=seed,
            engine=engine,
            schedule=self.schedule,
            rules_overrides=[dict(e) for e in self.rules_overrides],
            params=self.params,
            **kwargs,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-able description (for run metadata)."""
        return {
            "name": self.name,
            "description": self.description,
            "days": self.days,
            "source_files": list(self.source_files),
            "changed_parameters": self.params.changed(),
            "schedule": self.schedule.to_records(),
            "rules_overrides": [dict(e) for e in self.rules_overrides],
        }


# ---------------------------------------------------------------------- finding scenario files
def scenario_path(name_or_path: str | Path) -> Path:
    """The TOML file for a scenario name (``ckd``) or a path to any TOML file."""
    text = str(name_or_path)
    candidate = Path(text).expanduser()
    looks_like_path = text.endswith(".toml") or "/" in text or "\\" in text
    if looks_like_path:
        if candidate.exists() and not candidate.is_file():
            raise ScenarioError(f"scenario path {text} is not a file")
        if not candidate.is_file():
            raise ScenarioError(f"scenario file not found: {text}")
        return candidate.resolve()
    named = SCENARIO_DIR / f"{text}.toml"
    if named.is_file():
        return named
    if candidate.is_file():  # a TOML file without the .toml suffix, in the working directory
        return candidate.resolve()
    names = scenario_names()
    if not names:
        raise ScenarioError(f"unknown scenario '{text}': no shipped scenarios in {SCENARIO_DIR} "
                            "(is vcsim installed from a wheel built without them?)")
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise ScenarioError(
        f"unknown scenario '{text}'; {hint}({program_name()} list shows all {len(names)})"
    )


def scenario_names() -> list[str]:
    """Names of the scenarios shipped in :data:`SCENARIO_DIR`, sorted."""
    if not SCENARIO_DIR.is_dir():
        return []
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def sweep_names() -> list[str]:
    """Names of the sweep specs shipped in :data:`SCENARIO_DIR` ``/sweeps``, sorted."""
    folder = SCENARIO_DIR / SWEEPS_SUBDIR
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.toml"))


def sweep_spec_path(name_or_path: str | Path) -> Path:
    """The TOML file of a sweep spec: a path (anything ending in ``.toml`` or holding a ``/``,
    or an existing file) as given, else the name of a shipped spec (``ckd_phosphate``, as
    ``list --sweeps`` shows); an unknown name is a ScenarioError."""
    text = str(name_or_path)
    path = Path(text).expanduser()
    if text.endswith(".toml") or "/" in text or "\\" in text or path.is_file():
        return path  # the spec reader reports a missing or unreadable file
    named = SCENARIO_DIR / SWEEPS_SUBDIR / f"{text}.toml"
    if named.is_file():
        return named
    names = sweep_names()
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise ScenarioError(f"sweep spec not found: {text}; {hint}(a TOML file, or a shipped spec: "
                        f"{program_name()} list --sweeps shows all {len(names)})")


def list_scenarios() -> list[tuple[str, str]]:
    """``(name, description)`` of every shipped scenario; a broken file says what is wrong."""
    out = []
    for name in scenario_names():
        try:
            description = load_scenario(name).description
        except (ScenarioError, ParameterError) as exc:
            description = f"(cannot load: {exc})"
        out.append((name, description))
    return out


# ---------------------------------------------------------------------- reading one file
def _read_file(path: Path) -> dict[str, Any]:
    data = read_toml(path)  # ParameterError with file, line and column on bad TOML
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            close = difflib.get_close_matches(key, TOP_LEVEL_KEYS, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            where = "" if isinstance(data[key], dict | list) else " (parameters go under [parameters])"
            raise ScenarioError(
                f"{path}: unknown key '{key}'{hint}{where}; allowed: {', '.join(TOP_LEVEL_KEYS)}"
            )
    _expect(path, data, "description", str, "a string")
    _expect(path, data, "extends", str, "a scenario name or a relative path")
    _expect(path, data, "parameters", dict, "a table: [parameters]")
    _expect(path, data, "lattice", dict, "a table: [lattice]")
    _expect(path, data, "schedule", list, "an array of tables: [[schedule]]")
    _expect(path, data, "rules", list, "an array of tables: [[rules]]")
    for section in ("schedule", "rules"):
        for i, entry in enumerate(data.get(section, [])):
            if not isinstance(entry, dict):
                raise ScenarioError(f"{path}: {section} entry {i + 1} must be a table ([[{section}]])")
    if "days" in data:
        data["days"] = validate_days(data["days"], where=f"{path}: days")
    return data


def _expect(path: Path, data: Mapping[str, Any], key: str, kind: type, what: str) -> None:
    if key in data and not isinstance(data[key], kind):
        raise ScenarioError(f"{path}: '{key}' must be {what}, got {data[key]!r}")


def validate_days(value: Any, where: str = "days") -> float:
    """A run length in days: a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ScenarioError(f"{where}: {value!r} is not a number of days") from None
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ScenarioError(f"{where}: {value:g} is not allowed; expected a finite number of days > 0")
    return value


def _resolve_extends(ref: str, base_dir: Path) -> Path:
    """``extends`` names a shipped scenario or a path relative to the extending file."""
    relative = base_dir / ref
    if ref.endswith(".toml") or "/" in ref or "\\" in ref:
        if not relative.is_file():
            raise ScenarioError(f"extends: file not found: {relative}")
        return relative.resolve()
    named = SCENARIO_DIR / f"{ref}.toml"
    if named.is_file():
        return named
    sibling = base_dir / f"{ref}.toml"
    if sibling.is_file():
        return sibling.resolve()
    return scenario_path(ref)  # raises with a suggestion


def _chain(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The files of an ``extends`` chain, base first; a cycle is a ScenarioError."""
    chain: list[tuple[Path, dict[str, Any]]] = []
    seen: list[Path] = []
    current: Path | None = path.resolve()
    while current is not None:
        if current in seen:
            loop = " -> ".join(p.name for p in [*seen, current])
            raise ScenarioError(f"extends cycle: {loop}")
        seen.append(current)
        data = _read_file(current)
        chain.append((current, data))
        ref = data.get("extends")
        current = _resolve_extends(ref, current.parent) if ref else None
    chain.reverse()
    return chain


# ---------------------------------------------------------------------- loading
def load_scenario(name_or_path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Load, merge (``extends``) and validate a scenario; apply ``key=value`` overrides last.

    Args:
        name_or_path: a shipped scenario name (``"ckd"``) or a path to a TOML file.
        overrides: ``["key=value", ...]`` parameter assignments (the command line's ``--set``).

    Raises:
        ScenarioError: unknown scenario, bad file structure, ``extends`` cycle.
        ParameterError: unknown parameter (with the closest valid name), wrong type,
            out-of-bounds or non-finite value, malformed TOML (with its line).
    """
    path = scenario_path(name_or_path)
    chain = _chain(path)
    s = schema()
    params = default_parameters()
    records: list[Any] = []
    rules: list[dict[str, Any]] = []
    description = ""
    days = DEFAULT_DAYS
    for file, data in chain:
        lattice = data.get("lattice", {})
        for key in lattice:
            p = s.lookup(key) if key in s else None
            if p is None or p.group != "simulation":
                raise ScenarioError(
                    f"{file}: [lattice] '{key}' is not a lattice parameter; lattice parameters: "
                    + ", ".join(q.name for q in s if q.group == "simulation")
                )
        values = {**_flat(file, data.get("parameters", {})), **lattice}
        try:
            params = params.updated(values)
            file_schedule = Schedule.from_records(data.get("schedule", []))
        except ParameterError as exc:
            raise ParameterError(f"{file}: {exc}") from None
        records.extend(file_schedule.entries)
        if data.get("rules"):
            rules.extend(dict(e) for e in data["rules"])
            _check_rules(rules, file)
        description = data.get("description", description)
        days = data.get("days", days)
    if isinstance(overrides, str):
        raise ParameterError(f"overrides: {overrides!r} is a string; pass a list of 'key=value' strings, "
                             f"e.g. overrides=[{overrides!r}]")
    overrides = list(overrides)
    if overrides:
        params = params.with_overrides(overrides)
    return Scenario(
        name=path.stem,
        description=description,
        params=params,
        schedule=Schedule(records),
        rules_overrides=rules,
        days=days,
        source_files=[str(f) for f, _ in chain],
    )


def _flat(file: Path, table: Mapping[str, Any]) -> dict[str, Any]:
    """``[parameters]`` holds ``key = value``; group sub-tables (``[parameters.cells]``) are allowed."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            for sub, subval in value.items():
                if isinstance(subval, dict | list):
                    raise ScenarioError(f"{file}: [parameters.{key}] '{sub}' must be a single value")
                flat[sub] = subval
        elif isinstance(value, list):
            raise ScenarioError(
                f"{file}: parameter '{key}' must be a single value, not a list "
                "(use [[schedule]] for values that change in time)"
            )
        else:
            flat[key] = value
    return flat


def _check_rules(entries: Sequence[Mapping[str, Any]], file: Path) -> None:
    """Validate the rule overrides so far against the cell rules table (now, not hours into a
    run); errors name ``file``, the file whose entries were added last."""
    try:
        from vcsim.cells import load_rules
    except ImportError:  # the cells package is not importable: the model will validate
        return
    try:
        load_rules().override([dict(e) for e in entries])
    except (ParameterError, ValueError, KeyError, TypeError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScenarioError(f"{file}: [[rules]]: {message}") from None
