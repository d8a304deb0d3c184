"""Cell-mediated resorption of mineral: the rate at which cells remove a site's mineral.

Interstitial fluid and serum are supersaturated for hydroxyapatite, so mineral in the wall does
not dissolve by itself (:mod:`vcsim.chemistry.dissolution`); arterial mineral nevertheless
regresses when its drivers are removed, by an active cellular process:

- aortic calcium of rats fell from 32.8 to 9.3 mg/g tissue within weeks of stopping calcitriol,
  "relatively rapid regression mediated by an active cellular process" (Bas et al. 2006,
  J Bone Miner Res 21:484);
- high vitamin K halved arterial calcium over 6 weeks after warfarin-induced calcification
  (Schurgers et al. 2007, Blood 109:2823);
- osteoclasts seeded onto calcified aortic elastin release its Ca and P (Simpson et al. 2007,
  Cardiovasc Pathol 16:29); multinucleated TRAP+, cathepsin K+ osteoclast-like cells sit next to
  calcified regions of human carotid plaques (Qiao et al. 2015, Exp Mol Pathol 99:654);
  monocytes and fibroblasts dissolve calcium phosphate crystals they contact in acidic
  lysosomes, blocked by chloroquine or NH4+ (Evans, Cheung & McCarty 1984, Calcif Tissue Int
  36:645).

The resorbing cells (monocyte-derived, osteoclast-like) are not agents of the model yet, so
their activity is a tissue rate: the mineral of every site is resorbed first order,
``dM/dt = -rho M`` (``rho`` = ``mineral_resorption_rate_per_day`` / 24 in vivo,
``mineral_resorption_in_vitro_rate_per_day`` / 24 in vitro, where cultures of VSMCs alone have no
osteoclast-like cells: 0 by default). The reaction-transport process applies it implicitly and
returns the ions to the pore fluid (acidification in the resorption compartment dissolves the
mineral; that compartment is not resolved). This process writes the rate field each step, so a
process that models the resorbing cells (macrophages) can replace it.
"""

from __future__ import annotations

from typing import Any

from vcsim.processes.base import Process


class MineralResorption(Process):
    """First-order resorption of mineral by the wall's resorbing cells (module docstring)."""

    name = "resorption"
    reads = ()
    writes = ("field.resorption_rate_per_h",)
    parameters = ("mineral_resorption_rate_per_day", "mineral_resorption_in_vitro_rate_per_day", "setting")

    def rate_per_h(self, params: Any) -> float:
        per_day = (params.mineral_resorption_in_vitro_rate_per_day if params.setting == "in_vitro"
                   else params.mineral_resorption_rate_per_day)
        return float(per_day) / 24.0

    def initialise(self, model: Any) -> None:
        model.lattice.fields["resorption_rate_per_h"][...] = self.rate_per_h(model.params)

    def step(self, model: Any) -> None:
        model.lattice.fields["resorption_rate_per_h"][...] = self.rate_per_h(model.params)
