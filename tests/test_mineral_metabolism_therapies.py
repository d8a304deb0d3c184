"""Therapies act in the right direction through their mechanisms; the Mg-PTH relation (Anast et al. 1972, Rude et al. 1976/1978)."""

from __future__ import annotations

import pytest

from vcsim.params import ParameterError, default_parameters
from vcsim.systemic import PiecewiseLinear, SystemicInputs, advance, serum, steady_state, therapies

P = default_parameters()
NORMAL = steady_state(P)
CKD4 = SystemicInputs(gfr_mL_per_min=20.0)
CKD4_STATE = steady_state(P, CKD4, initial=NORMAL)


def at(params, inputs=None, initial=None):
    inputs = inputs or SystemicInputs()
    state = steady_state(
        params, inputs, initial=initial or (CKD4_STATE if inputs is CKD4 else NORMAL)
    )
    return serum(state, params)


def test_every_therapy_is_a_parameter_of_the_schema():
    for t in therapies.THERAPIES:
        assert t.parameter in P
        assert therapies.apply(P, t.name)[t.parameter] == t.usual_value
    with pytest.raises(ParameterError):
        therapies.apply(P, "bloodletting")


@pytest.mark.parametrize("binder", ["calcium_acetate", "sevelamer", "lanthanum"])
def test_phosphate_binders_lower_serum_phosphate_in_ckd(binder):
    base, treated = at(P, CKD4), at(therapies.apply(P, binder), CKD4)
    assert treated["serum_phosphate_mM"] < base["serum_phosphate_mM"] - 0.1
    assert treated["fgf23_pg_per_mL"] < base["fgf23_pg_per_mL"]


def test_calcium_acetate_adds_a_calcium_load_that_sevelamer_does_not():
    ca = at(therapies.apply(P, "calcium_acetate"), CKD4)
    sev = at(therapies.apply(P, "sevelamer"), CKD4)
    base = at(P, CKD4)
    assert ca["serum_total_calcium_mM"] > base["serum_total_calcium_mM"] + 0.1
    assert abs(sev["serum_total_calcium_mM"] - base["serum_total_calcium_mM"]) < 0.05


@pytest.mark.parametrize("inputs", [None, CKD4], ids=["normal_kidney", "ckd4"])
def test_calcimimetic_lowers_pth(inputs):
    base, treated = at(P, inputs), at(therapies.apply(P, "calcimimetic"), inputs)
    assert treated["pth_pg_per_mL"] < 0.85 * base["pth_pg_per_mL"]
    assert treated["serum_ionised_calcium_mM"] < base["serum_ionised_calcium_mM"]


@pytest.mark.parametrize("inputs", [None, CKD4], ids=["normal_kidney", "ckd4"])
def test_active_vitamin_d_raises_calcium_and_phosphate_and_lowers_pth(inputs):
    base, treated = at(P, inputs), at(therapies.apply(P, "active_vitamin_d"), inputs)
    assert treated["calcitriol_pmol_per_L"] > base["calcitriol_pmol_per_L"]
    assert treated["serum_ionised_calcium_mM"] > base["serum_ionised_calcium_mM"]
    assert treated["serum_phosphate_mM"] > base["serum_phosphate_mM"]
    assert treated["pth_pg_per_mL"] < base["pth_pg_per_mL"]


def test_parathyroidectomy_lowers_pth_and_calcium():
    base, treated = at(P), at(therapies.apply(P, "parathyroidectomy"))
    assert treated["pth_pg_per_mL"] < 10.0
    assert treated["serum_total_calcium_mM"] < 2.1  # untreated hypoparathyroid hypocalcaemia
    assert treated["serum_phosphate_mM"] > base["serum_phosphate_mM"]


def test_primary_hyperparathyroidism_raises_pth_and_calcium_and_lowers_phosphate():
    base, treated = at(P), at(therapies.apply(P, "primary_hyperparathyroidism"))
    assert treated["pth_pg_per_mL"] > 65.0
    assert treated["serum_total_calcium_mM"] > 2.6
    assert treated["serum_phosphate_mM"] < base["serum_phosphate_mM"]


def test_proton_pump_inhibitor_lowers_and_magnesium_supplement_raises_serum_magnesium():
    base = at(P)["serum_magnesium_mM"]
    assert at(therapies.apply(P, "proton_pump_inhibitor"))["serum_magnesium_mM"] < base - 0.1
    assert at(therapies.apply(P, "magnesium_supplement"))["serum_magnesium_mM"] > base + 0.03


