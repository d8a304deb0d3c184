"""analysis/convergence.py: the order and Richardson arithmetic on synthetic data with a known
answer, and a tiny end-to-end study of the real model."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from analysis_scripts import load

from vcsim import load_scenario

cv = load("convergence")


def synthetic(steps, q0, c, p, offsets=(0.0,)):
    """q_s(h) = q0 + offset_s + c h^p for each seed s: per-step arrays over seeds."""
    return [np.array([q0 + o + c * h**p for o in offsets]) for h in steps]


@pytest.mark.parametrize("steps", [(2.0, 1.0, 0.5, 0.25, 0.125), (0.9, 0.3, 0.1)])
def test_known_order_and_limit_are_recovered(steps):
    q0, c, p = 3.0, 0.7, 1.6
    offsets = (-0.2, 0.0, 0.5)  # seed-to-seed offsets cancel in the paired differences
    conv = cv.analyse_convergence(steps, synthetic(steps, q0, c, p, offsets),
                                  default_dt=steps[1])
    for o in conv.orders:
        assert o.usable, o.flags
        assert o.order == pytest.approx(p, rel=1e-9)
    assert conv.order_source == "observed"
    assert conv.q0 == pytest.approx(q0 + np.mean(offsets), rel=1e-12)
    assert conv.q0_se == pytest.approx(np.std(offsets, ddof=1) / math.sqrt(3), rel=1e-9)
    assert conv.rel_error == pytest.approx(c * steps[1] ** p / (q0 + np.mean(offsets)),
                                           rel=1e-9)
    assert conv.abs_error_se == pytest.approx(0.0, abs=1e-12)


def test_scalar_formulas():
    assert cv.observed_order(1.0 + 4.0, 1.0 + 2.0, 1.0 + 1.0) == pytest.approx(1.0)
    assert cv.richardson(2.0, 3.0, 1.0) == pytest.approx(1.0)
    assert cv.richardson(1.0 + 0.25, 1.0 + 1.0, 2.0) == pytest.approx(1.0)
    assert math.isnan(cv.observed_order(1.0, 2.0, 1.5))  # sign change
    assert math.isnan(cv.observed_order(1.0, 2.0, 2.0))  # zero difference


def test_noise_dominated_differences_are_flagged_and_the_formal_order_used():
    steps = (2.0, 1.0, 0.5, 0.25)
    rng = np.random.default_rng(7)
    values = [v + rng.normal(0.0, 1.0, v.size)
              for v in synthetic(steps, 10.0, 1e-3, 1.0, offsets=(0.0,) * 6)]
    conv = cv.analyse_convergence(steps, values, default_dt=1.0)
    assert all("within noise" in o.flags for o in conv.orders)
    assert conv.order_source == "formal" and conv.order_used == cv.FORMAL_ORDER
    assert "within noise" in conv.order_reason
    assert conv.q0 == pytest.approx(cv.richardson(values[-1], values[-2], 1.0).mean())
    assert "q0 with the formal order" in cv.verdict(conv, 0.05)


def test_sign_change_no_change_and_two_steps():
    steps = (1.0, 0.5, 0.25)
    flip = cv.analyse_convergence(steps, [np.array([1.0]), np.array([2.0]), np.array([1.5])],
                                  default_dt=1.0)
    assert flip.orders[0].flags == ("sign change",) and flip.order_source == "formal"
    flat = cv.analyse_convergence(steps, [np.array([0.0, 0.0])] * 3, default_dt=1.0)
    assert flat.orders[0].flags == ("no change",)
    assert flat.q0 == 0.0 and math.isnan(flat.rel_error)
    assert cv.verdict(flat, 0.05).startswith("n/a")
    two = cv.analyse_convergence((1.0, 0.5), [np.array([2.0]), np.array([1.5])],
                                 default_dt=1.0)
    assert two.orders == () and two.order_source == "formal"
    assert two.q0 == pytest.approx(1.0) and two.rel_error == pytest.approx(1.0)
    assert cv.verdict(two, 0.05).startswith("FAIL")


def test_a_dependence_growing_as_dt_shrinks_is_called_not_converging():
    steps = (2.0, 1.0, 0.5, 0.25)
    conv = cv.analyse_convergence(steps, [np.array([1.0 / h]) for h in steps], default_dt=1.0)
    assert conv.orders[-1].order == pytest.approx(-1.0)
    assert conv.order_source == "formal"
    text = cv.verdict(conv, 0.05)
    assert text.startswith("FAIL") and "not converging" in text


def test_quick_study_end_to_end(tmp_path, capsys):
    out = tmp_path / "conv"
    code = cv.main(["--quick", "--seeds", "1", "--dt", "1", "0.5", "--days", "1",
                    "--lattice", "6", "10", "--jobs", "1", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    for name in ("convergence.csv", "convergence_summary.csv", "convergence.md",
                 "convergence_dt.png", "convergence_timecourse.png"):
        assert (out / name).stat().st_size > 0, name
    long = pd.read_csv(out / "convergence.csv")
    assert list(long.columns) == ["case", "metric", "dt_h", "seed", "value"]
    assert len(long) == len(cv.CASES) * len(cv.METRICS) * 2 * 1
    assert set(long["dt_h"]) == {1.0, 0.5} and set(long["seed"]) == {1}
    assert set(long["metric"]) == set(cv.METRICS) and set(long["case"]) == set(cv.CASES)
    summary = pd.read_csv(out / "convergence_summary.csv")
    assert len(summary) == len(cv.CASES) * len(cv.METRICS)
    assert {"mean_dt1h", "mean_dt0.5h", "richardson_estimate", "default_rel_error",
            "order_source"} <= set(summary.columns)
    report = (out / "convergence.md").read_text(encoding="utf-8")
    assert report.count("**in vitro, 2 mM Pi**") == 1 and "**CKD**" in report
    assert "`nucleation`" in report and "lattice 6 x 10" in report  # the scheme, the setup

    # the value at the end time is the model's own, at that time (not at some row)
    model = load_scenario("invitro_pi").make_model(seed=1, lattice_rows=6, lattice_cols=10,
                                                   dt_h=0.5, serum_phosphate_mM=2.0)
    for _ in range(48):
        model.step()
    last = model.timeseries_frame().iloc[-1]
    assert last["time_h"] == 24.0
    got = long.set_index(["case", "metric", "dt_h"])["value"]
    for metric in cv.METRICS:
        assert got[("invitro_2mM_pi", metric, 0.5)] == pytest.approx(last[metric], rel=1e-12)


def test_worker_processes_give_the_same_values(tmp_path):
    args = ["--cases", "ckd", "--seeds", "1", "2", "--dt", "1", "0.5", "--days", "0.5",
            "--lattice", "4", "6"]
    assert cv.main([*args, "--jobs", "1", "--out", str(tmp_path / "serial")]) == 0
    assert cv.main([*args, "--jobs", "2", "--out", str(tmp_path / "pool")]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "serial" / "convergence.csv"),
                                  pd.read_csv(tmp_path / "pool" / "convergence.csv"))


def test_steps_of_unequal_ratio_are_refused(capsys):
    assert cv.main(["--dt", "2", "1", "0.25", "--out", "unused"]) == 2
    assert "one ratio" in capsys.readouterr().err
