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

Resorbing cells act on the mineral they touch: osteoclasts erode bone at its surface, and
macrophages and osteoclast-like cells dissolve the crystals they contact. So resorption is an
erosion of the crystal surface, ``r_res`` mol of HAP per m2 per s, the same surface the growth
and dissolution laws act on (:mod:`vcsim.chemistry.crystals`): ``dX/dt = -3.6e6 r_res A``. It
competes with growth on equal terms at every crystal size: where the growth drive of the
fluid, ``k_g phi_g (S_gu - 1)^n``, is below ``r_res``, crystals shrink and small ones vanish;
where it is above, mineral progresses, more slowly. The resorbing cells (monocyte-derived,
osteoclast-like) are not agents of the model yet, so ``r_res`` is a tissue rate:
``mineral_resorption_mol_per_m2_per_s`` in vivo and ``mineral_resorption_in_vitro_mol_per_m2_per_s``
in vitro, where cultures of VSMCs alone have no osteoclast-like cells (0 by default). The
reaction-transport process applies it with growth and returns the ions to the pore fluid
(acidification in the resorption compartment dissolves the mineral; that compartment is not
resolved). This process writes the rate field each step, so a process that models the resorbing
cells (macrophages) can replace it.
"""

from __future__ import annotations

from typing import Any

from vcsim.processes.base import Process


class MineralResorption(Process):
    """Erosion of the crystals' surface by the wall's resorbing cells (module docstring)."""

    name = "resorption"
    reads = ()
    writes = ("field.resorption_mol_per_m2_per_s",)
    parameters = ("mineral_resorption_mol_per_m2_per_s", "mineral_resorption_in_vitro_mol_per_m2_per_s",
                  "setting")

    def rate(self, params: Any) -> float:
        """``r_res`` (mol HAP / m2 / s) of the run's setting."""
        return float(params.mineral_resorption_in_vitro_mol_per_m2_per_s if params.setting == "in_vitro"
                     else params.mineral_resorption_mol_per_m2_per_s)

    def initialise(self, model: Any) -> None:
        model.lattice.fields["resorption_mol_per_m2_per_s"][...] = self.rate(model.params)

    def step(self, model: Any) -> None:
        model.lattice.fields["resorption_mol_per_m2_per_s"][...] = self.rate(model.params)
