"""The run summary figure (``summary.png``): what happened, on one page, with units.

Panels: (a) phenotype fractions over time; (b) ER-stress / UPR markers; (c) osteogenic and
contractile markers; (d) calcium content of the layer (ug Ca per mg protein) and calcified
area fraction; (e) the final phenotype map (categorical colours, legend); (f) the final mineral
map (mmol Ca per L tissue).

Phenotype names and colours come from the cell type (:mod:`vcsim.cells.vsmc.variables`), the
marker panels from its variables' ``panel`` (and their legend labels from the output
registry), and the maps from the run's geometry (equal aspect, in um), so none is written here. Drawn on a bare
:class:`matplotlib.figure.Figure` with the Agg canvas: no pyplot state, safe in worker
processes and without a display.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm, ListedColormap, LogNorm
from matplotlib.figure import Figure
from matplotlib.patches import Patch

#: The elastic lamina's colour on the maps
LAMINA_COLOUR = "#c9b68c"

#: One colour scale for mineral everywhere (this figure and the browser page): calcium in mineral
#: (mmol Ca / L tissue) on a log scale from MINERAL_MIN_MMOL_PER_L (fainter sites are left
#: clear) to MINERAL_MAX_MMOL_PER_L (darker sites saturate), light to dark brown.
MINERAL_MIN_MMOL_PER_L = 0.5
MINERAL_MAX_MMOL_PER_L = 500.0


def mineral_cmap(overlay: bool = False) -> ListedColormap:
    """Light to dark brown; ``overlay`` makes it translucent (alpha 0.35 -> 0.75) so that the
    phenotype colours under it stay readable on the page."""
    rgba = np.column_stack([
        np.linspace(0.55, 0.20, 256),  # red
        np.linspace(0.40, 0.10, 256),  # green
        np.linspace(0.20, 0.02, 256),  # blue
        np.linspace(0.35, 0.75, 256) if overlay else np.ones(256),  # alpha
    ])
    if not overlay:  # opaque: the light end blended with white as the translucent one looks
        rgba[:, :3] = 1.0 - np.linspace(0.35, 0.75, 256)[:, None] * (1.0 - rgba[:, :3])
    return ListedColormap(rgba, name="vcsim_mineral_overlay" if overlay else "vcsim_mineral")


def phenotype_entries(cell_type: Any = None) -> list[tuple[int, str, str]]:
    """``(code, label, colour)`` of every phenotype code of ``cell_type`` (VSMC by default),
    code 0 (no cell) first: the one definition figures and the page draw from."""
    if cell_type is None:
        from vcsim.cells.registry import cell_type as lookup

        cell_type = lookup("vsmc")
    return [(0, "empty", cell_type.empty_colour)] + [
        (p.code, p.label or p.name, p.colour) for p in cell_type.phenotypes]


def panel_markers(panel: str, cell_type: Any = None) -> tuple[str, ...]:
    """The variables whose means a figure ``panel`` plots ("upr", "osteogenic")."""
    if cell_type is None:
        from vcsim.cells.registry import cell_type as lookup

        cell_type = lookup("vsmc")
    return tuple(v.name for v in cell_type.variables if v.panel == panel)


#: Units read from column-name suffixes (longest suffix first).
UNIT_SUFFIXES = (
    ("_ug_per_mg_protein", "ug Ca / mg protein"),
    ("_mmol_per_L", "mmol / L"),
    ("_pg_per_mL", "pg/mL"),
    ("_g_per_L", "g/L"),
    ("_per_h", "1/h"),
    ("_umol", "umol"),
    ("_count", "count"),
    ("_mM", "mM"),
    ("_uM", "uM"),
    ("_nM", "nM"),
    ("_h", "h"),
)


def units_of(column: str) -> str:
    """Units of a column from its name's suffix (``"1"`` for fractions and relative levels)."""
    for suffix, units in UNIT_SUFFIXES:
        if column.endswith(suffix):
            return units
    return "1"


