"""Sweep analysis against cases with known answers (a linear model stands in for vcsim)."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import pytest

from vcsim.sweep.analysis import analyze
from vcsim.sweep.executors import SerialExecutor, SweepError, run_sweep
from vcsim.sweep.runner import FAIL_ENV
from vcsim.sweep.spec import SweepSpec

# y = 3 x1 + x2 with x1 ~ U(1, 3), x2 ~ U(0, 1), x3 inert:
# Var = 9 * 4/12 + 1/12 = 37/12, S1 = ST = (36/37, 1/37, 0); per whole range the elementary
# effects are 3 * 2 = 6 and 1 * 1 = 1.
RANGES = """
[parameters]
serum_phosphate_mM = {min = 1.0, max = 3.0}
warfarin_vkorc1_inhibition_fraction = {min = 0.0, max = 1.0}
serum_calcium_mM = {min = 1.0, max = 1.4}
"""


def linear(context, task):
    v = task.values
    return {"y": 3 * v["serum_phosphate_mM"] + v["warfarin_vkorc1_inhibition_fraction"],
            "flat": 1.0}


def noisy_dose(context, task):
    """y = Pi + replicate noise; the noise of replicate r is (r - 1) / 10 (mean 0, sd 0.1)."""
    return {"y": task.values["serum_phosphate_mM"] + (task.replicate - 1) / 10, "flat": 1.0}


def sweep(tmp_path, text, run_fn=linear):
    import tomllib

    spec = SweepSpec.from_dict(tomllib.loads(textwrap.dedent(text)), where="spec.toml")
    out = tmp_path / "s"
    run_sweep(spec, out, run_fn=run_fn, executor=SerialExecutor(), progress=False)
    return out


def test_sobol_indices_of_a_linear_model_match_the_analytic_values(tmp_path):
    out = sweep(tmp_path, 'days = 1\ndesign = "sobol"\nn = 128\nmetrics = ["y", "flat"]\n' + RANGES)
    result = analyze(out, num_resamples=200)
    t = result.indices[result.indices["metric"] == "y"].set_index("parameter")
    expected = np.array([36, 1, 0]) / 37
    np.testing.assert_allclose(t["S1"], expected, atol=0.05)
    np.testing.assert_allclose(t["ST"], expected, atol=0.05)
    assert (t["S1_conf"] > 0).iloc[:2].all()
    assert len(result.second_order) == 2 * 3
    flat = result.indices[result.indices["metric"] == "flat"]
    assert flat["S1"].isna().all()  # a constant output has no indices, not zeros
    assert any("constant" in note for note in result.notes)
    assert (out / "analysis" / "sobol_indices.png").exists()
    assert (out / "analysis" / "sobol_second_order.csv").exists()


def test_morris_elementary_effects_of_a_linear_model_are_exact(tmp_path):
    out = sweep(tmp_path, 'days = 1\ndesign = "morris"\nn = 10\nmetrics = ["y"]\n' + RANGES)
    t = analyze(out, num_resamples=100).indices.set_index("parameter")
    np.testing.assert_allclose(t["mu_star"], [6.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(t["mu"], [6.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(t["sigma"], 0.0, atol=1e-12)
    assert (out / "analysis" / "morris_indices.png").exists()


def test_grid_summary_gives_mean_sd_and_student_t_interval(tmp_path):
    out = sweep(tmp_path, """
        days = 1
        replicates = 3
        metrics = ["y"]
        [parameters]
        serum_phosphate_mM = [1.0, 2.0]
        """, run_fn=noisy_dose)
    result = analyze(out, conf_level=0.95)
    s = result.summary.set_index("serum_phosphate_mM")
    np.testing.assert_allclose(s["mean"], [1.0, 2.0])
    np.testing.assert_allclose(s["sd"], [0.1, 0.1])
    half = 4.302652729749464 * 0.1 / math.sqrt(3)  # t_{0.975, 2}
    np.testing.assert_allclose(s["ci_high"] - s["mean"], half)
    assert (s["n"] == 3).all()
    assert [p.name for p in result.files] == ["summary.csv", "dose_response_serum_phosphate_mM.png"]


def test_indices_need_every_design_point(tmp_path, monkeypatch):
    monkeypatch.setenv(FAIL_ENV, "5")
    out = sweep(tmp_path, 'days = 1\ndesign = "sobol"\nn = 8\nmetrics = ["y"]\n' + RANGES)
    with pytest.raises(SweepError, match="1 of 64 design points have no finished run"):
        analyze(out)


def test_lhs_sweeps_get_scatter_plots(tmp_path):
    out = sweep(tmp_path, 'days = 1\ndesign = "lhs"\nn = 12\nmetrics = ["y"]\n' + RANGES)
    names = {p.name for p in analyze(out).files}
    assert "scatter_serum_phosphate_mM.png" in names
    summary = pd.read_csv(out / "analysis" / "summary.csv")
    assert len(summary) == 12


def test_bands_are_clipped_to_what_a_metric_can_take():
    import math

    from vcsim.sweep.analysis import _band, metric_domain

    assert metric_domain("fraction_osteogenic") == (0.0, 1.0)
    assert metric_domain("calcified_fraction") == (0.0, 1.0)
    assert metric_domain("mean_chop") == (0.0, 1.0)
    assert metric_domain("avg_mean_runx2") == (0.0, 1.0)
    assert metric_domain("mean_unfolded_load") == (0.0, math.inf)
    assert metric_domain("mean_cytosol_magnesium_mM") == (0.0, math.inf)
    assert metric_domain("calcium_content_ug_per_mg_protein") == (0.0, math.inf)
    assert metric_domain("hap_saturation_index_mean") == (-math.inf, math.inf)
    stats = pd.DataFrame({"mean": [0.02, 0.98], "sd": [0.1, 0.1], "ci_low": [-0.2, 0.7],
                          "ci_high": [0.3, 1.3]})
    for band in ("sd", "ci"):
        lo, hi = _band(stats, band, "fraction_osteogenic")
        assert (lo >= 0).all() and (hi <= 1).all()
    lo, _ = _band(stats, "sd", "hap_saturation_index_mean")
    assert lo[0] < 0  # an index may be negative: not clipped


def test_the_bootstrap_intervals_are_the_same_at_every_analysis(tmp_path):
    out = sweep(tmp_path, 'days = 1\ndesign = "sobol"\nn = 16\nmetrics = ["y"]\n' + RANGES)
    first = analyze(out, num_resamples=100).indices
    again = analyze(out, num_resamples=100).indices  # the default seed (0) is a seed too
    pd.testing.assert_frame_equal(first, again)
    other = analyze(out, num_resamples=100, seed=5).indices
    assert not np.allclose(first["S1_conf"], other["S1_conf"])
