"""What the cells released this step goes into the matrix and the pore fluid.

The cell processes write their releases into per-site buffers (:data:`RELEASES`); this process
moves them into the fields, then clears the buffers:

- matrix vesicles and apoptotic bodies turn over first-order (lifetimes
  ``vesicle_lifetime_h``, ``apoptotic_body_lifetime_h``; exact over the step), then this step's
  arrive; the vesicles' inhibitor loading becomes the count-weighted mean of what was there
  (after turnover) and what arrives;
- PPi made by the cells is added to the pore fluid (its phosphorus is booked in the ledger as
  released by cells);
- TNAP activity is that of the cells now on the site (the enzyme sits on them and on the
  vesicles they shed);
- carboxylated and uncarboxylated MGP accumulate in the matrix.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from vcsim.chemistry.phases import PPI_PHOSPHORUS
from vcsim.lattice import FieldSpec
from vcsim.outputs.registry import NON_NEGATIVE, Output, OutputGroup
from vcsim.processes.base import BufferSpec, Process

RELEASES = tuple(BufferSpec(name, units, meaning, group="release") for name, units, meaning in (
    ("vesicles_count", "count", "matrix vesicles released this step"),
    ("vesicle_inhibition_fraction", "1", "inhibitor loading of the vesicles released"),
    ("apoptotic_bodies_count", "count", "apoptotic bodies shed this step"),
    ("ppi_release_uM", "uM", "PPi added to the site's pore fluid this step"),
    ("tnap_activity_uM_per_h", "uM PPi/h", "TNAP Vmax of the cell on the site"),
    ("cmgp_release_nM", "nM (tissue)", "carboxylated MGP deposited this step"),
    ("ucmgp_release_nM", "nM (tissue)", "uncarboxylated MGP deposited this step"),
))

MATRIX_FIELDS = (
    FieldSpec("vesicles_count", "count / site", "matrix vesicles present (apoptotic bodies counted apart)"),
    FieldSpec("vesicle_inhibition_fraction", "1",
              "mean inhibitor loading of the vesicles at the site (0 none, 1 fully inhibited)"),
    FieldSpec("apoptotic_bodies_count", "count / site", "apoptotic bodies present"),
    FieldSpec("tnap_activity_uM_per_h", "uM PPi / h (Vmax)", "TNAP on cells and vesicles at the site"),
    FieldSpec("cmgp_nM", "nM (tissue)", "carboxylated MGP deposited in the matrix"),
    FieldSpec("ucmgp_nM", "nM (tissue)", "uncarboxylated MGP deposited in the matrix"),
)


class Releases(Process):
    """Cell releases into the matrix fields and the pore fluid (module docstring)."""

    name = "releases"
    reads = tuple(f"release.{b.name}" for b in RELEASES)
    writes = tuple(f"field.{f.name}" for f in MATRIX_FIELDS) + ("field.pyrophosphate_uM",
                                                                 "ledger.cell_phosphorus_released_umol")
    parameters = ("vesicle_lifetime_h", "apoptotic_body_lifetime_h", "porosity_fraction")
    fields = MATRIX_FIELDS
    buffers = RELEASES

    def step(self, model: Any) -> None:
        f, r, p = model.lattice.fields, model.release, model.params
        shape = f["vesicles_count"].shape
        new_v = r["vesicles_count"].reshape(shape)
        decay_v = math.exp(-model.dt_h / p.vesicle_lifetime_h)
        old_v = f["vesicles_count"] * decay_v
        total_v = old_v + new_v
        # vesicle inhibitor loading: count-weighted mean of what is there and what arrives
        with np.errstate(invalid="ignore", divide="ignore"):
            mixed = (old_v * f["vesicle_inhibition_fraction"]
                     + new_v * r["vesicle_inhibition_fraction"].reshape(shape)) / total_v
        np.copyto(f["vesicle_inhibition_fraction"], mixed, where=total_v > 0)
        # first-order turnover of what was already in the matrix (exact over dt), then arrivals
        f["vesicles_count"] *= decay_v
        f["vesicles_count"] += new_v
        f["apoptotic_bodies_count"] *= math.exp(-model.dt_h / p.apoptotic_body_lifetime_h)
        f["apoptotic_bodies_count"] += r["apoptotic_bodies_count"].reshape(shape)
        ppi = r["ppi_release_uM"].reshape(shape)
        f["pyrophosphate_uM"] += ppi
        np.copyto(f["tnap_activity_uM_per_h"], r["tnap_activity_uM_per_h"].reshape(shape))
        f["cmgp_nM"] += r["cmgp_release_nM"].reshape(shape)
        f["ucmgp_nM"] += r["ucmgp_release_nM"].reshape(shape)
        # PPi (uM) x pore fluid (L) = umol of PPi; 2 P per PPi (written as mM of P x L x 1e3)
        fluid = p.porosity_fraction
        model.ledger.add("cell_phosphorus_released_umol",
                         PPI_PHOSPHORUS * 1e-3 * fluid * model.geometry.integrate(ppi) * 1e3)
        for arr in r.values():
            arr[:] = 0.0

    def outputs(self, model: Any) -> list:
        f = model.lattice.fields
        outs = [
            Output("vesicles_total_count", "count", "matrix vesicles in the wall", "matrix vesicles",
                   "matrix", domain=NON_NEGATIVE, source=self.name),
            Output("apoptotic_bodies_total_count", "count", "apoptotic bodies in the wall",
                   "apoptotic bodies", "matrix", domain=NON_NEGATIVE, source=self.name),
            Output("cmgp_mean_nM", "nM", "mean carboxylated MGP in the matrix", "cMGP", "matrix",
                   domain=NON_NEGATIVE, source=self.name),
            Output("ucmgp_mean_nM", "nM", "mean uncarboxylated MGP in the matrix", "ucMGP", "matrix",
                   domain=NON_NEGATIVE, source=self.name),
        ]
        return [OutputGroup(outs, lambda m: {
            "vesicles_total_count": float(f["vesicles_count"].sum()),
            "apoptotic_bodies_total_count": float(f["apoptotic_bodies_count"].sum()),
            "cmgp_mean_nM": float(f["cmgp_nM"].mean()),
            "ucmgp_mean_nM": float(f["ucmgp_nM"].mean()),
        }, self.name)]
