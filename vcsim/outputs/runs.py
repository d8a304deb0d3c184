"""Run outputs: one directory per run, every file written atomically.

A run directory holds::

    timeseries.csv          one row per step (step 0 = initial state), units in column names
    nucleation_events.csv   one row per nucleation event (time, site, S, source, inhibition)
    transitions.csv         one row per phenotype transition
    metadata.json           provenance: version, git commit, parameters, schedule, rules
                            overrides, seed, engine, scenario, times, platform, status
    summary.png             the summary figure (:mod:`vcsim.figures`)
    snapshots/day_XXX.npz   lattice fields and cell state every ``snapshot_every_days``
    checkpoint.npz/.json    the state to continue from (``--resume``); arrays + JSON, no pickle

:func:`run_to_directory` runs a scenario into such a directory. It stops cleanly on Ctrl-C or
SIGTERM at the end of the current step, writes everything so far and a checkpoint, and records
``status = "interrupted"``; resuming from that checkpoint produces exactly the files an
uninterrupted run would have written.

Every file is written to a temporary file in the same directory and moved into place with
``os.replace``, so a reader (or a crash) never sees a half-written file.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import importlib.metadata
import io
import json
import math
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import vcsim
from vcsim.scenario import Scenario, ScenarioError, validate_days

TIMESERIES = "timeseries.csv"
NUCLEATION_EVENTS = "nucleation_events.csv"
TRANSITIONS = "transitions.csv"
METADATA = "metadata.json"
FIGURE = "summary.png"
SNAPSHOT_DIR = "snapshots"
CHECKPOINT_ARRAYS = "checkpoint.npz"
CHECKPOINT_META = "checkpoint.json"

#: Files (and the snapshot directory) a run writes; ``--force`` removes only these.
RUN_FILES = (TIMESERIES, NUCLEATION_EVENTS, TRANSITIONS, METADATA, FIGURE,
             CHECKPOINT_ARRAYS, CHECKPOINT_META)


#: Seed of a run when none is given (runs are reproducible by default).
DEFAULT_SEED = 1


class OutputError(ScenarioError):
    """The output directory cannot be used as asked (exists, no checkpoint, mismatch)."""


# ---------------------------------------------------------------------- atomic writes
def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same directory, fsync,
    then ``os.replace`` (atomic on POSIX and Windows). Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
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


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, obj: Any) -> Path:
    return atomic_write_text(path, json.dumps(_jsonable(obj), indent=2, allow_nan=False) + "\n")


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


def _jsonable(obj: Any) -> Any:
    """Plain JSON types; infinities (open schedule windows) become null."""
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, Path):
        return str(obj)
    return obj


# ---------------------------------------------------------------------- provenance
def git_commit(repo: str | Path | None = None) -> str | None:
    """``git rev-parse HEAD`` of the source tree vcsim runs from, or None (no git, no repo, or
    an installed package: a wheel installed in a virtual environment that happens to sit inside
    some git work tree does not report that tree's commit)."""
    repo = Path(repo) if repo is not None else Path(vcsim.__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "HEAD"], cwd=repo, capture_output=True,
            text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.stdout.split("\n")
    if out.returncode != 0 or len(lines) < 2:
        return None
    try:
        same_tree = Path(lines[0].strip()).resolve() == repo.resolve()
    except OSError:
        return None
    commit = lines[1].strip()
    return commit if same_tree and len(commit) >= 40 else None


def environment() -> dict[str, Any]:
    """Platform and library versions."""
    import matplotlib
    import mesa

    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "mesa": mesa.__version__,
        "matplotlib": matplotlib.__version__,
        "numba": _numba_version(),
    }


def _numba_version() -> str | None:
    try:
        return importlib.metadata.version("numba")
    except importlib.metadata.PackageNotFoundError:
        return None


