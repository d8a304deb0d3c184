"""Spatial statistics of mineral in a run's snapshots, in the terms pathologists use for
medial calcification: deposits (clusters), their shape (specks, nodules, sheets), their
relation to the elastic laminae, and their depth in the wall, over time.

Reads ``snapshots/day_XXX.npz`` (``mineral_hap_mM``, mmol HAP per litre of tissue per site;
written with ``python run.py run ... --snapshot-every DAYS``) and ``metadata.json`` (lattice,
spacing, laminae, calcified threshold); ``timeseries.csv`` is optional (its
``calcified_fraction`` is put next to the one computed here, as a check).

Definitions (row 0 faces the lumen; columns run along the wall and are periodic):

- mineral calcium m = 10 x ``mineral_hap_mM`` (mmol Ca / L tissue: 10 Ca per
  Ca10(PO4)6(OH)2); a site is **calcified** when m >= the threshold (default the run's
  ``calcified_threshold_mmol_per_L``, the model's own ``calcified_fraction`` rule; m > 0 when
  that is 0);
- a **deposit** (cluster) is a connected component of calcified sites, 4-connected (edge
  neighbours, the model's neighbourhood) or 8-connected (``--connectivity 8``), joined across
  the periodic column seam; clusters are numbered by size, largest first;
- extent **along** the wall = the shortest run of columns (around the periodic wall) that
  holds all of the cluster's columns = lattice_cols - the largest circular gap of unoccupied
  columns; extent **across** = last row - first row + 1; aspect = along / across;
- shape class, in this order: **speck** if it has fewer than ``--min-sites`` sites (punctate
  microcalcification); **circumferential** if it spans every column (it closes around the
  periodic wall, whatever its thickness); **sheet** if aspect >= ``--sheet-aspect`` (a deposit
  elongated along the wall, the linear / sheet-like calcification that runs with the elastic
  laminae); **nodule** otherwise (a compact deposit; a radial streak, aspect < 1, also counts
  as a nodule);
- lamina association: ``lamina_fraction`` = share of the cluster's sites within
  ``--lamina-reach`` rows of a lamina row (0 = on the lamina); ``lamina_associated`` when
  >= 0.5;
- distance to the nearest elastic lamina: centre to centre, |row - lamina row| x spacing,
  minimised over laminae (laminae are whole rows). Observed: the mean over calcified sites,
  and the mineral-weighted mean sum(m_i d_i) / sum(m_i) over all sites. **Baseline**: the
  same statistic with the calcified sites (resp. the mineral values) placed uniformly at
  random over all sites, ``--permutations`` times (a permutation test; for calcified sites
  the row counts are drawn from the multivariate hypergeometric distribution, which is that
  permutation exactly). p_closer = (1 + #{baseline <= observed}) / (1 + permutations)
  (Phipson & Smyth 2010), small when mineral lies closer to the laminae than chance;
- depth profile: mean m and calcified fraction of each row, depth (row + 0.5) x spacing.

Why these classes. Medial calcification and intimal calcification are distinct entities in
CKD (Amann 2008, Clin J Am Soc Nephrol 3:1599). In medial (Moenckeberg) calcification the
internal elastic lamina is always involved and medial mineral extends alongside the calcified
lamina, with occasional calcified nodules in the media (Micheletti et al. 2008, Arch Pathol Lab
Med 132:43); calcification of the internal elastic membrane starts as bands and roundish
incrustations whose confluence gives sheet-like calcification, from which grain-like deposits
appear in the media (Meyer & Stelzig 1969, Calcified Tissue Research). The staging of medial
arterial calcification in Lanzer et al. 2021 (J Am Coll Cardiol 78:1145, Table 1) goes from
lamina-bound deposits (I) through confluent fragments (II) to sheets longer than 3 mm or over
90 degrees of the circumference (III) and calcification spanning the entire circumference
(IV), with nodular calcification rare in the media. A simulated lattice is far smaller than
those millimetre criteria (a 100-column lattice of 10 um sites is 1 mm), so the script keeps
their shape content (sheets long along the wall and thin across it, circumferential deposits
closing around the wall, nodules compact, specks tiny) with scale-free thresholds;
``--sheet-aspect 3`` and ``--min-sites 3`` are this script's choices, not values from those
papers.

Outputs in ``--out`` (default RUN_DIR/analysis): ``mineral_clusters.csv`` (one row per
cluster per snapshot), ``mineral_spatial.csv`` (one row per snapshot: calcified sites and
fraction, cluster count, largest and mean size, counts and calcified area by class, observed
and baseline distances to the nearest lamina with p values), ``mineral_depth.csv`` (day, row,
depth_um, lamina, mean mineral calcium, calcified fraction) and ``mineral_spatial.png``
(equal-aspect maps of mineral and of the deposits by class with the laminae and a scale bar in
um; clusters, largest deposit and calcified area by class over time; distance to the laminae
against the permutation baseline; depth profiles; aspect against size with the sheet
criterion).

Example::

    python run.py run ckd --days 14 --snapshot-every 2 --out runs/ckd
    python analysis/mineral_spatial.py runs/ckd --connectivity 8
"""

