"""Effects, confidence intervals and pass rules of the claims.

Every claim compares arms run with the same seeds (so the same initial layer), per seed:

- ``diff``: the treatment-minus-reference difference of the metric, paired by seed; the
  effect is the mean paired difference with a t-based 95% confidence interval over replicates.
  Passes when the interval lies on the expected side of zero (``direction``) and the mean is
  beyond ``margin``, a minimal effect size.
- ``below`` / ``above``: the level of the metric in one arm with its t-based 95% CI; passes when
  the whole interval is below (above) ``threshold``.
- ``remaining``: the share of a reference effect that is left, ``(treat - base) / (ref - base)``
  per seed (e.g. the Pi effect left under the Pit-1 blocker); passes when the CI lies below
  ``threshold``.
- ``top``: the arm's metric minus the largest metric of the other arms, per seed; passes when
  the CI lies above zero (the arm ranks first).
- ``within``: the level of the metric in one arm; passes when its mean lies in the published
  range ``[low, high]`` (a magnitude).
- ``ratio``: the fold change ``treat / ref`` per seed; passes when its mean lies in the published
  range ``[low, high]`` and its CI excludes 1 on that side (the change is resolved).
- ``equivalent``: the fold change ``treat / ref`` per seed; passes when its whole CI lies in
  ``[low, high]`` around 1 (a reported absence of effect, as a two one-sided test).

A claim whose effect is not finite (no replicates) fails.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from vcsim.validation.design import Claim


def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t-based confidence interval over replicates (non-finite values
    dropped; one value: no interval, NaN bounds; none: all NaN)."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    m = float(x.mean())
    if n == 1:
        return (m, math.nan, math.nan)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return (m, m - half, m + half)


def _per_seed(table: pd.DataFrame, arm: str, metric: str) -> pd.Series:
    return table.loc[arm, metric]


def evaluate(claim: Claim, table: pd.DataFrame) -> dict[str, Any]:
    """The claim's simulated effect, its 95% CI and pass/fail.

    ``table``: one row per (arm, seed), one column per metric
    (:func:`vcsim.validation.suite.metric_table`).
    """
    m = claim.metric
    t = _per_seed(table, claim.treat, m)
    detail = ""
    if claim.kind in ("below", "above"):
        mean, lo, hi = t_interval(t.values)
        passed = (hi < claim.threshold) if claim.kind == "below" else (lo > claim.threshold)
        detail = f"{claim.treat} level; threshold {claim.threshold:g}"
    elif claim.kind == "diff":
        r = _per_seed(table, claim.ref, m)
        d = (t - r.reindex(t.index)).values
        mean, lo, hi = t_interval(d)
        if claim.direction > 0:
            passed = lo > 0 and mean > claim.margin
        else:
            passed = hi < 0 and mean < -claim.margin
        detail = (f"{claim.treat} - {claim.ref}; arm means {float(t.mean()):.4g} vs "
                  f"{float(r.mean()):.4g}")
    elif claim.kind == "remaining":
        r = _per_seed(table, claim.ref, m)
        b = _per_seed(table, claim.base, m)
        denom = (r - b).values
        with np.errstate(divide="ignore", invalid="ignore"):
            share = (t.values - b.values) / np.where(np.abs(denom) > 0, denom, np.nan)
        mean, lo, hi = t_interval(share)
        passed = bool(np.isfinite(hi) and hi < claim.threshold)
        detail = (f"({claim.treat} - {claim.base}) / ({claim.ref} - {claim.base}); arm means "
                  f"{float(t.mean()):.4g}, {float(r.mean()):.4g}, {float(b.mean()):.4g}")
    elif claim.kind == "top":
        others = pd.concat([_per_seed(table, o, m).rename(o) for o in claim.others], axis=1)
        best_other = others.max(axis=1)
        d = (t - best_other.reindex(t.index)).values
        mean, lo, hi = t_interval(d)
        passed = bool(lo > 0)
        runner_up = others.mean().idxmax()
        detail = f"{claim.treat} - max(other scenarios); runner-up {runner_up}"
    elif claim.kind == "within":
        mean, lo, hi = t_interval(t.values)
        passed = bool(claim.low <= mean <= claim.high)
        detail = f"{claim.treat} level; published range [{claim.low:g}, {claim.high:g}]"
    elif claim.kind in ("ratio", "equivalent"):
        r = _per_seed(table, claim.ref, m)
        rv = r.reindex(t.index).values
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = t.values / np.where(rv != 0, rv, np.nan)
        mean, lo, hi = t_interval(ratio)
        if claim.kind == "equivalent":
            passed = bool(claim.low <= lo and hi <= claim.high)
        else:
            resolved = lo > 1.0 if claim.low >= 1.0 else hi < 1.0
            passed = bool(claim.low <= mean <= claim.high and resolved)
        detail = (f"{claim.treat} / {claim.ref}; arm means {float(t.mean()):.4g} vs "
                  f"{float(r.mean()):.4g}; published range [{claim.low:g}, {claim.high:g}]")
    else:  # pragma: no cover - the table loader rejects unknown kinds
        raise ValueError(f"unknown claim kind {claim.kind}")
    return {"id": claim.id, "role": claim.role, "claim": claim.claim, "source": claim.source, "metric": m,
            "comparison": detail, "simulated_effect": mean, "ci_low": lo, "ci_high": hi,
            "passed": bool(passed and np.isfinite(mean)), "sets": " ".join(claim.sets)}


def evaluate_claims(claims: Iterable[Claim], table: pd.DataFrame) -> pd.DataFrame:
    """One row per claim (:func:`evaluate`), in the order given."""
    return pd.DataFrame([evaluate(c, table) for c in claims])

