"""Executors give the same rows whatever runs them; a worker killed mid-run is a failed row."""

from __future__ import annotations

import importlib.util
import textwrap

import pandas as pd
import pytest

from vcsim.sweep import results as res
from vcsim.sweep.executors import LocalPoolExecutor, SerialExecutor, run_sweep
from vcsim.sweep.runner import KILL_ENV
from vcsim.sweep.spec import SweepSpec

HAS_DASK = importlib.util.find_spec("distributed") is not None

SPEC = """
days = 1
replicates = 2
design = "lhs"
n = 6
metrics = ["calcium", "product"]
[parameters]
serum_phosphate_mM = {min = 1.0, max = 3.0}
serum_calcium_mM = {min = 1.0, max = 1.5}
"""


def toy_run(context, task):
    """A pure function of the values and the seed (the model's stand-in; must be importable
    by the worker processes, hence module level)."""
    v = task.values
    noise = (task.seed % 100_003) / 1e9
    return {"calcium": v["serum_calcium_mM"] + noise,
            "product": v["serum_calcium_mM"] * v["serum_phosphate_mM"] + noise}


def spec_of(text: str = SPEC) -> SweepSpec:
    import tomllib

    return SweepSpec.from_dict(tomllib.loads(textwrap.dedent(text)), where="spec.toml")


def rows(out) -> pd.DataFrame:
    return res.read_results(out).drop(columns="wall_time_s")


def test_pool_with_one_or_two_workers_gives_the_serial_rows(tmp_path):
    run_sweep(spec_of(), tmp_path / "serial", run_fn=toy_run, executor=SerialExecutor(),
              progress=False)
    for workers in (1, 2):
        pool = LocalPoolExecutor(workers)
        try:
            run_sweep(spec_of(), tmp_path / f"pool{workers}", run_fn=toy_run, executor=pool,
                      progress=False)
        finally:
            pool.close()
        pd.testing.assert_frame_equal(rows(tmp_path / f"pool{workers}"), rows(tmp_path / "serial"))


def test_a_killed_worker_fails_its_run_and_the_pool_recovers(tmp_path, monkeypatch):
    monkeypatch.setenv(KILL_ENV, "4")
    pool = LocalPoolExecutor(2)
    try:
        summary = run_sweep(spec_of(), tmp_path / "s", run_fn=toy_run, executor=pool,
                            progress=False)
        assert pool.restarts == 1
    finally:
        pool.close()
    df = res.read_results(tmp_path / "s")
    assert list(df["run_id"]) == list(range(12))
    failed = df[df["status"] == "failed"]
    # run 4 killed its worker; at most one other run was in flight on the other worker
    assert 4 in set(failed["run_id"]) and 1 <= len(failed) <= 2 == pool.workers
    assert failed["error"].str.contains("worker process died").all()
    assert summary.failed == len(failed) and summary.ok == 12 - len(failed)
    # resume (without the fault) completes the sweep with the same values as a clean run
    monkeypatch.delenv(KILL_ENV)
    run_sweep(spec_of(), tmp_path / "s", run_fn=toy_run, executor=SerialExecutor(), resume=True,
              progress=False)
    run_sweep(spec_of(), tmp_path / "clean", run_fn=toy_run, executor=SerialExecutor(),
              progress=False)
    pd.testing.assert_frame_equal(rows(tmp_path / "s"), rows(tmp_path / "clean"))


@pytest.mark.skipif(not HAS_DASK, reason="dask.distributed is not installed "
                    "(pip install 'vcsim[distributed]')")
def test_dask_local_cluster_gives_the_pool_rows(tmp_path):
    from vcsim.sweep.executors import DaskExecutor

    dask = DaskExecutor(n_workers=2)
    try:
        run_sweep(spec_of(), tmp_path / "dask", run_fn=toy_run, executor=dask, progress=False)
        assert dask.describe()["local_cluster"]
    finally:
        dask.close()
    run_sweep(spec_of(), tmp_path / "serial", run_fn=toy_run, executor=SerialExecutor(),
              progress=False)
    pd.testing.assert_frame_equal(rows(tmp_path / "dask"), rows(tmp_path / "serial"))


def test_missing_dask_is_a_one_line_error(monkeypatch):
    import builtins

    from vcsim.sweep.executors import DaskExecutor, SweepError

    real_import = builtins.__import__

    def no_distributed(name, *args, **kwargs):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError("No module named 'distributed'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    with pytest.raises(SweepError, match=r"pip install 'vcsim\[distributed\]'"):
        DaskExecutor(n_workers=1)


def test_a_very_large_sweep_starts_with_a_warning_of_its_size(tmp_path, monkeypatch):
    from vcsim.sweep import executors

    monkeypatch.setattr(executors, "LARGE_SWEEP_RUNS", 5)
    said = []
    run_sweep(spec_of(), tmp_path / "s", run_fn=toy_run, executor=SerialExecutor(), progress=False,
              warn=said.append)
    assert any("sweep: 12 runs (6 points x 2 replicates)" in m and "--dry-run" in m for m in said)
    said.clear()
    monkeypatch.setattr(executors, "LARGE_SWEEP_RUNS", 12)
    run_sweep(spec_of(), tmp_path / "t", run_fn=toy_run, executor=SerialExecutor(), progress=False,
              warn=said.append)
    assert not any("runs (" in m for m in said)
