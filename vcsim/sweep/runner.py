"""Run one sweep point: build the model from scenario + overrides + seed, run it, report metrics.

:func:`run_model` is the default run function. Any function ``run_fn(context, task)`` returning
a :class:`RunOutput` (or a plain mapping of metric name to number) can replace it: that is how
tests drive the executors with a cheap pure function, and how a user sweeps a derived model.

:func:`execute_run` wraps a run function on the worker: it times the run and turns any
exception into a ``failed`` :class:`RunRecord` carrying a one-line error, so one bad run never
stops a sweep.

For testing only, two environment variables of the process that starts the sweep make chosen
runs misbehave (read once by :func:`faults_from_env`, carried to the workers in the
:class:`SweepContext`, acted on by :func:`execute_run` before the run function is called):

- ``VCSIM_SWEEP_FAIL_RUNS="3,7"``: runs 3 and 7 raise ``RuntimeError`` (recorded as failed);
- ``VCSIM_SWEEP_KILL_RUNS="5"``: the worker process running run 5 kills itself with SIGKILL
  (as the out-of-memory killer would). Only for a process pool or Dask: in process it would
  kill the sweep itself.

They are not part of the spec, so a resumed sweep without them retries those runs normally.
"""

from __future__ import annotations

import math
import os
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from vcsim import __version__
from vcsim.params import ParameterError
from vcsim.params.schema import Scalar
from vcsim.sweep.spec import RunTask, SweepSpec

FAIL_ENV = "VCSIM_SWEEP_FAIL_RUNS"
KILL_ENV = "VCSIM_SWEEP_KILL_RUNS"
ERROR_MAX_CHARS = 500


@dataclass(frozen=True)
class SweepContext:
    """What every run of a sweep shares (sent to the workers once per run; small)."""

    scenario: str | None
    days: float
    fixed: dict[str, Scalar]
    metrics: tuple[str, ...]
    timeseries: str = "none"
    engine: str = "vector"
    fail_runs: frozenset[int] = frozenset()  # testing: these run ids raise
    kill_runs: frozenset[int] = frozenset()  # testing: these run ids kill their worker

    @classmethod
    def from_spec(cls, spec: SweepSpec, faults: Mapping[str, frozenset[int]] | None = None
                  ) -> SweepContext:
        if spec.days is None or isinstance(spec.metrics, str):
            raise ParameterError(
                "sweep: days and metrics must be resolved first (vcsim.sweep.runner.resolve_spec)"
            )
        return cls(spec.scenario, spec.days, dict(spec.fixed), tuple(spec.metrics),
                   spec.timeseries, spec.engine, **(faults or {}))


@dataclass
class RunOutput:
    """What a run function returns: final metrics and, optionally, a wide time series
    (one row per step: ``step``, ``day`` and one column per exported series)."""

    metrics: Mapping[str, float]
    timeseries: pd.DataFrame | None = None


@dataclass
class RunRecord:
    """The outcome of one run, as the parent writes it."""

    task: RunTask
    status: str  # "ok" or "failed"
    error: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    timeseries: pd.DataFrame | None = None
    wall_time_s: float = 0.0
    vcsim_version: str = __version__


RunFunction = Callable[[SweepContext, RunTask], "RunOutput | Mapping[str, float]"]


def one_line(exc: BaseException) -> str:
    """``Type: message`` on one line, at most :data:`ERROR_MAX_CHARS` characters."""
    text = f"{type(exc).__name__}: {exc}".replace("\r", " ").replace("\n", " ").strip()
    return text if len(text) <= ERROR_MAX_CHARS else text[: ERROR_MAX_CHARS - 3] + "..."


def failed_record(task: RunTask, error: str, wall_time_s: float = 0.0) -> RunRecord:
    return RunRecord(task, "failed", error=error, wall_time_s=wall_time_s)


def faults_from_env(environ: Mapping[str, str] | None = None) -> dict[str, frozenset[int]]:
    """The injected faults for testing: ``{"fail_runs": ..., "kill_runs": ...}`` from
    :data:`FAIL_ENV` and :data:`KILL_ENV` (comma-separated run ids)."""
    environ = os.environ if environ is None else environ
    out = {}
    for key, env in (("fail_runs", FAIL_ENV), ("kill_runs", KILL_ENV)):
        raw = environ.get(env, "")
        try:
            out[key] = frozenset(int(s) for s in raw.split(",") if s.strip())
        except ValueError:
            raise ParameterError(f"{env} = {raw!r} is not allowed; expected run ids like 3,7") from None
    return out


