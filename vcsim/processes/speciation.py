"""Speciation of the pore fluid at every site, and its saturation with HAP and ACP.

Free-ion activities from the site's total Ca, Pi and Mg at the systemic pH, temperature and
NaCl (:func:`vcsim.chemistry.speciation.speciate`), then the saturation indices
``SI = log10(IAP / Ksp)`` of hydroxyapatite (per Ca10(PO4)6(OH)2) and amorphous calcium
phosphate (per Ca3(PO4)2). They are written to the derived fields ``hap_saturation_index``
and ``acp_saturation_index`` (floored at -1000 where Ca or Pi is absent: log of zero). It runs
last in the step, on the fluid the reaction-transport process left, so the saturation fields
describe the state at the end of the step: what the outputs report, and what cells sense and
nucleation reads at the next step. At the start of a run it runs once on the starting fluid.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vcsim.chemistry.phases import phases_from
from vcsim.chemistry.speciation import BLOCK, speciate
from vcsim.lattice import FieldSpec
from vcsim.outputs.registry import Output, OutputGroup
from vcsim.processes.base import Process

SI_FLOOR = -1000.0


class Speciation(Process):
    """Ion speciation and HAP/ACP saturation indices of every site (module docstring)."""

    name = "speciation"
    reads = ("field.calcium_mM", "field.phosphate_mM", "field.magnesium_mM", "input.serum_ph",
             "input.temperature_c", "input.serum_nacl_mM")
    writes = ("field.hap_saturation_index", "field.acp_saturation_index")
    parameters = ("hap_pksp_25c", "hap_pksp_37c", "acp_pksp_25c", "acp_pksp_37c")
    fields = (
        FieldSpec("hap_saturation_index", "log10(IAP/Ksp)",
                  "HAP saturation index of the pore fluid, per Ca10(PO4)6(OH)2", "derived"),
        FieldSpec("acp_saturation_index", "log10(IAP/Ksp)",
                  "ACP saturation index of the pore fluid, per Ca3(PO4)2", "derived"),
    )

    def setup(self, model: Any) -> None:
        self.phases = phases_from(model.params)
        self.workspace: dict[str, np.ndarray] = {}

    def initialise(self, model: Any) -> None:
        self.step(model)

    def step(self, model: Any) -> None:
        f, sy = model.lattice.fields, model.systemic
        ph, temp, nacl = float(sy["serum_ph"]), float(sy["temperature_c"]), float(sy["serum_nacl_mM"])
        ws = self.workspace
        sp = speciate(f["calcium_mM"], f["phosphate_mM"], ph, temp, f["magnesium_mM"], nacl,
                      phases=self.phases, workspace=ws.setdefault("speciation", {}),
                      threads=model.threads)
        la_oh = float(np.log10(sp.activities["OH-"].flat[0]))
        hap, acp = self.phases["HAP"], self.phases["ACP"]
        n_ca, n_po4, n_oh = hap.count("Ca+2"), hap.count("PO4-3"), hap.count("OH-")
        hap_const = n_oh * la_oh - hap.log_ksp(temp)
        acp_const = acp.log_ksp(temp)
        si_hap = f["hap_saturation_index"].reshape(-1)
        si_acp = f["acp_saturation_index"].reshape(-1)
        # block by block: small temporaries, the same values
        for sl, blk in sp.blocks(BLOCK):
            with np.errstate(divide="ignore", invalid="ignore"):
                la_ca = np.log10(blk.activities["Ca+2"]).reshape(-1)
                la_po4 = np.log10(blk.activities["PO4-3"]).reshape(-1)
            np.maximum(n_ca * la_ca + n_po4 * la_po4 + hap_const, SI_FLOOR, out=si_hap[sl])
            np.maximum((acp.count("Ca+2") * la_ca + acp.count("PO4-3") * la_po4) - acp_const, SI_FLOOR,
                       out=si_acp[sl])

    def outputs(self, model: Any) -> list:
        f = model.lattice.fields
        outs = [
            Output("hap_saturation_index_mean", "log10(IAP/Ksp)", "mean HAP saturation index of the pore fluid",
                   "mean SI (HAP)", "chemistry", source=self.name),
            Output("hap_saturation_index_max", "log10(IAP/Ksp)", "largest HAP saturation index of the pore fluid",
                   "max SI (HAP)", "chemistry", source=self.name),
        ]
        return [OutputGroup(outs, lambda m: {
            "hap_saturation_index_mean": float(f["hap_saturation_index"].mean()),
            "hap_saturation_index_max": float(f["hap_saturation_index"].max()),
        }, self.name)]
