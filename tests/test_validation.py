"""The validation suite: every claim of the quick suite, from one shared run.

The quick suite (``python run.py validate --quick``) runs once per module (fixed seeds, a small
lattice); each test checks one claim's row. Calibration anchors (``role = "calibration"``, the
experiments that set parameters) and held-out validation claims are reported apart. The table of
arms and claims itself (vcsim/validation/claims.toml) and the statistics are checked without
running the suite in tests/test_validation_claims.py.
"""

from __future__ import annotations

import math
import os
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from vcsim import validation as v
from vcsim.validation.design import FIGURES

CLAIMS = {c.id: c for c in v.claims(v.QUICK)}
CLAIM_IDS = list(CLAIMS)


@pytest.fixture(scope="module")
def quick(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("validation")
    workers = min(2, os.cpu_count() or 1)
    result = v.validate(v.QUICK, out=out, workers=workers)
    result["out"] = out
    return result


@pytest.fixture(scope="module")
def rows(quick) -> dict[str, pd.Series]:
    return {r["id"]: r for _, r in quick["validation"].iterrows()}


def test_report_files_and_csv_columns(quick):
    out = quick["out"]
    df = pd.read_csv(out / "validation.csv")
    assert list(df.columns) == ["id", "role", "claim", "source", "metric", "simulated_effect",
                                "ci_low", "ci_high", "passed", "sets"]
    assert list(df["id"]) == CLAIM_IDS
    assert list(df["claim"]) == [c.claim for c in CLAIMS.values()]  # filled templates
    assert list(df["role"]) == [c.role for c in CLAIMS.values()]
    for name in FIGURES:
        assert (out / f"fig_{name}.png").stat().st_size > 1000


def test_report_headline_and_tables_match_the_csv(quick):
    """The report's two tables hold exactly the claims of their role, with the CSV's verdicts,
    and its headline counts them."""
    df = pd.read_csv(quick["out"] / "validation.csv")
    text = (quick["out"] / "report.md").read_text()
    for role, what in (("validation", "validation claims pass"),
                       ("calibration", "calibration anchors are reproduced")):
        sub = df[df["role"] == role]
        assert f"{int(sub['passed'].sum())} of {len(sub)} {what}" in text
    sections = re.split(r"^## ", text, flags=re.M)
    held_out = next(s for s in sections if s.startswith("Validation"))
    anchors = next(s for s in sections if s.startswith("Calibration anchors"))
    for section, role in ((held_out, "validation"), (anchors, "calibration")):
        listed = re.findall(r"^\| (\S+) \|.*\| (PASS|FAIL) \|", section, flags=re.M)
        sub = df[df["role"] == role]
        assert [i for i, _ in listed] == list(sub["id"])
        assert [p == "PASS" for _, p in listed] == [bool(x) for x in sub["passed"]]


def _recompute(claim, arms: pd.DataFrame) -> tuple[float, float]:
    """The claim's effect and CI half-width from arms.csv, written independently of the
    statistics module (non-finite per-seed values are dropped, as documented there)."""
    def col(arm: str) -> np.ndarray:
        return arms[arms["arm"] == arm].sort_values("seed")[claim.metric].to_numpy(float)

    t = col(claim.treat)
    if claim.kind in ("below", "above", "within"):
        x = t
    elif claim.kind == "diff":
        x = t - col(claim.ref)
    elif claim.kind in ("ratio", "equivalent"):
        x = t / col(claim.ref)
    elif claim.kind == "remaining":
        b = col(claim.base)
        x = (t - b) / (col(claim.ref) - b)
    else:  # top
        x = t - np.max([col(o) for o in claim.others], axis=0)
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return math.nan, math.nan
    return float(np.mean(x)), float(stats.sem(x) * stats.t.ppf(0.975, len(x) - 1))


def test_effects_and_intervals_follow_from_the_runs(quick, rows):
    """Every reported effect and 95% CI is recomputed from the per-seed finals in arms.csv."""
    arms = pd.read_csv(quick["out"] / "arms.csv")
    assert sorted(arms["seed"].unique()) == list(v.QUICK.seeds)
    for cid, claim in CLAIMS.items():
        assert claim.metric in arms.columns, cid
        mean, half = _recompute(claim, arms)
        r = rows[cid]
        if not math.isfinite(mean):
            assert not r["passed"], cid
            continue
        assert r["simulated_effect"] == pytest.approx(mean, rel=1e-9, abs=1e-12), cid
        assert r["ci_high"] - r["ci_low"] == pytest.approx(2 * half, rel=1e-6, abs=1e-12), cid


#: claims the model does not reproduce at the quick size; no parameter is retuned to make them
#: pass (a known failure that passes again is a plain pass). Reasons: numbers from the run of
#: this version (docs: README "Validation").
KNOWN_FAILURES: dict[str, str] = {
    # narrow misses
    "pi_2_0_clear": "calcified area at 2 mM Pi 0.057 [0.048, 0.066]: lower CI under the claim's 0.05",
    "iv_mineral_by_day9": (
        "calibration anchor: calcified area at day 9 0.016 [0.004, 0.028], lower CI under 0.005 "
        "at 3 seeds"),
    "glucose_fold_d14": "high glucose raises calcium 2.02-fold [1.21, 2.82]; published 1.6 (1.3-2.0)",
    "pit1_kd_lowers_calcification": "Pit-1 knock-down leaves 0.503 [0.21, 0.79] of the calcium (< 0.5)",
    "atf4_kd_calcification": "ATF4 knock-down lowers calcium by 0.15 [-0.35, 0.04]: CI spans 0",
    # magnitude and timescales (issue 15: recalibration with the in-vivo timescales remains)
    "iv_calcium_magnitude_d14": (
        "0.73 ug Ca/mg protein at day 14 against the published 40-250 (Chen et al. 2006: 125): "
        "the growth constant was calibrated to the model's own earlier value"),
    "ckd_weeks_not_days": (
        "CKD media 6.8% calcified at day 14; rodent CKD media calcify over weeks (Pai et al. 2011)"),
    # mechanisms the model lacks
    "pit1_blocker_abolishes": (
        "PFA leaves 0.48 [0.19, 0.78] of the Pi effect: its direct inhibition of Ca-P deposition "
        "(Villa-Bellosta & Sorribas 2009) is not modelled"),
    "mgp_ko_calcifies": (
        "Mgp-/- healthy wall: nuclei form (52-70 per run) but the resorption calibrated to the "
        "healthy wall clears them: no calcification, where Mgp-/- mice calcify within 2 months"),
    "low_plasma_ppi_calcifies": (
        "plasma PPi 0.25 uM on a healthy wall: calcified area 0.0015 [-0.0001, 0.003]"),
    "warfarin_alone_calcifies": (
        "warfarin with healthy serum: no calcification (cMGP falls; fetuin-A, PPi and resorption "
        "hold the healthy wall)"),
    "pit1_ko_no_change_ckd": (
        "SMC PiT-1 deletion leaves 0.37 [0.24, 0.49] of CKD calcium; in mice PiT-2 compensates "
        "(the model has one Pi transporter)"),
    "warfarin_raises_grp78": "warfarin has no ER-stress route in the model (GRP78 unchanged)",
    "rapamycin_lowers_invitro": "rapamycin in culture: -0.33 [-0.69, 0.02] ug/mg, CI spans 0",
    "rapamycin_normalises_ckd": (
        "rapamycin leaves 0.69 [0.60, 0.78] of the CKD excess (Panda et al. 2018: normalised)"),
}


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim(rows, claim_id):
    r = rows[claim_id]
    if claim_id in KNOWN_FAILURES and not bool(r["passed"]):
        pytest.xfail(KNOWN_FAILURES[claim_id])
    assert bool(r["passed"]), (
        f"{claim_id}: effect {r['simulated_effect']:.4g} CI [{r['ci_low']:.4g}, {r['ci_high']:.4g}] "
        f"({r['comparison']})")
