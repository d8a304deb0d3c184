"""What a cell senses: its site's fluid and mineral, and the systemic inputs and drugs.

Every function is vectorised over the cells at sites ``idx`` and returns float64 arrays of
``len(idx)``. Systemic values are scalars shared by all cells (``systemic`` mapping, schedules
already applied by the model); interventions are read from ``systemic`` when present there
(they can be scheduled) and otherwise from ``params``.

Sensed signals (all dimensionless in [0, 1) unless the name says otherwise):

- ``phosphate_uptake_nmol_per_mg_per_h``: Pit-1 Na-Pi cotransport,
  ``J = Vmax * a * Pi / (Km + Pi)`` with Pit-1 activity
  ``a = pit1_expression * (1 - pit1_knockdown) * (1 - pit1_blocker)``.
- ``phosphate_signal``: Pit-1-dependent Pi signalling toward BMP2/Wnt/Runx2 and mTORC1,
  ``H(a * Pi; K, n)``. It is a separate, lower-affinity Hill term because transport by
  SLC20 carriers is near-saturated above ~0.3 mM (Km ~0.03-0.1 mM) whereas the osteogenic
  response rises steeply between 1.4 and 3 mM (Jono et al. 2000); Pit-1 signals to ERK1/2
  partly independently of transport (Chavkin et al. 2015, Exp Cell Res).
- ``tnf_signal``: ``H(TNF * (1 - anti_TNF); K, n)``; ``age_signal``, ``lipid_signal``: receptor
  occupancy ``x / (x + K)`` (AGE after the RAGE antagonist).
- ``ros_signal``: ``H(ros; K, n)`` of the cell's ROS state (n > 1: antioxidant buffering absorbs
  low ROS, so basal ROS signals little).
- ``glucose_rise_mM``: ``max(G - glucose_memory, 0)``, the un-adapted part of a glucose rise.
- ``serca_mg_activity``: ``H(Mg; K, n)``; SERCA uses Mg-ATP (seeds 000, 002).
- ``reduced_vitamin_k_index``: vitamin K hydroquinone supply,
  ``vk * ((1 - warfarin) + bypass)``; the bypass is the warfarin-insensitive reductase that lets
  high-dose vitamin K rescue carboxylation under warfarin.
- ``fetuin_loading_fraction``: ``F / (F + K)``, fetuin-A taken up by matrix vesicles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from vcsim import kernels
from vcsim.cells.state import CellState


@dataclass
class SiteInputs:
    """What the model gathers at the cells' sites, index-aligned with ``idx`` (float arrays)."""

    phosphate_mM: np.ndarray
    calcium_mM: np.ndarray
    magnesium_mM: np.ndarray
    pyrophosphate_uM: np.ndarray
    mineral_hap_mM: np.ndarray  # mmol HAP formula units per L tissue
    hap_saturation_index: np.ndarray  # log10(IAP/Ksp)

    @classmethod
    def constant(cls, n: int, phosphate_mM: float = 1.0, calcium_mM: float = 1.2,
                 magnesium_mM: float = 0.85, pyrophosphate_uM: float = 2.5,
                 mineral_hap_mM: float = 0.0, hap_saturation_index: float = 0.0) -> SiteInputs:
        """The same values at ``n`` sites (for tests and the cell model on its own)."""
        return cls(**{f.name: np.full(n, float(v), dtype=np.float64) for f, v in zip(
            fields(cls), (phosphate_mM, calcium_mM, magnesium_mM, pyrophosphate_uM,
                          mineral_hap_mM, hap_saturation_index), strict=True)})

    def take(self, sel: np.ndarray) -> SiteInputs:
        """The inputs of a subset of the cells (positions ``sel`` into ``idx``)."""
        return SiteInputs(**{f.name: np.asarray(getattr(self, f.name))[sel] for f in fields(self)})


#: signals computed by :func:`sense`, besides the site inputs themselves
SENSED_SIGNALS = (
    "phosphate_uptake_nmol_per_mg_per_h",
    "phosphate_signal",
    "tnf_signal",
    "age_signal",
    "lipid_signal",
    "ros_signal",
    "glucose_mM",
    "glucose_rise_mM",
    "serca_mg_activity",
    "reduced_vitamin_k_index",
    "fetuin_loading_fraction",
)
SITE_SIGNALS = tuple(f.name for f in fields(SiteInputs))
#: every name a rule in rules.csv may use as its signal
RULE_SIGNALS = frozenset(CellState.VARIABLES) | frozenset(SENSED_SIGNALS) | frozenset(SITE_SIGNALS)


def _int_power_inplace(r: np.ndarray, n: int) -> np.ndarray:
    """``r**n`` for an integer ``n >= 1`` by repeated squaring, overwriting ``r``.

    A few multiplications instead of ``pow`` (which numpy only short-cuts for n = 2): the Hill
    exponents of the cell model are integers and this is the hottest function of a step.
    Agrees with ``np.power`` to a few ulp.
    """
    acc = None
    while True:
        if n & 1:
            if acc is None:
                if n == 1:
                    return r
                acc = r.copy()
            else:
                np.multiply(acc, r, out=acc)
        n >>= 1
        if n == 0:
            return acc
        np.multiply(r, r, out=r)