from __future__ import annotations

import math
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # the shared helpers live next to this script
    sys.path.insert(0, _HERE)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from analysis_common import (  # noqa: E402
    LAMINA_COLOUR,
    AnalysisError,
    Geometry,
    draw_laminae_on_map,
    empty_panel,
    finish_map,
    make_parser,
    map_extent,
    new_figure,
    nonnegative_int,
    out_dir,
    outline_segments,
    permutation_p_value,
    positive_float,
    read_json,
    read_optional_table,
    require_dir,
    run_cli,
    save_figure,
    write_csv,
)
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import NullFormatter, ScalarFormatter  # noqa: E402
from scipy import ndimage  # noqa: E402

CLASSES = ("speck", "nodule", "sheet", "circumferential")
CLASS_COLOURS = {"speck": "#9e9e9e", "nodule": "#3b6fb6", "sheet": "#e6820e",
                 "circumferential": "#7a0177"}
CA_PER_HAP = 10.0  # Ca10(PO4)6(OH)2


# ---------------------------------------------------------------------- clusters
def label_periodic(mask: np.ndarray, connectivity: int = 4) -> tuple[np.ndarray, int]:
    """Connected components of ``mask`` with periodic columns (the wall closes on itself).

    Returns (labels, n): labels 1..n, numbered by size (largest first, ties by the first site
    in row-major order), 0 off the mask."""
    mask = np.asarray(mask, dtype=bool)
    if connectivity not in (4, 8):
        raise ValueError(f"connectivity must be 4 or 8, got {connectivity}")
    structure = ndimage.generate_binary_structure(2, 1 if connectivity == 4 else 2)
    labels, n = ndimage.label(mask, structure=structure)
    if n == 0:
        return labels, 0
    parent = np.arange(n + 1)

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    rows = mask.shape[0]
    offsets = (0,) if connectivity == 4 else (-1, 0, 1)
    last, first = labels[:, -1], labels[:, 0]
    for r in np.flatnonzero(last):
        for dr in offsets:
            r2 = r + dr
            if 0 <= r2 < rows and first[r2]:
                a, b = find(int(last[r])), find(int(first[r2]))
                if a != b:
                    parent[max(a, b)] = min(a, b)
    roots = np.array([find(i) for i in range(n + 1)])
    merged = roots[labels]
    ids, first_site, sizes = np.unique(merged.ravel(), return_index=True, return_counts=True)
    keep = ids != 0
    ids, first_site, sizes = ids[keep], first_site[keep], sizes[keep]
    order = np.lexsort((first_site, -sizes))
    relabel = np.zeros(int(merged.max()) + 1, dtype=labels.dtype)
    relabel[ids[order]] = np.arange(1, ids.size + 1)
    return relabel[merged], int(ids.size)


def extent_along(cols_occupied: np.ndarray, n_cols: int) -> int:
    """Columns spanned around a periodic wall: n_cols - the largest circular gap of unoccupied
    columns (the shortest arc holding every occupied column)."""
    c = np.unique(np.asarray(cols_occupied, dtype=int))
    if c.size == 0:
        return 0
    if c.size == n_cols:
        return n_cols
    gaps = np.diff(np.r_[c, c[0] + n_cols]) - 1
    return int(n_cols - gaps.max())


@dataclass(frozen=True)
class ShapeRules:
    """The shape criteria (see the module docstring)."""

    min_sites: int = 3
    sheet_aspect: float = 3.0
    lamina_reach_rows: int = 1