def now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def build_metadata(scenario: Scenario | None, model: Any, *, status: str, days: float,
                   started: str, wall_time_s: float, extra: Mapping[str, Any] | None = None,
                   ) -> dict[str, Any]:
    """The metadata.json record of a run (generic over the model's public attributes)."""
    params = model.params
    schema = params.schema
    meta: dict[str, Any] = {
        "vcsim_version": vcsim.__version__,
        "git_commit": git_commit(),
        "status": status,
        "scenario": scenario.to_dict() if scenario is not None else None,
        "seed": int(model.seed),
        "engine": model.engine,
        "days_requested": days,
        "steps_completed": int(model.steps),
        "simulated_days": float(model.time_h) / 24.0,
        "start_time": started,
        "end_time": now_iso() if status != "running" else None,
        "wall_time_s": round(float(wall_time_s), 3),
        **environment(),
        "command": list(sys.argv),
        "parameters": params.to_dict(),
        "parameter_units": {p.name: p.units for p in schema},
        "changed_parameters": params.changed(),
        "schedule": model.schedule.to_records(),
        "rules_overrides": [dict(e) for e in getattr(model, "rules_overrides", [])],
    }
    if extra:
        meta.update(extra)
    return meta


# ---------------------------------------------------------------------- the run directory
def snapshot_name(day: float) -> str:
    """``day_007.npz`` for whole days, ``day_007.500.npz`` otherwise."""
    if abs(day - round(day)) < 1e-9:
        return f"day_{int(round(day)):03d}.npz"
    return f"day_{day:07.3f}.npz"


@dataclass
class RunDirectory:
    """The files of one run under ``path``."""

    path: Path

    def __post_init__(self) -> None:
        self.path = Path(self.path)

    def file(self, name: str) -> Path:
        return self.path / name

    def is_nonempty(self) -> bool:
        return self.path.is_dir() and any(self.path.iterdir())

    def prepare(self, *, force: bool = False, resume: bool = False) -> None:
        """Create the directory; refuse to overwrite a non-empty one unless ``force``.

        ``force`` removes only the files a run writes (and ``snapshots/day_*.npz``), never
        anything else the directory may hold.
        """
        if self.path.exists() and not self.path.is_dir():
            raise OutputError(f"output path {self.path} exists and is not a directory")
        if resume:
            if force:
                raise OutputError("--resume and --force contradict each other; choose one")
            if not self.file(CHECKPOINT_META).is_file():
                raise OutputError(f"no checkpoint in {self.path} to resume from")
            return
        if self.is_nonempty():
            if not force:
                raise OutputError(
                    f"output directory {self.path} exists and is not empty; "
                    "use --force to overwrite or --resume to continue"
                )
            for name in RUN_FILES:
                with contextlib.suppress(FileNotFoundError):
                    self.file(name).unlink()
            snaps = self.file(SNAPSHOT_DIR)
            if snaps.is_dir():
                for f in snaps.glob("day_*.npz"):
                    f.unlink()
                with contextlib.suppress(OSError):
                    snaps.rmdir()
        self.path.mkdir(parents=True, exist_ok=True)

    # -- results
    def write_results(self, model: Any, dtypes: Mapping[str, str] | None = None) -> list[Path]:
        """timeseries.csv, nucleation_events.csv, transitions.csv from the model's logs.

        ``dtypes`` (column -> dtype, recorded with the checkpoint) restores integer columns a
        checkpoint round trip stored as floats, so a resumed run writes the same text
        (``12``, not ``12.0``) as an uninterrupted one.
        """
        return [
            atomic_write_csv(self.file(TIMESERIES), _with_dtypes(model.timeseries_frame(), dtypes)),
            atomic_write_csv(self.file(NUCLEATION_EVENTS), model.nucleation_log.to_frame()),
            atomic_write_csv(self.file(TRANSITIONS), model.transition_log.to_frame()),
        ]

    def write_metadata(self, meta: Mapping[str, Any]) -> Path:
        return atomic_write_json(self.file(METADATA), meta)

    def read_metadata(self) -> dict[str, Any]:
        return json.loads(self.file(METADATA).read_text(encoding="utf-8"))

    def write_snapshot(self, model: Any) -> Path:
        arrays = dict(model.snapshot_fields())
        arrays["time_h"] = np.float64(model.time_h)
        arrays["step"] = np.int64(model.steps)
        return atomic_save_npz(self.file(SNAPSHOT_DIR) / snapshot_name(model.time_h / 24.0), arrays)

    def write_figure(self, model: Any, title: str = "") -> Path:
        from vcsim.chemistry.phases import HAP_CALCIUM
        from vcsim.figures import summary_png

        lattice = model.lattice
        mineral = lattice.fields.get("mineral_hap_mM")
        p = model.params
        data = summary_png(
            model.timeseries_frame(), model.phenotype_grid(),
            None if mineral is None else HAP_CALCIUM * mineral,
            lamina=getattr(lattice, "lamina", None),
            site_spacing_um=p.get("site_spacing_um"),
            calcified_threshold_mmol_per_L=p.get("calcified_threshold_mmol_per_L"),
            title=title, geometry=getattr(model, "geometry", None),
            labels={o.name: o.label for o in model.outputs} if hasattr(model, "outputs") else None,
            cell_type=model.cells.cell_type,
        )
        return atomic_write_bytes(self.file(FIGURE), data)

    # -- checkpoints
    def write_checkpoint(self, model: Any, run_info: Mapping[str, Any],
                         dtypes: Mapping[str, str] | None = None) -> None:
        """``checkpoint.npz`` (arrays) then ``checkpoint.json`` (metadata): the JSON is written
        last and names the arrays file's token, so a crash between the two is detected.

        The JSON also records the time series' column dtypes (see :meth:`write_results`).
        """
        arrays, meta = model.checkpoint()
        token = secrets.token_hex(8)
        arrays = dict(arrays)
        arrays["checkpoint_token"] = np.array(token)
        if dtypes is None:
            dtypes = {c: str(t) for c, t in model.timeseries_frame().dtypes.items()}
        atomic_save_npz(self.file(CHECKPOINT_ARRAYS), arrays)
        atomic_write_json(self.file(CHECKPOINT_META),
                          {"model": meta, "run": dict(run_info), "timeseries_dtypes": dict(dtypes),
                           "checkpoint_token": token})

    def read_checkpoint(self) -> tuple[dict[str, np.ndarray], dict[str, Any], dict[str, Any]]:
        """(arrays, model meta, run info) of the checkpoint."""
        try:
            record = json.loads(self.file(CHECKPOINT_META).read_text(encoding="utf-8"))
            arrays = load_npz(self.file(CHECKPOINT_ARRAYS))
        except (OSError, ValueError) as exc:
            raise OutputError(f"cannot read the checkpoint in {self.path}: {exc}") from None
        token = arrays.pop("checkpoint_token", None)
        if token is None or str(token) != record.get("checkpoint_token"):
            raise OutputError(f"{self.path}: checkpoint.npz and checkpoint.json do not belong together")
        run = dict(record.get("run", {}))
        run["timeseries_dtypes"] = record.get("timeseries_dtypes")
        return arrays, record["model"], run


