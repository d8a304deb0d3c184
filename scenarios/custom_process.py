"""Add a mechanism from your own code: a new drug that inhibits Pit-1 phosphate transport.

vcsim's step is an ordered list of processes (``python run.py processes`` prints it). This
script adds one *cell process* without editing the package: a hypothetical Pit-1 inhibitor
that blocks a fraction ``f`` of Pit-1 transport in every VSMC. It runs right after the cells'
sensing and changes what they sensed:

    uptake'  = (1 - f) * uptake                       (Na-Pi cotransport through Pit-1)
    signal'  = H((1 - f) a Pi; K, n)                  (Pit-1-dependent Pi signalling to Runx2)

with ``a`` the cell's Pit-1 activity and ``H`` the Hill function of the shipped sensing
(vcsim.cells.vsmc.sensing). It is written in plain numpy over the cells it is given, so it
runs unchanged in the vector engine (chunks of all cells) and the agents engine (one Mesa agent
at a time), and it reports one output of its own (the mean Pi signal it took away), which
appears in the time series like every built-in output.

    python scenarios/custom_process.py --days 2
    python scenarios/custom_process.py --days 14 --inhibition 0.8 --scenario ckd --rows 24 --cols 60
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from vcsim import load_scenario, run
from vcsim.outputs import Output, OutputGroup
from vcsim.processes import CellProcess


class Pit1Inhibitor(CellProcess):
    """A drug blocking a fraction ``inhibition`` of Pit-1 transport (module docstring)."""

    name = "pit1_inhibitor"
    reads = ("signal.phosphate_mM", "signal.phosphate_uptake_nmol_per_mg_per_h", "vsmc.pit1_expression",
             "input.pit1_knockdown_fraction", "input.pit1_blocker_fraction",
             "input.pit1_signal_half_max_mM", "input.pit1_signal_hill")
    writes = ("signal.phosphate_uptake_nmol_per_mg_per_h", "signal.phosphate_signal")

    def __init__(self, inhibition: float = 0.5):
        if not 0.0 <= inhibition <= 1.0:
            raise ValueError(f"inhibition: {inhibition!r} is not allowed; expected a fraction in [0, 1]")
        self.inhibition = float(inhibition)

    def setup(self, model: Any, phase: Any) -> None:
        # what each cell lost this step, by site: summed in site order for the output, so the
        # vector engine (chunks) and the agents engine (one cell at a time, shuffled) agree
        self.removed = np.zeros(model.n_sites)

    def prepare(self, ctx: Any) -> None:
        self.removed[:] = 0.0

    def run(self, ctx: Any, idx: np.ndarray, buf: Any) -> None:
        p = ctx.inputs[0]
        s = buf.signals
        activity = ctx.population.state["pit1_expression"][idx] * (
            (1.0 - p.pit1_knockdown_fraction) * (1.0 - p.pit1_blocker_fraction)) * (1.0 - self.inhibition)
        r = (activity * np.maximum(s["phosphate_mM"], 0.0) / p.pit1_signal_half_max_mM) ** p.pit1_signal_hill
        new_signal = r / (1.0 + r)
        self.removed[idx] = s["phosphate_signal"] - new_signal
        s["phosphate_signal"] = new_signal
        s["phosphate_uptake_nmol_per_mg_per_h"] *= 1.0 - self.inhibition

    def outputs(self, model: Any) -> list[OutputGroup]:
        out = Output("pit1_inhibitor_signal_removed", "1",
                     "mean Pit-1 Pi signal the inhibitor took away per cell this step",
                     "Pi signal removed by the drug", source=self.name)
        def mean_removed(m: Any) -> dict[str, float]:
            alive = m.cells.alive_mask()
            return {out.name: float(self.removed[alive].sum()) / max(int(alive.sum()), 1)}

        return [OutputGroup([out], mean_removed, self.name)]


def with_inhibitor(inhibition: float):
    """A process editor: the default step with the inhibitor right after the VSMCs' sensing."""
    def edit(processes):
        return processes.insert_after("vsmc.sensing", Pit1Inhibitor(inhibition))
    return edit


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--days", type=float, default=2.0, help="simulated days per arm")
    ap.add_argument("--scenario", default="ckd", help="shipped scenario name or TOML file")
    ap.add_argument("--inhibition", type=float, default=0.8, help="fraction of Pit-1 transport blocked")
    ap.add_argument("--rows", type=int, default=12, help="lattice rows (sites across the wall)")
    ap.add_argument("--cols", type=int, default=30, help="lattice columns (sites along the wall)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (the same for both arms)")
    ap.add_argument("--engine", choices=("vector", "agents"), default="vector", help="engine")
    args = ap.parse_args(argv)
    if not 0.0 <= args.inhibition <= 1.0:
        print(f"error: --inhibition {args.inhibition} is not allowed; expected a fraction in [0, 1]",
              file=sys.stderr)
        return 2
    sc = load_scenario(args.scenario, overrides=[f"lattice_rows={args.rows}", f"lattice_cols={args.cols}"])
    plain = run(sc.make_model(seed=args.seed, engine=args.engine), args.days)
    drug = run(sc.make_model(seed=args.seed, engine=args.engine, processes=with_inhibitor(args.inhibition)),
               args.days)
    print(f"{sc.name}, {args.days:g} days, {args.rows} x {args.cols} sites, seed {args.seed}; "
          f"Pit-1 inhibitor blocking {args.inhibition:.0%} of transport")
    print(" ".join(drug.processes.names()))
    rows = ("mean_runx2", "fraction_osteogenic", "mean_tnap", "calcium_content_ug_per_mg_protein")
    print(f"{'output':40s} {'without':>12s} {'with drug':>12s}")
    for name in rows:
        print(f"{name:40s} {plain.stat(name):12.4g} {drug.stat(name):12.4g}")
    print(f"{'pit1_inhibitor_signal_removed':40s} {'':>12s} {drug.stat('pit1_inhibitor_signal_removed'):12.4g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
