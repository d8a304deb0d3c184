"""The chemistry step on the lattice fields: TNAP, speciation, nucleation (logged), growth.

:func:`react` works on the fields of docs/ARCHITECTURE.md in place, vectorised over sites:

1. **TNAP** hydrolyses PPi -> 2 Pi in the pore fluid (exact Michaelis-Menten step,
   :mod:`vcsim.chemistry.tnap`), Vmax = ``tnap_activity_uM_per_h``.
2. **Speciation** of every site (:func:`vcsim.chemistry.speciation.speciate`) at the systemic
   pH, temperature and NaCl, with the site's Ca, Pi and Mg.
3. **Nucleation**: expected events per site per hour from five sources (``SOURCES``), each a
   CNT rate (:mod:`vcsim.chemistry.nucleation`) times the nucleation inhibitor factor
   ``phi`` (cMGP field, systemic fetuin-A, PPi field, Mg field):

   * ``vesicle``: ``n_MV (1 - vesicle_inhibition_fraction) J0_v phi exp(-f_v B / ln^2 S_v)``
     with ``S_v`` the HAP supersaturation inside a vesicle (Ca and PO4 activities enriched);
   * ``apoptotic_body``: ``n_AB J0_ab phi exp(-f_ab B / ln^2 S_v)`` (same enrichment);
   * ``elastin``: lamina sites, ``J0_el phi exp(-f_el B / ln^2 S)``;
   * ``homogeneous``: ACP precursor in the pore fluid, ``J_ACP(S_ACP) V_fluid 3600``
     (exactly 0 while the fluid is undersaturated for ACP, as serum is);
   * ``secondary``: sites without nuclei, per von Neumann neighbour holding nuclei,
     ``J0_sec phi exp(-f_sec B / ln^2 S)`` (spread of nodules and sheets).

   (B and ln S per growth unit.) One draw per candidate site and step,
   ``u = vcsim.rng.uniform(seed, step, site, Purpose.NUCLEATION)``; an event happens when
   ``u < P = 1 - exp(-r_total dt)`` and its source is the one whose slice of [0, P)
   (proportional to its rate, in ``SOURCES`` order) holds ``u`` (given an event, ``u/P`` is
   uniform, so the source is drawn with probability r_source / r_total without a second
   stream). An event adds one nucleus at the site; a nucleating vesicle or apoptotic body
   becomes that nucleus (its count falls by one). Every event is appended to the event log.
4. **Growth** of HAP at sites with nuclei (:func:`vcsim.chemistry.growth.grow`), consuming
   10 Ca and 6 Pi per formula unit and never taking the fluid below S = 1.

The ``hap_saturation_index`` field is written at the end (after growth), clipped at -1000
where Ca or Pi is absent.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableSequence
from typing import Any

import numpy as np
import pandas as pd

from vcsim.chemistry import growth as growthmod
from vcsim.chemistry import nucleation as nuc
from vcsim.chemistry import tnap as tnapmod
from vcsim.chemistry.speciation import LN10, phases_from, scratch, speciate
from vcsim.eventlog import ChunkedLog
from vcsim.parallel import map_blocks
from vcsim.params.chemistry import PARAMS as _CHEM_PARAMS
from vcsim.rng import Purpose, uniform

SOURCES: tuple[str, ...] = ("vesicle", "apoptotic_body", "elastin", "homogeneous", "secondary")
SI_FLOOR = -1000.0
#: candidate sites per block of the nucleation step (bounds its temporaries)
_NUCLEATION_BLOCK = 65536
#: float type of the lattice-wide speciation solve: float32 is ~1.5-2x faster and gives the
#: saturation indices to ~1e-5 (a log10 Ksp is known to ~0.1 at best); see speciate()
LATTICE_SOLVE_DTYPE = np.float32
_CHEM_DEFAULTS = {p.name: p.default for p in _CHEM_PARAMS}
#: used only when neither ``systemic`` nor ``params`` has the key (e.g. bare-keyword tests);
#: the values are the defaults of vcsim.params.systemic / simulation
_FALLBACK = {"serum_ph": 7.4, "temperature_c": 37.0, "serum_nacl_mM": 140.0,
             "fetuin_a_g_per_L": 0.7, "site_spacing_um": 10.0, "site_depth_um": 10.0}


class EventLog(ChunkedLog):
    """Nucleation events: ``time_h, step, row, col, saturation_ratio, source, inhibitor_factor``.

    ``saturation_ratio`` is the HAP S = IAP/Ksp (per Ca10(PO4)6(OH)2) of the site's fluid when
    the event happened; ``inhibitor_factor`` the factor in (0, 1] that multiplied the
    rate of the chosen source (the four-inhibitor product, times ``1 - vesicle_inhibition``
    for vesicles). Stored as float64 chunks (sources as integer codes into
    :meth:`source_names`); appended many events at a time.
    """

    COLUMNS = ("time_h", "step", "row", "col", "saturation_ratio", "source", "inhibitor_factor")

    def __init__(self, sources: tuple[str, ...] = SOURCES) -> None:
        super().__init__()
        self._sources = tuple(sources)

    def source_names(self) -> list[str]:
        return list(self._sources)

    def source_code(self, name: str) -> int:
        return self._sources.index(name)

    def append(self, time_h: float, step: int, rows: np.ndarray, cols: np.ndarray,
               saturation_ratio: np.ndarray, source: np.ndarray | str,
               inhibitor_factor: np.ndarray) -> None:
        """Append events given as arrays (``source``: integer codes or one name for all)."""
        codes = self.source_code(source) if isinstance(source, str) else source
        self._append_columns(time_h, step, np.asarray(rows), cols, saturation_ratio, codes,
                             inhibitor_factor)

    @classmethod
    def from_array(cls, arr: np.ndarray, source_names: list[str] | None = None) -> EventLog:
        """Rebuild from :meth:`to_array` (and :meth:`source_names`, if the codes came from
        another source list they are remapped to :data:`SOURCES`)."""
        log = cls()
        a = np.asarray(arr, dtype=np.float64).reshape(-1, 7).copy()
        if len(a):
            if source_names is not None and tuple(source_names) != log._sources:
                remap = np.array([log.source_code(s) for s in source_names], dtype=np.float64)
                a[:, 5] = remap[a[:, 5].astype(np.int64)]
            log._set_array(a)
        return log

    def counts_by_source(self) -> dict[str, int]:
        codes = self.to_array()[:, 5].astype(np.int64)
        counts = np.bincount(codes, minlength=len(self._sources))
        return {name: int(counts[i]) for i, name in enumerate(self._sources)}

    def to_frame(self) -> pd.DataFrame:
        """A DataFrame with the columns of :attr:`COLUMNS` (source as its name)."""
        a = self.to_array()
        names = np.array(self._sources, dtype=object)
        return pd.DataFrame(
            {
                "time_h": a[:, 0],
                "step": a[:, 1].astype(np.int64),
                "row": a[:, 2].astype(np.int64),
                "col": a[:, 3].astype(np.int64),
                "saturation_ratio": a[:, 4],
                "source": names[a[:, 5].astype(np.int64)] if len(a) else np.array([], dtype=object),
                "inhibitor_factor": a[:, 6],
            }
        )


def _value(name: str, *maps: Mapping[str, Any] | None) -> float:
    for m in maps:
        if m is not None and name in m:
            return float(m[name])
    if name in _CHEM_DEFAULTS:
        return float(_CHEM_DEFAULTS[name])
    return float(_FALLBACK[name])


def mineralised_neighbours(nuclei: np.ndarray) -> np.ndarray:
    """Number of von Neumann neighbours with nuclei > 0 (rows bounded, columns periodic)."""
    has = (nuclei > 0).astype(np.int8)
    out = np.roll(has, 1, axis=1) + np.roll(has, -1, axis=1)
    out[1:] += has[:-1]
    out[:-1] += has[1:]
    return out


def site_nucleation_rates(
    si_hap: np.ndarray,
    si_acp: np.ndarray | None,
    vesicles: np.ndarray,
    vesicle_inhibition: np.ndarray,
    apoptotic_bodies: np.ndarray,
    lamina: np.ndarray,
    mineral_neighbours: np.ndarray | None,
    inhibitor_factor: np.ndarray,
    params: Mapping[str, Any] | None = None,
    temperature_c: float = 37.0,
    fluid_volume_m3: float = 0.3e-15,
) -> np.ndarray:
    """Expected nucleation events per site per hour by source, shape (len(SOURCES), n).

    Args (1-D arrays over the same n sites):
        si_hap: HAP saturation index of the fluid (per Ca10(PO4)6(OH)2).
        si_acp: ACP saturation index (per Ca3(PO4)2), or None (no homogeneous term).
        vesicles, vesicle_inhibition, apoptotic_bodies: counts and MV inhibitor loading.
        lamina: bool, elastic-lamina sites.
        mineral_neighbours: neighbours holding nuclei (0 at sites that have nuclei), or None.
        inhibitor_factor: phi of :func:`vcsim.chemistry.nucleation.nucleation_inhibitor_factor`.
        params: chemistry parameters (defaults of :mod:`vcsim.params.chemistry` if missing).
        temperature_c: temperature (C) for the CNT barriers.
        fluid_volume_m3: pore-fluid volume of one site (homogeneous rate -> per site).
    """
    def par(name: str) -> float:
        return _value(name, params)

    nu_hap, nu_acp = nuc.IONS_PER_FORMULA["HAP"], nuc.IONS_PER_FORMULA["ACP"]
    b_hap = nuc.growth_unit_barrier_coefficient(
        par("hap_interfacial_energy_J_per_m2"), par("hap_formula_volume_m3"), nu_hap, temperature_c)
    enrich = 10.0 * np.log(par("vesicle_calcium_enrichment_factor")) \
        + 6.0 * np.log(par("vesicle_phosphate_enrichment_factor"))
    phi = inhibitor_factor
    ln_s = np.asarray(si_hap, dtype=float) * LN10
    ln_s_gu = ln_s / nu_hap
    ln_s_ves_gu = (ln_s + enrich) / nu_hap
    free_ves = np.asarray(vesicles) * (1.0 - np.clip(vesicle_inhibition, 0.0, 1.0))
    rates = np.zeros((len(SOURCES), ln_s.size))
    rates[0] = free_ves * nuc.nucleation_rate(
        par("vesicle_j0_per_h"), ln_s_ves_gu, b_hap, par("vesicle_barrier_factor"), phi)
    rates[1] = np.asarray(apoptotic_bodies) * nuc.nucleation_rate(
        par("apoptotic_body_j0_per_h"), ln_s_ves_gu, b_hap, par("apoptotic_body_barrier_factor"), phi)
    rates[2] = np.asarray(lamina, dtype=bool) * nuc.nucleation_rate(
        par("elastin_j0_per_h"), ln_s_gu, b_hap, par("elastin_barrier_factor"), phi)
    if si_acp is not None:
        b_acp = nuc.growth_unit_barrier_coefficient(
            par("acp_interfacial_energy_J_per_m2"), par("acp_formula_volume_m3"), nu_acp, temperature_c)
        ln_s_acp_gu = np.nan_to_num(np.asarray(si_acp, dtype=float), nan=-1.0) * LN10 / nu_acp
        j_hom = nuc.nucleation_rate(par("homogeneous_j0_per_m3_per_s"), ln_s_acp_gu, b_acp, 1.0, phi)
        rates[3] = nuc.events_per_site_per_h(j_hom, fluid_volume_m3)
    if mineral_neighbours is not None:
        rates[4] = np.asarray(mineral_neighbours) * nuc.nucleation_rate(
            par("secondary_j0_per_h"), ln_s_gu, b_hap, par("secondary_barrier_factor"), phi)
    return rates


def react(
    fields: dict[str, np.ndarray],
    lamina: np.ndarray | None,
    systemic: Mapping[str, Any] | None,
    params: Mapping[str, Any] | None,
    dt_h: float,
    seed: int,
    step: int,
    time_h: float,
    events: EventLog | MutableSequence | None,
    porosity: float,
    threads: int = 1,
    workspace: dict[str, np.ndarray] | None = None,
) -> dict[str, float]:
    """One chemistry step on the lattice (fields modified in place); see the module docstring.

    Args:
        fields: the lattice fields of docs/ARCHITECTURE.md (float64, shape (rows, cols)).
            Reads ``calcium_mM``, ``phosphate_mM``, ``magnesium_mM``, ``pyrophosphate_uM``,
            ``tnap_activity_uM_per_h``, ``vesicles_count``, ``vesicle_inhibition_fraction``,
            ``apoptotic_bodies_count``, ``cmgp_nM``, ``nuclei_count``, ``mineral_hap_mM``.
            Writes ``calcium_mM``, ``phosphate_mM``, ``pyrophosphate_uM``,
            ``mineral_hap_mM``, ``nuclei_count``, ``vesicles_count``,
            ``apoptotic_bodies_count``, ``hap_saturation_index``.
        lamina: bool mask of elastic-lamina sites (elastin nucleation), or None.
        systemic: values in force now (``serum_ph``, ``temperature_c``, ``serum_nacl_mM``,
            ``fetuin_a_g_per_L``); missing keys are read from ``params``.
        params: parameters (chemistry group; ``site_spacing_um``, ``site_depth_um``).
        dt_h: time step (h). seed, step: keys of the nucleation draws. time_h: logged time.
        events: an :class:`EventLog` (arrays appended) or a list (one dict per event).
        porosity: fluid volume fraction of a site.
        threads: run the TNAP block loop (long scipy calls, which overlap well) on up to this
            many threads; the same bits for any count (see :mod:`vcsim.parallel`).
        workspace: a dict kept by the caller between steps for the lattice-sized scratch
            arrays (speciation results, saturation indices): reused instead of allocated,
            which saves the page faults of ~70 MB of fresh memory per step at 10^6 sites.

    Returns:
        totals of this step: ``events_new`` and ``events_new_<source>`` (counts),
        ``calcium_to_mineral_umol``, ``phosphorus_to_mineral_umol``,
        ``ppi_hydrolysed_umol``, ``mineral_formed_mmol_per_L_sum`` (sum over sites of the
        HAP formed, mmol / L tissue), ``growing_sites``.
    """
    f = fields
    shape = f["calcium_mM"].shape
    n_sites = f["calcium_mM"].size
    ph = _value("serum_ph", systemic, params)
    temp = _value("temperature_c", systemic, params)
    nacl = _value("serum_nacl_mM", systemic, params)
    fetuin = _value("fetuin_a_g_per_L", systemic, params)

    def par(name: str) -> float:
        return _value(name, params)

    spacing = _value("site_spacing_um", params)
    depth = _value("site_depth_um", params)
    site_volume_L = spacing * spacing * depth * 1e-15
    fluid_volume_m3 = porosity * site_volume_L * 1e-3

    # 1. TNAP: PPi -> 2 Pi (exact MM step)
    ppi_hydrolysed_umol = 0.0
    tnap = f["tnap_activity_uM_per_h"]
    act = np.flatnonzero((tnap.ravel() > 0.0) & (f["pyrophosphate_uM"].ravel() > 0.0))
    if act.size:
        ppi_flat, pi_flat = f["pyrophosphate_uM"].reshape(-1), f["phosphate_mM"].reshape(-1)
        tnap_flat, km = tnap.ravel(), par("tnap_km_ppi_uM")
        hydrolysed = np.empty(act.size)  # summed once at the end: the same total to the bit

        def hydrolyse_block(start: int) -> None:
            sl = slice(start, start + _NUCLEATION_BLOCK)
            a = act[sl]
            ppi_flat[a], pi_flat[a], hydrolysed[sl] = tnapmod.hydrolyse(
                ppi_flat[a], pi_flat[a], tnap_flat[a], km, dt_h)

        map_blocks(hydrolyse_block, range(0, act.size, _NUCLEATION_BLOCK), threads)
        ppi_hydrolysed_umol = float(hydrolysed.sum()) * porosity * site_volume_L

    # 2. speciation of every site
    phases = phases_from(params)
    ws: dict[str, np.ndarray] = {} if workspace is None else workspace
    sp = speciate(f["calcium_mM"], f["phosphate_mM"], ph, temp, f["magnesium_mM"], nacl, phases=phases,
                  solve_dtype=LATTICE_SOLVE_DTYPE, workspace=ws.setdefault("speciation", {}),
                  threads=threads)
    la_oh = float(np.log10(sp.activities["OH-"].flat[0]))
    hap_const = 2.0 * la_oh - phases["HAP"].log_ksp(temp)
    acp_const = phases["ACP"].log_ksp(temp)
    # HAP and ACP saturation indices, block by block (small temporaries, same values)
    si_hap = scratch(ws, "si_hap", shape)
    si_acp_flat = scratch(ws, "si_acp", (n_sites,))
    si_hap_flat = si_hap.reshape(-1)
    # inside vesicles and apoptotic bodies the Ca and PO4 activities are enriched
    enrich = 10.0 * np.log(par("vesicle_calcium_enrichment_factor")) \
        + 6.0 * np.log(par("vesicle_phosphate_enrichment_factor"))
    template_supersaturated = scratch(ws, "template_supersaturated", (n_sites,), np.bool_)

    def saturation_block(item) -> None:
        sl, blk = item
        with np.errstate(divide="ignore", invalid="ignore"):
            la_ca = np.log10(blk.activities["Ca+2"]).reshape(-1)
            la_po4 = np.log10(blk.activities["PO4-3"]).reshape(-1)
        si_hap_flat[sl] = si_blk = 10.0 * la_ca + 6.0 * la_po4 + hap_const
        si_acp_flat[sl] = (3.0 * la_ca + 2.0 * la_po4) - acp_const
        template_supersaturated[sl] = si_blk * LN10 + enrich > 0.0

    for item in sp.blocks():
        saturation_block(item)
    del sp
    nu_hap = nuc.IONS_PER_FORMULA["HAP"]

    # 3. nucleation
    ves = f["vesicles_count"].ravel()
    abod = f["apoptotic_bodies_count"].ravel()
    nuclei_flat = f["nuclei_count"].reshape(-1)
    lam = np.zeros(n_sites, dtype=bool) if lamina is None else np.asarray(lamina, dtype=bool).ravel()
    si_flat = si_hap.ravel()
    j0_sec = par("secondary_j0_per_h")
    n_nb = None
    if j0_sec > 0.0 and np.any(nuclei_flat > 0):
        n_nb = mineralised_neighbours(f["nuclei_count"]).ravel()
        n_nb = np.where(nuclei_flat > 0, 0, n_nb)
    # candidates: templates where S (inside vesicles: enriched S) > 1, and ACP-supersaturated fluid
    hap_pos = si_flat > 0.0
    cand_mask = ((ves > 0) | (abod > 0)) & template_supersaturated
    cand_mask |= hap_pos & lam
    if n_nb is not None:
        cand_mask |= hap_pos & (n_nb > 0)
    cand_mask |= si_acp_flat > 0.0
    cand = np.flatnonzero(cand_mask)

    counts = dict.fromkeys(SOURCES, 0)
    if cand.size:
        # rates and draws per block of candidates (every quantity is per site, so blocks give
        # the same bits as one pass, with cache-sized temporaries); only hits are kept
        inhib_flat = f["vesicle_inhibition_fraction"].ravel()
        cmgp_flat, ppi_now, mg_now = (f[k].ravel() for k in ("cmgp_nM", "pyrophosphate_uM", "magnesium_mM"))
        kept: list[tuple[np.ndarray, ...]] = []
        for start in range(0, cand.size, _NUCLEATION_BLOCK):
            c = cand[start:start + _NUCLEATION_BLOCK]
            phi = nuc.nucleation_inhibitor_factor(cmgp_flat[c], fetuin, ppi_now[c], mg_now[c], params)
            rates = site_nucleation_rates(
                si_flat[c], si_acp_flat[c], ves[c], inhib_flat[c], abod[c], lam[c],
                None if n_nb is None else n_nb[c], phi, params, temp, fluid_volume_m3)
            total = rates.sum(axis=0)
            prob = nuc.event_probability(total, dt_h)
            u = uniform(seed, step, c, Purpose.NUCLEATION)
            hit = u < prob
            if np.any(hit):
                kept.append((c[hit], rates[:, hit], total[hit], prob[hit], u[hit], phi[hit]))
        if kept:
            sites = np.concatenate([k[0] for k in kept])
            rates_hit = np.concatenate([k[1] for k in kept], axis=1)
            total_hit, prob_hit, u_hit, phi_hit = (np.concatenate([k[i] for k in kept]) for i in range(2, 6))
            # source: the slice of [0, P) holding u, slices proportional to the rates
            frac = u_hit / prob_hit
            cum = np.cumsum(rates_hit, axis=0) / total_hit
            src = np.minimum((frac[None, :] >= cum).sum(axis=0), len(SOURCES) - 1)
            # never pick a source with zero rate (guards round-off at slice edges)
            zero = rates_hit[src, np.arange(src.size)] <= 0.0
            if np.any(zero):
                src[zero] = np.argmax(rates_hit[:, zero], axis=0)
            inhib = phi_hit * np.where(src == 0, 1.0 - np.clip(
                f["vesicle_inhibition_fraction"].ravel()[sites], 0.0, 1.0), 1.0)
            nuclei_flat[sites] += 1.0
            ves_flat = f["vesicles_count"].reshape(-1)
            ab_flat = f["apoptotic_bodies_count"].reshape(-1)
            is_v, is_ab = sites[src == 0], sites[src == 1]
            ves_flat[is_v] = np.maximum(ves_flat[is_v] - 1.0, 0.0)
            ab_flat[is_ab] = np.maximum(ab_flat[is_ab] - 1.0, 0.0)
            rows, cols = np.divmod(sites, shape[1])
            s_ratio = np.exp(np.minimum(si_flat[sites] * LN10, 700.0))
            _log_events(events, time_h, step, rows, cols, s_ratio, src, inhib)
            binc = np.bincount(src, minlength=len(SOURCES))
            counts = {name: int(binc[i]) for i, name in enumerate(SOURCES)}

    # 4. growth on nuclei
    growing = np.flatnonzero((nuclei_flat > 0) & (si_flat > 0.0))
    dm_sum = 0.0
    if growing.size:
        ca_flat = f["calcium_mM"].reshape(-1)
        pi_flat = f["phosphate_mM"].reshape(-1)
        mg_flat = f["magnesium_mM"].ravel()
        min_flat = f["mineral_hap_mM"].reshape(-1)
        phi_g = growthmod.growth_inhibitor_factor(
            f["pyrophosphate_uM"].ravel()[growing], mg_flat[growing], f["cmgp_nM"].ravel()[growing], params)
        s_gu = np.exp(si_flat[growing] * LN10 / nu_hap)
        seed_mM = growthmod.seed_amount_mM(par("nucleus_seed_hap_amol"), site_volume_L)
        out = growthmod.grow(
            ca_flat[growing], pi_flat[growing], min_flat[growing], nuclei_flat[growing], s_gu,
            porosity, dt_h, seed_mM, ph=ph, temperature_c=temp, magnesium_mM=mg_flat[growing],
            nacl_mM=nacl, inhibitor_factor=phi_g, params=params, phase=phases["HAP"])
        changed = out["growth_mM"] > 0.0
        g_idx = growing[changed]
        ca_flat[g_idx] = out["calcium_mM"][changed]
        pi_flat[g_idx] = out["phosphate_mM"][changed]
        min_flat[g_idx] = out["mineral_hap_mM"][changed]
        dm_sum = float(out["growth_mM"].sum())
        if g_idx.size:
            sp2 = speciate(ca_flat[g_idx], pi_flat[g_idx], ph, temp, mg_flat[g_idx], nacl, phases=phases)
            si_flat[g_idx] = sp2.saturation_index("HAP")

    np.maximum(si_hap, SI_FLOOR, out=f["hap_saturation_index"])

    total_events = sum(counts.values())
    result: dict[str, float] = {"events_new": total_events}
    for name in SOURCES:
        result[f"events_new_{name}"] = counts[name]
    umol = site_volume_L * 1e3  # mmol / L tissue per site -> umol
    result["calcium_to_mineral_umol"] = 10.0 * dm_sum * umol
    result["phosphorus_to_mineral_umol"] = 6.0 * dm_sum * umol
    result["ppi_hydrolysed_umol"] = ppi_hydrolysed_umol
    result["mineral_formed_mmol_per_L_sum"] = dm_sum
    result["growing_sites"] = int(growing.size)
    return result


def _log_events(events, time_h, step, rows, cols, s_ratio, src, inhib) -> None:
    if events is None:
        return
    if isinstance(events, EventLog):
        events.append(time_h, step, rows, cols, s_ratio, src, inhib)
        return
    for r, c, s, k, i in zip(rows.tolist(), cols.tolist(), s_ratio.tolist(), src.tolist(),
                             inhib.tolist(), strict=True):
        events.append({"time_h": time_h, "step": step, "row": r, "col": c, "saturation_ratio": s,
                       "source": SOURCES[k], "inhibitor_factor": i})
