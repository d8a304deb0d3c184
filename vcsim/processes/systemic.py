"""Systemic inputs: the serum (in vivo) or medium (in vitro) values in force at each step.

At the start of each step the values of the ``systemic`` and ``interventions`` parameters are
taken at time t (:class:`vcsim.schedule.Schedule`: constant values, step changes, the glucose
square wave), the systemic pharmacology is applied (the phosphate binder,
:func:`effective_serum_phosphate_mM`), and the result is

- written into the model's input record (what every compiled rule reads: ``p.glucose_mM`` is
  the glucose now), and
- turned into the boundary value of each dissolved field at the lumen (:data:`DISSOLVED_FIELDS`,
  :func:`lumen_totals`).

The dissolved fields hold *total dissolved* concentrations (free ions plus the ion pairs of
:func:`vcsim.chemistry.speciation.speciate`) of the pore fluid, an ultrafiltrate of plasma: it
holds no protein, so the protein-bound share of serum Ca (~45 %, mostly albumin) is not in it,
and the ultrafilterable Ca is the free plus the complexed Ca (Walser 1961, J Clin Invest
40:723; Moore 1970, J Clin Invest 49:318: free Ca2+ is 67-90 % of ultrafilterable Ca). How each clinical input becomes a lumen total:

- ``serum_calcium_mM`` in vivo is the *ionised* (free) Ca2+, the substance concentration an
  ion-selective electrode reports (1.18 +- 0.05 mM, 2 SD, at pH 7.40: Fogh-Andersen et al.
  1978, Clin Chem 24:1545; mean 1.14 mM in Moore 1970), not an activity. The lumen total is the total dissolved Ca whose
  free Ca2+ in the model's speciation, at the serum's Pi, Mg, pH, temperature and NaCl, is
  the ionised value (:func:`~vcsim.chemistry.speciation.total_calcium_for_ionised_mM`):
  1.2 mM ionised gives 1.271 mM at the defaults (Pi 1.1, Mg 0.85, pH 7.4, 37 C, NaCl 140).
  Entered as the total it would leave 1.133 mM free (5.6 % too little).
  In vitro it is the medium's *total* Ca (culture media are made up by total: DMEM holds
  1.8 mM CaCl2; Dulbecco & Freeman 1959, Virology 8:396) and is used as is.
- ``serum_phosphate_mM`` is the total inorganic phosphate (the molybdate assay measures all
  orthophosphate; Fiske & SubbaRow 1925, J Biol Chem 66:375): used as the lumen total. Its
  ~12 % protein-bound share (Walser 1961) is counted as dissolved.
- ``serum_magnesium_mM`` is the total serum Mg (the clinical reference interval, 0.75-0.95 mM,
  is for total Mg; Elin 1987, Clin Chem 33:1965): used as the lumen total. Of serum Mg ~55 %
  is ionised, ~13 % complexed and ~32 % protein-bound (Walser 1961), so the protein-bound
  share is counted as dissolved here: the fluid's free Mg2+ is 0.79 mM at the default
  0.85 mM, against ~0.47 mM ionised Mg in serum (a known approximation, kept).
- ``serum_ppi_uM`` is the total plasma PPi (3.3 uM in healthy subjects, 2.3 uM in
  haemodialysis; ~30 % of it protein-bound; Lomashvili et al. 2005, J Am Soc Nephrol
  16:2495). The speciation holds no Ca-PPi complex: used as the lumen total.

The in-vivo Ca conversion is cached on its inputs (:data:`LUMEN_CALCIUM_INPUTS`): a run
converts again only when a schedule changes one of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from vcsim.chemistry.speciation import total_calcium_for_ionised_mM
from vcsim.params import ParameterError
from vcsim.processes.base import Process

#: Dissolved fields and the systemic parameter holding each one's serum (lumen) value.
DISSOLVED_FIELDS: dict[str, str] = {
    "calcium_mM": "serum_calcium_mM",
    "phosphate_mM": "serum_phosphate_mM",
    "pyrophosphate_uM": "serum_ppi_uM",
    "magnesium_mM": "serum_magnesium_mM",
}

_UNTREATED_PI_KEY = "serum_phosphate_untreated_mM"


def effective_serum_phosphate_mM(serum_phosphate_mM: float, phosphate_binder_fraction: float,
                                 target_mM: float = 1.1) -> float:
    """Serum Pi under a phosphate binder or dialysis.

    ``Pi_eff = Pi - f * max(Pi - Pi_target, 0)`` (mM): a binder removes the fraction ``f`` of
    the excess over ``target_mM``; it never pushes serum Pi below the target (renal and skeletal
    regulation defend normal Pi) and does nothing when serum Pi is already at or below it.
    """
    excess = max(float(serum_phosphate_mM) - float(target_mM), 0.0)
    return float(serum_phosphate_mM) - float(phosphate_binder_fraction) * excess


def apply_systemic_interventions(values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the systemic values with the systemic pharmacology applied.

    Only the phosphate binder acts on a serum value; every other intervention acts inside the
    cells. The untreated serum Pi is kept under ``serum_phosphate_untreated_mM`` so applying
    the function twice gives the same result.
    """
    out = dict(values)
    untreated = float(out.get(_UNTREATED_PI_KEY, out["serum_phosphate_mM"]))
    out[_UNTREATED_PI_KEY] = untreated
    out["serum_phosphate_mM"] = effective_serum_phosphate_mM(
        untreated,
        float(out.get("phosphate_binder_fraction", 0.0)),
        float(out.get("phosphate_binder_target_mM", 1.1)),
    )
    return out


