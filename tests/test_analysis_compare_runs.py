"""analysis/compare_runs.py on synthetic run and sweep directories with known answers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from analysis_scripts import load

T_975_DF2 = 4.302652729911275  # Student t quantile 0.975 with 2 degrees of freedom
T_975_DF3 = 3.182446305284263  # ... with 3



cr = load("compare_runs")


def write_run(path: Path, seed: int | None, end_values: dict[str, float], days: int = 3,
              extra: dict[str, float] | None = None) -> Path:
    """A run directory whose metrics rise linearly from 0 to ``end_values`` over ``days``
    (hourly rows), plus an unrelated extra column."""
    path.mkdir(parents=True)
    t = np.arange(days * 24 + 1) / 24.0
    frame = {"step": np.arange(t.size), "time_h": t * 24.0, "day": t}
    for k, v in end_values.items():
        frame[k] = v * t / days
    frame["some_new_column"] = 1.0
    pd.DataFrame(frame).to_csv(path / "timeseries.csv", index=False)
    if seed is not None:
        (path / "metadata.json").write_text(json.dumps({"seed": seed, **(extra or {})}))
    return path


def test_t_interval_of_known_values():
    iv = cr.t_interval([1.0, 2.0, 3.0, 4.0])
    sd = math.sqrt(5.0 / 3.0)
    assert (iv.n, iv.mean) == (4, 2.5)
    assert iv.sd == pytest.approx(sd)
    assert iv.ci_low == pytest.approx(2.5 - T_975_DF3 * sd / 2.0)
    assert iv.ci_high == pytest.approx(2.5 + T_975_DF3 * sd / 2.0)
    one = cr.t_interval([7.0])
    assert one.n == 1 and one.mean == 7.0 and math.isnan(one.ci_low)


def test_paired_differences_welch_and_clipped_bands(tmp_path, capsys):
    a = [0.10, 0.20, 0.30]
    b = [0.15, 0.24, 0.38]
    for seed, (va, vb) in enumerate(zip(a, b, strict=True), start=1):
        write_run(tmp_path / f"a{seed}", seed, {"calcified_fraction": va, "n_osteogenic": 10 * seed})
        write_run(tmp_path / f"b{seed}", seed, {"calcified_fraction": vb, "n_osteogenic": 0})
    # no seed shared with group a: an unpaired (Welch) difference
    for seed, v in zip((7, 8, 9), (0.0, 0.0, 0.9), strict=True):
        write_run(tmp_path / f"c{seed}", seed, {"calcified_fraction": v, "n_osteogenic": 5})
    out = tmp_path / "out"
    code = cr.main(["--group", f"a={tmp_path}/a*", "--group", f"b={tmp_path}/b*",
                    "--group", f"c={tmp_path}/c*", "--metrics", "calcified_fraction",
                    "n_osteogenic", "--out", str(out)])
    assert code == 0
    ep = pd.read_csv(out / "compare_endpoint.csv")
    row = ep[(ep.group == "a") & (ep.metric == "calcified_fraction")].iloc[0]
    assert row["day"] == 3.0 and row["n"] == 3
    assert row["mean"] == pytest.approx(0.2)
    assert row["sd"] == pytest.approx(0.1)
    assert row["ci_high"] == pytest.approx(0.2 + T_975_DF2 * 0.1 / math.sqrt(3))
    assert row["ci_low"] == 0.0  # 0.2 - 0.248 clipped to the domain of a fraction

    diffs = pd.read_csv(out / "compare_differences.csv")
    ab = diffs[(diffs.group == "b") & (diffs.metric == "calcified_fraction")].iloc[0]
    d = np.array(b) - np.array(a)
    assert ab["method"] == "paired" and ab["n_pairs"] == 3 and ab["seeds"] == "1 2 3"
    assert ab["difference"] == pytest.approx(d.mean())
    half = T_975_DF2 * d.std(ddof=1) / math.sqrt(3)
    assert ab["ci_low"] == pytest.approx(d.mean() - half)
    assert ab["ci_high"] == pytest.approx(d.mean() + half)
    ac = diffs[(diffs.group == "c") & (diffs.metric == "calcified_fraction")].iloc[0]
    assert ac["method"] == "welch" and ac["n_pairs"] == 0
    assert ac["difference"] == pytest.approx(0.3 - 0.2)

    # group c: mean 0.3, sd 0.52 over 3 replicates; the raw t band (-0.99, 1.59) is clipped
    # to the domain of a fraction, [0, 1]; counts are clipped at 0
    tc = pd.read_csv(out / "compare_timecourse.csv")
    end_c = tc[(tc.group == "c") & (tc.metric == "calcified_fraction") & (tc.day == 3.0)].iloc[0]
    assert end_c["mean"] == pytest.approx(0.3)
    assert (end_c["ci_low"], end_c["ci_high"]) == (0.0, 1.0)
    counts = tc[tc.metric == "n_osteogenic"]
    assert (counts["ci_low"] >= 0).all()
    assert sorted(tc["day"].unique()) == [0.0, 1.0, 2.0, 3.0]  # --every 1 day (default)
    assert (out / "compare_runs.png").stat().st_size > 20_000
    assert "paired" in capsys.readouterr().out


def test_end_point_is_the_last_day_every_replicate_reached(tmp_path):
    write_run(tmp_path / "r1", 1, {"calcified_fraction": 0.3}, days=3)
    write_run(tmp_path / "r2", 2, {"calcified_fraction": 0.4}, days=2)
    reps = cr.expand_group("g", [f"{tmp_path}/r*"])
    day, values = cr.endpoint_values(reps, "calcified_fraction", None)
    assert day == 2.0
    assert [v for _, v in values] == pytest.approx([0.2, 0.4])
    tc = cr.timecourse(reps, "calcified_fraction", 0.95)
    assert tc.loc[tc.day == 3.0, "n"].item() == 1 and tc.loc[tc.day == 2.0, "n"].item() == 2


def test_sweep_points_become_groups(tmp_path):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    rows = []
    long = []
    for point, pi in enumerate((1.0, 2.0)):
        for rep in range(3):
            run_id = point * 3 + rep
            value = 0.1 * (point + 1) + 0.01 * rep
            rows.append({"run_id": run_id, "point": point, "replicate": rep, "seed": 100 + rep,
                         "serum_phosphate_mM": pi, "calcified_fraction": value,
                         "status": "ok", "error": "", "wall_time_s": 1.0})
            long += [{"run_id": run_id, "step": 24 * d, "day": float(d),
                      "metric": "calcified_fraction", "value": value * d / 2} for d in (0, 1, 2)]
    rows.append({**rows[-1], "run_id": 6, "point": 1, "status": "failed"})  # ignored
    pd.DataFrame(rows).to_csv(sweep / "results.csv", index=False)
    pd.DataFrame(long).to_csv(sweep / "timeseries.csv", index=False)
    (sweep / "sweep.json").write_text(json.dumps({"parameters": ["serum_phosphate_mM"]}))
    out = tmp_path / "out"
    assert cr.main(["--sweep", str(sweep), "--metrics", "calcified_fraction",
                    "--out", str(out)]) == 0
    ep = pd.read_csv(out / "compare_endpoint.csv")
    assert list(ep.group) == ["serum_phosphate_mM=1", "serum_phosphate_mM=2"]
    assert list(ep.n) == [3, 3]
    assert ep["mean"].tolist() == pytest.approx([0.11, 0.21])
    diff = pd.read_csv(out / "compare_differences.csv").iloc[0]
    # common random numbers: the same seeds at both points, so the difference is paired
    assert diff["method"] == "paired" and diff["difference"] == pytest.approx(0.1)
    tc = pd.read_csv(out / "compare_timecourse.csv")
    assert tc.loc[(tc.group == "serum_phosphate_mM=2") & (tc.day == 1.0), "mean"].item() \
        == pytest.approx(0.105)


@pytest.mark.parametrize("make_args, message", [
    (lambda p: ["--group", f"a={p}/nothing*"], "matches nothing"),
    (lambda p: ["--group", f"a={p}/emptyrun"], "timeseries.csv: no such file"),
    (lambda p: ["--group", "no-equals-sign"], "expected NAME=GLOB"),
    (lambda p: ["--group", f"a={p}/ok", "--metrics", "not_a_metric"], "not_a_metric"),
    (lambda p: ["--sweep", f"{p}/ok"], "results.csv: no such file"),
    (lambda p: ["--group", f"a={p}/ok", "--level", "1.5"], "between 0 and 1"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, make_args, message):
    (tmp_path / "emptyrun").mkdir()
    write_run(tmp_path / "ok", 1, {"calcified_fraction": 0.1})
    assert cr.main([*make_args(tmp_path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
