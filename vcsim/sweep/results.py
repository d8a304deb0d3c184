"""The sweep's files: results.csv (one row per run), timeseries.csv, design.csv, sweep.json.

Only the parent process writes. Each finished run is appended to ``results.csv`` as one
complete line in a single ``write`` on a file opened with ``O_APPEND``, then ``fsync``: a crash
or SIGKILL loses at most the run being written, never one already reported. A torn last line
(no trailing newline) is cut off when the sweep resumes.

While a sweep runs, ``results.csv`` is in completion order and may hold a run id twice (a
failed run retried by ``--resume``). At the end of every session (and at the start of a
resume) the file is compacted: rewritten to a temporary file, fsynced and renamed over the
original (atomic on POSIX), sorted by ``run_id`` with only the **last** row of each id. Readers
(:func:`read_results`) apply the same rule, so a file read mid-sweep gives the same answer.

``timeseries.csv`` (long format: ``run_id, step, day, metric, value``) gets a run's rows just
before its results row; compaction keeps only the rows of runs whose final status is ``ok``.

The values are written with ``repr`` (shortest round-trip form), so a value read back is the
exact float that was computed; compaction copies the text of each row unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vcsim.sweep.runner import RunRecord
from vcsim.sweep.spec import Design, SweepError

RESULTS = "results.csv"
TIMESERIES = "timeseries.csv"
DESIGN = "design.csv"
SWEEP_JSON = "sweep.json"
FIRST_COLUMNS = ("run_id", "point", "replicate", "seed")
LAST_COLUMNS = ("status", "error", "wall_time_s")
TIMESERIES_COLUMNS = ("run_id", "step", "day", "metric", "value")


def result_columns(names: Sequence[str], metrics: Sequence[str]) -> list[str]:
    """run_id, point, replicate, seed, every varied parameter, every metric, status, error,
    wall_time_s."""
    return [*FIRST_COLUMNS, *names, *metrics, *LAST_COLUMNS]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return repr(value) if math.isfinite(value) else str(value)  # nan, inf, -inf
    return str(value)


def csv_line(values: Iterable[Any]) -> str:
    """One CSV record with ``\\n`` at the end (quoting as needed; values via repr)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([_text(v) for v in values])
    return buf.getvalue()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (best effort where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file, fsync and rename."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def repair_tail(path: Path) -> int:
    """Cut a torn last line (a write interrupted by a crash); return the bytes removed."""
    if not path.exists():
        return 0
    size = path.stat().st_size
    if size == 0:
        return 0
    with open(path, "rb+") as fh:
        fh.seek(-1, os.SEEK_END)
        if fh.read(1) == b"\n":
            return 0
        # find the last newline
        block, pos = 65536, size
        keep = 0
        while pos > 0:
            start = max(0, pos - block)
            fh.seek(start)
            chunk = fh.read(pos - start)
            i = chunk.rfind(b"\n")
            if i >= 0:
                keep = start + i + 1
                break
            pos = start
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    return size - keep


class AppendLog:
    """An append-only CSV file written one complete, fsynced line (or block) at a time."""

    def __init__(self, path: Path, columns: Sequence[str]):
        self.path = Path(path)
        self.columns = list(columns)
        repair_tail(self.path)
        exists = self.path.exists() and self.path.stat().st_size > 0
        if exists:
            with open(self.path, encoding="utf-8", newline="") as fh:
                header = next(csv.reader(fh), [])
            if header != self.columns:
                raise SweepError(
                    f"{self.path}: its columns differ from this sweep's; use a new --out"
                )
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if not exists:
            self.write_lines([csv_line(self.columns)])

    def write_lines(self, lines: Sequence[str]) -> None:
        """Append the lines in one write, then fsync."""
        if not lines:
            return
        _write_all(self._fd, "".join(lines).encode("utf-8"))
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> AppendLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ResultsWriter:
    """Appends each finished run to results.csv (and its series to timeseries.csv)."""

    def __init__(self, out: Path, names: Sequence[str], metrics: Sequence[str],
                 timeseries: bool = False):
        self.names = list(names)
        self.metrics = list(metrics)
        self.results = AppendLog(Path(out) / RESULTS, result_columns(self.names, self.metrics))
        self.series = AppendLog(Path(out) / TIMESERIES, TIMESERIES_COLUMNS) if timeseries else None

    def row(self, record: RunRecord) -> list[Any]:
        t = record.task
        ok = record.status == "ok"
        return [
            t.run_id, t.point, t.replicate, t.seed,
            *(t.values[n] for n in self.names),
            *((record.metrics.get(m) if ok else None) for m in self.metrics),
            record.status, record.error, round(float(record.wall_time_s), 6),
        ]

    def append(self, record: RunRecord) -> None:
        """Write the run's time series (if any), then its results row; each fsynced."""
        if self.series is not None and record.status == "ok" and record.timeseries is not None:
            self.series.write_lines(timeseries_lines(record.task.run_id, record.timeseries))
        self.results.write_lines([csv_line(self.row(record))])

    def close(self) -> None:
        self.results.close()
        if self.series is not None:
            self.series.close()


def timeseries_lines(run_id: int, frame: pd.DataFrame) -> list[str]:
    """Long-format lines ``run_id, step, day, metric, value`` for one run's wide frame."""
    steps = frame["step"].to_numpy()
    days = frame["day"].to_numpy(dtype=np.float64)
    lines = []
    for metric in frame.columns:
        if metric in ("step", "day"):
            continue
        values = frame[metric].to_numpy(dtype=np.float64)
        lines.extend(csv_line((run_id, int(s), float(d), metric, float(v)))
                     for s, d, v in zip(steps, days, values, strict=True))
    return lines


# ---------------------------------------------------------------------- reading
def _read_csv(source: Any, **kw: Any) -> pd.DataFrame:
    """pandas.read_csv with exact (round-trip) float parsing: the default from pandas 3."""
    if int(pd.__version__.split(".")[0]) < 3:
        kw.setdefault("float_precision", "round_trip")
    return pd.read_csv(source, **kw)


def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        rows = [r for r in reader if len(r) == len(header)]  # a torn last line is skipped
    return header, rows


def final_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of results.csv with each run id once (its last row), by run id."""
    header, rows = _read_rows(path)
    last: dict[int, list[str]] = {}
    for r in rows:
        last[int(r[0])] = r
    return header, [last[k] for k in sorted(last)]


def read_results(out: str | Path) -> pd.DataFrame:
    """results.csv as a DataFrame: one row per run id (the last written wins), by run id."""
    path = Path(out) / RESULTS if Path(out).is_dir() else Path(out)
    header, rows = final_rows(path)
    text = csv_line(header) + "".join(csv_line(r) for r in rows)
    frame = _read_csv(io.StringIO(text))
    if "error" in frame:  # all-empty parses as NaN floats; errors are text, "" for none
        frame["error"] = ["" if pd.isna(e) else str(e) for e in frame["error"]]
    return frame


def statuses(out: Path) -> dict[int, str]:
    """Final status of every run id in results.csv (empty when there is none yet)."""
    path = Path(out) / RESULTS
    if not path.exists():
        return {}
    header, rows = final_rows(path)
    col = header.index("status")
    return {int(r[0]): r[col] for r in rows}


def compact(out: Path) -> None:
    """Rewrite results.csv (one row per run id, last wins, by run id) and timeseries.csv (rows
    of runs whose final status is ok), each atomically; unchanged files are left alone."""
    out = Path(out)
    path = out / RESULTS
    if path.exists():
        repair_tail(path)
        header, rows = _read_rows(path)
        _, final = final_rows(path)
        if final != rows:
            write_atomic(path, csv_line(header) + "".join(csv_line(r) for r in final))
    ts = out / TIMESERIES
    if ts.exists():
        repair_tail(ts)
        ok = {k for k, s in statuses(out).items() if s == "ok"}
        tmp = ts.with_name(ts.name + ".tmp")
        dropped = 0
        with open(ts, encoding="utf-8", newline="") as src, \
                open(tmp, "w", encoding="utf-8", newline="") as dst:
            reader = csv.reader(src)
            writer = csv.writer(dst, lineterminator="\n")
            header = next(reader, list(TIMESERIES_COLUMNS))
            writer.writerow(header)
            for r in reader:
                if len(r) == len(header) and r[0].isdigit() and int(r[0]) in ok:
                    writer.writerow(r)
                else:
                    dropped += 1
            dst.flush()
            os.fsync(dst.fileno())
        if dropped:
            os.replace(tmp, ts)
            fsync_dir(out)
        else:
            tmp.unlink()


def read_timeseries(out: str | Path) -> pd.DataFrame:
    """timeseries.csv (long format) with only the rows of runs that finished ok, by run id
    (each run's rows in the order written: metric by metric, step by step)."""
    out = Path(out)
    ok = {k for k, s in statuses(out).items() if s == "ok"}
    frame = _read_csv(out / TIMESERIES)
    frame = frame[frame["run_id"].isin(ok)].drop_duplicates(["run_id", "step", "metric"], keep="last")
    return frame.sort_values("run_id", kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------- design and metadata
def write_design(out: Path, design: Design) -> None:
    """design.csv: ``point``, every varied parameter, and for sampled designs the unit-hypercube
    coordinates ``unit:<parameter>`` (what SALib analyses)."""
    names = list(design.names)
    header = ["point", *names]
    if design.unit is not None:
        header += [f"unit:{n}" for n in names]
    lines = [csv_line(header)]
    for i, point in enumerate(design.points):
        row: list[Any] = [i, *(point[n] for n in names)]
        if design.unit is not None:
            row += [float(u) for u in design.unit[i]]
        lines.append(csv_line(row))
    write_atomic(Path(out) / DESIGN, "".join(lines))


def read_design(out: str | Path) -> pd.DataFrame:
    return _read_csv(Path(out) / DESIGN)


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    write_atomic(Path(path), json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


def read_json(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
