"""Parameters as a numeric record: what the compiled rules read (``p.tau_grp78_h``).

Every parameter of the schema becomes one float64 field of a numpy record: numbers as they
are, booleans as 0/1, strings with choices as the index of the choice (``setting``:
0 = in_vivo, 1 = in_vitro). :class:`InputRecord` holds one such record for a run and is
refreshed with the values in force at each step (schedules, the systemic model), so a kernel
always reads ``p.serum_phosphate_mM`` as the value now.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np

from vcsim.compiled import record_dtype
from vcsim.params.schema import Param, Schema


def _code(p: Param, value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        if not p.choices:
            return 0.0  # free-text strings carry no number
        return float(p.choices.index(value))
    return float(value)


@cache
def _dtype(names: tuple[str, ...]) -> np.dtype:
    return record_dtype(names)


class InputRecord:
    """One numeric record of every parameter (see the module docstring)."""

    def __init__(self, schema: Schema, values: Mapping[str, Any]):
        self._schema = schema
        names = tuple(p.name for p in schema)
        self._array = np.zeros(1, dtype=_dtype(names))
        self.update(values)

    @property
    def record(self) -> np.record:
        """The record itself (a view: later updates show through)."""
        return self._array[0]

    @property
    def array(self) -> np.ndarray:
        """The record as a one-element array: what the compiled loops take (``p = inputs[0]``;
        handing numba an array is ~30x cheaper than handing it a numpy record)."""
        return self._array

    def update(self, values: Mapping[str, Any]) -> None:
        """Write ``values`` (names of the schema; others are ignored)."""
        arr = self._array
        for name, value in values.items():
            p = self._schema.params.get(name)
            if p is not None:
                arr[name] = _code(p, value)

    def __getitem__(self, name: str) -> float:
        return float(self._array[name][0])

    def choice_code(self, name: str, value: str) -> float:
        """The number a string parameter's ``value`` is stored as."""
        return _code(self._schema[name], value)