#: the systemic values the lumen Ca conversion depends on (its cache key)
LUMEN_CALCIUM_INPUTS = ("serum_calcium_mM", "serum_phosphate_mM", "serum_magnesium_mM", "serum_ph",
                        "temperature_c", "serum_nacl_mM")


@lru_cache(maxsize=256)
def _lumen_calcium_mM(ionised_mM: float, pi_mM: float, mg_mM: float, ph: float,
                      temperature_c: float, nacl_mM: float) -> float:
    # cached: the systemic values are constant or step-wise in time, so a run converts only
    # when a schedule changes one of them (a few speciations, ~1 ms each)
    return total_calcium_for_ionised_mM(ionised_mM, pi_mM, ph, temperature_c, mg_mM, nacl_mM)


def lumen_calcium_mM(values: Mapping[str, Any]) -> float:
    """Total dissolved Ca (mM) at the lumen from the systemic values (module docstring).

    In vivo (``setting = "in_vivo"``): ``Ca_T`` with ``[Ca2+]_free(Ca_T; Pi, Mg, pH, T, NaCl)
    = serum_calcium_mM`` (the ionised Ca), ``Pi`` = ``serum_phosphate_mM`` after the phosphate
    binder and ``Mg`` = ``serum_magnesium_mM`` as the lumen holds them
    (:func:`~vcsim.chemistry.speciation.total_calcium_for_ionised_mM`, to 1e-12 relative;
    cached on :data:`LUMEN_CALCIUM_INPUTS`). In vitro: ``serum_calcium_mM`` (the medium's
    total Ca) as is.

    Raises:
        ParameterError: a value missing or that cannot be converted (one line naming it).
    """
    if "setting" not in values:
        raise ParameterError("setting: missing from the systemic values (in_vivo converts the "
                             "ionised serum_calcium_mM to a total, in_vitro does not)")
    if values["setting"] == "in_vitro":
        return float(values["serum_calcium_mM"])
    key = []
    for name in LUMEN_CALCIUM_INPUTS:
        if name not in values:
            raise ParameterError(f"{name}: missing from the systemic values (the lumen calcium "
                                 "needs it)")
        try:
            key.append(float(values[name]))
        except (TypeError, ValueError):
            raise ParameterError(f"{name}: {values[name]!r} is not a number") from None
    try:
        return _lumen_calcium_mM(*key)
    except (ValueError, RuntimeError) as exc:
        given = ", ".join(f"{k}={v:g}" for k, v in zip(LUMEN_CALCIUM_INPUTS, key, strict=True))
        raise ParameterError(f"lumen calcium from the ionised serum_calcium_mM ({given}): {exc}") from None


def lumen_totals(values: Mapping[str, Any]) -> dict[str, float]:
    """The lumen boundary value of each dissolved field (:data:`DISSOLVED_FIELDS`): the total
    dissolved concentration of the pore fluid, from the systemic values.

    ``calcium_mM``: :func:`lumen_calcium_mM` (ionised -> total in vivo); ``phosphate_mM``,
    ``magnesium_mM`` (mM) and ``pyrophosphate_uM`` (uM): the serum totals as given (module
    docstring says why each clinical value is a total).
    """
    out = {name: float(values[key]) for name, key in DISSOLVED_FIELDS.items()}
    out["calcium_mM"] = lumen_calcium_mM(values)
    return out


def serum_boundary(values: Mapping[str, Any]) -> dict[str, float]:
    """The lumen value of each dissolved field from the systemic values (:func:`lumen_totals`;
    this name is kept for callers of earlier versions)."""
    return lumen_totals(values)


class SystemicInputs(Process):
    """Systemic and intervention values at time t, the phosphate binder applied (module
    docstring)."""

    name = "systemic"
    reads = ("schedule",)
    writes = ("input.*", "boundary.*")

    def values_at(self, model: Any, t_h: float) -> dict[str, Any]:
        return apply_systemic_interventions(model.schedule.systemic_at(model.params, t_h))

    def setup(self, model: Any) -> None:
        self._apply(model, self.values_at(model, model.time_h))

    def step(self, model: Any) -> None:
        self._apply(model, self.values_at(model, model.time_h))

    @staticmethod
    def _apply(model: Any, values: dict[str, Any]) -> None:
        model.systemic = values
        model.inputs.update(values)
        model.boundary = lumen_totals(values)
