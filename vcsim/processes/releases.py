"""What the cells released this step goes into the matrix and into the pore fluid's sources.

The cell processes write their releases into per-site buffers (:data:`RELEASES`); this process
moves them on, then clears them:

- matrix vesicles, apoptotic bodies and MGP (carboxylated and not) turn over first order
  (lifetimes ``vesicle_lifetime_h``, ``apoptotic_body_lifetime_h``, half-life
  ``mgp_matrix_half_life_h``) while the cells deposit them at a constant rate over the step.
  The exact solution of ``dX/dt = P - X / tau`` over ``dt``::

      X' = X e^{-dt/tau} + P tau (1 - e^{-dt/tau})        (P dt = what was released this step)

  so the matrix does not depend on the step length. The vesicles' inhibitor loading becomes
  the count-weighted mean of what remains and what arrives;
- TNAP activity is that of the cells now on the site (the enzyme sits on them and on the
  vesicles they shed);
- what cells put into the pore fluid (PPi they exported, the net phosphate and calcium their
  own pools gave or took: :mod:`vcsim.cells.vsmc.ions`), in amol per site, becomes the fluid
  sources of the reaction-transport process in the fields' units (``amol x 1e-15 / V_pore``
  mM, ``x 1e-12`` uM), booked in the ledger as cell exchange.

At the start of a run (:meth:`Releases.initialise`) the matrix is put at the steady state of
the starting cells' expected releases: ``X = P tau`` for vesicles and MGP (the healthy tissue's
existing carboxylated MGP), no apoptotic bodies.
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
    ("ppi_release_amol", "amol", "PPi the cell on the site exported this step"),
    ("phosphate_to_fluid_amol", "amol P", "net inorganic phosphate the cell gave its site's fluid this step"),
    ("calcium_to_fluid_amol", "amol", "net calcium the cell gave its site's fluid this step"),
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
    FieldSpec("cmgp_nM", "nM (tissue)", "carboxylated MGP in the matrix"),
    FieldSpec("ucmgp_nM", "nM (tissue)", "uncarboxylated MGP in the matrix"),
)

#: release buffer -> (fluid source buffer of the reaction-transport process, amol -> units)
_TO_FLUID = {"ppi_release_amol": ("pyrophosphate_source_uM", 1e-12),
             "phosphate_to_fluid_amol": ("phosphate_source_mM", 1e-15),
             "calcium_to_fluid_amol": ("calcium_source_mM", 1e-15)}


def turnover(amount: np.ndarray, released: np.ndarray, dt_h: float, lifetime_h: float) -> None:
    """In place: ``X' = X e^{-dt/tau} + (released / dt) tau (1 - e^{-dt/tau})`` (module
    docstring), the exact solution for a constant deposition rate over the step."""
    decay = math.exp(-dt_h / lifetime_h)
    gain = -math.expm1(-dt_h / lifetime_h) * lifetime_h / dt_h
    amount *= decay
    amount += released * gain


class Releases(Process):
    """Cell releases into the matrix fields and the pore fluid's sources (module docstring)."""

    name = "releases"
    reads = tuple(f"release.{b.name}" for b in RELEASES)
    writes = tuple(f"field.{f.name}" for f in MATRIX_FIELDS) + (
        "source.pyrophosphate_source_uM", "source.phosphate_source_mM", "source.calcium_source_mM",
        "ledger.cell_phosphorus_released_umol", "ledger.cell_calcium_released_umol")
    parameters = ("vesicle_lifetime_h", "apoptotic_body_lifetime_h", "mgp_matrix_half_life_h",
                  "porosity_fraction")
    fields = MATRIX_FIELDS
    buffers = RELEASES

    def setup(self, model: Any) -> None:
        g = model.geometry
        pore = float(model.params.porosity_fraction) * g.site_volume_L_flat
        self._pore_L = float(pore[0]) if g.uniform else pore

    def initialise(self, model: Any) -> None:
        """The matrix at the steady state of the starting cells' expected releases (their
        cell phase's ``initialise`` filled the buffers with one step of them)."""
        f, r, p, dt = model.lattice.fields, model.release, model.params, model.dt_h
        shape = f["vesicles_count"].shape
        f["vesicles_count"][...] = r["vesicles_count"].reshape(shape) / dt * p.vesicle_lifetime_h
        np.copyto(f["vesicle_inhibition_fraction"], r["vesicle_inhibition_fraction"].reshape(shape))
        f["apoptotic_bodies_count"][...] = 0.0
        tau_mgp = p.mgp_matrix_half_life_h / math.log(2.0)
        f["cmgp_nM"][...] = r["cmgp_release_nM"].reshape(shape) / dt * tau_mgp
        f["ucmgp_nM"][...] = r["ucmgp_release_nM"].reshape(shape) / dt * tau_mgp
        np.copyto(f["tnap_activity_uM_per_h"], r["tnap_activity_uM_per_h"].reshape(shape))
        self._to_fluid(model, book=False)
        for name, arr in r.items():
            if name not in _TO_FLUID:
                arr[:] = 0.0

    def step(self, model: Any) -> None:
        f, r, p, dt = model.lattice.fields, model.release, model.params, model.dt_h
        shape = f["vesicles_count"].shape
        new_v = r["vesicles_count"].reshape(shape)
        old_v = f["vesicles_count"] * math.exp(-dt / p.vesicle_lifetime_h)
        gain_v = -math.expm1(-dt / p.vesicle_lifetime_h) * p.vesicle_lifetime_h / dt
        arriving = new_v * gain_v
        total_v = old_v + arriving
        # vesicle inhibitor loading: count-weighted mean of what remains and what arrives
        with np.errstate(invalid="ignore", divide="ignore"):
            mixed = (old_v * f["vesicle_inhibition_fraction"]
                     + arriving * r["vesicle_inhibition_fraction"].reshape(shape)) / total_v
        np.copyto(f["vesicle_inhibition_fraction"], mixed, where=total_v > 0)
        turnover(f["vesicles_count"], new_v, dt, p.vesicle_lifetime_h)
        turnover(f["apoptotic_bodies_count"], r["apoptotic_bodies_count"].reshape(shape), dt,
                 p.apoptotic_body_lifetime_h)
        tau_mgp = p.mgp_matrix_half_life_h / math.log(2.0)
        turnover(f["cmgp_nM"], r["cmgp_release_nM"].reshape(shape), dt, tau_mgp)
        turnover(f["ucmgp_nM"], r["ucmgp_release_nM"].reshape(shape), dt, tau_mgp)
        np.copyto(f["tnap_activity_uM_per_h"], r["tnap_activity_uM_per_h"].reshape(shape))
        self._to_fluid(model, book=True)
        for arr in r.values():
            arr[:] = 0.0

    def _to_fluid(self, model: Any, book: bool) -> None:
        """The cells' releases to the pore fluid (amol per site) into the fluid sources."""
        r, buffers = model.release, model.buffers
        for name, (target, scale) in _TO_FLUID.items():
            buffers[target] += r[name] * (scale / self._pore_L)
        if book:
            # amol -> umol: 1e-12; phosphorus of PPi: 2 P each
            model.ledger.add("cell_phosphorus_released_umol", 1e-12 * (
                float(r["phosphate_to_fluid_amol"].sum()) + PPI_PHOSPHORUS * float(r["ppi_release_amol"].sum())))
            model.ledger.add("cell_calcium_released_umol", 1e-12 * float(r["calcium_to_fluid_amol"].sum()))
        for name in _TO_FLUID:
            r[name][:] = 0.0

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
