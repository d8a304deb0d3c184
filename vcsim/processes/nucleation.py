"""Nucleation of hydroxyapatite: stochastic events on templates, every one logged.

Expected events per site per hour come from five sources (:data:`SOURCES`;
:func:`vcsim.chemistry.nucleation.site_nucleation_rates`), each a classical-nucleation rate
times the inhibitor factor ``phi`` (cMGP in the matrix, systemic fetuin-A, PPi and Mg in the
fluid). Candidates are the sites where some source can fire: vesicles or apoptotic bodies with
an enriched supersaturation above 1, lamina sites and sites next to existing nuclei in
supersaturated fluid, and fluid supersaturated for ACP.

**Events by random time change** (Kurtz's representation of a Poisson process of intensity
``r(t)``: ``N(t) = Y(integral of r)``, with ``Y`` a unit-rate Poisson process; Anderson 2007
J Chem Phys 127:214107, the modified next reaction method). Each site carries its own unit-rate
clock: ``nucleation_clock`` is the internal time left to its next event, drawn as a unit
exponential. A step spends ``r_total dt`` of it; when it reaches 0 an event happens, the site's
event index ``k`` (``nucleation_draws_count``) advances and the next threshold is drawn,
``E_k = -ln(1 - u)``, ``u = U(seed, site, k)`` (several events in one step if the step spends
several thresholds). The draws are keyed by the site and its event index, not by the step, so a
seed gives the same sequence of thresholds at every dt: as dt shrinks, a run's events converge
to the events of the continuous-time process (first order), and a convergence study in dt
compares like with like. (Drawing ``u < 1 - exp(-r dt)`` anew each step, as before, has the
same distribution for the first event but a different sample at every dt.) The event's source
is drawn with probability ``r_source / r_total`` by a second uniform of the same (site, k)
(the first source whose cumulative share, in ``SOURCES`` order, exceeds it). An event adds one
nucleus at the site; a nucleating vesicle or apoptotic body becomes that nucleus (its count
falls by one). Every event is appended to the event log (time, site, S, source, inhibitor
factor).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vcsim.chemistry import nucleation as nuc
from vcsim.chemistry.nucleation import SOURCES
from vcsim.eventlog import NucleationLog
from vcsim.lattice import FieldSpec
from vcsim.outputs.registry import NON_NEGATIVE, Output, OutputGroup
from vcsim.processes.base import Process
from vcsim.rng import Purpose, exponential_at_events, uniform_at_events

#: candidate sites per block (bounds the temporaries)
BLOCK = 65536
LN10 = nuc.LN10


#: the nuclei field, shared with the reaction-transport process (which grows and dissolves them)
NUCLEI = FieldSpec("nuclei_count", "count / site", "stable HAP nuclei (growth sites)")
#: the site's unit-rate nucleation clock (random time change; module docstring)
CLOCK = FieldSpec("nucleation_clock", "1 (unit-rate time)", "internal time left to the site's next nucleation event")
DRAWS = FieldSpec("nucleation_draws_count", "count / site", "nucleation thresholds drawn at the site (its event index)")
#: at most this many events per site and step (a step spending more thresholds is far too long)
MAX_EVENTS_PER_STEP = 64


class Nucleation(Process):
    """Stochastic HAP nucleation on vesicles, apoptotic bodies, elastin, existing nuclei and
    in ACP-supersaturated fluid (module docstring)."""

    name = "nucleation"
    reads = ("field.hap_saturation_index", "field.acp_saturation_index", "field.vesicles_count",
             "field.vesicle_inhibition_fraction", "field.apoptotic_bodies_count", "field.nuclei_count",
             "field.cmgp_nM", "field.pyrophosphate_uM", "field.magnesium_mM", "field.nucleation_clock",
             "field.nucleation_draws_count", "input.fetuin_a_g_per_L", "input.temperature_c")
    writes = ("field.nuclei_count", "field.vesicles_count", "field.apoptotic_bodies_count",
              "field.nucleation_clock", "field.nucleation_draws_count", "log.nucleation")
    parameters = tuple(p for p in (
        "vesicle_j0_per_h", "vesicle_barrier_factor", "apoptotic_body_j0_per_h",
        "apoptotic_body_barrier_factor", "elastin_j0_per_h", "elastin_barrier_factor",
        "homogeneous_j0_per_m3_per_s", "secondary_j0_per_h", "secondary_barrier_factor",
        "hap_interfacial_energy_J_per_m2", "hap_formula_volume_m3", "acp_interfacial_energy_J_per_m2",
        "acp_formula_volume_m3", "vesicle_calcium_enrichment_factor",
        "vesicle_phosphate_enrichment_factor"))
    fields = (NUCLEI, CLOCK, DRAWS)

    def __init__(self) -> None:
        self.log = NucleationLog(SOURCES)
        self.new_by_source = dict.fromkeys(SOURCES, 0)

    def setup(self, model: Any) -> None:
        g = model.geometry
        self._lamina = g.lamina.reshape(-1)
        fluid_m3 = float(model.params.porosity_fraction) * g.site_volume_L_flat * 1e-3
        self._fluid_m3 = fluid_m3 if not g.uniform else float(fluid_m3[0])
        p = model.params
        self._log_enrichment = float(nuc.enriched_log_saturation(
            0.0, p.vesicle_calcium_enrichment_factor, p.vesicle_phosphate_enrichment_factor))

    def initialise(self, model: Any) -> None:
        """Every site's first threshold, ``E_0``: its clock starts a unit exponential away."""
        f = model.lattice.fields
        n = f["nucleation_clock"].size
        sites = np.arange(n)
        f["nucleation_draws_count"][...] = 0.0
        f["nucleation_clock"].reshape(-1)[...] = exponential_at_events(
            model.seed, sites, np.zeros(n, dtype=np.int64), n, Purpose.NUCLEATION_CLOCK)

    def step(self, model: Any) -> None:
        f, p, g = model.lattice.fields, model.params, model.geometry
        self.new_by_source = dict.fromkeys(SOURCES, 0)
        si = f["hap_saturation_index"].reshape(-1)
        si_acp = f["acp_saturation_index"].reshape(-1)
        ves = f["vesicles_count"].reshape(-1)
        abod = f["apoptotic_bodies_count"].reshape(-1)
        nuclei = f["nuclei_count"].reshape(-1)
        n_nb = None
        if p.secondary_j0_per_h > 0.0 and np.any(nuclei > 0):
            n_nb = g.count_neighbours(f["nuclei_count"] > 0).reshape(-1)
            n_nb = np.where(nuclei > 0, 0, n_nb)
        # candidates: templates where S (inside vesicles: enriched S) > 1, ACP-supersaturated fluid
        hap_pos = si > 0.0
        cand_mask = ((ves > 0) | (abod > 0)) & (si * LN10 + self._log_enrichment > 0.0)
        cand_mask |= hap_pos & self._lamina
        if n_nb is not None:
            cand_mask |= hap_pos & (n_nb > 0)
        cand_mask |= si_acp > 0.0
        cand = np.flatnonzero(cand_mask)
        if not cand.size:
            return
        fetuin, temp = float(model.systemic["fetuin_a_g_per_L"]), float(model.systemic["temperature_c"])
        inhib = f["vesicle_inhibition_fraction"].reshape(-1)
        cmgp, ppi, mg = (f[k].reshape(-1) for k in ("cmgp_nM", "pyrophosphate_uM", "magnesium_mM"))
        fluid = self._fluid_m3
        clock = f["nucleation_clock"].reshape(-1)
        draws = f["nucleation_draws_count"].reshape(-1)
        kept: list[tuple[np.ndarray, ...]] = []
        for start in range(0, cand.size, BLOCK):
            # every quantity is per site: blocks give the same values as one pass
            c = cand[start:start + BLOCK]
            phi = nuc.nucleation_inhibitor_factor(cmgp[c], fetuin, ppi[c], mg[c], p)
            rates = nuc.site_nucleation_rates(
                si[c], si_acp[c], ves[c], inhib[c], abod[c], self._lamina[c],
                None if n_nb is None else n_nb[c], phi, p, temp,
                fluid if np.ndim(fluid) == 0 else fluid[c])
            total = rates.sum(axis=0)
            clock[c] -= total * model.dt_h
            hit = (clock[c] <= 0.0) & (total > 0.0)
            if np.any(hit):
                kept.append((c[hit], rates[:, hit], total[hit], phi[hit]))
        if not kept:
            return
        sites = np.concatenate([k[0] for k in kept])
        rates_hit = np.concatenate([k[1] for k in kept], axis=1)
        total_hit, phi_hit = (np.concatenate([k[i] for k in kept]) for i in (2, 3))
        cum = np.cumsum(rates_hit, axis=0) / total_hit
        n_sites = clock.size
        srcs = []
        for _ in range(MAX_EVENTS_PER_STEP):
            # one event at each site whose clock ran out; the next threshold from its event index
            k = draws[sites].astype(np.int64)
            u = uniform_at_events(model.seed, sites, k, n_sites, Purpose.NUCLEATION_SOURCE)
            src = np.minimum((u[None, :] >= cum).sum(axis=0), len(SOURCES) - 1)
            # never pick a source with zero rate (guards round-off at slice edges)
            zero = rates_hit[src, np.arange(src.size)] <= 0.0
            if np.any(zero):
                src[zero] = np.argmax(rates_hit[:, zero], axis=0)
            factor = phi_hit * np.where(src == 0, 1.0 - np.clip(inhib[sites], 0.0, 1.0), 1.0)
            nuclei[sites] += 1.0
            is_v, is_ab = sites[src == 0], sites[src == 1]
            ves[is_v] = np.maximum(ves[is_v] - 1.0, 0.0)
            abod[is_ab] = np.maximum(abod[is_ab] - 1.0, 0.0)
            rows, cols = np.divmod(sites, g.cols)
            s_ratio = np.exp(np.minimum(si[sites] * LN10, 700.0))
            self.log.append(model.time_h, model.steps, rows, cols, s_ratio, src, factor)
            srcs.append(src)
            draws[sites] = k + 1
            clock[sites] += exponential_at_events(model.seed, sites, k + 1, n_sites, Purpose.NUCLEATION_CLOCK)
            more = clock[sites] <= 0.0
            if not np.any(more):
                break
            sites, rates_hit, cum, phi_hit = sites[more], rates_hit[:, more], cum[:, more], phi_hit[more]
        else:  # the step spent more thresholds than it may: the overdraft is dropped
            clock[sites] = 0.0
        src = np.concatenate(srcs)
        binc = np.bincount(src, minlength=len(SOURCES))
        self.new_by_source = {name: int(binc[i]) for i, name in enumerate(SOURCES)}

    def outputs(self, model: Any) -> list:
        outs = [Output("nucleation_events_new", "count", "nucleation events this step",
                       "nucleation events", "nucleation", domain=NON_NEGATIVE, source=self.name)]
        outs += [Output(f"nucleation_events_new_{s}", "count", f"nucleation events this step on {s.replace('_', ' ')}",
                        f"on {s.replace('_', ' ')}", "nucleation", domain=NON_NEGATIVE, source=self.name)
                 for s in SOURCES]
        outs.append(Output("nucleation_events_cumulative", "count", "nucleation events since the start",
                           "nucleation events (cumulative)", "nucleation", domain=NON_NEGATIVE, source=self.name))

        def compute(m: Any) -> dict[str, float]:
            new = self.new_by_source
            out = {"nucleation_events_new": int(sum(new.values()))}
            out.update({f"nucleation_events_new_{s}": int(new[s]) for s in SOURCES})
            out["nucleation_events_cumulative"] = len(self.log)
            return out

        total = Output("nucleation_events_total", "count", "nucleation events over the run",
                       "nucleation events (run)", "nucleation", kind="summary", domain=NON_NEGATIVE,
                       source=self.name)
        return [OutputGroup(outs, compute, self.name),
                OutputGroup([total], lambda m: {"nucleation_events_total": float(len(self.log))}, self.name)]

    def get_state(self) -> dict[str, Any]:
        return {"log": self.log.to_array(), "sources": list(SOURCES), "new_by_source": dict(self.new_by_source)}

    def set_state(self, state: dict[str, Any]) -> None:
        self.log = NucleationLog.from_array(np.asarray(state["log"]), SOURCES, state.get("sources"))
        self.new_by_source = {k: int(v) for k, v in state.get("new_by_source", {}).items()} or dict.fromkeys(SOURCES, 0)
