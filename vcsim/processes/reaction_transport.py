"""Reactions and transport of the dissolved species, solved together: one implicit step.

Over a step ``[t, t + dt]`` the pore fluid's calcium, phosphate and pyrophosphate (``c``), the
site's mineral ``M`` and the reactions between them are advanced by backward Euler as one
coupled system::

    V (c^{n+1} - c^n) = -dt K c^{n+1} + dt (boundary terms) + V (s_cells + dt r(c^{n+1}, M^{n+1}))
    M^{n+1} = M^n + dt (G(c^{n+1}, M^{n+1}) - Q(M^{n+1}))

with ``K`` the transport operator of :class:`vcsim.transport.Transport` (lumen at the serum
values), ``s_cells`` what cells and other processes put into the fluid this step (the
``*_source_*`` buffers, amounts over the step), and the reaction rates

- HAP growth or dissolution ``G = R_g - R_d`` (:mod:`vcsim.chemistry.growth`,
  :mod:`vcsim.chemistry.dissolution`) on the crystal surface of the site
  (:mod:`vcsim.chemistry.crystals`): it takes (gives) 10 Ca and 6 P per formula unit;
- cell-mediated resorption ``Q``, erosion of the crystal surface at the rate of the
  ``resorption_mol_per_m2_per_s`` field written by :mod:`vcsim.processes.resorption`, whose
  ions return to the fluid;
- TNAP hydrolysis ``h(PPi)`` (:mod:`vcsim.chemistry.tnap`): PPi -> 2 Pi.

Magnesium has no reaction here: it is transported first (its own backward-Euler solve) and the
reactions read its end-of-step value.

Solution. The reactions are local (per site) and the transport is linear, so the system is
solved by a fixed-point iteration on the reaction sources: from an iterate ``c^k`` the rates
give the sources, and one transport solve (FFT along the rows, tridiagonal across) gives
``c^{k+1}``. Local reactions are slow against local transport (a site exchanges its pore fluid
with its neighbours in ~0.1 s), so errors that vary along a row are damped by a factor ~(local
reaction rate) / (exchange rate) per iteration. What transport damps least are the row means,
which the lumen refills only across the wall; there the iteration takes a Newton step with the
row-mean Jacobian of the sources (Patankar 1980, "Numerical Heat Transfer and Fluid Flow",
s. 7.2: source-term linearisation), solved as one block-tridiagonal system across the rows
(:meth:`vcsim.transport.ImplicitStep.solve`). The iteration stops when no concentration changes
by more than ``reaction_transport_rtol`` of its largest value; if it has not converged within
``reaction_transport_max_iterations``, the same piece is solved again from its start by
Anderson acceleration of the same iteration (``reaction_transport_anderson_depth`` differences, at most
``reaction_transport_anderson_max_iterations`` iterations;
equivalent to GMRES for a linear map, so modes the plain iteration does not damp, as in wide or
deep walls, converge too), and only if that fails too is the step split into two halves
(recursively, at most ``reaction_transport_max_halvings`` times), each again backward Euler.
Once the plain iteration has stalled in a run, later pieces start with the accelerated one. A
run in which the plain iteration always converges is untouched by this fallback (the same bits
as without it).

Mass. After convergence the rates are evaluated once more at the last iterate and one final
transport solve uses exactly those sources, and the mineral is updated with the same rates, so
the mineral gained equals the ions the fluid lost to the bit of round-off, whether or not the
iteration had fully converged; the boundary inflow is booked in the ledger.

Order in time: first (backward Euler). The growth of a step is limited by kinetics and by the
supply of ions through the wall, not by the pore fluid of one site (what 0.1.0's split
scheme did): docs/convergence.md has the measured convergence as the step shrinks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from vcsim.chemistry import crystals, dissolution, growth, tnap
from vcsim.chemistry.nucleation import IONS_PER_FORMULA
from vcsim.chemistry.phases import (
    CALCIUM_MOLAR_MASS_G_PER_MOL,
    HAP_CALCIUM,
    HAP_PHOSPHATE,
    PPI_PHOSPHORUS,
    phases_from,
)
from vcsim.chemistry.speciation import LN10, speciate
from vcsim.lattice import FieldSpec
from vcsim.ledger import mineral_calcium_umol
from vcsim.outputs.registry import NON_NEGATIVE, UNIT_INTERVAL, Output, OutputGroup
from vcsim.processes.base import BufferSpec, Process
from vcsim.processes.nucleation import NUCLEI
from vcsim.processes.systemic import lumen_totals
from vcsim.transport import Transport

DISSOLVED = (
    FieldSpec("calcium_mM", "mM (fluid)", "total dissolved calcium", "dissolved"),
    FieldSpec("phosphate_mM", "mM (fluid)", "total dissolved inorganic phosphate", "dissolved"),
    FieldSpec("pyrophosphate_uM", "uM (fluid)", "pyrophosphate", "dissolved"),
    FieldSpec("magnesium_mM", "mM (fluid)", "total dissolved magnesium", "dissolved"),
)
#: the fields the reactions couple, in the order of the coupled solve
REACTIVE = ("calcium_mM", "phosphate_mM", "pyrophosphate_uM")
PASSIVE = ("magnesium_mM",)

#: what other processes put into the pore fluid this step (amount over the step, in the
#: field's concentration units); this process adds them to the fluid and clears them
SOURCES = tuple(BufferSpec(f"{field.split('_')[0]}_source_{field.split('_')[1]}", units,
                           f"{meaning} added to the site's pore fluid this step (cells, other processes)",
                           group="fluid_source")
                for field, units, meaning in (
                    ("calcium_mM", "mM (fluid)", "dissolved calcium"),
                    ("phosphate_mM", "mM (fluid)", "inorganic phosphate"),
                    ("pyrophosphate_uM", "uM (fluid)", "pyrophosphate")))
SOURCE_OF_FIELD = dict(zip(REACTIVE, (b.name for b in SOURCES), strict=True))

_IONS_HAP = IONS_PER_FORMULA["HAP"]
#: mM of P per uM of PPi
_P_PER_PPI = PPI_PHOSPHORUS * 1e-3


class ReactionTransport(Process):
    """Ca, Pi and PPi of the pore fluid with HAP growth, dissolution, resorption and TNAP,
    solved together by backward Euler; Mg transported (module docstring)."""

    name = "reaction_transport"
    reads = tuple(f"field.{f.name}" for f in DISSOLVED) + (
        "field.nuclei_count", "field.mineral_hap_mM", "field.cmgp_nM", "field.tnap_activity_uM_per_h",
        "field.resorption_mol_per_m2_per_s", "boundary.*", "input.serum_ph", "input.temperature_c",
        "input.serum_nacl_mM") + tuple(f"source.{b.name}" for b in SOURCES)
    writes = tuple(f"field.{f.name}" for f in DISSOLVED) + (
        "field.mineral_hap_mM", "field.nuclei_count", "ledger.boundary_calcium_in_umol", "ledger.boundary_phosphorus_in_umol")
    parameters = (
        "hap_growth_rate_mol_per_m2_per_s", "hap_growth_order_factor", "nucleus_seed_hap_amol",
        "hap_formula_volume_m3", "ppi_growth_half_uM", "mg_growth_half_mM", "cmgp_growth_half_nM",
        "hap_dissolution_log_k_neutral", "hap_dissolution_log_k_acid", "hap_dissolution_acid_order",
        "hap_dissolution_order_factor", "mineral_max_volume_fraction", "tnap_km_ppi_uM", "porosity_fraction",
        "calcium_diffusivity_um2_per_s", "phosphate_diffusivity_um2_per_s",
        "pyrophosphate_diffusivity_um2_per_s", "magnesium_diffusivity_um2_per_s",
        "media_tortuosity_factor", "temperature_c", "adventitia_boundary", "lumen_boundary",
        "lumen_permeability_um_per_s", "reaction_transport_rtol", "reaction_transport_max_iterations",
        "reaction_transport_max_halvings")
    fields = DISSOLVED + (
        NUCLEI,
        FieldSpec("mineral_hap_mM", "mmol HAP / L tissue", "hydroxyapatite, Ca10(PO4)6(OH)2"),
        FieldSpec("resorption_mol_per_m2_per_s", "mol HAP / m2 / s",
                  "rate at which cells erode the surface of the site's crystals (0: none)"),
    )
    buffers = SOURCES

    def __init__(self) -> None:
        self.iterations = 0
        self.substeps = 0
        self.resorbed_calcium_umol = 0.0
        self.dissolved_calcium_umol = 0.0
        self.grown_calcium_umol = 0.0

    def initial_values(self, params: Any) -> dict[str, float]:
        """Dissolved fields start at their lumen values (refined in :meth:`initialise`)."""
        return lumen_totals(params)

    # ------------------------------------------------------------------ setup
    def setup(self, model: Any) -> None:
        p, g = model.params, model.geometry
        diffusivity = Transport.from_params(p, g).diffusivity_um2_per_s
        kw = {"lumen": str(p.lumen_boundary), "lumen_permeability_um_per_s": float(p.lumen_permeability_um_per_s)}
        adventitia = Transport.from_params(p, g).adventitia
        self.reactive = Transport(g, model.dt_h, {k: diffusivity[k] for k in REACTIVE}, adventitia, **kw)
        self.passive = Transport(g, model.dt_h, {k: diffusivity[k] for k in PASSIVE}, adventitia, **kw)
        self.phases = phases_from(p)
        self._porosity = float(p.porosity_fraction)
        volume = g.site_volume_L_flat
        self._site_volume = float(volume[0]) if g.uniform else volume
        self._seed = crystals.seed_amount_mM(float(p.nucleus_seed_hap_amol), self._site_volume)
        self.anderson_from_start = False
        self._row = np.arange(g.n_sites) // g.cols
        self._scratch = {name: np.empty(g.shape) for name in REACTIVE}
        self._scratch2 = {name: np.empty(g.shape) for name in REACTIVE}

    def initialise(self, model: Any) -> None:
        """Start the fluid at its steady state with the cells' sources at t = 0 (no mineral):
        one backward-Euler solve over 10^6 h, whose storage term is then negligible. A closed
        box (no-flux lumen and adventitia) has no such steady state, and keeps the lumen values."""
        if self.reactive.lumen != "noflux" or self.reactive.adventitia != "noflux":
            self._advance(model, 1.0e6, sources_scale=1.0e6 / model.dt_h, book=False)
        self.anderson_from_start = False  # the 10^6-h start is harder than any step: steps try plain first
        self.iterations = self.substeps = 0
        for b in SOURCES:
            model.buffers[b.name][:] = 0.0

    # ------------------------------------------------------------------ the step
    def step(self, model: Any) -> None:
        f = model.lattice.fields
        self.iterations = self.substeps = 0
        self.resorbed_calcium_umol = self.dissolved_calcium_umol = self.grown_calcium_umol = 0.0
        self.passive.step(f, model.boundary, threads=model.threads)
        self._advance(model, model.dt_h, sources_scale=1.0, book=True)
        for b in SOURCES:
            model.buffers[b.name][:] = 0.0

    def _advance(self, model: Any, dt_h: float, *, sources_scale: float, book: bool) -> None:
        p = model.params
        max_halvings = int(p.reaction_transport_max_halvings)
        pieces = [(dt_h, 0)]
        while pieces:
            piece, depth = pieces.pop(0)
            if self._solve_piece(model, piece, sources_scale * piece / dt_h, book):
                self.substeps += 1
                continue
            if depth >= max_halvings:
                raise RuntimeError(
                    f"reaction_transport: no convergence at step {model.steps} even with the step split "
                    f"{2 ** depth} times (dt = {piece:g} h); raise reaction_transport_max_iterations or "
                    "reaction_transport_max_halvings, or lower dt_h")
            pieces[:0] = [(piece / 2.0, depth + 1), (piece / 2.0, depth + 1)]

    def _solve_piece(self, model: Any, dt_h: float, source_fraction: float, book: bool) -> bool:
        """One backward-Euler piece of length ``dt_h``; the fields change only on success."""
        f, p = model.lattice.fields, model.params
        sources = {name: model.buffers[SOURCE_OF_FIELD[name]].reshape(f[name].shape) * source_fraction
                   for name in REACTIVE}
        system = self.reactive.begin(f, model.boundary, dt_h=dt_h, threads=model.threads)
        rates = _Rates(self, model, dt_h)
        rtol, max_iter = float(p.reaction_transport_rtol), int(p.reaction_transport_max_iterations)
        current = {name: f[name] for name in REACTIVE}
        nxt = self._scratch
        spare = self._scratch2
        converged = False
        depth = int(p.reaction_transport_anderson_depth)
        # once the plain iteration has stalled in a run (a wall whose slow modes it does not
        # damp), later pieces go to the accelerated iteration at once instead of first
        # spending max_iter plain passes (kept in the checkpoint: a resumed run does the same)
        plain_iterations = 0 if (self.anderson_from_start and depth > 0) else max_iter
        for _ in range(plain_iterations):
            self.iterations += 1
            src, coupling = rates.evaluate(current, sources, jacobian=True)
            system.solve(src, nxt, mode0_coupling=coupling, mode0_iterate=system.mode0(current),
                         conserve=False)
            change = max(float(np.max(np.abs(nxt[n] - current[n]))) / max(float(np.max(np.abs(nxt[n]))), 1e-300)
                         for n in REACTIVE)
            current = {n: nxt[n] for n in REACTIVE}
            nxt, spare = spare, nxt
            if change <= rtol:
                converged = True
                break
        if not converged:
            if depth == 0:
                return False
            # the plain iteration did not contract (slowly damped modes of a wide or deep wall,
            # stiff sites): the same fixed point by Anderson acceleration, before splitting
            self.anderson_from_start = True
            rates = _Rates(self, model, dt_h)
            current = self._anderson(model, system, rates, sources, rtol,
                                     int(p.reaction_transport_anderson_max_iterations), depth)
            if current is None:
                return False
        src, _ = rates.evaluate(current, sources, jacobian=False)
        entered = system.solve(src, f, conserve=True)
        rates.commit(f)
        if book:
            fluid = self._porosity * 1e3  # mM x L of tissue -> umol of fluid
            model.ledger.add("boundary_calcium_in_umol", entered["calcium_mM"] * fluid)
            model.ledger.add("boundary_phosphorus_in_umol",
                             (entered["phosphate_mM"] + _P_PER_PPI * entered["pyrophosphate_uM"]) * fluid)
            grown, dissolved, resorbed = rates.amounts_umol()
            self.grown_calcium_umol += grown
            self.dissolved_calcium_umol += dissolved
            self.resorbed_calcium_umol += resorbed
        return True

    def _anderson(self, model: Any, system: Any, rates: _Rates, sources: dict[str, np.ndarray],
                  rtol: float, max_iter: int, depth: int) -> dict[str, np.ndarray] | None:
        """The fixed point ``c = T(c)`` of the iteration above (``T``: rates at ``c``, one
        transport solve) by Anderson acceleration (Walker & Ni 2011, SIAM J Numer Anal 49:1715;
        type II, the last ``depth`` differences, least squares on the residuals scaled by each
        field's largest value). For a linear map it is equivalent to GMRES, so it converges where
        the plain iteration's slowest mode does not contract. Returns the converged iterate, or
        None (the caller then splits the step)."""
        f = model.lattice.fields
        shape = f[REACTIVE[0]].shape
        n = int(np.prod(shape))

        def t_map(x: np.ndarray) -> np.ndarray:
            cur = {name: x[i * n:(i + 1) * n].reshape(shape) for i, name in enumerate(REACTIVE)}
            out = {name: np.empty(shape) for name in REACTIVE}
            src, coupling = rates.evaluate(cur, sources, jacobian=True)
            system.solve(src, out, mode0_coupling=coupling, mode0_iterate=system.mode0(cur), conserve=False)
            return np.concatenate([out[name].reshape(-1) for name in REACTIVE])

        x = np.concatenate([f[name].reshape(-1) for name in REACTIVE])
        gx = t_map(x)
        self.iterations += 1
        scale = np.concatenate([np.full(n, max(float(np.max(np.abs(gx[i * n:(i + 1) * n]))), 1e-300))
                                for i in range(len(REACTIVE))])
        d_g: list[np.ndarray] = []
        d_r: list[np.ndarray] = []
        r = (gx - x) / scale
        for _ in range(max_iter):
            if float(np.max(np.abs(r))) <= rtol:
                return {name: x[i * n:(i + 1) * n].reshape(shape) for i, name in enumerate(REACTIVE)}
            if d_r:
                a = np.stack(d_r, axis=1)
                gamma, *_ = np.linalg.lstsq(a, r, rcond=None)
                x_new = gx - np.stack(d_g, axis=1) @ gamma
            else:
                x_new = gx
            x_new = np.maximum(x_new, 0.0)  # concentrations stay non-negative
            gx_new = t_map(x_new)
            self.iterations += 1
            if not np.all(np.isfinite(gx_new)):
                return None
            r_new = (gx_new - x_new) / scale
            d_g.append(gx_new - gx)
            d_r.append(r_new - r)
            if len(d_r) > depth:
                d_g.pop(0)
                d_r.pop(0)
            x, gx, r = x_new, gx_new, r_new
        return None

    # ------------------------------------------------------------------ outputs
    def outputs(self, model: Any) -> list:
        p, g = model.params, model.geometry
        f = model.lattice.fields
        protein_mg = int(g.cell_sites.sum()) * p.protein_per_cell_ng * 1e-6
        threshold = float(p.calcified_threshold_mmol_per_L)
        mineral = f["mineral_hap_mM"]
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
            Output("mineral_grown_calcium_umol", "umol", "calcium taken into mineral by growth this step",
                   "Ca into mineral (growth)", "mineral", domain=NON_NEGATIVE, source=self.name),
            Output("mineral_dissolved_calcium_umol", "umol",
                   "calcium returned to the fluid by dissolution of mineral this step",
                   "Ca out of mineral (dissolution)", "mineral", domain=NON_NEGATIVE, source=self.name),
            Output("mineral_resorbed_calcium_umol", "umol",
                   "calcium returned to the fluid by cell-mediated resorption this step",
                   "Ca out of mineral (resorption)", "mineral", domain=NON_NEGATIVE, source=self.name),
            Output("pyrophosphate_mean_uM", "uM", "mean PPi of the pore fluid", "PPi", "chemistry",
                   domain=NON_NEGATIVE, source=self.name),
            Output("phosphate_mean_mM", "mM", "mean Pi of the pore fluid", "Pi", "chemistry",
                   domain=NON_NEGATIVE, source=self.name),
            Output("calcium_mean_mM", "mM", "mean dissolved Ca of the pore fluid", "Ca", "chemistry",
                   domain=NON_NEGATIVE, source=self.name),
            Output("reaction_transport_iterations", "count",
                   "iterations of the coupled reaction-transport solve this step (all pieces)",
                   "solver iterations", "numerics", domain=NON_NEGATIVE, source=self.name),
            Output("reaction_transport_substeps", "count",
                   "backward-Euler pieces the step took (1 unless it was split to converge)",
                   "solver pieces", "numerics", domain=NON_NEGATIVE, source=self.name),
        ]

        def compute(m: Any) -> dict[str, float]:
            ca_umol = mineral_calcium_umol(m)
            site_ca = HAP_CALCIUM * mineral
            calcified = (float((site_ca >= threshold).mean()) if threshold > 0
                         else float((site_ca > 0).mean()))
            return {"mineral_calcium_umol": ca_umol,
                    # ug Ca per mg protein of a confluent layer (protein fixed by the cell sites)
                    "calcium_content_ug_per_mg_protein": (ca_umol * CALCIUM_MOLAR_MASS_G_PER_MOL / protein_mg
                                                          if protein_mg > 0 else math.nan),
                    "calcified_fraction": calcified,
                    "mineral_grown_calcium_umol": self.grown_calcium_umol,
                    "mineral_dissolved_calcium_umol": self.dissolved_calcium_umol,
                    "mineral_resorbed_calcium_umol": self.resorbed_calcium_umol,
                    "pyrophosphate_mean_uM": float(f["pyrophosphate_uM"].mean()),
                    "phosphate_mean_mM": float(f["phosphate_mM"].mean()),
                    "calcium_mean_mM": float(f["calcium_mM"].mean()),
                    "reaction_transport_iterations": float(self.iterations),
                    "reaction_transport_substeps": float(self.substeps)}

        return [OutputGroup(outs, compute, self.name)]

    def get_state(self) -> dict[str, Any]:
        return {"iterations": self.iterations, "substeps": self.substeps,
                "anderson_from_start": bool(self.anderson_from_start),
                "grown_calcium_umol": self.grown_calcium_umol,
                "dissolved_calcium_umol": self.dissolved_calcium_umol,
                "resorbed_calcium_umol": self.resorbed_calcium_umol}

    def set_state(self, state: dict[str, Any]) -> None:
        self.iterations = int(state.get("iterations", 0))
        self.anderson_from_start = bool(state.get("anderson_from_start", False))
        self.substeps = int(state.get("substeps", 0))
        self.grown_calcium_umol = float(state.get("grown_calcium_umol", 0.0))
        self.dissolved_calcium_umol = float(state.get("dissolved_calcium_umol", 0.0))
        self.resorbed_calcium_umol = float(state.get("resorbed_calcium_umol", 0.0))


class _Rates:
    """The reaction sources of one backward-Euler piece, evaluated at an iterate.

    Crystal sites (nuclei or mineral) get HAP growth/dissolution and resorption; enzyme sites
    (TNAP > 0) get hydrolysis. ``evaluate`` returns the fluid sources over the piece and the
    row-mean Jacobian for the coupled mode-0 correction; ``commit`` writes the mineral of the
    last evaluation.
    """

    def __init__(self, proc: ReactionTransport, model: Any, dt_h: float):
        f, p, sy = model.lattice.fields, model.params, model.systemic
        self.proc, self.dt = proc, dt_h
        self.shape = f["calcium_mM"].shape
        self.rows = model.geometry.rows
        self.cols = model.geometry.cols
        self.por = proc._porosity
        flat = {k: f[k].reshape(-1) for k in ("nuclei_count", "mineral_hap_mM", "cmgp_nM", "magnesium_mM",
                                              "tnap_activity_uM_per_h", "resorption_mol_per_m2_per_s")}
        self.xtal = np.flatnonzero((flat["nuclei_count"] > 0.0) | (flat["mineral_hap_mM"] > 0.0))
        self.enz = np.flatnonzero(flat["tnap_activity_uM_per_h"] > 0.0)
        x = self.xtal
        self.m0 = flat["mineral_hap_mM"][x].copy()
        self.nuclei = flat["nuclei_count"][x]
        self.mg = flat["magnesium_mM"][x]
        self.cmgp = flat["cmgp_nM"][x]
        self.resorb = np.maximum(flat["resorption_mol_per_m2_per_s"][x], 0.0)
        self.vmax = flat["tnap_activity_uM_per_h"][self.enz]
        self.ph, self.temp, self.nacl = float(sy["serum_ph"]), float(sy["temperature_c"]), float(sy["serum_nacl_mM"])
        self.k_g = float(p.hap_growth_rate_mol_per_m2_per_s)
        self.n_g = float(p.hap_growth_order_factor)
        self.k_d = float(dissolution.dissolution_rate_constant(
            self.ph, float(p.hap_dissolution_log_k_neutral), float(p.hap_dissolution_log_k_acid),
            float(p.hap_dissolution_acid_order)))
        self.n_d = float(p.hap_dissolution_order_factor)
        self.k_ppi = float(p.ppi_growth_half_uM)
        self.km = float(p.tnap_km_ppi_uM)
        self.vf = float(p.hap_formula_volume_m3)
        seed, vol = proc._seed, proc._site_volume
        self.seed = seed if np.ndim(seed) == 0 else seed[x]
        self.vol = vol if np.ndim(vol) == 0 else vol[x]
        self.seeds = self.nuclei * self.seed  # N m_seed
        self.x0 = self.m0 + self.seeds
        self.coef = crystals.surface_coefficient(self.nuclei, self.vol, self.vf)
        self.x_max = crystals.mineral_capacity_mM(float(p.mineral_max_volume_fraction), self.vf)
        self.params = p
        self.row_x = proc._row[x]
        self.row_e = proc._row[self.enz]
        self.grown = np.zeros(0)
        self.dissolved = np.zeros(0)
        self.resorbed = np.zeros(0)
        self._m_new = self.m0
        self._emptied = np.zeros(self.m0.size, dtype=bool)

    def evaluate(self, c: dict[str, np.ndarray], cell_sources: dict[str, np.ndarray],
                 jacobian: bool) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        dt, por, x, e = self.dt, self.por, self.xtal, self.enz
        src = {n: np.array(cell_sources[n], dtype=np.float64, copy=True).reshape(-1) for n in REACTIVE}
        coupling = np.zeros((self.rows, 3, 3)) if jacobian else None
        if x.size:
            ca = np.maximum(c["calcium_mM"].reshape(-1)[x], 0.0)
            pi = np.maximum(c["phosphate_mM"].reshape(-1)[x], 0.0)
            ppi = np.maximum(c["pyrophosphate_uM"].reshape(-1)[x], 0.0)
            sp = speciate(ca, pi, self.ph, self.temp, self.mg, self.nacl, phases=self.proc.phases)
            with np.errstate(divide="ignore"):
                si = sp.saturation_index("HAP")
            s_gu = np.exp(np.maximum(si, -1000.0) * LN10 / _IONS_HAP)
            phi_g = growth.growth_inhibitor_factor(ppi, self.mg, self.cmgp, self.params)
            phi_d = dissolution.dissolution_inhibitor_factor(ppi, self.k_ppi)
            # rates per unit X^(2/3) (X = M + N m_seed): R = K X^(2/3), the surface A = C X^(2/3)
            coef = self.coef
            k_g = growth.growth_rate(s_gu, coef, self.k_g, self.n_g, phi_g)
            k_d = dissolution.dissolution_rate(s_gu, coef, self.k_d, self.n_d, phi_d)
            k_r = crystals.MM_PER_H_PER_MOL_PER_L_PER_S * self.resorb * coef
            step = _crystal_step(self.x0, self.seeds, self.m0, k_g, k_d, k_r, self.x_max, dt)
            m_new = step.mineral
            self._emptied = (m_new <= 0.0) & (k_d > k_g)  # the crystals dissolved completely
            change = m_new - self.m0
            self._m_new = m_new
            # what each route moved over the piece (mmol HAP / L tissue), for the outputs
            self.grown, self.dissolved, self.resorbed = step.grown, step.dissolved, step.resorbed
            src["calcium_mM"][x] -= HAP_CALCIUM * change / por
            src["phosphate_mM"][x] -= HAP_PHOSPHATE * change / por
            if jacobian:
                # d(change)/dS through K_g and K_d; dissolution_rate_slope is -dK_d/dS
                slope = (step.dm_dkg * growth.growth_rate_slope(s_gu, coef, self.k_g, self.n_g, phi_g)
                         - step.dm_dkd * dissolution.dissolution_rate_slope(s_gu, coef, self.k_d, self.n_d, phi_d))
                # d ln S_gu / d ln(total): 10/18 for Ca, 6/18 for P (free fractions held fixed)
                with np.errstate(divide="ignore", invalid="ignore"):
                    d_ca = np.where(ca > 0, slope * s_gu * (HAP_CALCIUM / _IONS_HAP) / ca, 0.0)
                    d_pi = np.where(pi > 0, slope * s_gu * (HAP_PHOSPHATE / _IONS_HAP) / pi, 0.0)
                # through the inhibitor factors, phi = 1 / (1 + PPi/K + ...): dK/dPPi = -K phi / K_ppi
                d_ppi = (-k_g * phi_g / self.params.ppi_growth_half_uM * step.dm_dkg
                         - k_d * phi_d / self.k_ppi * step.dm_dkd)
                for j, dx in enumerate((d_ca, d_pi, d_ppi)):  # d(change)/d c_j
                    coupling[:, 0, j] += _row_mean(self.row_x, HAP_CALCIUM / por * dx, self.rows, self.cols)
                    coupling[:, 1, j] += _row_mean(self.row_x, HAP_PHOSPHATE / por * dx, self.rows, self.cols)
        if e.size:
            ppi_e = c["pyrophosphate_uM"].reshape(-1)[e]
            hydrolysed = dt * tnap.tnap_rate(ppi_e, self.vmax, self.km)
            src["pyrophosphate_uM"][e] -= hydrolysed
            src["phosphate_mM"][e] += _P_PER_PPI * hydrolysed
            if jacobian:
                dh = dt * tnap.tnap_rate_slope(ppi_e, self.vmax, self.km)
                coupling[:, 2, 2] += _row_mean(self.row_e, dh, self.rows, self.cols)
                coupling[:, 1, 2] -= _row_mean(self.row_e, _P_PER_PPI * dh, self.rows, self.cols)
        return {n: a.reshape(self.shape) for n, a in src.items()}, coupling

    def commit(self, fields: dict[str, np.ndarray]) -> None:
        """Write the mineral of the last evaluation; crystals that dissolved completely are
        gone (their nuclei with them)."""
        if self.xtal.size:
            fields["mineral_hap_mM"].reshape(-1)[self.xtal] = self._m_new
            fields["nuclei_count"].reshape(-1)[self.xtal[self._emptied]] = 0.0

    def amounts_umol(self) -> tuple[float, float, float]:
        """Calcium moved into mineral by growth, out by dissolution and out by resorption over
        the piece (umol): 10 Ca per formula unit x mmol/L x L x 1e3."""
        v = self.vol
        return tuple(HAP_CALCIUM * 1e3 * float(np.sum(a * v)) for a in (self.grown, self.dissolved, self.resorbed))


@dataclass
class _CrystalStep:
    mineral: np.ndarray  # M at the end of the piece (mmol HAP / L tissue)
    dm_dkg: np.ndarray  # dM/dK_g
    dm_dkd: np.ndarray  # dM/dK_d (<= 0)
    grown: np.ndarray  # mineral added by growth over the piece
    dissolved: np.ndarray  # removed by dissolution
    resorbed: np.ndarray  # removed by resorption


#: classical Runge-Kutta sub-steps of the crystals' own equation per piece (module docstring)
CRYSTAL_SUBSTEPS = 8


def _crystal_step(x0: np.ndarray, seeds: np.ndarray, m0: np.ndarray, k_g: np.ndarray, k_d: np.ndarray,
                  k_r: np.ndarray, x_max: float, dt: float) -> _CrystalStep:
    """The crystals of each site over a piece, the fluid held at its end-of-piece state.

    With ``X = M + N m_seed`` the site's crystal volume (in mM), the surface rate laws give::

        dX/dt = (K_g (1 - X / X_max) - K_d - K_r) X^(2/3)

    with ``K_g``, ``K_d`` the growth and dissolution rates per unit ``X^(2/3)`` at that fluid,
    ``K_r`` the cells' resorption (erosion of the surface), and ``(1 - X/X_max)`` the
    impingement of crystals that fill the site (Avrami 1939; the site holds at most ``X_max``,
    :func:`vcsim.chemistry.crystals.mineral_capacity_mM`). In ``u = X^(1/3)``,
    ``du/dt = (K_g (1 - u^3/X_max) - K_d - K_r) / 3``: linear (exact) while the site is far
    from full, smooth near it, and free of the infinite slope ``X`` has at 0. It is integrated
    by :data:`CRYSTAL_SUBSTEPS` classical Runge-Kutta steps: a crystal's own surface feedback
    is followed accurately whatever the step (backward Euler on it would misjudge the fast early
    growth of fresh nuclei). The new mineral is ``max(u^3 - N m_seed, 0)``; with no growth
    (``K_g = 0``) mineral only falls.
    """
    h = dt / CRYSTAL_SUBSTEPS
    u = np.cbrt(x0)
    inv_max = 1.0 / x_max
    grown = np.zeros_like(u)
    lost_d = np.zeros_like(u)
    lost_r = np.zeros_like(u)

    def parts(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        v = np.maximum(v, 0.0)
        return k_g * (1.0 - np.minimum(v**3 * inv_max, 1.0)) / 3.0, k_d / 3.0, k_r / 3.0

    k_d = k_d + 0.0 * u  # per-site arrays for the route totals
    k_r = k_r + 0.0 * u
    for _ in range(CRYSTAL_SUBSTEPS):
        stages = []
        v = u
        for w in (0.5, 0.5, 1.0, None):
            g, d, r = parts(v)
            stages.append((g, d, r, v))
            if w is not None:
                v = u + w * h * (g - d - r)
        weights = (1.0, 2.0, 2.0, 1.0)
        du = sum(wt * (g - d - r) for wt, (g, d, r, _) in zip(weights, stages, strict=True)) * (h / 6.0)
        # the routes' shares of dX = 3 u^2 du, for the outputs
        for wt, (g, d, r, v) in zip(weights, stages, strict=True):
            dx = 3.0 * np.maximum(v, 0.0) ** 2 * (h / 6.0) * wt
            grown += dx * g
            lost_d += dx * d
            lost_r += dx * r
        u = np.maximum(u + du, 0.0)
    m_new = np.maximum(u**3 - seeds, 0.0)
    m_new = np.where(k_g <= 0.0, np.minimum(m_new, m0), m_new)
    # sensitivities for the row-mean Newton correction (explicit estimates: a preconditioner)
    room = 1.0 - np.minimum(u**3 * inv_max, 1.0)
    dm = np.where(m_new > 0.0, u * u * dt, 0.0)
    return _CrystalStep(m_new, dm * room, -dm, grown, np.minimum(lost_d, m0 + grown), lost_r)


def _row_mean(rows_of: np.ndarray, values: np.ndarray, rows: int, cols: int) -> np.ndarray:
    return np.bincount(rows_of, weights=values, minlength=rows) / cols
