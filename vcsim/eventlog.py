"""Append-only logs of events, stored as float64 chunks of fixed columns.

Events arrive many at a time (all nucleation events or phenotype transitions of one step);
each batch is one chunk, concatenated lazily when read: the nucleation log
(:class:`NucleationLog`) and the phenotype transition log (:class:`TransitionLog`).
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


class NucleationLog(ChunkedLog):
    """Nucleation events: ``time_h, step, row, col, saturation_ratio, source, inhibitor_factor``.

    ``saturation_ratio`` is the HAP S = IAP/Ksp (per Ca10(PO4)6(OH)2) of the site's fluid when
    the event happened; ``inhibitor_factor`` the factor in (0, 1] that multiplied the rate of
    the chosen source (the four-inhibitor product, times ``1 - vesicle_inhibition`` for
    vesicles). Sources are stored as integer codes into :meth:`source_names`.
    """

    COLUMNS = ("time_h", "step", "row", "col", "saturation_ratio", "source", "inhibitor_factor")

    def __init__(self, sources: tuple[str, ...]) -> None:
        super().__init__()
        self._sources = tuple(sources)

    def source_names(self) -> list[str]:
        return list(self._sources)

    def source_code(self, name: str) -> int:
        return self._sources.index(name)

    def append(self, time_h: float, step: int, rows: np.ndarray, cols: np.ndarray,
               saturation_ratio: np.ndarray, source: np.ndarray | str,
               inhibitor_factor: np.ndarray) -> None:
        """Append events given as arrays (``source``: integer codes or one name for all)."""
        codes = self.source_code(source) if isinstance(source, str) else source
        self._append_columns(time_h, step, np.asarray(rows), cols, saturation_ratio, codes,
                             inhibitor_factor)

    @classmethod
    def from_array(cls, arr: np.ndarray, sources: tuple[str, ...],
                   saved_sources: list[str] | None = None) -> NucleationLog:
        """Rebuild from :meth:`to_array`; codes saved with another source list are remapped."""
        log = cls(sources)
        a = np.asarray(arr, dtype=np.float64).reshape(-1, len(cls.COLUMNS)).copy()
        if len(a):
            if saved_sources is not None and tuple(saved_sources) != log._sources:
                remap = np.array([log.source_code(s) for s in saved_sources], dtype=np.float64)
                a[:, 5] = remap[a[:, 5].astype(np.int64)]
            log._set_array(a)
        return log

    def to_frame(self):
        """A DataFrame with the columns of :attr:`COLUMNS` (source as its name)."""
        import pandas as pd

        a = self.to_array()
        names = np.array(self._sources, dtype=object)
        return pd.DataFrame({
            "time_h": a[:, 0],
            "step": a[:, 1].astype(np.int64),
            "row": a[:, 2].astype(np.int64),
            "col": a[:, 3].astype(np.int64),
            "saturation_ratio": a[:, 4],
            "source": names[a[:, 5].astype(np.int64)] if len(a) else np.array([], dtype=object),
            "inhibitor_factor": a[:, 6],
        })


class TransitionLog(ChunkedLog):
    """Phenotype transitions: (time_h, step, row, col, from_phenotype, to_phenotype), with the
    phenotype names of the cell type."""

    COLUMNS = ("time_h", "step", "row", "col", "from_phenotype", "to_phenotype")

    def __init__(self, code_names: dict[int, str]) -> None:
        super().__init__()
        self.code_names = dict(code_names)

    def append(self, time_h: float, step: int, rows: np.ndarray, cols: np.ndarray,
               before: np.ndarray, after: np.ndarray) -> None:
        self._append_columns(time_h, step, rows, cols, before, after)

    @classmethod
    def from_array(cls, arr: np.ndarray, code_names: dict[int, str]) -> TransitionLog:
        log = cls(code_names)
        log._set_array(arr)
        return log

    def to_frame(self):
        import pandas as pd

        a = self.to_array()
        return pd.DataFrame({
            "time_h": a[:, 0],
            "step": a[:, 1].astype(np.int64),
            "row": a[:, 2].astype(np.int64),
            "col": a[:, 3].astype(np.int64),
            "from_phenotype": [self.code_names[int(x)] for x in a[:, 4]],
            "to_phenotype": [self.code_names[int(x)] for x in a[:, 5]],
        })
