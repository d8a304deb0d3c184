"""The cell-behaviour rules table (PhysiCell-style): behaviour is data, read by one engine.

``rules.csv`` (shipped in this package) has one row per rule::

    id, phenotype, behaviour, signal, direction, half_max, hill, saturation, units_of_signal, source

- ``phenotype``: the cells the row applies to: ``contractile``, ``osteogenic``, ``autophagic``,
  ``apoptotic``, ``viable`` (the first three) or ``any``.
- ``signal = base`` rows give the behaviour's base value in ``saturation`` (direction, half_max
  and hill empty). A phenotype-specific base row takes precedence over a ``viable`` one, which
  takes precedence over ``any``. A behaviour without a base row for a phenotype has base 0.
- Other rows are Hill terms of a signal (any cell state variable, site input or sensed signal:
  :data:`vcsim.cells.signals.RULE_SIGNALS`), ``H = s^n / (K^n + s^n)`` with ``K = half_max``
  and ``n = hill``.

How a behaviour's value ``b`` is computed for a cell (in file order)::

    b = b0 + sum over 'increases' rules of (saturation_i - b0) * H_i      (independent hazards add)
    then for each 'decreases' rule:  b = b + (saturation_j - b) * H_j     (pulls toward the minimum)

Behaviours and units are :data:`BEHAVIOURS`; a transition rate r (1/h) becomes a probability
``1 - exp(-r dt)`` per step. Nothing of the table is duplicated in code: to add a hypothesis,
add a row (or pass an override, see :meth:`RulesTable.override`).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from vcsim import kernels
from vcsim.cells.signals import RULE_SIGNALS, hill
from vcsim.cells.state import Phenotype
from vcsim.params import ParameterError

RULES_CSV = Path(__file__).with_name("rules.csv")

#: behaviour -> (units, meaning)
BEHAVIOURS: dict[str, tuple[str, str]] = {
    "to_osteogenic": ("1/h", "rate of switching to the osteogenic phenotype"),
    "to_autophagic": ("1/h", "rate of switching to the autophagic phenotype"),
    "to_contractile": ("1/h", "rate of returning to the contractile phenotype"),
    "to_apoptotic": ("1/h", "rate of apoptosis (ER stress, JNK, Pi)"),
    "mineral_death": ("1/h", "rate of death of a cell engulfed by local mineral"),
    "clearance": ("1/h", "rate at which an apoptotic cell is cleared, leaving an empty site"),
    "vesicle_release": ("vesicles/h", "matrix vesicles released per cell per hour"),
    "division": ("1/h", "division rate when an empty neighbour is available"),
}

#: phenotype-column value -> phenotype codes it covers
PHENOTYPE_GROUPS: dict[str, tuple[Phenotype, ...]] = {
    "contractile": (Phenotype.CONTRACTILE,),
    "osteogenic": (Phenotype.OSTEOGENIC,),
    "autophagic": (Phenotype.AUTOPHAGIC,),
    "apoptotic": (Phenotype.APOPTOTIC,),
    "viable": (Phenotype.CONTRACTILE, Phenotype.OSTEOGENIC, Phenotype.AUTOPHAGIC),
    "any": (Phenotype.CONTRACTILE, Phenotype.OSTEOGENIC, Phenotype.AUTOPHAGIC, Phenotype.APOPTOTIC),
}
_PRECEDENCE = {"any": 0, "viable": 1}  # specific phenotypes: 2
DIRECTIONS = ("increases", "decreases")
COLUMNS = ("id", "phenotype", "behaviour", "signal", "direction", "half_max", "hill", "saturation",
           "units_of_signal", "source")


@dataclass(frozen=True)
class Rule:
    """One row of the rules table (see the module docstring)."""

    id: str
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
        if self.behaviour not in BEHAVIOURS:
            raise ParameterError(f"{where}: unknown behaviour '{self.behaviour}'; expected one of "
                                 + ", ".join(BEHAVIOURS))
        if self.phenotype not in PHENOTYPE_GROUPS:
            raise ParameterError(f"{where}: unknown phenotype '{self.phenotype}'; expected one of "
                                 + ", ".join(PHENOTYPE_GROUPS))
        if not (math.isfinite(self.saturation) and self.saturation >= 0):
            raise ParameterError(f"{where}: saturation {self.saturation!r} must be a finite number >= 0")
        if self.is_base:
            return self
        if self.signal not in RULE_SIGNALS:
            raise ParameterError(f"{where}: unknown signal '{self.signal}'; expected 'base' or one of "
                                 + ", ".join(sorted(RULE_SIGNALS)))
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
        v = d.get(c, "")
        if c in ("half_max", "hill", "saturation"):
            kw[c] = _to_float(v, f"{where}: {c}")
        else:
            kw[c] = str(v).strip()
    if kw["signal"] == "base":  # base rows carry only a value
        kw.update(direction="", half_max=0.0, hill=0.0)
    return Rule(**kw).check()


class RulesTable:
    """An immutable, validated rules table with a vectorised evaluator."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules: tuple[Rule, ...] = tuple(r.check() for r in rules)
        ids = [r.id for r in self.rules]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ParameterError(f"rules: duplicate rule id '{sorted(dup)[0]}'")
        n_codes = len(Phenotype)
        self._base: dict[str, np.ndarray] = {}
        self._terms: dict[str, list[tuple[Rule, np.ndarray]]] = {b: [] for b in BEHAVIOURS}
        level: dict[str, np.ndarray] = {}
        for r in self.rules:
            lut = np.zeros(n_codes, dtype=bool)
            lut[list(PHENOTYPE_GROUPS[r.phenotype])] = True
            if r.is_base:
                base = self._base.setdefault(r.behaviour, np.zeros(n_codes))
                lev = level.setdefault(r.behaviour, np.full(n_codes, -1))
                rank = _PRECEDENCE.get(r.phenotype, 2)
                for code in PHENOTYPE_GROUPS[r.phenotype]:
                    if lev[code] == rank:
                        raise ParameterError(
                            f"rules: two base rows for '{r.behaviour}' of {code.name.lower()} cells "
                            f"at the same level (second: '{r.id}')")
                    if rank > lev[code]:
                        lev[code] = rank
                        base[code] = r.saturation
            else:
                self._terms[r.behaviour].append((r, lut))
        # evaluation order: every "increases" term (from b0), then every "decreases" term
        for behaviour, terms in self._terms.items():
            self._terms[behaviour] = [(r, lut) for d in DIRECTIONS for r, lut in terms if r.direction == d]
        # behaviours the compiled path can take (integer exponents only: numba's pow may
        # differ from numpy's in the last bit)
        self._compilable = frozenset(b for b, terms in self._terms.items()
                                     if all(kernels.int_exponent(r.hill) for r, _ in terms))

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

    def base(self, behaviour: str, phenotype: Phenotype) -> float:
        """Base value of ``behaviour`` for cells of ``phenotype`` (0 if none is given)."""
        arr = self._base.get(behaviour)
        return 0.0 if arr is None else float(arr[int(phenotype)])

    # -- evaluation
    def evaluate(self, behaviour: str, phenotype: np.ndarray, signals: Mapping[str, np.ndarray]) -> np.ndarray:
        """Value of ``behaviour`` (units in :data:`BEHAVIOURS`) for each cell; float64, >= 0.

        ``phenotype`` holds the cells' codes; ``signals`` maps every signal a rule of this
        behaviour uses to an array aligned with ``phenotype``.
        """
        if behaviour not in BEHAVIOURS:
            raise KeyError(behaviour)
        base_lut = self._base.get(behaviour)
        if behaviour in self._compilable and kernels.applies(phenotype):
            return self._evaluate_compiled(self._terms[behaviour], np.asarray(phenotype), base_lut, signals)
        codes = np.asarray(phenotype, dtype=np.intp)
        b0 = np.zeros(len(codes)) if base_lut is None else base_lut[codes]
        b = b0.copy()
        terms = self._terms[behaviour]
        # Which cells each rule covers, once per phenotype group: all of them (no select), none
        # (skipped), a minority (evaluated on those cells only) or a majority (a select).
        # Every branch does the same arithmetic per cell, so the values are the same bits.
        present = np.bincount(codes, minlength=len(Phenotype)) > 0
        masks: dict[bytes, Any] = {}

        def applies(lut: np.ndarray) -> Any:
            key = lut.tobytes()
            if key not in masks:
                covered = lut[present]
                if covered.all():
                    masks[key] = True
                elif not covered.any():
                    masks[key] = False
                else:
                    m = lut[codes]
                    sel = np.flatnonzero(m)
                    masks[key] = sel if 2 * sel.size < m.size else m
            return masks[key]

        for rule, lut in terms:
            increases = rule.direction == "increases"
            m = applies(lut)
            if m is False:
                continue
            sig = signals[rule.signal]
            if np.ndim(sig) and not sig.size or np.all(sig <= 0.0):
                continue  # H(s <= 0) = 0 exactly: the rule adds nothing (common: no mineral)
            if m is True:
                h = hill(sig, rule.half_max, rule.hill)
                # b += (saturation - ref) * h, in place on the fresh temporaries (same bits)
                if np.ndim(h):
                    h *= rule.saturation - (b0 if increases else b)
                    b += h
                else:
                    b = b + (rule.saturation - (b0 if increases else b)) * h
            elif m.dtype == bool:
                h = hill(sig, rule.half_max, rule.hill)
                ref = b0 if increases else b
                b = np.where(m, b + (rule.saturation - ref) * h, b)
            else:
                h = hill(sig if np.ndim(sig) == 0 else np.asarray(sig)[m], rule.half_max, rule.hill)
                ref = b0[m] if increases else b[m]
                b[m] = b[m] + (rule.saturation - ref) * h
        return np.maximum(b, 0.0)

    @staticmethod
    def _evaluate_compiled(terms: list[tuple[Rule, np.ndarray]], codes: np.ndarray,
                           base_lut: np.ndarray | None, signals: Mapping[str, np.ndarray]) -> np.ndarray:
        """:meth:`evaluate` with one compiled pass per term (the same operations, same bits)."""
        n = codes.size
        lut0 = np.zeros(len(Phenotype)) if base_lut is None else base_lut
        b0, b, present = kernels.rule_start(np.ascontiguousarray(codes, dtype=np.int8), lut0)
        masks: dict[bytes, np.ndarray | None] = {}
        for rule, lut in terms:
            covered = lut[present]
            if not covered.any():
                continue
            key = lut.tobytes()
            if key not in masks:
                masks[key] = None if covered.all() else lut[codes]
            sig = signals[rule.signal]
            if np.ndim(sig) == 0:
                sig = np.full(n, float(sig))
            sig = np.ascontiguousarray(sig, dtype=np.float64)
            kernels.rule_term(b, b0, sig, masks[key], rule.half_max, kernels.int_exponent(rule.hill), rule.saturation,
                              rule.direction == "increases")
        return kernels.clip_inplace(b, upper=False)

    def signals_used(self, behaviour: str | None = None) -> frozenset[str]:
        """Signals read by the rules (of ``behaviour`` only, when given)."""
        return frozenset(r.signal for r in self.rules
                         if not r.is_base and (behaviour is None or r.behaviour == behaviour))

    # -- scenario overrides
    def override(self, entries: Iterable[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]] | None) -> RulesTable:
        """A new table with ``entries`` applied, entry by entry.

        ``entries`` is a list of mappings (or a mapping ``{rule_id: fields}``). Each entry names
        its rule by ``id``, or by ``behaviour`` + ``signal`` (+ ``phenotype`` when that pair is
        not unique), and gives the fields to change (``half_max``, ``hill``, ``saturation``,
        ``direction``, ``phenotype``, ``units_of_signal``, ``source``). ``remove = true`` deletes
        the rule. An entry that matches no rule but gives every field (``id``, ``phenotype``,
        ``behaviour``, ``signal``, ``saturation``; ``direction``, ``half_max``, ``hill`` unless
        it is a base row) adds a new rule.
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
                and ("phenotype" not in entry or r.phenotype == entry["phenotype"])]
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
    ``#`` are comments."""
    path = Path(path) if path is not None else RULES_CSV
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParameterError(f"cannot read rules file {path}: {exc}") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(lines, skipinitialspace=True)
    if reader.fieldnames is None or set(COLUMNS) - {c.strip() for c in reader.fieldnames}:
        raise ParameterError(f"{path}: header must contain the columns " + ", ".join(COLUMNS))
    rules = []
    for k, row in enumerate(reader):
        row = {key.strip(): (v or "").strip() for key, v in row.items() if key is not None}
        rules.append(_rule_from_mapping(row, f"{path.name} row {k + 1}"))
    return RulesTable(rules)
