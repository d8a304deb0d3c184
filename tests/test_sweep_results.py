"""results.csv and friends: atomic appends, torn lines, last-row-wins, failures and resume.

These use a cheap pure run function (the runner's injection point) so they need no model.
"""

from __future__ import annotations

import csv
import json
import textwrap

import numpy as np
import pandas as pd
import pytest

from vcsim.sweep import results as res
from vcsim.sweep.executors import SerialExecutor, SweepError, run_sweep
from vcsim.sweep.runner import FAIL_ENV, RunOutput
from vcsim.sweep.spec import SweepSpec

SPEC = """
days = 1
replicates = 2
metrics = ["calcium", "product"]
[set]
lattice_rows = 6
lattice_cols = 8
[parameters]
serum_phosphate_mM = [1.0, 1.5, 2.0]
serum_calcium_mM = [1.1, 1.3]
"""

CALLS: list[int] = []


def toy_run(context, task):
    """A pure function of the varied values and the seed (stands in for the model)."""
    CALLS.append(task.run_id)
    v = task.values
    noise = (task.seed % 10_000) / 1e7
    return {"calcium": v["serum_calcium_mM"] + noise,
            "product": v["serum_calcium_mM"] * v["serum_phosphate_mM"] * (1 + noise)}


def toy_run_with_series(context, task):
    metrics = toy_run(context, task)
    steps = np.arange(3)
    frame = pd.DataFrame({"step": steps, "day": steps / 2.0,
                          "calcium": metrics["calcium"] * (1 + steps),
                          "product": metrics["product"] * steps})
    return RunOutput(metrics, frame)


def spec_of(text: str = SPEC) -> SweepSpec:
    import tomllib

    return SweepSpec.from_dict(tomllib.loads(textwrap.dedent(text)), where="spec.toml")


def sweep(out, spec=None, **kw):
    kw.setdefault("run_fn", toy_run)
    kw.setdefault("executor", SerialExecutor())
    return run_sweep(spec or spec_of(), out, progress=False, **kw)


def raw_rows(path):
    with open(path, newline="") as fh:
        return list(csv.reader(fh))


def test_results_have_one_row_per_run_with_every_column(tmp_path):
    summary = sweep(tmp_path / "s")
    assert summary.complete and summary.ok == 12
    df = res.read_results(tmp_path / "s")
    assert list(df.columns) == ["run_id", "point", "replicate", "seed", "serum_phosphate_mM",
                                "serum_calcium_mM", "calcium", "product", "status", "error",
                                "wall_time_s"]
    assert list(df["run_id"]) == list(range(12))
    assert (df["status"] == "ok").all() and (df["error"] == "").all()
    spec = spec_of()
    assert list(df["seed"]) == [t.seed for t in spec.runs()]
    meta = json.loads((tmp_path / "s" / "sweep.json").read_text())
    assert meta["status"] == "complete" and meta["n_runs"] == 12
    assert meta["spec"]["parameters"]["serum_calcium_mM"] == [1.1, 1.3]
    assert "blake2b" in meta["seed_scheme"] and meta["vcsim_version"]
    design = res.read_design(tmp_path / "s")
    assert len(design) == 6


def test_values_round_trip_exactly(tmp_path):
    sweep(tmp_path / "s")
    df = res.read_results(tmp_path / "s")
    for task, (_, row) in zip(spec_of().runs(), df.iterrows(), strict=True):
        expected = toy_run(None, task)
        assert row["calcium"] == expected["calcium"]  # bit-identical, not approximately
        assert row["product"] == expected["product"]


def test_injected_failure_is_recorded_and_the_sweep_completes(tmp_path, monkeypatch):
    monkeypatch.setenv(FAIL_ENV, "3,7")
    summary = sweep(tmp_path / "s")
    assert summary.ran == 12 and summary.failed == 2 and summary.failed_ids == [3, 7]
    assert not summary.complete
    df = res.read_results(tmp_path / "s")
    failed = df[df["status"] == "failed"]
    assert list(failed["run_id"]) == [3, 7]
    assert failed["error"].str.contains("RuntimeError: injected failure of run 3").any()
    assert failed["calcium"].isna().all()
    assert json.loads((tmp_path / "s" / "sweep.json").read_text())["status"] == "incomplete"


def test_a_run_that_raises_is_a_failed_row_with_its_error(tmp_path):
    def flaky(context, task):
        if task.values["serum_phosphate_mM"] == 2.0 and task.replicate == 1:
            raise ValueError("nucleation diverged\nsecond line")
        return toy_run(context, task)

    summary = sweep(tmp_path / "s", run_fn=flaky)
    df = res.read_results(tmp_path / "s")
    failed = df[df["status"] == "failed"]
    assert summary.failed == 2 == len(failed)
    assert set(failed["error"]) == {"ValueError: nucleation diverged second line"}


