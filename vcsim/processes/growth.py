"""Growth of hydroxyapatite on the nuclei, consuming Ca and Pi from the pore fluid.

At sites with nuclei in supersaturated fluid, :func:`vcsim.chemistry.growth.grow` (parabolic
rate law on the crystals' surface, slowed by adsorbed PPi, Mg and cMGP; never taking the fluid
below saturation) adds mineral and removes 10 Ca and 6 P per formula unit from the fluid. The
grown sites are then speciated again, so the saturation index field holds the fluid after
growth.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vcsim.chemistry import growth as growthmod
from vcsim.chemistry.nucleation import IONS_PER_FORMULA
from vcsim.chemistry.phases import CALCIUM_MOLAR_MASS_G_PER_MOL, HAP_CALCIUM, phases_from
from vcsim.chemistry.speciation import LN10, speciate
from vcsim.lattice import FieldSpec
from vcsim.ledger import mineral_calcium_umol
from vcsim.outputs.registry import NON_NEGATIVE, UNIT_INTERVAL, Output, OutputGroup
from vcsim.processes.base import Process
from vcsim.processes.speciation import SI_FLOOR


class Growth(Process):
    """HAP growth on nuclei at HAP stoichiometry, saturation-limited (module docstring)."""

    name = "growth"
    reads = ("field.nuclei_count", "field.hap_saturation_index", "field.calcium_mM", "field.phosphate_mM",
             "field.magnesium_mM", "field.pyrophosphate_uM", "field.cmgp_nM", "field.mineral_hap_mM",
             "input.serum_ph", "input.temperature_c", "input.serum_nacl_mM")
    writes = ("field.mineral_hap_mM", "field.calcium_mM", "field.phosphate_mM", "field.hap_saturation_index")
    parameters = ("hap_growth_rate_per_h", "hap_growth_order_factor", "nucleus_seed_hap_amol",
                  "ppi_growth_half_uM", "mg_growth_half_mM", "cmgp_growth_half_nM", "porosity_fraction")
    fields = (FieldSpec("mineral_hap_mM", "mmol HAP / L tissue", "hydroxyapatite, Ca10(PO4)6(OH)2"),)

    def setup(self, model: Any) -> None:
        g, p = model.geometry, model.params
        self.phases = phases_from(p)
        seed = growthmod.seed_amount_mM(p.nucleus_seed_hap_amol, g.site_volume_L_flat)
        self._seed_mM = float(seed[0]) if g.uniform else seed
        self.formed_mmol_per_L_sum = 0.0
        self.growing_sites = 0

    def step(self, model: Any) -> None:
        f, p, sy = model.lattice.fields, model.params, model.systemic
        si = f["hap_saturation_index"].reshape(-1)
        nuclei = f["nuclei_count"].reshape(-1)
        growing = np.flatnonzero((nuclei > 0) & (si > 0.0))
        self.formed_mmol_per_L_sum = 0.0
        self.growing_sites = int(growing.size)
        if not growing.size:
            return
        ph, temp, nacl = float(sy["serum_ph"]), float(sy["temperature_c"]), float(sy["serum_nacl_mM"])
        ca, pi = f["calcium_mM"].reshape(-1), f["phosphate_mM"].reshape(-1)
        mg, mineral = f["magnesium_mM"].reshape(-1), f["mineral_hap_mM"].reshape(-1)
        phi_g = growthmod.growth_inhibitor_factor(
            f["pyrophosphate_uM"].reshape(-1)[growing], mg[growing], f["cmgp_nM"].reshape(-1)[growing], p)
        s_gu = np.exp(si[growing] * LN10 / IONS_PER_FORMULA["HAP"])
        seed = self._seed_mM if np.ndim(self._seed_mM) == 0 else self._seed_mM[growing]
        out = growthmod.grow(
            ca[growing], pi[growing], mineral[growing], nuclei[growing], s_gu,
            float(p.porosity_fraction), model.dt_h, seed, ph=ph, temperature_c=temp,
            magnesium_mM=mg[growing], nacl_mM=nacl, inhibitor_factor=phi_g, params=p,
            phase=self.phases["HAP"])
        changed = out["growth_mM"] > 0.0
        g_idx = growing[changed]
        ca[g_idx] = out["calcium_mM"][changed]
        pi[g_idx] = out["phosphate_mM"][changed]
        mineral[g_idx] = out["mineral_hap_mM"][changed]
        self.formed_mmol_per_L_sum = float(out["growth_mM"].sum())
        if g_idx.size:
            sp = speciate(ca[g_idx], pi[g_idx], ph, temp, mg[g_idx], nacl, phases=self.phases)
            si[g_idx] = np.maximum(sp.saturation_index("HAP"), SI_FLOOR)

    def outputs(self, model: Any) -> list:
        p, g = model.params, model.geometry
        protein_mg = int(g.cell_sites.sum()) * p.protein_per_cell_ng * 1e-6
        threshold = float(p.calcified_threshold_mmol_per_L)
        mineral = model.lattice.fields["mineral_hap_mM"]
        outs = [
            Output("mineral_calcium_umol", "umol", "calcium held in mineral over the wall",
                   "mineral Ca", "mineral", domain=NON_NEGATIVE, source=self.name),
            Output("calcium_content_ug_per_mg_protein", "ug Ca/mg protein",
                   "mineral calcium per mg protein of a confluent layer (in-vitro calcium assays "
                   "normalised to protein)", "calcium content", "mineral", domain=NON_NEGATIVE,
                   source=self.name),
            Output("calcified_fraction", "1", "share of sites whose mineral Ca exceeds the calcified "
                   "threshold (a staining-like threshold)", "calcified area", "mineral",
                   domain=UNIT_INTERVAL, source=self.name),
        ]

        def compute(m: Any) -> dict[str, float]:
            ca_umol = mineral_calcium_umol(m)
            site_ca = HAP_CALCIUM * mineral
            calcified = (float((site_ca >= threshold).mean()) if threshold > 0
                         else float((site_ca > 0).mean()))
            return {"mineral_calcium_umol": ca_umol,
                    # ug Ca per mg protein of a confluent layer (protein fixed by the cell sites)
                    "calcium_content_ug_per_mg_protein": ca_umol * CALCIUM_MOLAR_MASS_G_PER_MOL / protein_mg,
                    "calcified_fraction": calcified}

        return [OutputGroup(outs, compute, self.name)]
