"""Robustness of the validation claims: a Morris screening over the parameters no anchor sets.

A claim that passes only at the shipped values of parameters nobody measured is fragile. This
module moves those parameters, in groups named after the mechanism they belong to, through a
Morris design (Morris 1991 Technometrics 33:161; groups as in Campolongo, Cariboni & Saltelli
2007 Environ Model Softw 22:1509, with SALib's ``morris`` sampler and analyser), reruns every
arm of the claims at each design point and records, per claim and point, the effect and the
verdict.

Which parameters: the float parameters of the mechanism groups (``cells``, ``cell_ions``,
``chemistry``, ``transport``; not the serum inputs, interventions, geometry or numerics) that no
calibration anchor lists in ``sets``, without the measured physical constants of :data:`FIXED`. Their range: the shipped value times a factor between
``1/f`` and ``f`` (log scale; default f = 2), clipped to the parameter's bounds. Most of these
values are single literature values or stated reasons without a reported uncertainty; a factor
of two either way is the stated reason for the range.

Outputs of :func:`screen` (``out``):

- ``robustness_points.csv``: one row per (design point, claim): the point's factors, the
  claim's effect and verdict, and the arms whose runs failed there (``error``: the chemistry
  did not converge at those parameter values; the claim counts as failed);
- ``robustness.csv``: one row per (claim, group): Morris mu* of the claim's effect (in units of
  the effect at the shipped values, so groups compare across claims), sigma, and the claim's
  pass rate over the design;
- ``robustness.md``: the claims that fail at some design point ("fragile"), with the groups
  that move them most.

Cost: ``trajectories x (groups + 1)`` design points, each running every arm of the claims for
every seed. The verdicts use the same statistics as the suite (:mod:`vcsim.validation.statistics`).
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vcsim.validation.design import Arm, Claim, SuiteConfig
from vcsim.validation.statistics import evaluate_claims
from vcsim.validation.table import ValidationTable, shipped_table

#: parameter groups that hold mechanisms (the others are inputs, interventions and numerics)
MECHANISM_GROUPS = ("cells", "cell_ions", "chemistry", "transport")
#: mechanism groups of the screening: (name, regular expression on the parameter name); a
#: parameter belongs to the first group whose pattern it matches, else to "other"
PARAMETER_GROUPS: tuple[tuple[str, str], ...] = (
    ("ros_glucose", r"ros|glucose|oxidative"),
    ("autophagy_mtorc1", r"autophag|mtorc1|sestrin"),
    ("apoptosis", r"caspase|jnk|apoptos|death|chop_persistence"),
    ("osteogenic", r"runx2|commitment|contractile|tnap|pit1|osteogenic|bmp"),
    ("upr", r"perk|ire1|atf6|atf4|chop|xbp1|grp78|eif2a|gadd34|unfolded|folding|erad|chaperone|"
            r"protein_synthesis|stress_|basal_degradation"),
    ("inhibitors", r"fetuin|mgp|ppi|enpp1|pyrophosph|magnesium"),
    ("vesicles_nucleation", r"vesicle|apoptotic_bod|nucleation|interfacial|elastin|homogeneous|"
                            r"secondary|nucle|seed"),
    ("growth_dissolution", r"hap_|dissolution|growth|resorption|mineral|capacity"),
    ("cell_ions", r"serca|leak|soce|calcium|phosphate|efflux|uptake|cytosol|store|pmca|ncx|er_|"
                  r"cell_volume|mgatp|na_mg"),
    ("transport", r"porosity|permeab|tortuos"),
    ("signals", r"tnf|age_|lipid|vitamin_k|warfarin"),
)
#: measured physical constants and references, not moved: solubility products, formula volumes,
#: logarithmic rate constants, ion diffusivities, CNT interfacial energies (the nucleation
#: barrier goes with their cube: a factor 2 is far outside their measured spread), reference
#: levels that define the scale of a signal
FIXED = (r"pksp|formula_volume|log_k|diffusivity|interfacial_energy|_reference_|acid_order|"
         r"membrane_potential|standard_dg")


#: numerics of the screening runs: a run whose reaction-transport step does not converge with
#: the step split 2^4 times fails at once (recorded as an error) instead of halving 8 times; runs
#: that converge are unchanged (they split no step)
SCREENING_NUMERICS = ("reaction_transport_max_halvings=4",)


@dataclass(frozen=True)
class Screening:
    """A Morris design over parameter groups (what :func:`design` returns)."""

    names: tuple[str, ...]  # parameters
    groups: tuple[str, ...]  # group of each parameter
    defaults: np.ndarray
    lower: np.ndarray  # bounds of the parameters' values (factor range clipped to the schema)
    upper: np.ndarray
    points: np.ndarray  # (n_points, n_params): log-factor u in [-1, 1] per parameter
    factor: float

    def problem(self) -> dict[str, Any]:
        """The SALib problem of the design: log-factors in [-1, 1], grouped by mechanism."""
        return {"num_vars": len(self.names), "names": list(self.names),
                "bounds": [[-1.0, 1.0]] * len(self.names), "groups": list(self.groups)}

    def values(self, i: int) -> dict[str, float]:
        """The parameter values of design point ``i``."""
        v = self.defaults * self.factor ** self.points[i]
        return {n: float(np.clip(x, lo, hi))
                for n, x, lo, hi in zip(self.names, v, self.lower, self.upper, strict=True)}


def screened_parameters(design_table: ValidationTable | None = None) -> list[tuple[str, str]]:
    """(parameter, group) of every parameter the screening moves (module docstring)."""
    from vcsim.params import schema

    table = design_table or shipped_table()
    calibrated = {n for c in table.claims if c.role == "calibration" for n in c.sets}
    out = []
    for p in schema():
        if p.group not in MECHANISM_GROUPS or p.kind is not float or p.name in calibrated:
            continue
        if p.name.startswith("reaction_transport_") or p.default == 0.0 or re.search(FIXED, p.name):
            continue  # numerics, constants (FIXED); a zero default has no scale to move
        group = next((g for g, pat in PARAMETER_GROUPS if re.search(pat, p.name)), "other")
        out.append((p.name, group))
    return out


def design(trajectories: int, factor: float = 2.0, seed: int = 1,
           parameters: Sequence[tuple[str, str]] | None = None, levels: int = 4) -> Screening:
    """A grouped Morris design of ``trajectories`` trajectories (SALib ``morris.sample``)."""
    from SALib.sample import morris as morris_sample

    from vcsim.params import schema

    if trajectories < 1 or not factor > 1.0:
        raise ValueError(f"trajectories = {trajectories}, factor = {factor}: expected >= 1 and > 1")
    params = list(parameters if parameters is not None else screened_parameters())
    names = tuple(n for n, _ in params)
    s = schema()
    scr = Screening(names, tuple(g for _, g in params),
                    np.array([float(s[n].default) for n in names]),
                    np.array([-math.inf if s[n].lower is None else s[n].lower for n in names], float),
                    np.array([math.inf if s[n].upper is None else s[n].upper for n in names], float),
                    np.zeros((0, len(names))), factor)
    points = morris_sample.sample(scr.problem(), trajectories, num_levels=levels, seed=seed)
    return replace(scr, points=points)


def _claims_arms(table: ValidationTable, cfg: SuiteConfig, claims: Sequence[Claim]) -> list[Arm]:
    needed = {a for c in claims for a in c.arms}
    return [a for a in table.arms(cfg) if a.name in needed]


def screen(cfg: SuiteConfig, trajectories: int = 2, factor: float = 2.0, seed: int = 1,
           out: Path | None = None, workers: int | None = None,
           claim_ids: Sequence[str] | None = None, table: ValidationTable | None = None,
           parameters: Sequence[tuple[str, str]] | None = None,
           progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the screening (module docstring) for the validation claims (or ``claim_ids``)."""
    from SALib.analyze import morris as morris_analyze

    from vcsim.parallel import map_processes
    from vcsim.validation.suite import metric_table

    table = table or shipped_table()
    claims = [c for c in table.claims
              if (c.id in claim_ids if claim_ids else c.role == "validation")]
    if claim_ids:
        unknown = sorted(set(claim_ids) - {c.id for c in claims})
        if unknown:
            raise ValueError(f"claim '{unknown[0]}' is not in the table")
    scr = design(trajectories, factor, seed, parameters)
    arms = _claims_arms(table, cfg, claims)
    rows = []
    for i in range(len(scr.points)):
        values = scr.values(i)
        overrides = (*(f"{k}={v!r}" for k, v in values.items()), *SCREENING_NUMERICS)
        point_arms = [replace(a, overrides=(*a.overrides, *overrides)) for a in arms]
        jobs = [(a, s, cfg) for a in point_arms for s in cfg.seeds]
        jobs.sort(key=lambda j: -j[0].days(cfg))
        results = map_processes(_run_arm_or_error, jobs, workers or os.cpu_count() or 1, None)
        failed = {r["arm"] for r in results if r["error"]}
        metrics = metric_table(results)
        for c in claims:  # a metric no run of this point produced: every arm failed
            if c.metric not in metrics.columns:
                metrics[c.metric] = np.nan
        verdicts = evaluate_claims(claims, metrics)
        for c, (_, r) in zip(claims, verdicts.iterrows(), strict=True):
            rows.append({"point": i, "claim": r["id"], "effect": r["simulated_effect"],
                         "passed": bool(r["passed"]),
                         "error": ", ".join(sorted(failed & set(c.arms))),
                         **{f"u_{g}": float(np.mean(scr.points[i][np.array(scr.groups) == g]))
                            for g in dict.fromkeys(scr.groups)}})
        if out is not None:  # partial results survive an interrupted screening
            out.mkdir(parents=True, exist_ok=True)
            pd.DataFrame(rows).to_csv(out / "robustness_points.csv", index=False)
        if progress:
            progress(f"design point {i + 1}/{len(scr.points)}: "
                     f"{int(verdicts['passed'].sum())}/{len(verdicts)} claims pass"
                     + (f"; runs failed in {', '.join(sorted(failed))}" if failed else ""))
    points = pd.DataFrame(rows)
    group_names = list(dict.fromkeys(scr.groups))
    problem = scr.problem()
    summary = []
    for claim in claims:
        sub = points[points["claim"] == claim.id].sort_values("point")
        y = sub["effect"].to_numpy(float)
        ref = abs(y[0]) if np.isfinite(y[0]) and y[0] != 0 else 1.0
        yn = np.nan_to_num(y / ref)
        with warnings.catch_warnings():  # sigma of one trajectory has no degrees of freedom
            warnings.simplefilter("ignore", RuntimeWarning)
            res = morris_analyze.analyze(problem, scr.points, yn, num_levels=4,
                                         print_to_console=False, num_resamples=100, seed=seed)
        for g in group_names:
            k = list(res["names"]).index(g)
            summary.append({"claim": claim.id, "group": g, "mu_star": float(res["mu_star"][k]),
                            "sigma": float(res["sigma"][k]),
                            "pass_rate": float(sub["passed"].mean())})
    robustness = pd.DataFrame(summary)
    report = _report(robustness, points, cfg, trajectories, factor, len(scr.names), group_names)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        points.to_csv(out / "robustness_points.csv", index=False)
        robustness.to_csv(out / "robustness.csv", index=False)
        (out / "robustness.md").write_text(report)
    return {"points": points, "robustness": robustness, "report": report, "design": scr}