def test_kidney_transplantation_restores_mineral_metabolism():
    hd_params = P.updated({"haemodialysis_sessions_per_week": 3})
    uraemic = steady_state(
        hd_params,
        SystemicInputs(gfr_mL_per_min=0.0),
        initial=steady_state(P, SystemicInputs(gfr_mL_per_min=10.0), initial=CKD4_STATE),
    )
    before = serum(uraemic, hd_params)
    graft = SystemicInputs(gfr_mL_per_min=PiecewiseLinear([(0.0, 0.0), (48.0, 60.0)]))
    state, t = uraemic, 0.0
    for _ in range(60):  # 180 days after transplantation, dialysis stopped, 3-day calls
        state = advance(state, t, 72.0, graft, P)
        t += 72.0
    after = serum(state, P)
    graft_ss = serum(steady_state(P, SystemicInputs(gfr_mL_per_min=60.0), initial=state), P)
    assert after["serum_phosphate_mM"] < 1.45 < before["serum_phosphate_mM"]
    assert after["fgf23_pg_per_mL"] < 0.3 * before["fgf23_pg_per_mL"]
    assert after["pth_pg_per_mL"] < 0.5 * before["pth_pg_per_mL"]
    assert after["calcitriol_pmol_per_L"] > 2.0 * before["calcitriol_pmol_per_L"]
    for key in ("serum_phosphate_mM", "fgf23_pg_per_mL", "calcitriol_pmol_per_L"):
        assert after[key] == pytest.approx(graft_ss[key], rel=0.15), key


# --- magnesium and PTH (Anast 1972, Rude 1976/1978) -----------------------------------------


def _magnesium_state(ppi, diet_mg, extra=None):
    p = P.updated(
        {
            "proton_pump_inhibitor_trpm6_inhibition_fraction": ppi,
            "dietary_magnesium_mmol_per_day": diet_mg,
            **(extra or {}),
        }
    )
    return p, steady_state(p, initial=NORMAL)


def test_pth_rises_as_magnesium_falls_to_moderately_low():
    normal = serum(NORMAL, P)
    p, st = _magnesium_state(0.8, 6.0)
    moderate = serum(st, p)
    assert 0.5 < moderate["serum_magnesium_mM"] < 0.65
    assert moderate["pth_pg_per_mL"] > normal["pth_pg_per_mL"]


def test_severe_hypomagnesaemia_blocks_pth_with_refractory_hypocalcaemia_that_magnesium_restores():
    normal = serum(NORMAL, P)
    p, st = _magnesium_state(1.0, 2.0)
    severe = serum(st, p)
    assert severe["serum_magnesium_mM"] < 0.3
    assert severe["pth_pg_per_mL"] < normal["pth_pg_per_mL"] / 3.0  # functional hypoparathyroidism
    assert severe["serum_ionised_calcium_mM"] < 1.0  # hypocalcaemia
    # refractory: doubling calcium intake leaves Ca low and PTH suppressed
    p_ca = p.updated({"calcium_supplement_mmol_per_day": 25.0})
    with_ca = serum(steady_state(p_ca, initial=st), p_ca)
    assert with_ca["serum_ionised_calcium_mM"] < 1.1
    assert with_ca["pth_pg_per_mL"] < normal["pth_pg_per_mL"] / 3.0
    # an Mg infusion restores PTH secretion within hours (Anast et al. 1972) ...
    p_iv = therapies.apply(p, "intravenous_magnesium")
    hours = advance(st, 0.0, 6.0, None, p_iv)
    assert serum(hours, p_iv)["pth_pg_per_mL"] > 3.0 * severe["pth_pg_per_mL"]
    # ... and oral Mg repletion restores Ca and PTH at steady state
    p_mg = p.updated({"magnesium_supplement_mmol_per_day": 20.0})
    repleted = serum(steady_state(p_mg, initial=hours), p_mg)
    assert 1.1 < repleted["serum_ionised_calcium_mM"] < 1.3
    assert 10.0 < repleted["pth_pg_per_mL"] < 65.0


def test_renal_magnesium_conservation_in_extrarenal_deficiency():
    from vcsim.systemic.mineral_metabolism import Drive, coefficients, rates

    p, st = _magnesium_state(0.9, 4.0)
    diag: dict = {}
    rates(0.0, st.to_array(), coefficients(p), Drive(SystemicInputs(), 0.0, 0.0), diag)
    fe_mg = diag["renal"].magnesium_urine / diag["renal"].magnesium_filtered
    assert serum(st, p)["serum_magnesium_mM"] < 0.7
    assert fe_mg < 0.02  # FE_Mg < ~2 % means the kidney is conserving