def _with_dtypes(frame: pd.DataFrame, dtypes: Mapping[str, str] | None) -> pd.DataFrame:
    """Cast float columns back to the integer dtype they had, where the values allow it exactly."""
    if not dtypes:
        return frame
    frame = frame.copy()
    for col, dtype in dtypes.items():
        if col not in frame or str(frame[col].dtype) == dtype:
            continue
        kind = np.dtype(dtype).kind
        values = frame[col].to_numpy()
        if kind in "iu" and np.all(np.isfinite(values)) and np.all(values == np.round(values)):
            frame[col] = values.astype(dtype)
    return frame


# ---------------------------------------------------------------------- stopping cleanly
class StopRequest:
    """Set by SIGINT/SIGTERM (inside :meth:`catch_signals`) or by code; the run loop polls it."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._event = threading.Event()

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def request(self, signum: int | None = None) -> None:
        if self.signal is None:
            self.signal = signum
        self._event.set()

    @contextlib.contextmanager
    def catch_signals(self) -> Iterator[StopRequest]:
        """Turn SIGINT and SIGTERM into a stop request for the duration of the block.

        A second Ctrl-C while stopping raises KeyboardInterrupt (abandon without saving).
        Only possible in the main thread; elsewhere this is a no-op.
        """
        if threading.current_thread() is not threading.main_thread():
            yield self
            return

        def handler(signum: int, frame: Any) -> None:
            if self.requested and signum == signal.SIGINT:
                raise KeyboardInterrupt
            self.request(signum)

        previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            for s, h in previous.items():
                signal.signal(s, h)


# ---------------------------------------------------------------------- running into a directory
@dataclass
class RunResult:
    """What :func:`run_to_directory` did."""

    out: Path
    status: str  # "complete" or "interrupted"
    steps: int
    days: float
    files: list[Path] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    signal: int | None = None


def steps_for(days: float, dt_h: float) -> int:
    return int(round(days * 24.0 / dt_h))


def run_to_directory(
    scenario: Scenario,
    out: str | Path,
    *,
    seed: int | None = None,
    engine: str | None = None,
    days: float | None = None,
    snapshot_every_days: float | None = None,
    resume: bool = False,
    force: bool = False,
    figure: bool = True,
    progress: bool = True,
    stop: StopRequest | None = None,
    stop_after_steps: int | None = None,
    on_step: Callable[[Any], None] | None = None,
) -> RunResult:
    """Run ``scenario`` for ``days`` (default ``scenario.days``) and write its outputs to ``out``.

    Args:
        seed, engine: passed to the model (default :data:`DEFAULT_SEED`, "vector"); on
            ``resume`` they default to the checkpoint's and must match it when given.
        snapshot_every_days: write ``snapshots/day_XXX.npz`` at day 0 and every this many days.
        resume: continue from ``out/checkpoint.*``; the scenario, parameters, schedule, rules,
            seed and engine must be those of the checkpoint; ``days`` defaults to the
            interrupted run's and may be longer (extends a finished run).
        force: overwrite the run files of a non-empty ``out``.
        progress: show a tqdm bar on stderr (simulated day, calcified fraction, time left).
        stop: a :class:`StopRequest` polled after every step (SIGINT/SIGTERM are caught into
            it while the run loop runs in the main thread).
        stop_after_steps: stop as if interrupted once the model has taken this many steps
            (for tests of interruption and resume).
        on_step: called with the model after every step.
    """
    days_given = days is not None
    days = validate_days(days if days_given else scenario.days, where="days")
    snap_steps = None
    dt_h = float(scenario.params["dt_h"])
    if snapshot_every_days is not None:
        snapshot_every_days = validate_days(snapshot_every_days, where="snapshot every (days)")
        snap_steps = steps_for(snapshot_every_days, dt_h)
        if snap_steps < 1:
            raise ScenarioError(f"snapshot every {snapshot_every_days:g} days is shorter than a time step")
    target = steps_for(days, dt_h)
    if target < 1:
        raise ScenarioError(f"days: {days:g} is shorter than one time step ({dt_h:g} h)")

    run_dir = RunDirectory(Path(out))
    run_dir.prepare(force=force, resume=resume)
    wall_before = 0.0
    started = now_iso()
    if resume:
        from vcsim.model import VascularModel

        arrays, model_meta, saved = run_dir.read_checkpoint()
        seed = int(model_meta["seed"]) if seed is None else seed
        engine = model_meta["engine"] if engine is None else engine
        if not days_given and saved.get("days"):  # continue to the length first asked for
            days = validate_days(saved["days"], where="days")
            target = steps_for(days, dt_h)
        _check_resume_matches(scenario, seed, engine, model_meta, run_dir.path)
        model = VascularModel.from_checkpoint(arrays, model_meta)
        ts_dtypes = saved.get("timeseries_dtypes")
        wall_before = float(saved.get("wall_time_s", 0.0))
        started = saved.get("start_time", started)
        if snap_steps is None and saved.get("snapshot_every_days"):
            snapshot_every_days = float(saved["snapshot_every_days"])
            snap_steps = steps_for(snapshot_every_days, dt_h)
        if model.steps > target:
            raise OutputError(
                f"the checkpoint in {run_dir.path} is at day {model.time_h / 24:g}, past the "
                f"{days:g} days asked for"
            )
    else:
        ts_dtypes = None
        model = scenario.make_model(seed=DEFAULT_SEED if seed is None else seed,
                                    engine=engine or "vector")
        if snap_steps is not None:
            run_dir.write_snapshot(model)

    t0 = time.perf_counter()

    def run_info(status: str) -> dict[str, Any]:
        return {
            "status": status,
            "days": days,
            "snapshot_every_days": snapshot_every_days,
            "start_time": started,
            "wall_time_s": wall_before + time.perf_counter() - t0,
            "resumed": resume,
        }

    def metadata(status: str, **extra: Any) -> dict[str, Any]:
        info = run_info(status)
        return build_metadata(
            scenario, model, status=status, days=days, started=started,
            wall_time_s=info["wall_time_s"],
            extra={"snapshot_every_days": snapshot_every_days, "resumed": resume,
                   "outputs": _output_listing(run_dir), **extra},
        )

    run_dir.write_metadata(metadata("running"))
    stop = stop or StopRequest()
    bar = _progress_bar(scenario.name, target, model.steps, enabled=progress)
    # Signals stay caught while the results are written, so a second SIGTERM cannot cut the
    # writing short (every file is atomic anyway).
    with stop.catch_signals():
        try:
            while model.steps < target and not stop.requested:
                model.step()
                if snap_steps is not None and model.steps % snap_steps == 0:
                    run_dir.write_snapshot(model)
                if on_step is not None:
                    on_step(model)
                if stop_after_steps is not None and model.steps >= stop_after_steps:
                    stop.request(None)
                _update_bar(bar, model, scenario.name)
        except Exception as exc:
            # keep what there is for diagnosis (no checkpoint: the state may be mid-step)
            with contextlib.suppress(Exception):
                run_dir.write_results(model, ts_dtypes)
                run_dir.write_metadata(metadata("failed", error=f"{type(exc).__name__}: {exc}"))
            raise
        finally:
            if bar is not None:
                bar.close()

        status = "complete" if model.steps >= target else "interrupted"
        files = run_dir.write_results(model, ts_dtypes)
        run_dir.write_checkpoint(model, run_info(status), ts_dtypes)
        if figure:
            title = f"{scenario.name}: day {model.time_h / 24:g}, seed {model.seed}"
            if status == "interrupted":
                title += " (interrupted)"
            files.append(run_dir.write_figure(model, title=title))
        files.append(run_dir.write_metadata(metadata(status)))
    metrics = {}
    with contextlib.suppress(Exception):  # a summary is a convenience, never a reason to fail
        metrics = {k: float(v) for k, v in model.summary_metrics().items()}
    return RunResult(out=run_dir.path, status=status, steps=int(model.steps),
                     days=float(model.time_h) / 24.0, files=files, metrics=metrics,
                     signal=stop.signal)


def _output_listing(run_dir: RunDirectory) -> dict[str, str]:
    return {
        "timeseries": TIMESERIES,
        "nucleation_events": NUCLEATION_EVENTS,
        "transitions": TRANSITIONS,
        "figure": FIGURE,
        "snapshots": f"{SNAPSHOT_DIR}/day_XXX.npz",
        "checkpoint": f"{CHECKPOINT_ARRAYS} + {CHECKPOINT_META}",
    }


def _check_resume_matches(scenario: Scenario, seed: int, engine: str,
                          meta: Mapping[str, Any], where: Path) -> None:
    """Refuse to resume a checkpoint made with a different set-up (it would not be one run)."""
    if int(meta["seed"]) != int(seed):
        raise OutputError(f"resume: the checkpoint in {where} has seed {meta['seed']}, not {seed}")
    if meta["engine"] != engine:
        raise OutputError(f"resume: the checkpoint in {where} used engine {meta['engine']!r}, not {engine!r}")
    saved = meta["params"]
    for name, value in scenario.params.items():
        if name in saved and saved[name] != value:
            raise OutputError(
                f"resume: parameter '{name}' is {value!r} here but {saved[name]!r} in the checkpoint "
                f"in {where}; resume with the same scenario and --set values"
            )
    if _jsonable(scenario.schedule.to_records()) != _jsonable(meta.get("schedule", [])):
        raise OutputError(f"resume: the schedule differs from the checkpoint in {where}")
    if _jsonable(scenario.rules_overrides) != _jsonable(meta.get("rules_overrides") or []):
        raise OutputError(f"resume: the rules overrides differ from the checkpoint in {where}")


# ---------------------------------------------------------------------- progress
def _progress_bar(name: str, total: int, initial: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total, initial=initial, desc=name, unit="step", file=sys.stderr,
        mininterval=0.5, dynamic_ncols=True, leave=True,
        bar_format="{desc} {percentage:3.0f}%|{bar}| [{elapsed} elapsed, {remaining} left]",
    )


def _update_bar(bar: Any, model: Any, name: str) -> None:
    """Simulated day and calcified fraction in the description; tqdm redraws at most twice a
    second, so this costs a string per step."""
    if bar is None:
        return
    desc = f"{name}: day {model.time_h / 24.0:.1f}"
    calcified = _stat(model, "calcified_fraction")
    if calcified is not None:
        desc += f", calcified {calcified:.3f}"
    bar.set_description_str(desc, refresh=False)
    bar.update(model.steps - bar.n)


def _stat(model: Any, name: str) -> float | None:
    getter = getattr(model, "stat", None)
    if getter is None:
        return None
    try:
        return float(getter(name))
    except (KeyError, TypeError, ValueError):
        return None