def classify(n_sites: int, aspect: float, rules: ShapeRules, circumferential: bool = False
             ) -> str:
    """speck < min_sites; circumferential when it spans every column; sheet when
    aspect >= sheet_aspect; nodule otherwise."""
    if n_sites < rules.min_sites:
        return "speck"
    if circumferential:
        return "circumferential"
    return "sheet" if aspect >= rules.sheet_aspect else "nodule"


def clusters_table(mineral_ca: np.ndarray, calcified: np.ndarray, geom: Geometry,
                   rules: ShapeRules, connectivity: int) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per deposit, and the label image (0 = not calcified)."""
    labels, n = label_periodic(calcified, connectivity)
    columns = ["cluster", "sites", "area_um2", "first_row", "last_row", "extent_along_um",
               "extent_across_um", "aspect", "class", "circumferential", "mean_depth_um",
               "mean_distance_to_lamina_um", "lamina_fraction", "lamina_associated",
               "mean_mineral_ca_mmol_per_L", "max_mineral_ca_mmol_per_L"]
    if n == 0:
        return pd.DataFrame(columns=columns), labels
    dist = geom.row_distance_to_lamina_um()
    reach = (dist <= rules.lamina_reach_rows * geom.spacing_um + 1e-9) if geom.lamina_rows().size \
        else np.zeros(geom.rows, dtype=bool)
    flat = labels.ravel()
    order = np.argsort(flat, kind="stable")
    bounds = np.searchsorted(flat[order], np.arange(1, n + 2))
    rr, cc = np.divmod(order, geom.cols)
    m = mineral_ca.ravel()[order]
    dx = geom.spacing_um
    rows = []
    for k in range(1, n + 1):
        sl = slice(bounds[k - 1], bounds[k])
        r, c, mk = rr[sl], cc[sl], m[sl]
        along = extent_along(c, geom.cols)
        across = int(r.max() - r.min() + 1)
        aspect = along / across
        size = int(r.size)
        lam = float(reach[r].mean()) if geom.lamina_rows().size else math.nan
        rows.append({
            "cluster": k, "sites": size, "area_um2": size * dx * dx,
            "first_row": int(r.min()), "last_row": int(r.max()),
            "extent_along_um": along * dx, "extent_across_um": across * dx,
            "aspect": aspect, "class": classify(size, aspect, rules, along == geom.cols),
            "circumferential": along == geom.cols,
            "mean_depth_um": float(((r + 0.5) * dx).mean()),
            "mean_distance_to_lamina_um": float(dist[r].mean()),
            "lamina_fraction": lam, "lamina_associated": bool(lam >= 0.5) if lam == lam else False,
            "mean_mineral_ca_mmol_per_L": float(mk.mean()),
            "max_mineral_ca_mmol_per_L": float(mk.max()),
        })
    return pd.DataFrame(rows, columns=columns), labels


# ---------------------------------------------------------------------- laminae
def distance_statistics(mineral_ca: np.ndarray, calcified: np.ndarray, geom: Geometry,
                        permutations: int, rng: np.random.Generator) -> dict[str, float]:
    """Observed mean distance to the nearest lamina (calcified sites; mineral-weighted) and
    its permutation baseline (mean, 2.5 and 97.5 percentiles, p_closer)."""
    keys = ("distance_calcified_um", "baseline_calcified_um", "baseline_calcified_lo_um",
            "baseline_calcified_hi_um", "p_closer_calcified", "distance_mineral_um",
            "baseline_mineral_um", "baseline_mineral_lo_um", "baseline_mineral_hi_um",
            "p_closer_mineral")
    out = dict.fromkeys(keys, math.nan)
    d_row = geom.row_distance_to_lamina_um()
    if not geom.lamina_rows().size:
        return out
    n = int(calcified.sum())
    if n:
        per_row = calcified.sum(axis=1)
        out["distance_calcified_um"] = float(per_row @ d_row / n)
        if permutations:
            draws = rng.multivariate_hypergeometric(np.full(geom.rows, geom.cols), n,
                                                    size=permutations)
            null = draws @ d_row / n
            out.update(_baseline("calcified", null, out["distance_calcified_um"]))
    weights = mineral_ca.ravel()
    total = float(weights.sum())
    if total > 0:
        site_d = np.repeat(d_row, geom.cols)
        out["distance_mineral_um"] = float(weights @ site_d / total)
        if permutations:
            values = weights[weights > 0]
            null = np.empty(permutations)
            for i in range(permutations):
                # the K mineral values land on K distinct random sites
                null[i] = values @ site_d[rng.permutation(site_d.size)[: values.size]] / total
            out.update(_baseline("mineral", null, out["distance_mineral_um"]))
    return out


def _baseline(name: str, null: np.ndarray, observed: float) -> dict[str, float]:
    return {f"baseline_{name}_um": float(null.mean()),
            f"baseline_{name}_lo_um": float(np.percentile(null, 2.5)),
            f"baseline_{name}_hi_um": float(np.percentile(null, 97.5)),
            f"p_closer_{name}": permutation_p_value(observed, null, "less")}


# ---------------------------------------------------------------------- snapshots
_DAY = re.compile(r"day_(\d+(?:\.\d+)?)\.npz$")


def read_snapshots(run_dir: Path, geom: Geometry) -> list[tuple[float, np.ndarray]]:
    """(day, mineral_hap_mM grid) of every snapshot, in time order."""
    snap_dir = run_dir / "snapshots"
    files = sorted(snap_dir.glob("day_*.npz")) if snap_dir.is_dir() else []
    if not files:
        raise AnalysisError(f"{snap_dir}: no snapshots (run with --snapshot-every DAYS)")
    out = []
    for f in files:
        try:
            with np.load(f, allow_pickle=False) as data:
                if "mineral_hap_mM" not in data.files:
                    raise AnalysisError(f"{f}: no mineral_hap_mM field")
                grid = np.asarray(data["mineral_hap_mM"], dtype=float)
                day = float(data["time_h"]) / 24.0 if "time_h" in data.files else None
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise AnalysisError(f"{f}: cannot be read ({exc})") from None
        if day is None:
            match = _DAY.search(f.name)
            if not match:
                raise AnalysisError(f"{f}: no time_h and no day in the file name")
            day = float(match.group(1))
        if grid.shape != (geom.rows, geom.cols):
            raise AnalysisError(f"{f}: mineral grid is {grid.shape}, metadata says "
                                f"{geom.rows} x {geom.cols}")
        out.append((day, grid))
    return sorted(out, key=lambda t: t[0])


def analyse_snapshot(day: float, mineral_hap: np.ndarray, geom: Geometry, threshold: float,
                     rules: ShapeRules, connectivity: int, permutations: int,
                     rng: np.random.Generator) -> tuple[dict, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Summary row, cluster table, depth table and cluster labels of one snapshot."""
    m = CA_PER_HAP * np.clip(mineral_hap, 0.0, None)
    calcified = m >= threshold if threshold > 0 else m > 0
    clusters, labels = clusters_table(m, calcified, geom, rules, connectivity)
    n_cal = int(calcified.sum())
    summary: dict = {"day": day, "calcified_sites": n_cal, "calcified_fraction": n_cal / m.size,
                     "clusters": len(clusters),
                     "largest_sites": int(clusters["sites"].max()) if len(clusters) else 0,
                     "mean_sites": float(clusters["sites"].mean()) if len(clusters) else math.nan}
    for cls in CLASSES:
        sub = clusters[clusters["class"] == cls]
        summary[f"n_{cls}"] = len(sub)
        summary[f"area_fraction_{cls}"] = float(sub["sites"].sum()) / m.size
    summary["n_circumferential"] = int(clusters["circumferential"].sum()) if len(clusters) else 0
    summary["n_lamina_associated"] = int(clusters["lamina_associated"].sum()) \
        if len(clusters) else 0
    summary.update(distance_statistics(m, calcified, geom, permutations, rng))
    depth = pd.DataFrame({"day": day, "row": np.arange(geom.rows), "depth_um": geom.depth_um(),
                          "lamina": geom.is_lamina_row(),
                          "mean_mineral_ca_mmol_per_L": m.mean(axis=1),
                          "calcified_fraction": calcified.mean(axis=1)})
    return summary, clusters.assign(day=day), depth, labels