def _run_arm_or_error(arm: Arm, seed: int, cfg: SuiteConfig) -> dict[str, Any]:
    """:func:`vcsim.validation.suite.run_arm`, or its error: at some design points the chemistry
    does not converge (the claims that read the arm then fail at that point, marked)."""
    from vcsim.validation.suite import run_arm

    try:
        return {**run_arm(arm, seed, cfg), "error": ""}
    except (RuntimeError, FloatingPointError, ValueError) as exc:
        return {"arm": arm.name, "seed": seed, "metrics": {}, "timeseries": None, "seconds": 0.0,
                "error": str(exc)}


def _report(robustness: pd.DataFrame, points: pd.DataFrame, cfg: SuiteConfig, trajectories: int,
            factor: float, n_params: int, groups: Sequence[str]) -> str:
    lines = ["# Robustness of the validation claims (Morris screening)", "",
             f"{n_params} parameters no anchor sets, in {len(groups)} groups "
             f"({', '.join(groups)}), each moved by a factor 1/{factor:g} to {factor:g}; "
             f"{trajectories} trajectories; lattice {cfg.lattice_rows} x {cfg.lattice_cols}, "
             f"seeds {', '.join(map(str, cfg.seeds))}. mu* is in units of the claim's effect at "
             "the shipped values.", "",
             "| claim | pass rate | most influential groups (mu*) |", "|---|---|---|"]
    for claim, sub in robustness.groupby("claim", sort=False):
        top = sub.sort_values("mu_star", ascending=False).head(3)
        lines.append(f"| {claim} | {sub['pass_rate'].iloc[0]:.2f} | "
                     + ", ".join(f"{g} ({m:.2g})" for g, m in zip(top["group"], top["mu_star"],
                                                                   strict=True)) + " |")
    fragile = robustness.groupby("claim", sort=False)["pass_rate"].first()
    fragile = fragile[(fragile > 0) & (fragile < 1)]
    lines += ["", f"Fragile (pass at some design points, fail at others): {len(fragile)}: "
              + (", ".join(fragile.index) or "none") + "."]
    bad = points[points["error"] != ""]
    if len(bad):
        lines += ["", f"Runs that did not converge at {bad['point'].nunique()} of "
                  f"{points['point'].nunique()} design points (arms: "
                  f"{', '.join(sorted({a for e in bad['error'] for a in e.split(', ')}))}); the "
                  "claims reading them count as failed there."]
    return "\n".join(lines) + "\n"
