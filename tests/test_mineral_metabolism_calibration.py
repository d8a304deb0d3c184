"""The calibrated constants are the ones their anchors determine, and the anchors hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcsim.params import default_parameters, schema
from vcsim.systemic import SystemicInputs, serum, steady_state
from vcsim.systemic.calciprotein import t50_min
from vcsim.systemic.calibration import (
    ANCHORS,
    DISEASE_ANCHORS,
    HAEMODIALYSIS_SERUM,
    disease_anchor_values,
    normal_state_constants,
)
from vcsim.systemic.mineral_metabolism import Drive, coefficients, rates
from vcsim.systemic.reference import parameter_table_markdown

P = default_parameters()
DOC = Path(__file__).resolve().parents[1] / "docs" / "systemic.md"


def test_every_calibrated_default_is_recomputed_from_its_anchor():
    computed = normal_state_constants(P)
    calibrated = {p.name for p in schema() if p.group == "mineral" and p.calibrated_by}
    assert set(computed) | set(DISEASE_ANCHORS) == calibrated
    for name, value in computed.items():
        assert P[name] == pytest.approx(value, rel=1e-4), name


def test_disease_anchored_constants_meet_their_targets():
    got = disease_anchor_values(P)
    for name, (_, target) in DISEASE_ANCHORS.items():
        assert got[name] == pytest.approx(target, rel=0.01), name


def test_normal_steady_state_sits_on_the_serum_and_flux_anchors():
    st = steady_state(P)
    s = serum(st, P)
    assert s["serum_ionised_calcium_mM"] == pytest.approx(ANCHORS["ionised_calcium_mM"], rel=1e-4)
    assert s["serum_phosphate_mM"] == pytest.approx(ANCHORS["serum_phosphate_mM"], rel=1e-4)
    assert s["serum_magnesium_mM"] == pytest.approx(ANCHORS["serum_magnesium_mM"], rel=1e-4)
    assert s["pth_pg_per_mL"] == pytest.approx(ANCHORS["pth_pg_per_mL"], rel=1e-4)
    d: dict = {}
    rates(0.0, st.to_array(), coefficients(P), Drive(SystemicInputs(), 0.0, 0.0), d)
    gut, renal = d["gut"], d["renal"]
    lumen_ca = gut.calcium_intake + gut.calcium_secreted
    assert gut.calcium_absorbed / lumen_ca == pytest.approx(
        ANCHORS["calcium_fractional_absorption"], rel=1e-4
    )
    assert renal.calcium_urine == pytest.approx(
        gut.calcium_absorbed - gut.calcium_secreted, rel=1e-4
    )
    assert 0.01 < renal.calcium_urine / renal.calcium_filtered < 0.03  # FE_Ca ~1-3 %
    assert 0.05 < renal.phosphate_urine / renal.phosphate_filtered < 0.2  # FE_Pi 5-20 %
    # TmP/GFR in serum units within 0.8-1.35 mM (Walton & Bijvoet 1975)
    assert 0.8 <= renal.tmp_gfr_mM / P["phosphate_ultrafilterable_fraction"] <= 1.35


def test_lanthanum_lowers_healthy_urinary_phosphate_within_the_published_range():
    """Pennick et al. 2012: 3 g/day elemental La lowers 24-h urinary P by 236-468 mg/day.

    The anchor fixes the gut-level binding; this checks the whole model, with FGF23 and
    calcitriol feedback, stays in the published range."""

    def urine_pi(p):
        st = steady_state(p)
        d: dict = {}
        rates(0.0, st.to_array(), coefficients(p), Drive(SystemicInputs(), 0.0, 0.0), d)
        return d["renal"].phosphate_urine * 24.0 * 30.97  # mg P/day

    drop = urine_pi(P) - urine_pi(P.updated({"lanthanum_g_per_day": 3.0}))
    assert 236.0 <= drop <= 468.0


def test_t50_readout_of_a_typical_haemodialysis_serum_is_the_published_value():
    hd = HAEMODIALYSIS_SERUM
    k = dict(coefficients(P), serum_albumin_g_per_L=hd["serum_albumin_g_per_L"])
    t50 = t50_min(
        hd["ionised_calcium_mM"],
        hd["serum_phosphate_mM"],
        hd["serum_magnesium_mM"],
        hd["fetuin_a_g_per_L"],
        hd["ppi_uM"],
        hd["bicarbonate_mM"],
        k,
    )
    assert 233.0 <= t50 <= 247.0  # Bressendorff et al. 2018 baseline means


def test_docs_parameter_table_is_generated_from_the_schema():
    assert parameter_table_markdown() in DOC.read_text(encoding="utf-8"), (
        "docs/systemic.md parameter table is stale: python -m vcsim.systemic.reference"
    )
