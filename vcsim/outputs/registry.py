"""The one registry of outputs: name, units, meaning, how it is computed.

Every per-step number a run reports is an :class:`Output`, contributed by the process that
owns the quantity (:meth:`vcsim.processes.base.Process.outputs`) or by the model (time).
The DataCollector, ``timeseries.csv``, sweep metrics, figures, the visualisation and the
validation suite all read this registry, so a quantity is defined once. Outputs computed
together (the phenotype counts, the marker means) share one compute function
(:class:`OutputGroup`), evaluated once per step.

``kind``: ``"step"`` outputs are collected every step; ``"summary"`` outputs exist only in
:meth:`vcsim.model.VascularModel.summary_metrics` (run-level: totals, maxima over the run).
``domain``: the range a value can take (fractions in [0, 1], counts >= 0), which figures use
to clip uncertainty bands.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: the order in which groups of columns appear in timeseries.csv
SECTIONS = ("time", "cells", "mineral", "nucleation", "chemistry", "matrix", "markers", "systemic",
            "vessel", "ledger", "numerics", "custom")

UNIT_INTERVAL = (0.0, 1.0)
NON_NEGATIVE = (0.0, float("inf"))
REAL = (float("-inf"), float("inf"))


@dataclass(frozen=True)
class Output:
    """One reported quantity (see the module docstring)."""

    name: str
    units: str
    meaning: str
    label: str = ""
    section: str = "custom"
    kind: str = "step"
    domain: tuple[float, float] = REAL
    source: str = ""

    @property
    def display(self) -> str:
        """How a figure labels it: ``label (units)`` (units left out when dimensionless)."""
        text = self.label or self.name
        return text if self.units in ("", "1") else f"{text} ({self.units})"


@dataclass
class OutputGroup:
    """Outputs computed together by one function of the model, returning ``{name: value}``."""

    outputs: Sequence[Output]
    compute: Callable[[Any], Mapping[str, float]]
    source: str = ""


def closest_name(name: str, names: Sequence[str]) -> str | None:
    """The output name a misspelt ``name`` most likely meant, or None.

    Output names are long and carry their units (``calcium_content_ug_per_mg_protein``), so a
    plain closest match often suggests an unrelated short name. In order: a close match of the
    whole name; the shortest name containing ``name`` (units or prefix left off); a close match
    of the names' starts of the same length (a misspelt start, units left off).
    """
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    if close:
        return close[0]
    contained = sorted((n for n in names if name and name in n), key=len)
    if contained:
        return contained[0]
    starts: dict[str, str] = {}
    for n in sorted(names, key=len):
        starts.setdefault(n[:len(name)], n)
    close = difflib.get_close_matches(name, list(starts), n=1, cutoff=0.8)
    return starts[close[0]] if close else None


@dataclass
class OutputRegistry:
    """Outputs in report order, with the functions that compute them."""

    groups: list[OutputGroup] = field(default_factory=list)
    _by_name: dict[str, Output] = field(default_factory=dict)

    def add(self, group: OutputGroup | Output, compute: Callable[[Any], float] | None = None) -> None:
        """Add a group, or one output with a function of the model returning its value."""
        if isinstance(group, Output):
            if compute is None:
                raise ValueError(f"output {group.name!r} needs a compute function")
            out, fn = group, compute
            group = OutputGroup([out], lambda model: {out.name: fn(model)}, out.source)
        for o in group.outputs:
            if o.name in self._by_name:
                raise ValueError(f"output {o.name!r} is registered twice")
            if o.section not in SECTIONS:
                raise ValueError(f"output {o.name!r}: section {o.section!r} is not one of {SECTIONS}")
            if o.kind not in ("step", "summary"):
                raise ValueError(f"output {o.name!r}: kind must be 'step' or 'summary'")
            self._by_name[o.name] = o
        self.groups.append(group)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Output:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(self.unknown_message(name)) from None

    def __iter__(self) -> Iterator[Output]:
        return iter(self.ordered())

    def ordered(self, kind: str | None = "step") -> list[Output]:
        """Outputs by section (:data:`SECTIONS`), then in the order they were added."""
        outs = [o for g in self.groups for o in g.outputs if kind is None or o.kind == kind]
        return sorted(outs, key=lambda o: SECTIONS.index(o.section))

    def names(self, kind: str | None = "step") -> list[str]:
        return [o.name for o in self.ordered(kind)]

    def compute(self, model: Any, kind: str = "step") -> dict[str, float]:
        """Every output of ``kind``, in report order."""
        values: dict[str, float] = {}
        for g in self.groups:
            if any(o.kind == kind for o in g.outputs):
                got = g.compute(model)
                for o in g.outputs:
                    if o.kind == kind:
                        values[o.name] = got[o.name]
        return {name: values[name] for name in self.names(kind)}

    def unknown_message(self, name: str) -> str:
        close = closest_name(name, list(self._by_name))
        hint = f"; did you mean '{close}'?" if close else ""
        return f"unknown output '{name}'{hint}"

    def table(self) -> list[dict[str, str]]:
        """One row per output (name, units, meaning, section, kind, source), for docs."""
        return [{"name": o.name, "units": o.units, "meaning": o.meaning, "section": o.section,
                 "kind": o.kind, "source": o.source} for o in self.ordered(None)]
