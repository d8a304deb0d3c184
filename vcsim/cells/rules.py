"""The cell-behaviour rules table (PhysiCell-style): behaviour is data, read by one engine.

``rules.csv`` (shipped in this package) has one row per rule::

    id, cell_type, setting, phenotype, behaviour, signal, direction, half_max, hill, saturation,
    units_of_signal, source

- ``cell_type``: the type the rule belongs to (``vsmc``); ``setting``: ``any``, ``in_vivo`` or
  ``in_vitro`` (a rule applies only in runs of that setting; rows of other settings are
  dropped when the table is compiled for a run).
- ``phenotype``: the cells the row applies to: one of the type's phenotypes, ``viable`` (its
  live phenotypes) or ``any``.
- ``signal = base`` rows give the behaviour's base value in ``saturation`` (direction, half_max
  and hill empty). A phenotype-specific base row takes precedence over a ``viable`` one, which
  takes precedence over ``any``. A behaviour without a base row for a phenotype has base 0.
- Other rows are Hill terms of a signal (any state variable or sensed signal of the type:
  :attr:`vcsim.cells.types.CellType.rule_signals`), ``H = s^n / (K^n + s^n)`` with
  ``K = half_max`` and ``n = hill``.

How a behaviour's value ``b`` is computed for a cell (in file order)::

    b = b0 + sum over 'increases' rules of (saturation_i - b0) * H_i      (independent hazards add)
    then for each 'decreases' rule:  b = b + (saturation_j - b) * H_j     (pulls toward the minimum)
    b = max(b, 0)

The behaviours and their units are the cell type's (``CellType.behaviours``); a transition rate
r (1/h) is spent by the cell's event clock, ``r dt`` per step (:mod:`vcsim.cells.clocks`). The table is compiled for a run
(:meth:`RulesTable.compile`) into arrays that the one evaluator, :func:`behaviour_value`,
reads for one cell; nothing of the table is duplicated in code. To add a hypothesis, add a row
(or pass an override, see :meth:`RulesTable.override`).
"""

from __future__ import annotations

import csv
import difflib
import io
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from vcsim.cells.kinetics import hill
from vcsim.cells.registry import cell_type
from vcsim.cells.types import CellType
from vcsim.compiled import jit
from vcsim.params import ParameterError

RULES_CSV = Path(__file__).with_name("rules.csv")

_PRECEDENCE = {"any": 0, "viable": 1}  # specific phenotypes: 2
DIRECTIONS = ("increases", "decreases")
SETTINGS = ("any", "in_vivo", "in_vitro")
COLUMNS = ("id", "cell_type", "setting", "phenotype", "behaviour", "signal", "direction",
           "half_max", "hill", "saturation", "units_of_signal", "source")
#: columns a file or an override may leave out, with their defaults
OPTIONAL = {"cell_type": "vsmc", "setting": "any", "units_of_signal": "", "source": ""}