def test_resume_retries_only_failed_runs_and_each_run_appears_once(tmp_path, monkeypatch):
    monkeypatch.setenv(FAIL_ENV, "3,7")
    sweep(tmp_path / "s")
    first = res.read_results(tmp_path / "s")
    monkeypatch.delenv(FAIL_ENV)
    CALLS.clear()
    summary = sweep(tmp_path / "s", resume=True)
    assert sorted(CALLS) == [3, 7] and summary.already_ok == 10 and summary.complete
    final = res.read_results(tmp_path / "s")
    assert list(final["run_id"]) == list(range(12)) and (final["status"] == "ok").all()
    kept = first["status"] == "ok"
    pd.testing.assert_frame_equal(final[kept].drop(columns="wall_time_s"),
                                  first[kept].drop(columns="wall_time_s"))
    rows = raw_rows(tmp_path / "s" / "results.csv")
    assert [int(r[0]) for r in rows[1:]] == list(range(12))  # compacted: once each, in order
    meta = json.loads((tmp_path / "s" / "sweep.json").read_text())
    assert len(meta["sessions"]) == 2 and meta["sessions"][1]["resumed"]


def test_an_existing_sweep_needs_resume_and_the_same_spec(tmp_path):
    sweep(tmp_path / "s")
    with pytest.raises(SweepError, match="already holds a sweep; add --resume"):
        sweep(tmp_path / "s")
    changed = spec_of(SPEC.replace("replicates = 2", "replicates = 3"))
    with pytest.raises(SweepError, match=r"spec differs .*replicates: 2 before, 3 now"):
        sweep(tmp_path / "s", spec=changed, resume=True)


def test_last_row_of_a_run_id_wins_and_a_torn_line_is_dropped(tmp_path):
    out = tmp_path / "s"
    sweep(out)
    path = out / "results.csv"
    rows = raw_rows(path)
    header = rows[0]
    status = header.index("status")
    # append a failed duplicate of run 0 and a torn line, as a crash mid-write would leave
    bad = list(rows[1])
    bad[status], bad[status + 1] = "failed", "boom"
    with open(path, "a", newline="") as fh:
        fh.write(res.csv_line(bad))
        fh.write("5,2,1,123,1.5")
    df = res.read_results(out)
    assert len(df) == 12
    assert df.loc[df["run_id"] == 0, "status"].item() == "failed"
    assert res.statuses(out)[0] == "failed"
    res.compact(out)
    text = path.read_text()
    assert text.endswith("\n") and text.count("\n") == 13
    assert raw_rows(path)[1][status:status + 2] == ["failed", "boom"]


def test_repair_tail_cuts_only_the_partial_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n3,")
    assert res.repair_tail(path) == 2
    assert path.read_text() == "a,b\n1,2\n"
    assert res.repair_tail(path) == 0


def test_timeseries_are_long_format_and_only_for_ok_runs(tmp_path, monkeypatch):
    monkeypatch.setenv(FAIL_ENV, "2")
    spec = spec_of(SPEC.replace("days = 1", 'days = 1\ntimeseries = "full"'))
    sweep(tmp_path / "s", spec=spec, run_fn=toy_run_with_series)
    ts = res.read_timeseries(tmp_path / "s")
    assert list(ts.columns) == list(res.TIMESERIES_COLUMNS)
    assert set(ts["run_id"]) == set(range(12)) - {2}
    assert len(ts) == 11 * 3 * 2
    row = ts[(ts["run_id"] == 0) & (ts["metric"] == "calcium") & (ts["step"] == 2)]
    assert row["value"].item() == toy_run(None, spec.runs()[0])["calcium"] * 3
    # a half-written block of a run that never reported is dropped on compaction
    with open(tmp_path / "s" / "timeseries.csv", "a") as fh:
        fh.write("2,0,0.0,calcium,1.0\n2,1,0.5,calc")
    res.compact(tmp_path / "s")
    assert res.read_timeseries(tmp_path / "s").equals(ts)
    assert "2,0,0.0" not in (tmp_path / "s" / "timeseries.csv").read_text()
    monkeypatch.delenv(FAIL_ENV)
    sweep(tmp_path / "s", spec=spec, run_fn=toy_run_with_series, resume=True)
    assert set(res.read_timeseries(tmp_path / "s")["run_id"]) == set(range(12))


def test_a_custom_run_function_needs_days_and_a_metric_list():
    spec = spec_of(SPEC.replace('metrics = ["calcium", "product"]', 'metrics = "all"'))
    from vcsim.params import ParameterError

    with pytest.raises(ParameterError, match="custom run function"):
        run_sweep(spec, "unused", run_fn=toy_run, executor=SerialExecutor(), progress=False)


def test_a_missing_metric_fails_the_run_with_its_name(tmp_path):
    def partial_metrics(context, task):
        return {"calcium": 1.0}

    summary = sweep(tmp_path / "s", run_fn=partial_metrics)
    assert summary.failed == 12
    df = res.read_results(tmp_path / "s")
    assert df["error"].str.contains("metric 'product' was not produced").all()
