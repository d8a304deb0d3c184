"""Parameter sweeps: many runs of one scenario over a design, streamed to disk, resumable.

Modules, in the order a sweep flows through them:

- :mod:`vcsim.sweep.spec`: the TOML spec and the designs (grid, random, Latin hypercube,
  Sobol'/Saltelli and Morris through SALib), run ids and seeds.
- :mod:`vcsim.sweep.runner`: one run (scenario + overrides + seed -> metrics, time series);
  the run function is replaceable.
- :mod:`vcsim.sweep.executors`: where runs execute (in process, a local process pool, Dask)
  and :func:`run_sweep`, the loop that writes each finished run.
- :mod:`vcsim.sweep.results`: results.csv / timeseries.csv appends, compaction, reading.
- :mod:`vcsim.sweep.analysis`: Sobol'/Morris indices with confidence intervals, replicate
  statistics and figures.
- :mod:`vcsim.sweep.cli`: the ``sweep`` and ``analyze`` subcommands.

Usage::

    from vcsim.sweep import load_spec, run_sweep, analyze, read_results
    spec = load_spec("scenarios/sweeps/ckd_phosphate.toml")
    run_sweep(spec, "runs/sweep-pi")                 # local pool, one worker per core
    analyze("runs/sweep-pi")                         # runs/sweep-pi/analysis/*.csv, *.png
    df = read_results("runs/sweep-pi")               # one row per run
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "DaskExecutor",
    "Design",
    "LocalPoolExecutor",
    "RunOutput",
    "RunRecord",
    "RunTask",
    "SerialExecutor",
    "SweepContext",
    "SweepError",
    "SweepSpec",
    "SweepSummary",
    "analyze",
    "execute_run",
    "expand_design",
    "load_spec",
    "read_results",
    "read_timeseries",
    "run_model",
    "run_seed",
    "run_sweep",
]

_WHERE = {
    "Design": "spec", "RunTask": "spec", "SweepError": "spec", "SweepSpec": "spec",
    "expand_design": "spec", "load_spec": "spec", "run_seed": "spec",
    "RunOutput": "runner", "RunRecord": "runner", "SweepContext": "runner",
    "execute_run": "runner", "run_model": "runner",
    "DaskExecutor": "executors", "LocalPoolExecutor": "executors", "SerialExecutor": "executors",
    "SweepSummary": "executors", "run_sweep": "executors",
    "read_results": "results", "read_timeseries": "results",
    "analyze": "analysis",
}

if TYPE_CHECKING:
    from vcsim.sweep.analysis import analyze
    from vcsim.sweep.executors import (
        DaskExecutor,
        LocalPoolExecutor,
        SerialExecutor,
        SweepSummary,
        run_sweep,
    )
    from vcsim.sweep.results import read_results, read_timeseries
    from vcsim.sweep.runner import RunOutput, RunRecord, SweepContext, execute_run, run_model
    from vcsim.sweep.spec import (
        Design,
        RunTask,
        SweepError,
        SweepSpec,
        expand_design,
        load_spec,
        run_seed,
    )


def __getattr__(name: str) -> Any:
    # lazy: `python -m vcsim.sweep` and the CLI import only what a subcommand needs
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"vcsim.sweep.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'vcsim.sweep' has no attribute {name!r}")
