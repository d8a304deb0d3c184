"""The lumen boundary: ionised serum Ca becomes the total dissolved Ca of the pore fluid.

``serum_calcium_mM`` is the ionised (free) Ca2+ in vivo; the dissolved field holds the total
(free + phosphate pairs). The lumen value must be the total whose speciated free Ca2+ is the
ionised input (vcsim.processes.systemic, vcsim.chemistry.speciation).
"""

from __future__ import annotations

import itertools

import pytest

import vcsim.chemistry.speciation as speciation_module
from vcsim.chemistry.speciation import speciate, total_calcium_for_ionised_mM
from vcsim.model import VascularModel
from vcsim.params import ParameterError, default_parameters
from vcsim.processes import systemic
from vcsim.processes.systemic import (
    apply_systemic_interventions,
    lumen_calcium_mM,
    lumen_totals,
    serum_boundary,
)

DEFAULTS = default_parameters().to_dict()


def _values(**changes) -> dict:
    return apply_systemic_interventions({**DEFAULTS, **changes})


def _free_ca_mM(values: dict, boundary: dict, tol_ionic: float = 1e-13) -> float:
    r = speciate(boundary["calcium_mM"], boundary["phosphate_mM"], values["serum_ph"],
                 values["temperature_c"], boundary["magnesium_mM"], values["serum_nacl_mM"],
                 tol_ionic=tol_ionic)
    return float(r.free_mM("Ca+2"))


@pytest.mark.parametrize(("ph", "temperature_c", "pi_mM"), list(itertools.product(
    (6.8, 7.1, 7.4, 7.8), (25.0, 37.0, 40.0), (0.5, 1.1, 2.0, 3.0))))
def test_lumen_total_calcium_speciates_to_the_ionised_input(ph, temperature_c, pi_mM):
    for ionised, mg in ((1.2, 0.85), (0.9, 0.0), (1.5, 2.0)):
        values = _values(serum_calcium_mM=ionised, serum_ph=ph, temperature_c=temperature_c,
                         serum_phosphate_mM=pi_mM, serum_magnesium_mM=mg)
        boundary = lumen_totals(values)
        assert boundary["calcium_mM"] > ionised  # some Ca is paired with phosphate
        assert _free_ca_mM(values, boundary) == pytest.approx(ionised, rel=1e-10)
        # the model's speciation (default tol_ionic 1e-9) agrees to its own tolerance
        assert _free_ca_mM(values, boundary, tol_ionic=1e-9) == pytest.approx(ionised, rel=1e-9)


def test_default_serum_known_answer_and_the_defect_it_removes():
    """Ionised 1.2 mM with Pi 1.1, total Mg 0.85, pH 7.4, 37 C, NaCl 140: Ca_T 1.2709 mM.
    Used as the total (before 0.2.x) the same 1.2 mM left only 1.1328 mM free."""
    values = _values()
    boundary = lumen_totals(values)
    assert boundary["calcium_mM"] == pytest.approx(1.27085, abs=5e-5)
    assert boundary["phosphate_mM"] == 1.1 and boundary["magnesium_mM"] == 0.85
    assert boundary["pyrophosphate_uM"] == 2.5
    as_total = speciate(1.2, 1.1, 7.4, 37.0, 0.85, 140.0)
    assert float(as_total.free_mM("Ca+2")) == pytest.approx(1.1328, abs=5e-4)


def test_more_phosphate_binds_more_calcium_so_the_total_rises():
    totals = [lumen_calcium_mM(_values(serum_phosphate_mM=pi)) for pi in (0.8, 1.1, 2.0, 3.0)]
    assert totals == sorted(totals) and totals[-1] - totals[0] > 0.1


def test_the_phosphate_binder_acts_before_the_conversion():
    treated = _values(serum_phosphate_mM=3.0, phosphate_binder_fraction=0.5)
    assert treated["serum_phosphate_mM"] == pytest.approx(2.05)
    boundary = lumen_totals(treated)
    assert boundary["phosphate_mM"] == pytest.approx(2.05)
    assert boundary["calcium_mM"] == pytest.approx(lumen_calcium_mM(_values(serum_phosphate_mM=2.05)),
                                                   rel=1e-12)


def test_in_vitro_medium_calcium_is_a_total_and_is_not_converted():
    values = _values(setting="in_vitro", serum_calcium_mM=1.8)
    assert lumen_totals(values) == {"calcium_mM": 1.8, "phosphate_mM": 1.1,
                                    "pyrophosphate_uM": 2.5, "magnesium_mM": 0.85}


def test_conversion_is_idempotent_and_the_inverse_of_the_speciation():
    values = _values(serum_phosphate_mM=2.0, serum_ph=7.2)
    frozen = dict(values)
    first = lumen_totals(values)
    assert lumen_totals(values) == first and values == frozen  # inputs untouched
    assert serum_boundary(values) == first  # the old name gives the same boundary
    # total -> free -> total: the same total
    t = first["calcium_mM"]
    free = _free_ca_mM(values, first)
    back = total_calcium_for_ionised_mM(free, 2.0, 7.2, 37.0, 0.85, 140.0)
    assert back == pytest.approx(t, rel=1e-11)
    # and ionised -> total -> free: the ionised value (F(F^-1(c)) = c)
    assert total_calcium_for_ionised_mM(0.0, 1.1) == 0.0


def test_conversion_is_cached_until_an_input_changes(monkeypatch):
    calls = []
    real = speciation_module.speciate

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(speciation_module, "speciate", counting)
    systemic._lumen_calcium_mM.cache_clear()
    values = _values(serum_calcium_mM=1.21)
    lumen_totals(values)
    n = len(calls)
    assert 2 <= n <= 8
    for _ in range(5):
        lumen_totals(values)
        lumen_totals({**values, "glucose_mM": 25.0, "serum_ppi_uM": 1.0})  # not inputs of it
    assert len(calls) == n
    lumen_totals({**values, "serum_phosphate_mM": 1.3})
    assert len(calls) > n


@pytest.mark.parametrize(("change", "names"), [
    ({"serum_calcium_mM": -0.1}, "ionised calcium must be finite and >= 0"),
    ({"serum_calcium_mM": float("nan")}, "ionised calcium must be finite"),
    ({"serum_ph": "high"}, "serum_ph"),
    ({"serum_phosphate_mM": -1.0}, "pi_mM must be finite and >= 0"),
])
def test_a_bad_input_is_a_one_line_parameter_error(change, names):
    with pytest.raises(ParameterError) as exc:
        lumen_totals({**_values(), **change})
    message = str(exc.value)
    assert names in message and "\n" not in message


def test_missing_inputs_are_named():
    values = _values()
    del values["serum_nacl_mM"]
    with pytest.raises(ParameterError, match="serum_nacl_mM: missing"):
        lumen_totals(values)
    with pytest.raises(ParameterError, match="setting: missing"):
        lumen_totals({k: v for k, v in _values().items() if k != "setting"})


def test_the_model_holds_the_converted_total_at_the_lumen():
    m = VascularModel(seed=1, lattice_rows=4, lattice_cols=6, serum_phosphate_mM=1.6)
    ionised = float(m.params.serum_calcium_mM)
    assert m.boundary["calcium_mM"] == pytest.approx(
        total_calcium_for_ionised_mM(ionised, 1.6, 7.4, 37.0, 0.85, 140.0), rel=1e-12)
    m.step()
    assert _free_ca_mM(m.systemic, m.boundary) == pytest.approx(ionised, rel=1e-10)
