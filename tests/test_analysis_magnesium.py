"""analysis/magnesium_dose_response.py: a tiny study of the real model (table shape, finite
values, knock-out arms) and the one-line refusal of a bad Mg dose."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from analysis_scripts import load

mg = load("magnesium_dose_response")

TINY = {"seeds": (1,), "days": 2.0, "rows": 6, "cols": 12}


@pytest.fixture(scope="module")
def tiny_runs() -> pd.DataFrame:
    return mg.dose_response((0.5, 3.0), knockouts=("serca",), knockout_levels=(0.5, 3.0), **TINY)


def test_tiny_study_has_one_row_per_run_and_finite_values(tiny_runs):
    runs = tiny_runs
    assert list(runs["arm"]) == ["intact", "intact", "serca", "serca"]
    assert list(runs[mg.MG_PARAMETER]) == [0.5, 3.0, 0.5, 3.0]
    assert set(runs["seed"]) == {1} and set(runs["steps"]) == {48}
    assert set(mg.METRICS) <= set(runs.columns)
    values = runs[list(mg.METRICS)].to_numpy(float)
    assert np.isfinite(values).all()
    amounts = [m for m in mg.METRICS if not m.startswith("hap_saturation_index")]  # a log10
    assert (runs[amounts].to_numpy(float) >= 0).all()
    # the cells' free Mg follows the fluid (TRPM7 feedback keeps it well below 3 mM)
    assert runs.loc[1, "mean_cytosol_magnesium_mM"] > runs.loc[0, "mean_cytosol_magnesium_mM"]

    summary = mg.summarise(runs)
    assert list(summary["arm"]) == ["intact", "intact", "serca", "serca"]
    assert list(summary.columns[:3]) == ["arm", mg.MG_PARAMETER, "n_seeds"]
    for m in mg.METRICS:
        assert np.isfinite(summary[f"{m}_mean"]).all()
        assert summary[f"{m}_sd"].isna().all()  # one seed: no spread
    table = mg.dose_table(summary)
    assert len(table) == 2 + 2 and table[0].count("|") == len(mg.METRICS) + 2


def test_knockout_arms_stay_in_bounds_and_keep_the_reference():
    from vcsim import load_scenario
    from vcsim.cells.vsmc import calcium as ca
    from vcsim.params.cell_ions import REFERENCE
    from vcsim.params.record import InputRecord

    params = load_scenario("ckd").params
    arms = mg.knockout_arms()
    for arm in arms.values():
        params.updated(dict(arm.overrides))  # raises when out of bounds
    serca = dict(arms["serca"].overrides)
    p0 = InputRecord(params.schema, params).record
    p1 = InputRecord(params.schema, params.updated(serca)).record
    # Mg-ATP saturating: SERCA's Mg-ATP activity the same at cytosolic Mg 0.47 and 0.88 mM
    assert ca.serca_mgatp_activity(0.47, p1) == pytest.approx(ca.serca_mgatp_activity(0.88, p1),
                                                              abs=1e-4)
    # and the healthy reference store the same as intact (vmax recalibrated)
    u = ca.cytosol_magnesium_target_mM(0.85, p0)
    sq, ros = REFERENCE["sequestration_fraction"], REFERENCE["ros_signal"]
    assert ca.quasi_steady_store(1.2, u, sq, ros, p1)[0] == pytest.approx(
        ca.quasi_steady_store(1.2, u, sq, ros, p0)[0], abs=1e-9)


def test_responses_and_shares_pair_by_seed():
    # intact: 100-fold (seed 1) and 10-fold (seed 2); growth removed: 10-fold and 10-fold
    runs = pd.DataFrame({"arm": ["intact"] * 4 + ["growth"] * 4,
                         mg.MG_PARAMETER: [0.5, 3.0] * 4, "seed": [1, 1, 2, 2] * 2,
                         mg.TARGET: [10.0, 0.1, 2.0, 0.2, 20.0, 2.0, 5.0, 0.5]})
    r = mg.paired_response(runs, "intact", 0.5, 3.0)
    assert r.per_seed == pytest.approx((9.9, 1.8)) and r.sd == pytest.approx(8.1 * math.sqrt(0.5))
    fold = mg.log_fold(runs, "intact", 0.5, 3.0)
    assert fold.per_seed == pytest.approx((2.0, 1.0)) and fold.mean == pytest.approx(1.5)
    # the route carried half the log fold in seed 1, none in seed 2, though it widened the
    # absolute gap in both
    share = mg.share_carried(runs, "growth", 0.5, 3.0)
    assert share.per_seed == pytest.approx((0.5, 0.0))
    assert all(d > 0 for d in np.subtract(mg.paired_response(runs, "growth", 0.5, 3.0).per_seed,
                                          r.per_seed))
    assert mg.monotone([3, 2, 1]) == "decreasing" and mg.monotone([1, 3, 2]) == "not monotone"


def test_a_negative_dose_is_refused_in_one_line(tmp_path, capsys):
    with pytest.raises(mg.AnalysisError, match="serum_magnesium_mM"):
        mg.dose_response((0.5, -1.0), **TINY)
    out = tmp_path / "bad"
    code = mg.main(["--mg", "0.5", "-1", "--seeds", "1", "--days", "1", "--rows", "4",
                    "--cols", "6", "--knockouts", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: serum_magnesium_mM = -1")
    assert "[0.1, 5]" in err  # the package's own bounds
    assert not out.exists()  # refused before any run


def test_unknown_arm_and_knockout_dose_not_among_the_doses_are_refused():
    with pytest.raises(mg.AnalysisError, match="unknown arm"):
        mg.plan((0.5, 3.0), (1,), 1.0, 4, 6, knockouts=("pth",))
    with pytest.raises(mg.AnalysisError, match="not among"):
        mg.plan((0.5, 2.0), (1,), 1.0, 4, 6, knockouts=("growth",), knockout_levels=(0.5, 3.0))