# ---------------------------------------------------------------------- figure
def draw(geom: Geometry, map_day: float, mineral_hap: np.ndarray, labels: np.ndarray,
         clusters: pd.DataFrame, summary: pd.DataFrame, depth: pd.DataFrame,
         threshold: float, rules: ShapeRules, title: str) -> Figure:
    width = 14.0
    map_h = min(max(width * 0.82 * geom.rows / geom.cols, 1.6), 4.5)
    fig = new_figure(width, 2 * map_h + 7.6)
    grid = fig.add_gridspec(4, 3, height_ratios=[map_h, map_h, 3.3, 3.3])
    fig.suptitle(title)
    extent = map_extent(geom)
    m = CA_PER_HAP * np.clip(mineral_hap, 0.0, None)

    ax = fig.add_subplot(grid[0, :])
    im = ax.imshow(m, cmap="Reds", vmin=0, vmax=max(float(m.max()), threshold, 1e-9),
                   extent=extent, interpolation="nearest")
    ax.add_collection(LineCollection(outline_segments(labels > 0, geom), colors="black",
                                     linewidths=0.7, zorder=4))
    draw_laminae_on_map(ax, geom, filled=False)
    finish_map(ax, geom, f"(a) mineral at day {map_day:g} (black: calcified sites, "
               f">= {threshold:g} mmol Ca / L; tan: elastic laminae)")
    cax = ax.inset_axes([1.01, 0.0, 0.012, 1.0])  # follows the equal-aspect map
    fig.colorbar(im, cax=cax, label="mineral calcium\n(mmol Ca / L tissue)")

    ax = fig.add_subplot(grid[1, :])
    draw_laminae_on_map(ax, geom, filled=True)
    classes = np.zeros(labels.shape, dtype=int)
    code = {k: CLASSES.index(c) + 1 for k, c in zip(clusters["cluster"], clusters["class"],
                                                     strict=True)}
    if code:
        lookup = np.zeros(int(labels.max()) + 1, dtype=int)
        lookup[list(code)] = list(code.values())
        classes = lookup[labels]
    cmap = ListedColormap([CLASS_COLOURS[c] for c in CLASSES])
    shown = np.ma.masked_where(classes == 0, classes - 1)
    ax.imshow(shown, cmap=cmap, vmin=-0.5, vmax=len(CLASSES) - 0.5, extent=extent,
              interpolation="nearest", zorder=2)
    for k in range(1, min(5, len(clusters)) + 1):  # number the largest deposits
        rr, cc = np.nonzero(labels == k)
        ax.text((cc[0] + 0.5) * geom.spacing_um, (rr[0] + 0.5) * geom.spacing_um, str(k),
                fontsize=7, ha="center", va="center", zorder=4, color="white",
                fontweight="bold")
    finish_map(ax, geom, f"(b) deposits at day {map_day:g} by shape "
               "(numbers: the 5 largest; shaded rows: elastic laminae)")
    counts = clusters["class"].value_counts()
    ax.legend(handles=[Patch(color=CLASS_COLOURS[c], label=f"{c} ({int(counts.get(c, 0))})")
                       for c in CLASSES],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8,
              title="shape (deposits)", title_fontsize=8)

    days = summary["day"].to_numpy()
    ax = fig.add_subplot(grid[2, 0])
    for cls in CLASSES:
        ax.plot(days, summary[f"n_{cls}"], marker="o", ms=3, color=CLASS_COLOURS[cls],
                label=cls)
    ax.plot(days, summary["clusters"], color="black", lw=1, ls="--", label="all")
    ax.set(xlabel="time (days)", ylabel="deposits (count)", ylim=(0, None))
    ax.set_title("(c) number of deposits by shape", fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))

    ax = fig.add_subplot(grid[2, 1])
    area = geom.spacing_um ** 2
    ax.plot(days, summary["largest_sites"] * area, marker="o", ms=3, color="#8c2d04",
            label="largest")
    ax.plot(days, summary["mean_sites"] * area, marker="s", ms=3, color="#fdae6b", label="mean")
    ax.set(xlabel="time (days)", ylabel=f"deposit area (um^2; 1 site = {area:g} um^2)",
           ylim=(0, None))
    ax.set_title("(d) largest and mean deposit", fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))

    ax = fig.add_subplot(grid[2, 2])
    stacks = [summary[f"area_fraction_{c}"].to_numpy() for c in CLASSES]
    ax.stackplot(days, *stacks, colors=[CLASS_COLOURS[c] for c in CLASSES], labels=CLASSES)
    ax.set(xlabel="time (days)", ylabel="calcified area (fraction of sites, 1)", ylim=(0, None))
    ax.set_title("(e) calcified area by shape", fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))

    ax = fig.add_subplot(grid[3, 0])
    if summary["distance_calcified_um"].notna().any():
        for key, colour, name in (("calcified", "#b2182b", "calcified sites"),
                                  ("mineral", "#2166ac", "mineral-weighted")):
            ax.plot(days, summary[f"distance_{key}_um"], marker="o", ms=3, color=colour,
                    label=name)
            ax.fill_between(days, summary[f"baseline_{key}_lo_um"],
                            summary[f"baseline_{key}_hi_um"], color=colour, alpha=0.15, lw=0)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        empty_panel(ax, "no laminae or no mineral")
    ax.set(xlabel="time (days)", ylabel="mean distance to nearest lamina (um)")
    ax.set_title("(f) distance to laminae: observed (lines),\nrandom placement 95% (bands)",
                 fontsize=10)

    ax = fig.add_subplot(grid[3, 1])
    for r in geom.lamina_rows():
        ax.axhspan(r * geom.spacing_um, (r + 1) * geom.spacing_um, color=LAMINA_COLOUR,
                   alpha=0.45, lw=0, zorder=0)
    all_days = np.sort(depth["day"].unique())
    pick = all_days[np.unique(np.linspace(0, all_days.size - 1, min(4, all_days.size))
                              .round().astype(int))]
    shades = ["#fcbba1", "#fb6a4a", "#cb181d", "#67000d"][-len(pick):]
    for d, colour in zip(pick, shades, strict=True):
        sub = depth[depth["day"] == d]
        ax.plot(sub["mean_mineral_ca_mmol_per_L"], sub["depth_um"], marker="o", ms=2.5,
                color=colour, label=f"day {d:g}")
    ax.set_ylim(geom.rows * geom.spacing_um, 0)
    ax.set(xlabel="mean mineral calcium of the row (mmol Ca / L)",
           ylabel="depth from the lumen (um)")
    ax.set_xlim(left=0)
    ax.set_title("(g) depth profile (shaded: laminae)", fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))

    ax = fig.add_subplot(grid[3, 2])
    if len(clusters):
        # identical (size, aspect) pairs are common on a lattice: one marker, area ~ count
        same = clusters.groupby(["class", "sites", "aspect"]).size().rename("n").reset_index()
        for cls in CLASSES:
            sub = same[same["class"] == cls]
            ax.scatter(sub["sites"], sub["aspect"], s=12 + 10 * sub["n"],
                       color=CLASS_COLOURS[cls], alpha=0.7, lw=0, label=cls)
        ax.axhline(rules.sheet_aspect, color="k", ls="--", lw=0.8)
        ax.axvline(rules.min_sites - 0.5, color="k", ls=":", lw=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        nice = (0.05, 0.1, 0.2, 0.5, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
                10_000, 20_000, 50_000, 100_000)
        for get, put in ((ax.get_xlim, ax.set_xticks), (ax.get_ylim, ax.set_yticks)):
            low, high = get()
            put([v for v in nice if low <= v <= high])
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(ScalarFormatter())
            axis.set_minor_formatter(NullFormatter())
        legend = ax.legend(fontsize=8, frameon=False, loc="upper left",
                           bbox_to_anchor=(1.0, 1.0), title="marker area\n~ deposits",
                           title_fontsize=7)
        for handle in legend.legend_handles:
            handle.set_sizes([20])
    else:
        empty_panel(ax, "no calcified sites")
    ax.set(xlabel="deposit size (sites)", ylabel="aspect: along / across the wall (1)")
    ax.set_title(f"(h) shape at day {map_day:g}\n(dashed: sheet >= {rules.sheet_aspect:g}; "
                 f"dotted: speck < {rules.min_sites} sites)", fontsize=10)
    return fig


# ---------------------------------------------------------------------- main
def build_parser():
    p = make_parser(__doc__, "mineral_spatial.py")
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR",
                   help="a run directory with snapshots/ (run with --snapshot-every DAYS)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="output directory (default: RUN_DIR/analysis)")
    p.add_argument("--threshold", type=float, default=None, metavar="MMOL_CA_PER_L",
                   help="calcified when mineral calcium >= this (mmol Ca / L tissue); default: "
                        "the run's calcified_threshold_mmol_per_L")
    p.add_argument("--connectivity", type=int, choices=(4, 8), default=4,
                   help="neighbours that join calcified sites into one deposit: 4 (edges) or "
                        "8 (edges and corners)")
    p.add_argument("--min-sites", type=nonnegative_int, default=ShapeRules.min_sites,
                   metavar="N", help="deposits smaller than this are specks")
    p.add_argument("--sheet-aspect", type=positive_float, default=ShapeRules.sheet_aspect,
                   metavar="RATIO",
                   help="deposits at least this many times longer along the wall than across "
                        "it are sheets (unless they close around the whole wall: "
                        "circumferential); the rest are nodules")
    p.add_argument("--lamina-reach", type=nonnegative_int,
                   default=ShapeRules.lamina_reach_rows, metavar="ROWS",
                   help="sites within this many rows of a lamina count as on the lamina "
                        "(lamina_fraction)")
    p.add_argument("--permutations", type=nonnegative_int, default=999, metavar="N",
                   help="random placements for the distance-to-lamina baseline (0 = none)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the random placements (the baseline is reproducible)")
    p.add_argument("--map-day", type=float, default=None, metavar="DAY",
                   help="snapshot drawn in the maps and the shape panel (the nearest one; "
                        "default: the last)")
    return p


def analyse(args) -> int:
    run_dir = require_dir(args.run_dir, "RUN_DIR")
    meta = read_json(run_dir / "metadata.json")
    geom = Geometry.from_metadata(meta, run_dir / "metadata.json")
    params = meta.get("parameters") or {}
    threshold = args.threshold if args.threshold is not None else \
        float(params.get("calcified_threshold_mmol_per_L", 0.0))
    if not math.isfinite(threshold) or threshold < 0:
        raise AnalysisError(f"--threshold {threshold:g}: must be >= 0")
    rules = ShapeRules(args.min_sites, args.sheet_aspect, args.lamina_reach)
    snapshots = read_snapshots(run_dir, geom)
    rng = np.random.default_rng(args.seed)
    rows, cluster_tables, depth_tables, labels_by_day = [], [], [], {}
    for day, grid in snapshots:
        s, c, d, labels = analyse_snapshot(day, grid, geom, threshold, rules, args.connectivity,
                                           args.permutations, rng)
        rows.append(s)
        cluster_tables.append(c)
        depth_tables.append(d)
        labels_by_day[day] = labels
    summary = pd.DataFrame(rows)
    ts = read_optional_table(run_dir / "timeseries.csv", numeric=("day", "calcified_fraction"))
    if ts is not None and {"day", "calcified_fraction"} <= set(ts.columns) \
            and args.threshold is None:
        by_day = ts.set_index(ts["day"].round(6))["calcified_fraction"]
        summary["calcified_fraction_timeseries"] = [by_day.get(round(d, 6), math.nan)
                                                    for d in summary["day"]]
    clusters = pd.concat([c for c in cluster_tables if len(c)] or [cluster_tables[0]],
                         ignore_index=True)
    clusters = clusters[["day", *[c for c in clusters.columns if c != "day"]]]
    depth = pd.concat(depth_tables, ignore_index=True)

    out = out_dir(args.out, run_dir / "analysis")
    write_csv(summary, out / "mineral_spatial.csv")
    write_csv(clusters, out / "mineral_clusters.csv")
    write_csv(depth, out / "mineral_depth.csv")
    days = np.array([d for d, _ in snapshots])
    k = int(np.argmin(np.abs(days - args.map_day))) if args.map_day is not None else days.size - 1
    map_day, grid = snapshots[k]
    name = (meta.get("scenario") or {}).get("name", run_dir.name)
    title = (f"mineral deposits in {name} (seed {meta.get('seed', '?')}): {geom.rows} x "
             f"{geom.cols} sites of {geom.spacing_um:g} um, {args.connectivity}-connected, "
             f"{len(snapshots)} snapshots")
    fig = draw(geom, map_day, grid, labels_by_day[map_day],
               clusters[clusters["day"] == map_day], summary, depth, threshold, rules, title)
    save_figure(fig, out / "mineral_spatial.png")
    cols = ["day", "calcified_sites", "clusters", "largest_sites", "n_speck", "n_nodule",
            "n_sheet", "distance_calcified_um", "baseline_calcified_um", "p_closer_calcified"]
    print(summary[cols].to_string(index=False, float_format="%.4g"))
    print(f"tables and figure: {out}/mineral_*.csv, {out / 'mineral_spatial.png'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_cli(analyse, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
