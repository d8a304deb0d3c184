"""The Morris screening of the validation claims (vcsim.validation.robustness) on a tiny suite."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from vcsim import validation as v
from vcsim.params import schema
from vcsim.validation import robustness as rb


def test_screened_parameters_exclude_anchors_inputs_and_numerics():
    params = dict(rb.screened_parameters())
    anchored = {n for c in v.shipped_table().claims if c.role == "calibration" for n in c.sets}
    assert params and not anchored & set(params)
    for name in params:
        p = schema()[name]
        assert p.group in rb.MECHANISM_GROUPS and p.kind is float, name
        assert not name.startswith("reaction_transport_")
    assert params["tau_perk_h"] == "upr" and params["runx2_atf4_factor"] == "osteogenic"


def test_design_moves_groups_within_the_factor_and_the_bounds():
    params = [("tau_perk_h", "upr"), ("tau_atf4_h", "upr"), ("runx2_atf4_factor", "osteogenic")]
    scr = rb.design(3, factor=2.0, seed=5, parameters=params)
    assert scr.points.shape == (3 * (2 + 1), 3)  # trajectories x (groups + 1)
    assert np.all(np.abs(scr.points) <= 1.0)
    # within a trajectory, the two parameters of a group move together, one group per step
    steps = np.diff(scr.points.reshape(3, 3, 3), axis=1).reshape(-1, 3)
    assert np.all((steps[:, 0] != 0) == (steps[:, 1] != 0))
    assert np.all((steps[:, 0] != 0) != (steps[:, 2] != 0))
    for i in range(len(scr.points)):
        for name, value in scr.values(i).items():
            p = schema()[name]
            assert p.default / 2 - 1e-12 <= value <= p.default * 2 + 1e-12
            assert p.lower is None or value >= p.lower
    assert rb.design(3, 2.0, 5, params).points.tolist() == scr.points.tolist()  # seeded
    with pytest.raises(ValueError, match="trajectories = 0"):
        rb.design(0, parameters=params)


def test_screen_reports_pass_rates_and_mu_star(tmp_path):
    cfg = replace(v.QUICK, seeds=(1, 2), lattice_rows=3, lattice_cols=5)
    params = [("runx2_atf4_factor", "osteogenic"), ("tau_perk_h", "upr")]
    result = rb.screen(cfg, trajectories=1, factor=2.0, out=tmp_path, workers=1,
                       claim_ids=["pit1_kd_lowers_runx2", "glucose_runx2_early"],
                       parameters=params)
    points = pd.read_csv(tmp_path / "robustness_points.csv")
    assert len(points) == 3 * 2 and set(points["claim"]) == {"pit1_kd_lowers_runx2",
                                                              "glucose_runx2_early"}
    table = pd.read_csv(tmp_path / "robustness.csv")
    assert set(table["group"]) == {"osteogenic", "upr"}
    assert (table["mu_star"] >= 0).all() and table["pass_rate"].between(0, 1).all()
    text = (tmp_path / "robustness.md").read_text()
    assert "pit1_kd_lowers_runx2" in text and "Fragile" in text
    assert result["design"].points.shape == (3, 2)
    with pytest.raises(ValueError, match="claim 'nope' is not in the table"):
        rb.screen(cfg, claim_ids=["nope"], parameters=params)


def test_a_run_that_fails_is_recorded_and_its_claims_fail(tmp_path, monkeypatch):
    from vcsim.validation import suite

    real = suite.run_arm

    def flaky(arm, seed, cfg):
        if arm.name == "iv_glc25":
            raise RuntimeError("reaction_transport: no convergence (test)")
        return real(arm, seed, cfg)

    monkeypatch.setattr(suite, "run_arm", flaky)
    cfg = replace(v.QUICK, seeds=(1, 2), lattice_rows=3, lattice_cols=5)
    result = rb.screen(cfg, trajectories=1, out=tmp_path, workers=1,
                       claim_ids=["glucose_runx2_early", "pit1_kd_lowers_runx2"],
                       parameters=[("tau_perk_h", "upr")])
    points = result["points"]
    glucose = points[points["claim"] == "glucose_runx2_early"]
    assert (glucose["error"] == "iv_glc25").all() and not glucose["passed"].any()
    assert (points[points["claim"] == "pit1_kd_lowers_runx2"]["error"] == "").all()
    assert "did not converge at 2 of 2 design points (arms: iv_glc25)" in result["report"]
