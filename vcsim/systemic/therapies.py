"""Therapies and disease inputs as parameters with a mechanism (a table, not outcome switches).

Each :class:`Therapy` names the parameter it sets, a usual value, the mechanism the model gives
it and where that mechanism acts. :func:`apply` returns parameters with the therapy on. Kidney
transplantation is not a parameter: it is a GFR schedule (:class:`~vcsim.systemic.PiecewiseLinear`
stepping GFR up) with haemodialysis stopped.
"""

from __future__ import annotations

from dataclasses import dataclass

from vcsim.params import ParameterError, Parameters


@dataclass(frozen=True)
class Therapy:
    """A therapy or disease input: the parameter, a usual value and its mechanism."""

    name: str
    parameter: str
    usual_value: float
    mechanism: str
    module: str


THERAPIES: tuple[Therapy, ...] = (
    Therapy(
        "calcium_acetate",
        "calcium_acetate_g_per_day",
        4.0,
        "binds luminal Pi (first-order, relative binding 1.0 per g) and adds 6.32 mmol Ca per g "
        "to the Ca lumen pool",
        "gut",
    ),
    Therapy(
        "sevelamer",
        "sevelamer_carbonate_g_per_day",
        4.8,
        "binds luminal Pi (relative binding 0.75 per g); no Ca load",
        "gut",
    ),
    Therapy(
        "lanthanum",
        "lanthanum_g_per_day",
        3.0,
        "binds luminal Pi (relative binding 2.0 per g); no Ca load",
        "gut",
    ),
    Therapy(
        "calcimimetic",
        "calcimimetic_casr_sensitisation_fraction",
        0.1,
        "sensitises the parathyroid CaSR: the PTH-Ca set point moves down by the fraction",
        "parathyroid",
    ),
    Therapy(
        "active_vitamin_d",
        "calcitriol_dose_ug_per_day",
        0.5,
        "oral calcitriol enters the calcitriol pool: more VDR-induced Ca and Pi absorption, "
        "less parathyroid capacity",
        "kidney (calcitriol pool), gut, parathyroid",
    ),
    Therapy(
        "parathyroidectomy",
        "parathyroid_remaining_mass_fraction",
        0.02,
        "removes parathyroid tissue: PTH secretion capacity falls to the remnant",
        "parathyroid",
    ),
    Therapy(
        "magnesium_supplement",
        "magnesium_supplement_mmol_per_day",
        10.0,
        "adds Mg to the Mg lumen pool (saturable absorption)",
        "gut",
    ),
    Therapy(
        "intravenous_magnesium",
        "intravenous_magnesium_mmol_per_day",
        32.0,
        "infuses Mg into the ECF (8 g MgSO4 a day)",
        "ECF",
    ),
    Therapy(
        "dialysate_magnesium",
        "dialysate_magnesium_mM",
        1.0,
        "raises the Mg concentration the dialyser equilibrates blood toward",
        "dialysis",
    ),
    Therapy(
        "proton_pump_inhibitor",
        "proton_pump_inhibitor_trpm6_inhibition_fraction",
        0.8,
        "blocks active TRPM6/7 intestinal Mg absorption",
        "gut",
    ),
    Therapy(
        "primary_hyperparathyroidism",
        "parathyroid_adenoma_mass_factor",
        2.0,
        "adds adenomatous parathyroid tissue with a raised set point (autonomous PTH)",
        "parathyroid",
    ),
)

_BY_NAME = {t.name: t for t in THERAPIES}


def apply(params: Parameters, name: str, value: float | None = None) -> Parameters:
    """``params`` with therapy ``name`` at ``value`` (default: its usual value)."""
    try:
        therapy = _BY_NAME[name]
    except KeyError:
        raise ParameterError(f"unknown therapy '{name}'; known: {', '.join(_BY_NAME)}") from None
    return params.updated({therapy.parameter: therapy.usual_value if value is None else value})
