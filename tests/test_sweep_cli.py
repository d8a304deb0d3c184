"""Sweeps of the real model from the command line: SIGKILL and resume, failed runs, Dask, analyze.

Tiny lattices (6 x 8) and one simulated day keep each run well under a second.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from vcsim.sweep import results as res
from vcsim.sweep.runner import FAIL_ENV

HAS_DASK = importlib.util.find_spec("distributed") is not None
ROOT = Path(__file__).resolve().parent.parent

GRID = """
scenario = "ckd"
days = 1
replicates = 2
design = "grid"
metrics = ["calcified_fraction", "calcium_content_ug_per_mg_protein", "mean_chop",
           "fraction_osteogenic", "nucleation_events_total"]
[set]
lattice_rows = 6
lattice_cols = 8
[parameters]
serum_phosphate_mM = {levels}
"""


def write_spec(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def sweep_cmd(*args: object) -> list[str]:
    return [sys.executable, "-m", "vcsim.sweep", "sweep", *map(str, args), "--quiet"]


def run_cli(*args: object, env: dict[str, str] | None = None, timeout: float = 120
            ) -> subprocess.CompletedProcess:
    return subprocess.run(sweep_cmd(*args), cwd=ROOT, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=timeout)


def data_lines(path: Path) -> int:
    if not path.exists():
        return 0
    return max(0, path.read_bytes().count(b"\n") - 1)


def comparable(out: Path) -> pd.DataFrame:
    return res.read_results(out).drop(columns="wall_time_s").set_index("run_id")


def test_sigkill_midway_then_resume_runs_every_run_exactly_once(tmp_path):
    levels = [round(1.0 + 0.15 * i, 2) for i in range(14)]  # 14 points x 2 replicates
    spec = write_spec(tmp_path, GRID.format(levels=levels))
    out = tmp_path / "killed"
    proc = subprocess.Popen(sweep_cmd(spec, "--out", out, "--workers", "2"), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 90
    try:
        while data_lines(out / "results.csv") < 4:
            assert proc.poll() is None, f"sweep ended before the kill: {proc.stderr.read()}"
            assert time.monotonic() < deadline, "no rows appeared"
            time.sleep(0.02)
    finally:
        # the whole session (parent and pool workers), as a node crash or the OOM killer would
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    before = comparable(out)
    n_before = len(before)
    assert 4 <= n_before < 28, f"{n_before} runs finished before the kill"
    assert (before["status"] == "ok").all()

    done = run_cli(spec, "--out", out, "--workers", "2", "--resume")
    assert done.returncode == 0, done.stderr
    after = comparable(out)
    assert list(after.index) == list(range(28))
    raw_ids = [line.split(",", 1)[0] for line in (out / "results.csv").read_text().splitlines()[1:]]
    assert raw_ids == [str(i) for i in range(28)]  # each run id exactly once in the file
    assert (after["status"] == "ok").all()
    pd.testing.assert_frame_equal(after.loc[before.index], before)

    clean = run_cli(spec, "--out", tmp_path / "clean", "--workers", "2")
    assert clean.returncode == 0, clean.stderr
    pd.testing.assert_frame_equal(comparable(tmp_path / "clean"), after)


def test_a_failing_run_is_recorded_the_sweep_completes_and_resume_retries_it(tmp_path):
    spec = write_spec(tmp_path, GRID.format(levels=[1.0, 2.0, 3.0]))
    out = tmp_path / "s"
    first = run_cli(spec, "--out", out, "--workers", "2", env={FAIL_ENV: "1"})
    assert first.returncode == 1, first.stderr
    assert "failed runs: 1" in first.stderr and "--resume" in first.stderr
    df = res.read_results(out)
    assert len(df) == 6
    assert df.set_index("run_id").loc[1, "status"] == "failed"
    assert "injected failure of run 1" in df.set_index("run_id").loc[1, "error"]
    assert (df.drop(index=1)["status"] == "ok").all()

    again = run_cli("--out", out, "--resume", "--workers", "1")  # spec from sweep.json
    assert again.returncode == 0, again.stderr
    assert "1 runs this session (1 ok, 0 failed), 5 already done" in again.stdout
    assert (res.read_results(out)["status"] == "ok").all()


def test_a_bad_spec_is_a_one_line_error_with_exit_status_2(tmp_path):
    spec = write_spec(tmp_path, GRID.format(levels=[1.0, 9.0]))
    # through run.py, the registered subcommand (the other tests use python -m vcsim.sweep)
    bad = subprocess.run([sys.executable, "run.py", "sweep", str(spec), "--out", str(tmp_path / "x")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "vcsim: error: parameter 'serum_phosphate_mM': 9.0 is not allowed; expected a finite "
        "number in [0.2, 6] mM")
    assert not (tmp_path / "x").exists()


def test_a_misspelled_metric_or_scenario_fails_before_any_run(tmp_path):
    import tomllib

    from vcsim.params import ParameterError
    from vcsim.scenario import ScenarioError
    from vcsim.sweep.runner import resolve_spec
    from vcsim.sweep.spec import SweepSpec

    text = GRID.format(levels=[1.0])
    typo = SweepSpec.from_dict(tomllib.loads(text.replace("mean_chop", "mean_chopp")))
    with pytest.raises(ParameterError, match="metric 'mean_chopp' is not an output of the "
                       "model; did you mean 'mean_chop'"):
        resolve_spec(typo)
    unknown = SweepSpec.from_dict(tomllib.loads(text.replace('"ckd"', '"ckdd"')))
    with pytest.raises(ScenarioError, match="unknown scenario 'ckdd'"):
        resolve_spec(unknown)
    data = tomllib.loads(text)
    data["metrics"] = "all"
    del data["days"]
    every = resolve_spec(SweepSpec.from_dict(data))
    assert every.days == 28.0  # the ckd scenario's own length
    assert {"calcified_fraction", "mean_chop", "nucleation_events_total"} <= set(every.metrics)


@pytest.mark.skipif(not HAS_DASK, reason="dask.distributed is not installed "
                    "(pip install 'vcsim[distributed]')")
def test_dask_local_cluster_and_process_pool_give_identical_results(tmp_path):
    spec = write_spec(tmp_path, 'timeseries = "summary"\n' + GRID.format(levels=[1.0, 2.0, 3.0]))
    pool = run_cli(spec, "--out", tmp_path / "pool", "--workers", "2")
    dask = run_cli(spec, "--out", tmp_path / "dask", "--dask-local", "2")
    assert pool.returncode == 0, pool.stderr
    assert dask.returncode == 0, dask.stderr
    pd.testing.assert_frame_equal(comparable(tmp_path / "dask"), comparable(tmp_path / "pool"))
    pd.testing.assert_frame_equal(res.read_timeseries(tmp_path / "dask"),
                                  res.read_timeseries(tmp_path / "pool"))
    meta = res.read_json(tmp_path / "dask" / "sweep.json")
    assert meta["sessions"][0]["executor"]["kind"] == "dask"


def test_analyze_a_small_sobol_sweep_writes_indices_and_figures(tmp_path):
    spec = write_spec(tmp_path, """
        scenario = "ckd"
        days = 1
        design = "sobol"
        n = 8
        second_order = false
        metrics = ["mean_chop", "fraction_osteogenic", "calcified_fraction"]
        [set]
        lattice_rows = 6
        lattice_cols = 8
        [parameters]
        serum_phosphate_mM = {min = 1.0, max = 3.0}
        tnf_alpha_pg_per_mL = {min = 1.0, max = 100.0, distribution = "loguniform"}
        """.replace("\n        ", "\n"))
    out = tmp_path / "sobol"
    assert run_cli(spec, "--out", out, "--workers", "2").returncode == 0
    assert len(res.read_results(out)) == 8 * (2 + 2)
    done = subprocess.run([sys.executable, "-m", "vcsim.sweep", "analyze", str(out),
                           "--resamples", "200"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    indices = pd.read_csv(out / "analysis" / "sobol_indices.csv")
    assert list(indices.columns[:6]) == ["metric", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(indices) == 3 * 2
    chop = indices[indices["metric"] == "mean_chop"]
    assert chop[["S1", "ST", "ST_conf"]].notna().all().all()
    assert (out / "analysis" / "sobol_indices.png").stat().st_size > 10_000
    assert (out / "analysis" / "summary.csv").exists()
    assert "ST by metric" in done.stdout


def test_analyze_a_two_parameter_grid_draws_curves_and_heatmaps(tmp_path):
    spec = write_spec(tmp_path, GRID.format(levels=[1.0, 2.5]).replace(
        "[parameters]", "[parameters]\nwarfarin_vkorc1_inhibition_fraction = [0.0, 0.9]"))
    out = tmp_path / "grid"
    assert run_cli(spec, "--out", out, "--workers", "2").returncode == 0
    from vcsim.sweep.analysis import analyze

    result = analyze(out, band="ci")
    names = sorted(p.name for p in result.files)
    assert "dose_response_serum_phosphate_mM.png" in names
    assert "dose_response_warfarin_vkorc1_inhibition_fraction.png" in names
    assert "heatmap_mean_chop.png" in names
    summary = result.summary
    assert set(summary["n"]) == {2} and len(summary) == 4 * 5