def _time_days(ts: pd.DataFrame) -> np.ndarray:
    if "day" in ts:
        return ts["day"].to_numpy(dtype=float)
    if "time_h" in ts:
        return ts["time_h"].to_numpy(dtype=float) / 24.0
    return np.arange(len(ts), dtype=float)


def marker_columns(ts: pd.DataFrame, names: Sequence[str]) -> list[str]:
    """``mean_<marker>`` columns present in ``ts``, in the order of ``names``."""
    means = [c for c in ts.columns if c.startswith("mean_")]
    out: list[str] = []
    for name in names:
        for c in means:
            if c not in out and c[len("mean_"):] == name:
                out.append(c)
    return out


def summary_figure(
    ts: pd.DataFrame,
    phenotype_grid: np.ndarray | None = None,
    mineral_ca_mmol_per_L: np.ndarray | None = None,
    *,
    lamina: np.ndarray | None = None,
    site_spacing_um: float | None = None,
    calcified_threshold_mmol_per_L: float | None = None,
    title: str = "",
    geometry: Any = None,
    labels: Mapping[str, str] | None = None,
    cell_type: Any = None,
) -> Figure:
    """The six-panel summary of a run.

    Args:
        ts: the model's time series (``timeseries_frame()``), one row per step.
        phenotype_grid: final phenotype codes, shape (rows, cols) (0 empty .. 4 apoptotic).
        mineral_ca_mmol_per_L: final calcium held in mineral per site (mmol Ca / L tissue,
            i.e. 10 x ``mineral_hap_mM``).
        lamina: bool mask of elastic-lamina sites, drawn in their own colour.
        site_spacing_um: lattice spacing; map axes are in um when given, in sites otherwise.
        calcified_threshold_mmol_per_L: marked on the mineral map's colour bar.
        title: figure title.
        geometry: the run's :class:`vcsim.geometry.Geometry`: maps are drawn on its site
            corners with equal aspect (a slab as a rectangle in um, a ring as a cross-section).
        labels: column -> legend label (the output registry's labels); column names otherwise.
        cell_type: whose phenotypes and marker panels to draw (VSMC by default).
    """
    labels = dict(labels or {})
    entries = phenotype_entries(cell_type)
    patient = PATIENT_PREFIX + "serum_phosphate_mM" in ts
    fig = Figure(figsize=(16, 13.5 if patient else 9), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(3 if patient else 2, 3)
    days = _time_days(ts)
    if title:
        fig.suptitle(title)

    # (a) phenotypes
    ax = axes[0, 0]
    names = ["empty"] + [p.name for p in (cell_type or _vsmc()).phenotypes]
    for (code, label, colour), name in zip(entries, names, strict=True):
        col = f"fraction_{name}"
        if col in ts:
            ax.plot(days, ts[col], label=label if code else "no cell", color=colour if code else "#999999")
    _finish(ax, "(a) phenotypes", "fraction of cell sites (1)", ylim=(0, 1.02))

    # (b) UPR / ER stress
    ax = axes[0, 1]
    for col in marker_columns(ts, panel_markers("upr", cell_type)):
        ax.plot(days, ts[col], label=labels.get(col, col[len("mean_"):]))
    _finish(ax, "(b) ER stress / UPR (mean over cells)", "relative level (1)")

    # (c) osteogenic switch
    ax = axes[0, 2]
    for col in marker_columns(ts, panel_markers("osteogenic", cell_type)):
        style = "--" if "contractile" in col else "-"
        ax.plot(days, ts[col], style, label=labels.get(col, col[len("mean_"):]))
    _finish(ax, "(c) osteogenic / contractile markers (mean over cells)", "relative level (1)")

    # (d) mineral
    ax = axes[1, 0]
    handles = []
    if "calcium_content_ug_per_mg_protein" in ts:
        handles += ax.plot(days, ts["calcium_content_ug_per_mg_protein"], color="#8c2d04",
                           label="calcium content")
        ax.set_ylabel("calcium content (ug Ca / mg protein)")
        ax.set_ylim(bottom=0)
    else:
        mineral_cols = [c for c in ts.columns if "mineral" in c]
        for col in mineral_cols[:3]:
            handles += ax.plot(days, ts[col], label=col)
        ax.set_ylabel(", ".join(sorted({units_of(c) for c in mineral_cols[:3]})) or "amount")
    if "calcified_fraction" in ts:
        twin = ax.twinx()
        handles += twin.plot(days, ts["calcified_fraction"], color="#737373", ls="--",
                             label="calcified area")
        twin.set_ylabel("calcified area (fraction of sites, 1)")
        top = float(np.nanmax(ts["calcified_fraction"])) if len(ts) else 0.0
        twin.set_ylim(0, max(top * 1.1, 0.01))
    ax.set_title("(d) mineral")
    ax.set_xlabel("time (days)")
    if handles:
        ax.legend(handles=handles, loc="upper left", fontsize="small", frameon=False)

    # (e) phenotype map, (f) mineral map
    ax = axes[1, 1]
    if phenotype_grid is not None:
        codes = np.asarray(phenotype_grid).astype(np.int16)
        shown = list(entries)
        lamina_code = len(entries)
        if lamina is not None and np.any(lamina):
            codes = np.where(np.asarray(lamina, dtype=bool), lamina_code, codes)
            shown.append((lamina_code, "elastic lamina", LAMINA_COLOUR))
        colours = [c for _, _, c in entries] + [LAMINA_COLOUR]
        cmap = ListedColormap(colours)
        norm = BoundaryNorm(np.arange(-0.5, len(colours) + 0.5), cmap.N)
        _draw_map(ax, codes, geometry, site_spacing_um, cmap=cmap, norm=norm)
        ax.legend(handles=[Patch(facecolor=c, edgecolor="#555555", label=n) for _, n, c in shown],
                  loc="upper center", bbox_to_anchor=(0.5, -0.34), ncol=3, fontsize="small",
                  frameon=False)
    _map_axes(ax, "(e) phenotypes at the end", geometry, site_spacing_um)

    ax = axes[1, 2]
    if mineral_ca_mmol_per_L is not None:
        mineral = np.ma.masked_less(np.asarray(mineral_ca_mmol_per_L, dtype=float),
                                    MINERAL_MIN_MMOL_PER_L)
        im = _draw_map(ax, mineral, geometry, site_spacing_um, cmap=mineral_cmap(),
                       norm=LogNorm(MINERAL_MIN_MMOL_PER_L, MINERAL_MAX_MMOL_PER_L, clip=True))
        threshold = calcified_threshold_mmol_per_L or 0.0
        label = "mineral calcium\n(mmol Ca / L tissue)"
        bar = fig.colorbar(im, ax=ax, shrink=0.6, extend="both",
                           label=label + ("\nline: calcified" if threshold > 0 else ""))
        if threshold > 0:
            bar.ax.axhline(threshold, color="k", lw=1.2)
    _map_axes(ax, "(f) mineral at the end", geometry, site_spacing_um)
    if patient:
        _patient_panels(axes[2], ts, days)
    return fig


#: the timeseries columns of a coupled patient (vcsim.processes.mineral_metabolism) start so
PATIENT_PREFIX = "patient_"


def _patient_panels(axes: Sequence[Any], ts: pd.DataFrame, days: np.ndarray) -> None:
    """(g) serum minerals, (h) the hormones, (i) GFR and the T50 propensity of the patient."""
    def col(name: str) -> pd.Series:
        return ts[PATIENT_PREFIX + name]

    ax = axes[0]
    for name, label in (("serum_phosphate_mM", "Pi (total)"), ("serum_ionised_calcium_mM", "Ca (ionised)"),
                        ("serum_magnesium_mM", "Mg (total)")):
        ax.plot(days, col(name), label=label, lw=0.8)
    _finish(ax, "(g) the patient's serum", "concentration (mM)")
    ax.set_ylim(bottom=0)

    ax = axes[1]
    for name, label in (("pth_pg_per_mL", "PTH (intact, pg/mL)"), ("fgf23_pg_per_mL", "FGF23 (intact, pg/mL)"),
                        ("calcitriol_pmol_per_L", "calcitriol (pmol/L)")):
        ax.plot(days, col(name), label=label)
    ax.set_yscale("log")
    _finish(ax, "(h) the patient's hormones", "level (log scale; units in the legend)")

    ax = axes[2]
    handles = ax.plot(days, col("t50_min"), color="#2c7fb8", label="T50 (min)")
    ax.set_ylabel("calcification propensity T50 (min)")
    ax.set_ylim(bottom=0)
    twin = ax.twinx()
    handles += twin.plot(days, col("gfr_mL_per_min"), color="#636363", ls="--", label="GFR (mL/min)")
    twin.set_ylabel("GFR (mL/min)")
    twin.set_ylim(bottom=0)
    ax.set_title("(i) kidney function and serum calcification propensity")
    ax.set_xlabel("time (days)")
    ax.legend(handles=handles, loc="lower left", fontsize="small", frameon=False)


def _vsmc() -> Any:
    from vcsim.cells.registry import cell_type

    return cell_type("vsmc")


def _corners(grid: np.ndarray, geometry: Any, spacing_um: float | None) -> tuple[np.ndarray, np.ndarray]:
    if geometry is not None:
        return geometry.corners_um()
    rows, cols = np.shape(grid)
    dx = spacing_um or 1.0
    return np.meshgrid(np.arange(cols + 1) * dx, np.arange(rows + 1) * dx)


def _draw_map(ax, grid: np.ndarray, geometry: Any, spacing_um: float | None, **style):
    """``grid`` on the site corners of the geometry, equal aspect (um)."""
    x, y = _corners(grid, geometry, spacing_um)
    mesh = ax.pcolormesh(x, y, grid, shading="flat", rasterized=True, **style)
    ax.set_aspect("equal")
    if geometry is None or geometry.name == "slab":
        ax.invert_yaxis()  # depth from the lumen downwards
    return mesh


def _finish(ax, title: str, ylabel: str, ylim: tuple[float, float] | None = None) -> None:
    ax.set_title(title)
    ax.set_xlabel("time (days)")
    ax.set_ylabel(ylabel)
    if ylim:
        ax.set_ylim(*ylim)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small", frameon=False, ncol=2)
    else:
        ax.text(0.5, 0.5, "no columns to plot", transform=ax.transAxes, ha="center", color="#999999")


def scale_bar_um(extent_um: float) -> float:
    """A round length (1, 2 or 5 x 10^k um) of about a fifth of ``extent_um``."""
    target = max(extent_um, 1e-9) / 5.0
    power = 10.0 ** math.floor(math.log10(target))
    return max((m * power for m in (1.0, 2.0, 5.0) if m * power <= target), default=power)


def _map_axes(ax, title: str, geometry: Any, spacing_um: float | None) -> None:
    ax.set_title(title)
    unit = "um" if (geometry is not None or spacing_um) else "site"
    if unit == "um" and ax.has_data():  # a scale bar on the map, as a micrograph has
        from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

        width = abs(np.subtract(*ax.get_xlim()))
        length = scale_bar_um(width)
        ax.add_artist(AnchoredSizeBar(ax.transData, length, f"{length:g} um", "lower right",
                                      pad=0.3, sep=2, frameon=True, size_vertical=0,
                                      fontproperties={"size": "x-small"}))
    if geometry is not None and geometry.name == "ring":
        ax.set_xlabel(f"x ({unit})")
        ax.set_ylabel(f"y ({unit})")
        return
    ax.set_xlabel(f"along the wall ({unit})")
    ax.set_ylabel(f"depth from the lumen ({unit})")


def summary_png(ts: pd.DataFrame, phenotype_grid: np.ndarray | None = None,
                mineral_ca_mmol_per_L: np.ndarray | None = None, **kwargs) -> bytes:
    """:func:`summary_figure` rendered as PNG bytes (write them with an atomic write)."""
    fig = summary_figure(ts, phenotype_grid, mineral_ca_mmol_per_L, **kwargs)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