def execute_run(run_fn: RunFunction, context: SweepContext, task: RunTask) -> RunRecord:
    """Run ``run_fn(context, task)`` on a worker; every exception becomes a failed record."""
    t0 = time.perf_counter()
    try:
        if task.run_id in context.kill_runs:
            os.kill(os.getpid(), signal.SIGKILL)
        if task.run_id in context.fail_runs:
            raise RuntimeError(f"injected failure of run {task.run_id} ({FAIL_ENV}, for testing)")
        out = run_fn(context, task)
        if not isinstance(out, RunOutput):
            out = RunOutput(out)
        metrics = {}
        for name in context.metrics:
            if name not in out.metrics:
                raise KeyError(f"metric '{name}' was not produced by the run")
            metrics[name] = float(out.metrics[name])
        return RunRecord(task, "ok", metrics=metrics, timeseries=out.timeseries,
                         wall_time_s=time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - a failed run is data, not a crash
        return failed_record(task, one_line(exc), time.perf_counter() - t0)


# ---------------------------------------------------------------------- the vcsim model
def _assignment(key: str, value: Scalar) -> str:
    if isinstance(value, bool):
        return f"{key}={'true' if value else 'false'}"
    return f"{key}={value!r}" if isinstance(value, float) else f"{key}={value}"


def _overrides(fixed: Mapping[str, Scalar], values: Mapping[str, Scalar]) -> list[str]:
    return [_assignment(k, v) for k, v in {**fixed, **values}.items()]


def build_model(scenario: str | None, fixed: Mapping[str, Scalar], values: Mapping[str, Scalar],
                seed: int, engine: str = "vector") -> Any:
    """The model of one run: the scenario with ``fixed`` then ``values`` applied, and ``seed``.

    Without a scenario: every parameter at its default with no schedule.
    """
    if scenario is None:
        from vcsim.model import VascularModel
        from vcsim.params import default_parameters

        params = default_parameters().updated({**fixed, **values})
        return VascularModel(seed=seed, engine=engine, params=params)
    return _load_scenario(scenario, tuple(_overrides(fixed, values))).make_model(seed=seed, engine=engine)


@lru_cache(maxsize=8)
def _load_scenario(scenario: str, overrides: tuple[str, ...]) -> Any:
    try:
        from vcsim.scenario import load_scenario
    except ImportError as exc:
        raise ParameterError(f"sweep: scenarios are not available ({exc})") from None
    return load_scenario(scenario, overrides=list(overrides))


def _timeseries(model: Any, context: SweepContext) -> pd.DataFrame | None:
    if context.timeseries == "none":
        return None
    frame = model.timeseries_frame()
    if "day" not in frame:
        frame = frame.assign(day=frame["time_h"] / 24.0)
    if context.timeseries == "summary":
        day = frame["day"].to_numpy(dtype=np.float64)
        frame = frame[np.isclose(day, np.round(day), rtol=0.0, atol=1e-9)]
        columns = [m for m in context.metrics if m in frame.columns and m not in ("step", "day")]
    else:
        columns = [c for c in frame.columns if c not in ("step", "day", "time_h")
                   and pd.api.types.is_numeric_dtype(frame[c])]
    return frame[["step", "day", *columns]].reset_index(drop=True)


def run_model(context: SweepContext, task: RunTask) -> RunOutput:
    """Build the vcsim model for ``task``, run ``context.days`` and collect its outputs."""
    from vcsim.model import run

    model = build_model(context.scenario, context.fixed, task.values, task.seed, context.engine)
    run(model, context.days)
    return RunOutput(dict(model.summary_metrics()), _timeseries(model, context))


# ---------------------------------------------------------------------- resolving a spec
def resolve_spec(spec: SweepSpec, run_fn: RunFunction | None = None,
                 warn: Callable[[str], None] | None = None) -> SweepSpec:
    """Fill in ``days`` (from the scenario) and ``metrics = "all"``, and check the metric names.

    With the default run function this builds the base model once (0 days) in the parent, so a
    misspelled metric or scenario is a one-line error before any run starts, and a swept
    parameter that the scenario's schedule also sets is reported through ``warn``. A custom
    ``run_fn`` needs explicit ``days`` and ``metrics``.
    """
    if run_fn is not None and run_fn is not run_model:
        if spec.days is None or isinstance(spec.metrics, str):
            raise ParameterError(
                "sweep: with a custom run function the spec must give days and a list of metrics"
            )
        return spec
    fixed = dict(spec.fixed)
    base_values = {f.name: f.grid_values()[0] if spec.design == "grid" else f.from_unit(np.array([0.5]))[0]
                   for f in spec.factors}
    days = spec.days
    if spec.scenario is not None:
        sc = _load_scenario(spec.scenario, tuple(_overrides(fixed, base_values)))
        if days is None:
            days = float(sc.days)
        scheduled = {e.parameter for e in getattr(sc.schedule, "entries", ())}
        for name in spec.names:
            if name in scheduled and warn is not None:
                warn(f"warning: '{name}' is also set by the schedule of scenario "
                     f"'{spec.scenario}'; the schedule wins while its entries are active")
    if days is None:
        raise ParameterError("sweep: give days (there is no scenario to take them from)")
    if not math.isfinite(days) or days <= 0:
        raise ParameterError(f"sweep: days = {days!r} is not allowed; expected a number > 0")
    model = build_model(spec.scenario, fixed, base_values, seed=0, engine=spec.engine)
    available = list(model.summary_metrics())
    if spec.metrics == "all":
        metrics = tuple(available)
    else:
        metrics = tuple(spec.metrics)
        from vcsim.outputs.registry import closest_name

        for m in metrics:
            if m not in available:
                close = closest_name(m, available)
                hint = f"; did you mean '{close}'?" if close else ""
                raise ParameterError(
                    f"sweep: metric '{m}' is not an output of the model{hint} "
                    "(metrics = \"all\" exports every one)"
                )
    return spec.replace(days=float(days), metrics=metrics)
