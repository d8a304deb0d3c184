"""Running a scenario into a run directory: progress, clean stops, checkpoints and resume.

:func:`run_to_directory` runs a scenario into a :class:`~vcsim.outputs.directory.RunDirectory`.
It stops cleanly on Ctrl-C or SIGTERM at the end of the current step, writes everything so far
and a checkpoint, and records ``status = "interrupted"``; resuming from that checkpoint produces
exactly the files an uninterrupted run would have written.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vcsim.memory import check as check_memory
from vcsim.outputs.atomic import jsonable
from vcsim.outputs.directory import (
    CHECKPOINT_ARRAYS,
    CHECKPOINT_META,
    FIGURE,
    NUCLEATION_EVENTS,
    SNAPSHOT_DIR,
    TIMESERIES,
    TRANSITIONS,
    OutputError,
    RunDirectory,
)
from vcsim.outputs.provenance import build_metadata, now_iso
from vcsim.scenario import Scenario, ScenarioError, validate_days

#: Seed of a run when none is given (runs are reproducible by default).
DEFAULT_SEED = 1


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
    memory_check: bool = True,
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
        memory_check: refuse a lattice that will not fit in memory before anything is written
            (:mod:`vcsim.memory`); False tries anyway.
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

    if memory_check:  # before the directory is made: a refused run leaves nothing behind
        check_memory(scenario.params)
    run_dir = RunDirectory(Path(out))
    run_dir.check(force=force, resume=resume)
    if not resume:
        # the model is built before the directory is touched: input it refuses (e.g. a serum
        # value under a coupled patient) leaves no directory behind and keeps an old run
        model = scenario.make_model(seed=DEFAULT_SEED if seed is None else seed,
                                    engine=engine or "vector", memory_check=memory_check)
    run_dir.prepare(force=force, resume=resume)
    wall_before = 0.0
    started = now_iso()
    if resume:
        from vcsim.model import VascularModel

        arrays, model_meta, saved = run_dir.read_checkpoint()
        try:
            seed = int(model_meta["seed"]) if seed is None else seed
            engine = model_meta["engine"] if engine is None else engine
            if not days_given and saved.get("days"):  # continue to the length first asked for
                days = validate_days(saved["days"], where="days")
                target = steps_for(days, dt_h)
            _check_resume_matches(scenario, seed, engine, model_meta, run_dir.path)
            model = VascularModel.from_checkpoint(arrays, model_meta, memory_check=memory_check)
        except (KeyError, TypeError, IndexError, AttributeError) as exc:
            # a checkpoint.json edited or cut short: a field missing or of the wrong kind
            what = f"field {exc.args[0]!r} missing" if isinstance(exc, KeyError) and exc.args else \
                f"{type(exc).__name__}: {exc}"
            raise OutputError(f"cannot read the checkpoint in {run_dir.path} ({what}); it is damaged: "
                              "rerun without --resume and with --force to start again") from None
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
    if jsonable(scenario.schedule.to_records()) != jsonable(meta.get("schedule", [])):
        raise OutputError(f"resume: the schedule differs from the checkpoint in {where}")
    if jsonable(scenario.rules_overrides) != jsonable(meta.get("rules_overrides") or []):
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
