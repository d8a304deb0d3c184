"""Append-only logs of events, stored as float64 chunks of fixed columns.

Events arrive many at a time (all nucleation events or phenotype transitions of one step);
each batch is one chunk, concatenated lazily when read. Used by the nucleation log
(:class:`vcsim.chemistry.lattice.EventLog`) and the phenotype transition log
(:class:`vcsim.model.TransitionLog`), which add their column meanings and frames.
"""

from __future__ import annotations

import numpy as np


class ChunkedLog:
    """Rows of ``len(COLUMNS)`` float64 values, appended in batches."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self) -> None:
        self._chunks: list[np.ndarray] = []
        self._n = 0

    def _append_columns(self, *columns: np.ndarray | float) -> None:
        """Append one batch; array columns give its length, scalars are broadcast."""
        n = max((np.size(c) for c in columns if np.ndim(c) > 0), default=0)
        if n == 0:
            return
        chunk = np.empty((n, len(self.COLUMNS)), dtype=np.float64)
        for j, column in enumerate(columns):
            chunk[:, j] = column
        self._chunks.append(chunk)
        self._n += n

    def __len__(self) -> int:
        return self._n

    def to_array(self) -> np.ndarray:
        """All rows as an (n, len(COLUMNS)) float64 array."""
        if not self._chunks:
            return np.empty((0, len(self.COLUMNS)))
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0]

    def _set_array(self, arr: np.ndarray) -> None:
        a = np.asarray(arr, dtype=np.float64).reshape(-1, len(self.COLUMNS))
        self._chunks = [a] if len(a) else []
        self._n = len(a)