@dataclass(frozen=True)
class Rule:
    """One row of the rules table (see the module docstring)."""

    id: str
    cell_type: str
    setting: str
    phenotype: str
    behaviour: str
    signal: str
    direction: str
    half_max: float
    hill: float
    saturation: float
    units_of_signal: str = ""
    source: str = ""

    @property
    def is_base(self) -> bool:
        return self.signal == "base"

    def check(self) -> Rule:
        """Return self if valid, else raise a one-line :class:`ParameterError`."""
        where = f"rule '{self.id}'"
        if not self.id:
            raise ParameterError("rule without an id")
        try:
            ct = cell_type(self.cell_type)
        except KeyError as exc:
            raise ParameterError(f"{where}: {exc.args[0]}") from None
        if self.setting not in SETTINGS:
            raise ParameterError(f"{where}: setting {self.setting!r} is not allowed; expected one of "
                                 + ", ".join(SETTINGS))
        if self.behaviour not in ct.behaviours:
            raise ParameterError(f"{where}: unknown behaviour '{self.behaviour}' of {ct.name} cells; "
                                 "expected one of " + ", ".join(ct.behaviours))
        groups = ct.phenotype_groups()
        if self.phenotype not in groups:
            raise ParameterError(f"{where}: unknown phenotype '{self.phenotype}'; expected one of "
                                 + ", ".join(groups))
        if not (math.isfinite(self.saturation) and self.saturation >= 0):
            raise ParameterError(f"{where}: saturation {self.saturation!r} must be a finite number >= 0")
        if self.is_base:
            return self
        if self.signal not in ct.rule_signals:
            raise ParameterError(f"{where}: unknown signal '{self.signal}'; expected 'base' or one of "
                                 + ", ".join(sorted(ct.rule_signals)))
        if self.direction not in DIRECTIONS:
            raise ParameterError(f"{where}: direction {self.direction!r} must be 'increases' or 'decreases'")
        for name in ("half_max", "hill"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                raise ParameterError(f"{where}: {name} {v!r} must be a finite number > 0")
        return self


def _to_float(value: Any, what: str) -> float:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return float("nan")
    if isinstance(value, bool):
        raise ParameterError(f"{what}: {value!r} is not a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{what}: {value!r} is not a number") from None


def _rule_from_mapping(d: Mapping[str, Any], where: str) -> Rule:
    unknown = set(d) - set(COLUMNS) - {"remove"}
    if unknown:
        raise ParameterError(f"{where}: unknown field '{sorted(unknown)[0]}'; allowed: " + ", ".join(COLUMNS))
    missing = [c for c in ("id", "phenotype", "behaviour", "signal", "saturation") if c not in d]
    if missing:
        raise ParameterError(f"{where}: missing field '{missing[0]}'")
    kw: dict[str, Any] = {}
    for c in COLUMNS:
        v = d.get(c, OPTIONAL.get(c, ""))
        if c in ("half_max", "hill", "saturation"):
            kw[c] = _to_float(v, f"{where}: {c}")
        else:
            kw[c] = str(v).strip() or OPTIONAL.get(c, "")
    if kw["signal"] == "base":  # base rows carry only a value
        kw.update(direction="", half_max=0.0, hill=0.0)
    return Rule(**kw).check()


class CompiledRules(NamedTuple):
    """A rules table compiled for one cell type and setting (what :func:`behaviour_value` reads).

    ``base[b, code]``: base value of behaviour b for a phenotype code; terms of behaviour b are
    ``start[b]:stop[b]`` (every "increases" term, then every "decreases" term), each with its
    signal source (0 state variable, 1 sensed signal) and column, half-maximum, Hill exponent,
    saturation, direction and the phenotype codes it covers (``lut[t, code]``).
    """

    base: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    src: np.ndarray
    col: np.ndarray
    half: np.ndarray
    hill: np.ndarray
    sat: np.ndarray
    inc: np.ndarray
    lut: np.ndarray


@jit
def behaviour_value(rules, b, code, variables, signals):
    """Value of behaviour ``b`` for one cell of phenotype ``code`` (module docstring).

    ``variables`` and ``signals`` are the cell's state row and sensed-signal row.
    """
    b0 = rules.base[b, code]
    value = b0
    for t in range(rules.start[b], rules.stop[b]):
        if not rules.lut[t, code]:
            continue
        s = variables[rules.col[t]] if rules.src[t] == 0 else signals[rules.col[t]]
        h = hill(s, rules.half[t], rules.hill[t])
        ref = b0 if rules.inc[t] else value
        value = value + h * (rules.sat[t] - ref)
    return value if value > 0.0 else 0.0


@jit
def _evaluate_cells(rules, b, codes, variables, signals, out):
    for j in range(codes.size):
        out[j] = behaviour_value(rules, b, codes[j], variables[j], signals[j])


class RulesTable:
    """An immutable, validated rules table (one or several cell types)."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules: tuple[Rule, ...] = tuple(r.check() for r in rules)
        ids = [r.id for r in self.rules]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ParameterError(f"rules: duplicate rule id '{sorted(dup)[0]}'")
        for ct_name in {r.cell_type for r in self.rules}:
            for setting in ("in_vivo", "in_vitro"):
                self._base_table(cell_type(ct_name), setting)  # two base rows at one level

    # -- mapping-like access
    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __getitem__(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def for_run(self, ct: CellType, setting: str) -> list[Rule]:
        """The rules of ``ct`` that apply in a run of ``setting``, in file order."""
        return [r for r in self.rules if r.cell_type == ct.name and r.setting in ("any", setting)]

    def signals_used(self, behaviour: str | None = None, cell_type_name: str = "vsmc") -> frozenset[str]:
        """Signals read by the rules (of ``behaviour`` only, when given)."""
        return frozenset(r.signal for r in self.rules if not r.is_base and r.cell_type == cell_type_name
                         and (behaviour is None or r.behaviour == behaviour))

    # -- compilation
    def _base_table(self, ct: CellType, setting: str) -> np.ndarray:
        behaviours = list(ct.behaviours)
        groups = ct.phenotype_groups()
        base = np.zeros((len(behaviours), ct.n_codes))
        level = np.full((len(behaviours), ct.n_codes), -1)
        for r in self.for_run(ct, setting):
            if not r.is_base:
                continue
            b = behaviours.index(r.behaviour)
            rank = _PRECEDENCE.get(r.phenotype, 2)
            for code in groups[r.phenotype]:
                if level[b, code] == rank:
                    raise ParameterError(
                        f"rules: two base rows for '{r.behaviour}' of {ct.code_names[code]} {ct.name} "
                        f"cells at the same level (second: '{r.id}')")
                if rank > level[b, code]:
                    level[b, code] = rank
                    base[b, code] = r.saturation
        return base

    def compile(self, ct: CellType, setting: str) -> CompiledRules:
        """The arrays :func:`behaviour_value` reads, for the cells of ``ct`` in ``setting``."""
        if setting not in ("in_vivo", "in_vitro"):
            raise ValueError(f"setting must be in_vivo or in_vitro, got {setting!r}")
        behaviours = list(ct.behaviours)
        groups = ct.phenotype_groups()
        terms: list[list[Rule]] = [[] for _ in behaviours]
        for r in self.for_run(ct, setting):
            if not r.is_base:
                terms[behaviours.index(r.behaviour)].append(r)
        ordered: list[Rule] = []
        start, stop = [], []
        for rules in terms:
            start.append(len(ordered))
            ordered += [r for d in DIRECTIONS for r in rules if r.direction == d]
            stop.append(len(ordered))
        n = len(ordered)
        lut = np.zeros((max(n, 1), ct.n_codes), dtype=np.bool_)
        src = np.zeros(max(n, 1), dtype=np.int64)
        col = np.zeros(max(n, 1), dtype=np.int64)
        for t, r in enumerate(ordered):
            lut[t, list(groups[r.phenotype])] = True
            src[t], col[t] = ct.signal_source(r.signal)

        def values(attr: str) -> np.ndarray:
            return np.array([getattr(r, attr) for r in ordered] or [0.0], dtype=np.float64)

        return CompiledRules(
            base=self._base_table(ct, setting),
            start=np.array(start, dtype=np.int64), stop=np.array(stop, dtype=np.int64),
            src=src, col=col, half=values("half_max"), hill=values("hill"), sat=values("saturation"),
            inc=np.array([r.direction == "increases" for r in ordered] or [False], dtype=np.bool_),
            lut=lut,
        )

    def evaluate(self, behaviour: str, phenotype: np.ndarray, signals: Mapping[str, np.ndarray],
                 ct: CellType | None = None, setting: str = "in_vivo") -> np.ndarray:
        """Value of ``behaviour`` for each cell (units of the type's behaviour); float64, >= 0.

        ``phenotype`` holds the cells' codes; ``signals`` maps every signal a rule of this
        behaviour uses to an array aligned with ``phenotype`` (others may be left out).
        The same evaluator as the model's cell processes (:func:`behaviour_value`).
        """
        ct = ct if ct is not None else cell_type("vsmc")
        if behaviour not in ct.behaviours:
            raise KeyError(behaviour)
        codes = np.ascontiguousarray(phenotype, dtype=np.int8).reshape(-1)
        n = codes.size
        var = np.zeros((n, len(ct.variable_names)))
        sig = np.zeros((n, len(ct.signals)))
        for name in self.signals_used(behaviour, ct.name):
            if name not in signals:
                raise KeyError(f"signal {name!r} is needed by the rules of {behaviour}")
            source, column = ct.signal_source(name)
            (var if source == 0 else sig)[:, column] = np.broadcast_to(
                np.asarray(signals[name], dtype=np.float64), (n,))
        out = np.empty(n)
        _evaluate_cells(self.compile(ct, setting), list(ct.behaviours).index(behaviour), codes, var,
                        sig, out)
        return out

    # -- scenario overrides
    def override(self, entries: Iterable[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]] | None) -> RulesTable:
        """A new table with ``entries`` applied, entry by entry.

        ``entries`` is a list of mappings (or a mapping ``{rule_id: fields}``). Each entry names
        its rule by ``id``, or by ``behaviour`` + ``signal`` (+ ``phenotype`` when that pair is
        not unique), and gives the fields to change (``half_max``, ``hill``, ``saturation``,
        ``direction``, ``phenotype``, ``setting``, ``units_of_signal``, ``source``).
        ``remove = true`` deletes the rule. An entry whose ``id`` matches no rule adds a new
        rule, and must then give every field (``phenotype``, ``behaviour``, ``signal``,
        ``saturation``; ``direction``, ``half_max``, ``hill`` unless it is a base row).
        """
        if not entries:
            return self
        if isinstance(entries, Mapping):
            entries = [dict(fields_, id=rule_id) for rule_id, fields_ in entries.items()]
        rules = list(self.rules)
        for k, entry in enumerate(entries):
            where = f"rules override {k + 1}"
            if not isinstance(entry, Mapping):
                raise ParameterError(f"{where}: expected a table of fields, got {entry!r}")
            entry = dict(entry)
            unknown = set(entry) - set(COLUMNS) - {"remove"}
            if unknown:
                raise ParameterError(f"{where}: unknown field '{sorted(unknown)[0]}'; allowed: "
                                     + ", ".join((*COLUMNS, "remove")))
            pos = self._find(rules, entry, where)
            if pos is None:
                if entry.get("remove"):
                    raise ParameterError(f"{where}: no rule matches {entry!r} to remove")
                new_fields = ("phenotype", "behaviour", "signal", "saturation")
                if "id" in entry and not all(f in entry for f in new_fields):
                    close = difflib.get_close_matches(str(entry["id"]), [r.id for r in rules], n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    raise ParameterError(
                        f"{where}: no rule has id '{entry['id']}'{hint} (a new rule needs "
                        + ", ".join(new_fields) + ")")
                if "id" not in entry:
                    entry["id"] = f"{entry.get('phenotype', 'any')}_{entry.get('behaviour')}_{entry.get('signal')}"
                rules.append(_rule_from_mapping(entry, where))
                continue
            if entry.get("remove"):
                del rules[pos]
                continue
            changes: dict[str, Any] = {}
            for c in COLUMNS:
                if c in entry and c != "id":
                    v = entry[c]
                    changes[c] = _to_float(v, f"{where}: {c}") if c in ("half_max", "hill", "saturation") else str(v)
            try:
                rules[pos] = replace(rules[pos], **changes).check()
            except ParameterError as exc:
                raise ParameterError(f"{where}: {exc}") from None
        return RulesTable(rules)

    @staticmethod
    def _find(rules: list[Rule], entry: Mapping[str, Any], where: str) -> int | None:
        if "id" in entry:
            for i, r in enumerate(rules):
                if r.id == entry["id"]:
                    return i
            return None
        if "behaviour" not in entry or "signal" not in entry:
            raise ParameterError(f"{where}: name the rule by 'id' or by 'behaviour' and 'signal'")
        hits = [i for i, r in enumerate(rules)
                if r.behaviour == entry["behaviour"] and r.signal == entry["signal"]
                and ("phenotype" not in entry or r.phenotype == entry["phenotype"])
                and ("cell_type" not in entry or r.cell_type == entry["cell_type"])
                and ("setting" not in entry or r.setting == entry["setting"])]
        if len(hits) > 1:
            raise ParameterError(
                f"{where}: ({entry['behaviour']}, {entry['signal']}) matches rules "
                + ", ".join(rules[i].id for i in hits) + "; give 'id' or 'phenotype'")
        return hits[0] if hits else None

    # -- output
    def to_csv(self) -> str:
        """The table as CSV text (for run provenance)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in self.rules:
            row = []
            for f in fields(Rule):
                v = getattr(r, f.name)
                if r.is_base and f.name in ("half_max", "hill"):
                    v = ""
                row.append(f"{v:.12g}" if isinstance(v, float) else v)
            w.writerow(row)
        return buf.getvalue()


def load_rules(path: str | Path | None = None) -> RulesTable:
    """Read a rules CSV (default: the ``rules.csv`` shipped with vcsim). Lines starting with
    ``#`` are comments; ``cell_type``, ``setting``, ``units_of_signal`` and ``source`` columns
    may be left out (defaults ``vsmc``, ``any``, empty)."""
    path = Path(path) if path is not None else RULES_CSV
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParameterError(f"cannot read rules file {path}: {exc}") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(lines, skipinitialspace=True)
    required = set(COLUMNS) - set(OPTIONAL)
    if reader.fieldnames is None or required - {c.strip() for c in reader.fieldnames}:
        raise ParameterError(f"{path}: header must contain the columns " + ", ".join(sorted(required)))
    rules = []
    for k, row in enumerate(reader):
        row = {key.strip(): (v or "").strip() for key, v in row.items() if key is not None}
        rules.append(_rule_from_mapping(row, f"{path.name} row {k + 1}"))
    return RulesTable(rules)
