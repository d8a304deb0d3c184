"""The patient around the artery: systemic CKD-MBD mineral metabolism (Ca, Pi, Mg, hormones).

A standalone model of the extracellular mineral pools, gut, kidney, bone, parathyroid, FGF23,
calcitriol, calciprotein particles and dialysis, stepped once per wall step. The wall model
reads :func:`serum` (or :func:`lumen_boundary`) as its lumen boundary values and may pass its
own mineral uptake back through :class:`SystemicInputs`. See ``docs/systemic.md``.

Typical use::

    from vcsim.params import default_parameters
    from vcsim import systemic

    p = default_parameters()
    state = systemic.steady_state(p)
    for step in range(24):
        state = systemic.advance(state, t_h=step * 1.0, dt_h=1.0, inputs=None, params=p)
    systemic.serum(state, p)["serum_phosphate_mM"]
"""

from vcsim.systemic.equilibrium import steady_state
from vcsim.systemic.inputs import PiecewiseLinear, SystemicInputs
from vcsim.systemic.integrator import advance
from vcsim.systemic.mineral_metabolism import lumen_boundary, serum
from vcsim.systemic.state import MineralState, body_totals, mass_balance_error

__all__ = [
    "MineralState",
    "PiecewiseLinear",
    "SystemicInputs",
    "advance",
    "body_totals",
    "lumen_boundary",
    "mass_balance_error",
    "serum",
    "steady_state",
]
