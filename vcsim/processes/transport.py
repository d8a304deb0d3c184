"""Transport of the dissolved species through the wall, the lumen held at the serum values.

Backward Euler on the geometry (:class:`vcsim.transport.Transport`: spectral along the
periodic columns, tridiagonal across the rows), with the boundary values of the systemic
process at the lumen (and, in vitro, at the adventitia). What enters or leaves through the
boundaries is booked in the ledger, so the wall's calcium and phosphorus balance closes.
"""

from __future__ import annotations

from typing import Any

from vcsim.chemistry.phases import PPI_PHOSPHORUS
from vcsim.lattice import FieldSpec
from vcsim.outputs.registry import NON_NEGATIVE, Output, OutputGroup
from vcsim.processes.base import Process
from vcsim.processes.systemic import DISSOLVED_FIELDS
from vcsim.transport import Transport

DISSOLVED = (
    FieldSpec("calcium_mM", "mM (fluid)", "total dissolved calcium", "dissolved"),
    FieldSpec("phosphate_mM", "mM (fluid)", "total dissolved inorganic phosphate", "dissolved"),
    FieldSpec("pyrophosphate_uM", "uM (fluid)", "pyrophosphate", "dissolved"),
    FieldSpec("magnesium_mM", "mM (fluid)", "total dissolved magnesium", "dissolved"),
)


class Diffusion(Process):
    """Implicit diffusion of Ca, Pi, PPi and Mg with the lumen at serum values (module docstring)."""

    name = "transport"
    reads = tuple(f"field.{f.name}" for f in DISSOLVED) + ("boundary.*",)
    writes = tuple(f"field.{f.name}" for f in DISSOLVED) + ("ledger.boundary_calcium_in_umol",
                                                             "ledger.boundary_phosphorus_in_umol")
    parameters = ("calcium_diffusivity_um2_per_s", "phosphate_diffusivity_um2_per_s",
                  "pyrophosphate_diffusivity_um2_per_s", "magnesium_diffusivity_um2_per_s",
                  "media_tortuosity_factor", "temperature_c", "adventitia_boundary", "lumen_boundary",
                  "lumen_permeability_um_per_s", "porosity_fraction")
    fields = DISSOLVED

    def initial_values(self, params: Any) -> dict[str, float]:
        """Dissolved fields start at their serum values."""
        return {name: float(params[key]) for name, key in DISSOLVED_FIELDS.items()}

    def setup(self, model: Any) -> None:
        self.transport = Transport.from_params(model.params, model.geometry)

    def step(self, model: Any) -> None:
        entered = self.transport.step(model.lattice.fields, model.boundary, threads=model.threads)
        fluid = float(model.params.porosity_fraction) * 1e3  # mM x L of tissue -> umol of fluid
        model.ledger.add("boundary_calcium_in_umol", entered["calcium_mM"] * fluid)
        model.ledger.add("boundary_phosphorus_in_umol",
                         (entered["phosphate_mM"] + PPI_PHOSPHORUS * 1e-3 * entered["pyrophosphate_uM"]) * fluid)

    def outputs(self, model: Any) -> list:
        f = model.lattice.fields
        outs = [
            Output("pyrophosphate_mean_uM", "uM", "mean PPi of the pore fluid", "PPi", "chemistry",
                   domain=NON_NEGATIVE, source=self.name),
            Output("phosphate_mean_mM", "mM", "mean Pi of the pore fluid", "Pi", "chemistry",
                   domain=NON_NEGATIVE, source=self.name),
            Output("calcium_mean_mM", "mM", "mean dissolved Ca of the pore fluid", "Ca", "chemistry",
                   domain=NON_NEGATIVE, source=self.name),
        ]
        return [OutputGroup(outs, lambda m: {
            "pyrophosphate_mean_uM": float(f["pyrophosphate_uM"].mean()),
            "phosphate_mean_mM": float(f["phosphate_mM"].mean()),
            "calcium_mean_mM": float(f["calcium_mM"].mean()),
        }, self.name)]
