"""The cell's own ions (vcsim.cells.vsmc.calcium): dose tables and a figure.

Prints, at the healthy reference (quiescent cell: GRP78 sequestration and ROS signal of the cell
model's steady state), the ER store filling and cytosolic Ca2+ against fluid Mg (0-3 mM, fluid
Ca 1.2 mM) and against fluid Ca (0-3 mM, fluid Mg 0.85 mM), and the factor of every Mg route of
the simulator at 0.2-3 mM (ion pairing, nucleation, growth, SERCA, PTH secretion and action).
Writes ``docs/cell_calcium_demo.png``. Runs in seconds.

    python scenarios/cell_calcium_demo.py [--out docs/cell_calcium_demo.png] [--markdown]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import vcsim.cells.vsmc.calcium as ca  # noqa: E402
from vcsim.params import default_parameters  # noqa: E402
from vcsim.params.cell_ions import REFERENCE  # noqa: E402
from vcsim.params.record import InputRecord  # noqa: E402

SQ, ROS = REFERENCE["sequestration_fraction"], REFERENCE["ros_signal"]
MG_DOSES = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.85, 1.0, 1.5, 2.0, 3.0)
CA_DOSES = (0.0, 0.1, 0.3, 0.5, 0.8, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0)
ROUTE_DOSES = (0.2, 0.5, 0.85, 1.0, 2.0, 3.0)
#: ionised / total serum Mg of the mineral group's normal state (0.468 / 0.85)
IONISED_SHARE = 0.55


def record():
    params = default_parameters()
    return params, InputRecord(params.schema, params).record


def mg_table(p, calcium_mM=1.2):
    rows = []
    for m in MG_DOSES:
        u = ca.cytosol_magnesium_target_mM(m, p)
        f, c = ca.quasi_steady_store(calcium_mM, u, SQ, ROS, p)
        share = ca.mg_atp_fraction(u, p.mgatp_kd_mM)
        rows.append((m, u, share, ca.serca_mgatp_activity(u, p), f, c))
    return rows


def ca_table(p, mg_fluid_mM=0.85):
    u = ca.cytosol_magnesium_target_mM(mg_fluid_mM, p)
    rows = []
    for x in CA_DOSES:
        f, c = ca.quasi_steady_store(x, u, SQ, ROS, p)
        fl = ca.calcium_fluxes(f, x, u, SQ, ROS, p)
        rows.append((x, f, c, fl[1], fl[2], fl[3] + fl[4], fl[5]))
    return rows


def route_table(params, p, phosphate_mM=1.1, calcium_mM=1.2):
    """Every Mg route at fluid Mg doses (factors as the code of this checkout computes them)."""
    from vcsim.chemistry.growth import growth_inhibitor_factor
    from vcsim.chemistry.nucleation import (
        growth_unit_barrier_coefficient,
        hill_inhibition,
        nucleation_rate,
    )
    from vcsim.chemistry.speciation import speciate

    k = dict(params)
    mg = np.asarray(ROUTE_DOSES)
    sp = speciate(calcium_mM, phosphate_mM, k["serum_ph"], k["temperature_c"], mg,
                  k["serum_nacl_mM"])
    si = np.asarray(sp.saturation_index("HAP"))
    conc = sp.concentrations
    p_total = phosphate_mM * 1e-3
    mg_pairs = (conc["MgHPO4"] + conc["MgH2PO4+"] + conc["MgPO4-"]) / p_total
    phi_nuc = hill_inhibition(mg, k["mg_nucleation_half_mM"], k["mg_nucleation_hill_factor"])
    b_gu = growth_unit_barrier_coefficient(k["hap_interfacial_energy_J_per_m2"],
                                           k["hap_formula_volume_m3"], 18, k["temperature_c"])
    elastin = nucleation_rate(1.0, si * math.log(10.0) / 18.0, b_gu, k["elastin_barrier_factor"],
                              phi_nuc)
    phi_growth = growth_inhibitor_factor(k["serum_ppi_uM"], mg, 0.0, k)
    phi_growth0 = growth_inhibitor_factor(k["serum_ppi_uM"], 0.0, 0.0, k)
    ion = IONISED_SHARE * mg

    def hill_up(x, half, n):
        return x**n / (x**n + half**n)

    pth_secretion = hill_up(ion, k["pth_secretion_magnesium_half_mM"],
                            k["pth_secretion_magnesium_hill_factor"])
    pth_action = hill_up(ion, k["pth_resistance_magnesium_half_mM"],
                         k["pth_resistance_magnesium_hill_factor"])
    store = [ca.quasi_steady_store(calcium_mM, ca.cytosol_magnesium_target_mM(m, p), SQ, ROS, p)[0]
             for m in ROUTE_DOSES]
    ref = ROUTE_DOSES.index(0.85)
    rows = []
    for i, m in enumerate(ROUTE_DOSES):
        rows.append((m, si[i], mg_pairs[i], phi_nuc[i], elastin[i] / elastin[ref],
                     phi_growth[i] / phi_growth0, store[i], pth_secretion[i], pth_action[i]))
    return rows


def markdown(p, params):
    out = ["Store filling and cytosolic Ca2+ vs fluid Mg (fluid Ca 1.2 mM):", "",
           "| fluid Mg (mM) | cytosolic free Mg (mM) | Mg-ATP share of ATP | SERCA Mg-ATP activity "
           "| store filling | cytosolic Ca2+ (uM) |", "|---|---|---|---|---|---|"]
    for m, u, fr, act, f, c in mg_table(p):
        out.append(f"| {m:g} | {u:.3f} | {fr:.3f} | {act:.3f} | {f:.4f} | {c:.4f} |")
    out += ["", "Store filling and cytosolic Ca2+ vs fluid Ca (fluid Mg 0.85 mM); "
            "fluxes amol/h/cell:", "",
            "| fluid Ca (mM) | store filling | cytosolic Ca2+ (uM) | PM leak | SOCE | PMCA + NCX "
            "| SERCA (= ER leak) |", "|---|---|---|---|---|---|---|"]
    for x, f, c, pm, soce, out_pm, serca in ca_table(p):
        out.append(f"| {x:g} | {f:.4f} | {c:.4f} | {pm:.1f} | {soce:.1f} | {out_pm:.1f} "
                   f"| {serca:.1f} |")
    out += ["", "Every Mg route vs fluid Mg (Ca 1.2 mM, Pi 1.1 mM, pH 7.4, 37 C; PTH terms at "
            "ionised "
            "Mg = 0.55 x total):", "",
            "| fluid Mg (mM) | HAP SI | Pi in Mg pairs | nucleation phi(Mg) "
            "| elastin nucleation rate (rel. 0.85) | growth factor (rel. no Mg) | ER store "
            "| PTH secretion g(Mg) | PTH action |",
            "|---|---|---|---|---|---|---|---|---|"]
    for m, si, pairs, phi, el, gr, f, sec, act in route_table(params, p):
        out.append(f"| {m:g} | {si:.3f} | {pairs:.3f} | {phi:.3f} | {el:.3f} | {gr:.3f} | {f:.4f} "
                   f"| {sec:.3f} | {act:.3f} |")
    return "\n".join(out)


#: the store rule this module replaced in vcsim.cells.vsmc.upr (removed after d0600b6, with its
#: parameters): SERCA 6/h x H(fluid Mg; 0.5 mM, 2), leak 1/h, both dimensionless rates
FORMER_RULE = {"serca_rate_per_h": 6.0, "serca_mg_half_max_mM": 0.5, "serca_mg_hill": 2.0,
               "er_leak_rate_per_h": 1.0}


def former_store(params, mg_fluid_mM):
    """The former rule: f* = S/(S + L), S = k_S H(Mg; K, n)(1 - r ros), L = k_L (1 + s sq), at
    the same reference stress, for comparison (it refilled the store from nothing)."""
    k = {**dict(params), **FORMER_RULE}
    act = mg_fluid_mM ** k["serca_mg_hill"] / (mg_fluid_mM ** k["serca_mg_hill"]
                                               + k["serca_mg_half_max_mM"] ** k["serca_mg_hill"])
    serca = k["serca_rate_per_h"] * act * (1.0 - k["serca_ros_inhibition_fraction"] * ROS)
    leak = k["er_leak_rate_per_h"] * (1.0 + k["er_leak_stress_factor"] * SQ)
    return act, serca / (serca + leak)


def figure(params, p, out: Path):
    mg = np.geomspace(0.005, 3.0, 120)
    cas = np.linspace(0.0, 3.0, 61)
    u = [ca.cytosol_magnesium_target_mM(m, p) for m in mg]
    store_mg = [ca.quasi_steady_store(1.2, x, SQ, ROS, p) for x in u]
    former = [former_store(params, m) for m in mg]
    u_ref = ca.cytosol_magnesium_target_mM(0.85, p)
    store_ca = [ca.quasi_steady_store(x, u_ref, SQ, ROS, p) for x in cas]
    fig, ax = plt.subplots(1, 3, figsize=(14, 4.0), constrained_layout=True)
    a = ax[0]
    a.plot(mg, u, label="cytosolic free Mg (mM)")
    a.plot(mg, [ca.mg_atp_fraction(x, p.mgatp_kd_mM) for x in u], label="Mg-ATP share of ATP")
    a.plot(mg, [ca.serca_mgatp_activity(x, p) for x in u], label="SERCA Mg-ATP activity")
    a.plot(mg, [t[0] for t in former], "k--", lw=1, label="former rule: H(fluid Mg; 0.5, 2)")
    a.axvspan(0.5, 1.0, color="0.9")
    a.set(xscale="log", xlabel="fluid Mg (mM)", title="fluid Mg -> cytosolic Mg -> Mg-ATP -> SERCA",
          ylim=(0, 1.05))
    a.legend(fontsize=7, loc="upper left")
    a = ax[1]
    a.plot(mg, [s[0] for s in store_mg], label="ER store filling (the model)")
    a.plot(mg, [s[1] * 5.0 for s in store_mg], label="cytosolic Ca2+ (uM x 5)")
    a.plot(mg, [t[1] for t in former], "k--", lw=1, label="former store rule (removed)")
    a.axvspan(0.5, 1.0, color="0.9")
    a.set(xscale="log", xlabel="fluid Mg (mM)", title="store vs fluid Mg (Ca 1.2 mM)",
          ylim=(0, 1.0))
    a.legend(fontsize=7, loc="lower right")
    a = ax[2]
    a.plot(cas, [s[0] for s in store_ca], label="ER store filling")
    a.plot(cas, [s[1] * 5.0 for s in store_ca], label="cytosolic Ca2+ (uM x 5)")
    a.axvline(1.2, color="0.6", ls=":")
    a.set(xlabel="fluid Ca (mM)", title="store vs fluid Ca (Mg 0.85 mM)", ylim=(0, 1.0))
    a.legend(fontsize=7, loc="lower right")
    fig.suptitle("vcsim.cells.vsmc.calcium at the quiescent reference (GRP78 sequestration 0.26); "
                 "grey: 0.5-1 mM", fontsize=9)
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[1] / "docs" / "cell_calcium_demo.png"
    ap.add_argument("--out", default=str(default))
    ap.add_argument("--markdown", action="store_true", help="print the tables only (markdown)")
    args = ap.parse_args(argv)
    params, p = record()
    print(markdown(p, params))
    if not args.markdown:
        figure(params, p, Path(args.out))
        print(f"\nwrote {args.out}")
        f, c = ca.quasi_steady_store(1.2, ca.cytosol_magnesium_target_mM(0.85, p), SQ, ROS, p)
        u = ca.cytosol_magnesium_target_mM(0.85, p)
        print(f"reference: store {f:.4f}, cytosolic Ca2+ {c:.4f} uM, "
              f"capacity {ca.store_capacity_amol(p):.1f} amol, "
              f"store tau {ca.store_time_constant_h(1.2, u, SQ, ROS, p) * 60:.1f} min, "
              f"cytosol tau {ca.cytosol_time_constant_s(f, 1.2, u, SQ, ROS, p):.1f} s, "
              f"cytosolic content {ca.cytosol_calcium_content_amol(c, p):.1f} amol, "
              f"SERCA margin {ca.serca_free_energy_margin_J_per_mol(f, c, p) / 1e3:.1f} kJ/mol")


if __name__ == "__main__":
    main()
