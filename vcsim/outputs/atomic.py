"""Files written atomically: a reader (or a crash) never sees a half-written file.

Every file goes to a temporary file in the same directory, is fsynced, and is moved into place
with ``os.replace`` (atomic on POSIX and Windows). npz outputs hold plain arrays only (loadable
with ``allow_pickle=False``); JSON has no NaN and writes open-ended values (infinity) as null.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same directory, fsync,
    then ``os.replace`` (atomic on POSIX and Windows). Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates the file 0600; give it the mode open() would (0666 less the umask)
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, obj: Any) -> Path:
    return atomic_write_text(path, json.dumps(jsonable(obj), indent=2, allow_nan=False) + "\n")


def atomic_write_csv(path: str | Path, frame: pd.DataFrame) -> Path:
    """CSV without the index; floats written with full (round-trip) precision."""
    return atomic_write_text(path, frame.to_csv(index=False, lineterminator="\n"))


def atomic_save_npz(path: str | Path, arrays: Mapping[str, np.ndarray], compress: bool = True) -> Path:
    """Save plain numeric/string arrays as .npz (loadable with ``allow_pickle=False``)."""
    buf = io.BytesIO()
    clean = {k: np.asarray(v) for k, v in arrays.items()}
    for k, v in clean.items():
        if v.dtype == object:
            raise TypeError(f"array {k!r} has dtype object; npz outputs never hold pickles")
    (np.savez_compressed if compress else np.savez)(buf, **clean)
    return atomic_write_bytes(path, buf.getvalue())


def load_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Read an .npz written by :func:`atomic_save_npz` (never unpickles)."""
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def jsonable(obj: Any) -> Any:
    """Plain JSON types; infinities (open schedule windows) become null."""
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, Path):
        return str(obj)
    return obj


_jsonable = jsonable