def hill(x: np.ndarray | float, half_max: float, n: float) -> np.ndarray:
    """Increasing Hill function ``x^n / (K^n + x^n)`` for ``x >= 0`` (0 at x = 0, 1/2 at K).

    Evaluated as ``r / (1 + r)`` with ``r = (x/K)^n``; integer ``n`` (every exponent in the
    model) by multiplication, others by ``pow``. Scalars and arrays go through the same
    operations, so a cell gets the same bits whichever way it is evaluated.
    """
    scalar = np.ndim(x) == 0
    if kernels.usable(x) and kernels.int_exponent(n):
        return kernels.hill(x, half_max, kernels.int_exponent(n))  # one pass, same operations
    r = np.maximum(np.atleast_1d(np.asarray(x, dtype=np.float64)), 0.0)
    # in place on the one fresh temporary: the same operations, half the memory traffic
    np.divide(r, half_max, out=r)
    if float(n).is_integer() and 1 <= n <= 64:
        r = _int_power_inplace(r, int(n))
    else:
        np.power(r, n, out=r)
    out = np.divide(r, np.add(r, 1.0), out=r)
    return out[0] if scalar else out


def relax(x: np.ndarray, target: np.ndarray, rate_per_h: np.ndarray | float, dt_h: float) -> np.ndarray:
    """Exact solution over ``dt_h`` of ``dx/dt = rate * (target - x)`` with target and rate fixed.

    ``x(t+dt) = target + (x - target) * exp(-rate * dt)``: unconditionally stable, never
    overshoots the target, so a value between 0 and 1 stays there at any step size.
    """
    return target + (x - target) * np.exp(-np.asarray(rate_per_h) * dt_h)


def relax_tau(x: np.ndarray, target: np.ndarray, tau_h: float, dt_h: float) -> np.ndarray:
    """:func:`relax` with a time constant ``tau_h`` (rate 1/tau)."""
    decay = np.exp(-dt_h / tau_h)
    if np.ndim(decay) == 0 and kernels.usable(x, target):
        return kernels.relax_tau(x, target, float(decay))  # one pass, same operations
    return target + (x - target) * decay


def value(name: str, systemic: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
    """A systemic or intervention value: the scheduled one when present, else the parameter."""
    if name in systemic:
        return systemic[name]
    return params[name]


def fvalue(name: str, systemic: Mapping[str, Any], params: Mapping[str, Any]) -> float:
    return float(value(name, systemic, params))


def pit1_activity(rows: Mapping[str, np.ndarray], systemic: Mapping[str, Any],
                  params: Mapping[str, Any]) -> np.ndarray:
    """Functional Pit-1 relative to a healthy contractile cell (expression x knock-down x PFA)."""
    return rows["pit1_expression"] * (
        (1.0 - fvalue("pit1_knockdown_fraction", systemic, params))
        * (1.0 - fvalue("pit1_blocker_fraction", systemic, params))
    )


def phosphate_uptake_nmol_per_mg_per_h(phosphate_mM: np.ndarray, activity: np.ndarray,
                                       params: Mapping[str, Any]) -> np.ndarray:
    """Na-dependent Pi uptake by Pit-1: ``Vmax * activity * Pi / (Km + Pi)`` (nmol/mg protein/h)."""
    pi = np.maximum(phosphate_mM, 0.0)
    return params["pit1_uptake_vmax_nmol_per_mg_per_h"] * activity * pi / (
        params["pit1_uptake_km_mM"] + pi)


#: the cell state variables :func:`sense` reads
SENSE_READS = frozenset({"pit1_expression", "ros", "glucose_memory_mM"})


def sense(rows: Mapping[str, np.ndarray], site: SiteInputs, systemic: Mapping[str, Any],
          params: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Everything the cells sense this step (see the module docstring for each formula).

    ``rows`` are the cells' current state variables (float64, from :meth:`CellState.rows`).
    Returns the site inputs and the sensed signals as float64 arrays, by name.
    """
    n = len(rows["ros"])
    sig: dict[str, np.ndarray] = {
        name: np.asarray(getattr(site, name), dtype=np.float64) for name in SITE_SIGNALS
    }
    a = pit1_activity(rows, systemic, params)
    pi = np.maximum(sig["phosphate_mM"], 0.0)
    sig["phosphate_uptake_nmol_per_mg_per_h"] = phosphate_uptake_nmol_per_mg_per_h(pi, a, params)
    sig["phosphate_signal"] = hill(a * pi, params["pit1_signal_half_max_mM"], params["pit1_signal_hill"])

    tnf = fvalue("tnf_alpha_pg_per_mL", systemic, params) * (1.0 - fvalue("anti_tnf_fraction", systemic, params))
    age = fvalue("age_index", systemic, params) * (1.0 - fvalue("rage_antagonist_fraction", systemic, params))
    lipid = fvalue("lipid_index", systemic, params)
    sig["tnf_signal"] = np.full(n, float(hill(tnf, params["tnf_half_max_pg_per_mL"], params["tnf_signal_hill"])))
    sig["age_signal"] = np.full(n, age / (age + params["age_half_max_index"]))
    sig["lipid_signal"] = np.full(n, lipid / (lipid + params["lipid_half_max_index"]))
    sig["ros_signal"] = hill(rows["ros"], params["ros_half_max_index"], params["ros_signal_hill"])

    glucose = fvalue("glucose_mM", systemic, params)
    sig["glucose_mM"] = np.full(n, glucose)
    sig["glucose_rise_mM"] = np.maximum(glucose - rows["glucose_memory_mM"], 0.0)

    sig["serca_mg_activity"] = hill(sig["magnesium_mM"], params["serca_mg_half_max_mM"], params["serca_mg_hill"])

    vk = fvalue("vitamin_k_index", systemic, params)
    warfarin = fvalue("warfarin_vkorc1_inhibition_fraction", systemic, params)
    sig["reduced_vitamin_k_index"] = np.full(
        n, vk * ((1.0 - warfarin) + params["vitamin_k_warfarin_bypass_fraction"]))
    fetuin = fvalue("fetuin_a_g_per_L", systemic, params)
    sig["fetuin_loading_fraction"] = np.full(n, fetuin / (fetuin + params["fetuin_vesicle_half_max_g_per_L"]))
    return sig
