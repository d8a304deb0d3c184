"""The figures of the browser page, as plain matplotlib on a model (no Solara here).

Each function takes a :class:`vcsim.model.VascularModel` (or anything with the same
``lattice``, ``cells``, ``params``, ``phenotype_grid()`` and ``datacollector``) and returns a
:class:`matplotlib.figure.Figure` drawn with the Agg canvas: no pyplot state, so they are safe
in the server's threads and testable without a browser. :mod:`vcsim.viz.app` wraps each one in
a Solara component that redraws when the model steps.

- :func:`lattice_figure`: every site coloured by phenotype (elastic lamina in its own colour),
  mineral calcium overlaid in semi-transparent brown (log colour bar, mmol Ca / L tissue) and
  sites above ``calcified_threshold_mmol_per_L`` hatched.
- :func:`field_figure`: a heatmap of one of :data:`FIELDS` (lattice fields and cell state),
  units in the colour bar.
- :func:`phenotype_figure`, :func:`calcification_figure`, :func:`nucleation_figure`,
  :func:`upr_figure`: the time series the model's DataCollector holds, time in days.

Maps are drawn as the slab (depth from the lumen down, distance along the wall across, both in
um) or, when ``geometry = "ring"``, as a vessel cross-section from
:meth:`vcsim.lattice.Lattice.ring_coordinates`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm, ListedColormap, LogNorm, Normalize, TwoSlopeNorm
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from vcsim.figures import LAMINA, PHENOTYPES

#: Size of every figure on the page (inches) and its resolution: about 560 x 330 px, small
#: enough that a step plus all redraws stays well under a second on one core.
FIGSIZE = (7.0, 4.1)
DPI = 80

#: Mineral overlay: calcium in mineral (mmol Ca / L tissue) is drawn from MINERAL_MIN_MMOL_PER_L
#: (fainter sites are left clear) on a log scale up to MINERAL_MAX_MMOL_PER_L.
MINERAL_MIN_MMOL_PER_L = 0.5
MINERAL_MAX_MMOL_PER_L = 500.0

#: Transparent -> dark brown: the phenotype colours show through light deposits.
MINERAL_CMAP = ListedColormap(
    np.column_stack([
        np.linspace(0.55, 0.20, 256),  # red
        np.linspace(0.40, 0.10, 256),  # green
        np.linspace(0.20, 0.02, 256),  # blue
        np.linspace(0.35, 0.75, 256),  # alpha: the phenotype stays readable under heavy mineral
    ]),
    name="vcsim_mineral",
)

#: Mean UPR / osteogenic markers of the marker panel (``mean_<name>`` columns), in plot order.
UPR_PANEL_MARKERS = ("grp78", "chop", "atf4", "xbp1s", "atf6", "caspase12", "autophagy_flux", "runx2")


# ---------------------------------------------------------------------- what can be mapped
@dataclass(frozen=True)
class MapField:
    """A quantity that :func:`field_figure` can draw.

    Attributes:
        label: what the selector shows.
        units: units for the colour bar.
        values: ``values(model) -> (rows, cols)`` float array (NaN where it does not apply).
        cmap: matplotlib colormap name.
        centre: if set, a diverging colour scale centred on this value (saturation index).
        fixed_range: ``(vmin, vmax)`` for quantities with a natural range (0-1 markers).
    """

    label: str
    units: str
    values: Callable[[Any], np.ndarray]
    cmap: str = "viridis"
    centre: float | None = None
    fixed_range: tuple[float, float] | None = None


def _field(name: str, scale: float = 1.0) -> Callable[[Any], np.ndarray]:
    def values(model: Any) -> np.ndarray:
        return model.lattice.fields[name] * scale

    return values


def _cell_variable(name: str) -> Callable[[Any], np.ndarray]:
    """A cell-state variable on the lattice; NaN where there is no viable cell."""

    def values(model: Any) -> np.ndarray:
        shape = (model.lattice.rows, model.lattice.cols)
        arr = np.asarray(model.cells.arrays()[name], dtype=np.float64).reshape(shape)
        return np.where(viable_grid(model), arr, np.nan)

    return values


#: The selector of the heatmap: key -> how to draw it. Units follow docs/ARCHITECTURE.md.
FIELDS: dict[str, MapField] = {
    "hap_saturation_index": MapField(
        "HAP saturation index", "log10(IAP / Ksp)", _field("hap_saturation_index"), "RdBu_r", centre=0.0),
    "phosphate_mM": MapField("phosphate (Pi), pore fluid", "mM", _field("phosphate_mM"), "viridis"),
    "calcium_mM": MapField("calcium, pore fluid", "mM", _field("calcium_mM"), "viridis"),
    "pyrophosphate_uM": MapField("pyrophosphate (PPi), pore fluid", "uM", _field("pyrophosphate_uM"), "viridis"),
    "magnesium_mM": MapField("magnesium, pore fluid", "mM", _field("magnesium_mM"), "viridis"),
    "mineral_calcium": MapField(
        "mineral calcium (10 x HAP)", "mmol Ca / L tissue", _field("mineral_hap_mM", 10.0), "copper"),
    "nuclei_count": MapField("stable HAP nuclei", "count / site", _field("nuclei_count"), "magma"),
    "vesicles_count": MapField("matrix vesicles + apoptotic bodies", "count / site", _field("vesicles_count"), "magma"),
    "tnap_activity_uM_per_h": MapField(
        "TNAP activity (PPi hydrolysis Vmax)", "uM PPi / h", _field("tnap_activity_uM_per_h"), "magma"),
    "cmgp_nM": MapField("carboxylated MGP in matrix", "nM", _field("cmgp_nM"), "cividis"),
    "ucmgp_nM": MapField("uncarboxylated MGP in matrix", "nM", _field("ucmgp_nM"), "cividis"),
    "chop": MapField("CHOP (cells)", "relative level, 0-1", _cell_variable("chop"), "inferno", fixed_range=(0, 1)),
    "grp78": MapField("GRP78 / BiP (cells)", "relative level, 0-1", _cell_variable("grp78"), "inferno", fixed_range=(0, 1)),
    "atf4": MapField("ATF4 (cells)", "relative level, 0-1", _cell_variable("atf4"), "inferno", fixed_range=(0, 1)),
    "xbp1s": MapField("spliced XBP1 (cells)", "relative level, 0-1", _cell_variable("xbp1s"), "inferno", fixed_range=(0, 1)),
    "runx2": MapField("Runx2 (cells)", "relative level, 0-1", _cell_variable("runx2"), "inferno", fixed_range=(0, 1)),
    "osteogenic_commitment": MapField(
        "osteogenic commitment (cells)", "relative level, 0-1", _cell_variable("osteogenic_commitment"),
        "inferno", fixed_range=(0, 1)),
    "autophagy_flux": MapField(
        "autophagic flux (cells)", "relative level, 0-1", _cell_variable("autophagy_flux"), "inferno", fixed_range=(0, 1)),
    "unfolded_load": MapField(
        "unfolded protein load (cells)", "relative to basal folding capacity", _cell_variable("unfolded_load"), "inferno"),
}
DEFAULT_FIELD = "hap_saturation_index"


# ---------------------------------------------------------------------- helpers
def new_figure(figsize: tuple[float, float] = FIGSIZE, dpi: int = DPI) -> Figure:
    """A bare Agg figure (no pyplot) with constrained layout."""
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (what the page shows)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def viable_grid(model: Any) -> np.ndarray:
    """Bool (rows, cols): sites holding a contractile, osteogenic or autophagic cell."""
    ph = model.phenotype_grid()
    return (ph == 1) | (ph == 2) | (ph == 3)


def _is_ring(model: Any) -> bool:
    return getattr(model.lattice, "geometry", "slab") == "ring"


def _draw_map(ax, model: Any, data: np.ndarray, **kwargs: Any):
    """Draw a (rows, cols) array as the slab (imshow) or the ring (pcolormesh); returns the artist."""
    lat = model.lattice
    if _is_ring(model):
        x, y = lat.ring_coordinates(corners=True)
        artist = ax.pcolormesh(x, y, data, shading="flat", **kwargs)
        ax.set_aspect("equal")
        ax.set_xlabel("x (um)")
        ax.set_ylabel("y (um)")
    else:
        extent = (0.0, lat.cols * lat.spacing_um, lat.rows * lat.spacing_um, 0.0)
        artist = ax.imshow(data, extent=extent, interpolation="nearest", aspect="equal", **kwargs)
        ax.set_xlabel("along the wall (um)")
        ax.set_ylabel("depth from lumen (um)")
    return artist


def _colorbar(fig: Figure, ax, model: Any, artist, label: str, **kwargs: Any):
    """Colour bar under the slab (it is wide and flat), beside the ring."""
    if _is_ring(model):
        return fig.colorbar(artist, ax=ax, label=label, location="right", shrink=0.8, **kwargs)
    return fig.colorbar(artist, ax=ax, label=label, location="bottom", shrink=0.7, aspect=40,
                        **kwargs)


def _hatch_calcified(ax, model: Any, calcified: np.ndarray) -> None:
    """Hatch the sites counted as calcified (one polygon per site on the ring, one rectangle
    per run of sites along a row on the slab: few artists, quick to draw)."""
    if not calcified.any():
        return
    lat = model.lattice
    style = {"facecolors": "none", "edgecolors": "black", "linewidths": 0.0, "hatch": "////"}
    if _is_ring(model):
        x, y = lat.ring_coordinates(corners=True)
        rows, cols = np.nonzero(calcified)
        corners = [(rows, cols), (rows, cols + 1), (rows + 1, cols + 1), (rows + 1, cols)]
        verts = np.stack([np.column_stack([x[r, c], y[r, c]]) for r, c in corners], axis=1)
    else:
        s = lat.spacing_um
        boxes = []
        for r in np.flatnonzero(calcified.any(axis=1)):
            edges = np.diff(np.concatenate(([0], calcified[r].astype(np.int8), [0])))
            for c0, c1 in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
                x0, x1, y0, y1 = c0 * s, c1 * s, r * s, (r + 1) * s
                boxes.append([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        verts = np.asarray(boxes, dtype=float)
    ax.add_collection(PolyCollection(verts, **style), autolim=False)


def _series(model: Any, names: Sequence[str]) -> dict[str, np.ndarray]:
    """Collected time series (one value per step) straight from the DataCollector."""
    mv = model.datacollector.model_vars
    return {n: np.asarray(mv[n], dtype=float) for n in names if n in mv}


def _days(model: Any) -> np.ndarray:
    mv = model.datacollector.model_vars
    if "day" in mv:
        return np.asarray(mv["day"], dtype=float)
    n = len(next(iter(mv.values()), []))
    return np.arange(n) * float(getattr(model, "dt_h", 1.0)) / 24.0


def _time_axis(ax, days: np.ndarray) -> None:
    ax.set_xlabel("time (days)")
    right = float(days[-1]) if len(days) else 0.0
    ax.set_xlim(0.0, max(right, 1.0 / 24.0))
    ax.grid(True, alpha=0.25)


def _title(model: Any, what: str) -> str:
    return f"{what} - day {model.time_h / 24.0:.2f}"


# ---------------------------------------------------------------------- maps
def lattice_figure(model: Any, fig: Figure | None = None) -> Figure:
    """Phenotype of every site with the mineral on top.

    Colours: contractile, osteogenic, autophagic, apoptotic, empty (:data:`vcsim.figures.PHENOTYPES`)
    and the elastic lamina. Mineral calcium (``10 * mineral_hap_mM``, mmol Ca / L tissue) is a
    semi-transparent brown overlay on a log colour bar from
    :data:`MINERAL_MIN_MMOL_PER_L`; sites at or above ``calcified_threshold_mmol_per_L`` are
    hatched.
    """
    fig = fig or new_figure()
    ax = fig.subplots()
    codes = np.asarray(model.phenotype_grid()).astype(np.int16)
    lamina = np.asarray(model.lattice.lamina, dtype=bool)
    codes = np.where(lamina, LAMINA[0], codes)
    colours = [c for _, _, c in PHENOTYPES] + [LAMINA[2]]
    cmap = ListedColormap(colours)
    norm = BoundaryNorm(np.arange(-0.5, len(colours) + 0.5), cmap.N)
    _draw_map(ax, model, codes, cmap=cmap, norm=norm)

    mineral = 10.0 * model.lattice.fields["mineral_hap_mM"]
    shown = np.ma.masked_less(mineral, MINERAL_MIN_MMOL_PER_L)
    overlay = _draw_map(ax, model, shown, cmap=MINERAL_CMAP,
                        norm=LogNorm(MINERAL_MIN_MMOL_PER_L, MINERAL_MAX_MMOL_PER_L, clip=True))
    _colorbar(fig, ax, model, overlay, "mineral Ca (mmol Ca / L tissue)", extend="max")
    threshold = float(model.params.calcified_threshold_mmol_per_L)
    _hatch_calcified(ax, model, mineral >= max(threshold, 1e-12))

    handles = [Patch(facecolor=c, edgecolor="#555555", label=n) for _, n, c in PHENOTYPES]
    if lamina.any():
        handles.append(Patch(facecolor=LAMINA[2], edgecolor="#555555", label=LAMINA[1]))
    handles.append(Patch(facecolor="none", edgecolor="black", hatch="////",
                         label=f"calcified (>= {threshold:g} mmol Ca/L)"))
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize="small", frameon=False)
    ax.set_title(_title(model, "phenotypes and mineral"))
    return fig


def field_figure(model: Any, field: str = DEFAULT_FIELD, fig: Figure | None = None) -> Figure:
    """Heatmap of ``FIELDS[field]`` with its units on the colour bar (grey: not applicable)."""
    spec = FIELDS[field]
    fig = fig or new_figure()
    ax = fig.subplots()
    data = np.asarray(spec.values(model), dtype=np.float64)
    finite = data[np.isfinite(data)]
    cmap = colormaps[spec.cmap].copy()
    cmap.set_bad("#d9d9d9")
    if spec.fixed_range is not None:
        norm = Normalize(*spec.fixed_range)
    elif spec.centre is not None:
        half = max(float(np.abs(finite - spec.centre).max()) if finite.size else 0.0, 0.1)
        norm = TwoSlopeNorm(spec.centre, spec.centre - half, spec.centre + half)
    else:
        lo = float(finite.min()) if finite.size else 0.0
        hi = float(finite.max()) if finite.size else 1.0
        if hi - lo < 1e-12 * max(abs(hi), 1.0):  # uniform field: a visible, honest range
            lo, hi = lo - max(abs(lo) * 0.05, 1e-9), hi + max(abs(hi) * 0.05, 1e-9)
        norm = Normalize(lo, hi)
    artist = _draw_map(ax, model, np.ma.masked_invalid(data), cmap=cmap, norm=norm)
    _colorbar(fig, ax, model, artist, f"{spec.label} ({spec.units})")
    ax.set_title(_title(model, spec.label))
    return fig


# ---------------------------------------------------------------------- time series
def phenotype_figure(model: Any, fig: Figure | None = None) -> Figure:
    """Fraction of cell sites in each phenotype over time."""
    fig = fig or new_figure()
    ax = fig.subplots()
    days = _days(model)
    ts = _series(model, [f"fraction_{n}" for _, n, _ in PHENOTYPES])
    for code, name, colour in PHENOTYPES:
        key = f"fraction_{name}"
        if key in ts:
            ax.plot(days, ts[key], label=name, color=colour if code else "#999999", lw=1.6)
    ax.set_ylim(0.0, 1.02)
    ax.set_ylabel("fraction of cell sites (1)")
    _time_axis(ax, days)
    ax.legend(fontsize="small", ncol=3, loc="upper right", frameon=False)
    ax.set_title(_title(model, "phenotype fractions"))
    return fig


def calcification_figure(model: Any, fig: Figure | None = None) -> Figure:
    """Calcified area fraction (left) and calcium content of the layer (right) over time."""
    fig = fig or new_figure()
    ax = fig.subplots()
    days = _days(model)
    ts = _series(model, ["calcified_fraction", "calcium_content_ug_per_mg_protein"])
    threshold = float(model.params.calcified_threshold_mmol_per_L)
    handles = []
    if "calcified_fraction" in ts:
        y = ts["calcified_fraction"]
        handles += ax.plot(days, y, color="#8c2d04", lw=1.8,
                           label=f"calcified fraction (sites >= {threshold:g} mmol Ca/L)")
        ax.set_ylim(0.0, max(float(np.nanmax(y)) * 1.15 if y.size else 0.0, 0.01))
    ax.set_ylabel("calcified fraction of sites (1)")
    if "calcium_content_ug_per_mg_protein" in ts:
        twin = ax.twinx()
        y = ts["calcium_content_ug_per_mg_protein"]
        handles += twin.plot(days, y, color="#636363", ls="--", lw=1.4, label="calcium content")
        twin.set_ylabel("calcium content (ug Ca / mg protein)")
        twin.set_ylim(0.0, max(float(np.nanmax(y)) * 1.15 if y.size else 0.0, 0.01))
    _time_axis(ax, days)
    ax.legend(handles=handles, fontsize="small", loc="upper left", frameon=False)
    ax.set_title(_title(model, "calcification"))
    return fig


def nucleation_figure(model: Any, fig: Figure | None = None) -> Figure:
    """Nucleation events per step (stacked by source when the model reports sources) and
    cumulative (line, right axis)."""
    fig = fig or new_figure()
    ax = fig.subplots()
    days = _days(model)
    mv = model.datacollector.model_vars
    sources = [k for k in mv if k.startswith("nucleation_events_new_")]
    ts = _series(model, ["nucleation_events_new", "nucleation_events_cumulative", *sources])
    # Row k holds the events of the step that ended at days[k]: drawn over (days[k-1], days[k]].
    # One filled step artist per source, stacked (not one bar per step: cheap for long runs).
    dt_days = float(getattr(model, "dt_h", 1.0)) / 24.0
    edges = np.concatenate(([days[0] - dt_days], days)) if len(days) else np.zeros(1)
    if sources:
        stacks = [(k, "new: " + k.removeprefix("nucleation_events_new_").replace("_", " "))
                  for k in sources if np.any(ts[k])]
    else:
        stacks = [("nucleation_events_new", "new")]
    handles = []
    bottom = np.zeros(len(days))
    for (key, label), colour in zip(stacks, colormaps["tab10"].colors, strict=False):
        y = ts.get(key, np.zeros(len(days)))
        handles.append(ax.stairs(bottom + y, edges, baseline=bottom, fill=True, color=colour,
                                 label=label))
        bottom = bottom + y
    top = float(bottom.max()) if bottom.size else 0.0
    ax.set_ylim(0.0, max(top * 1.2, 1.0))
    ax.set_ylabel("new events (per step)")
    if "nucleation_events_cumulative" in ts:
        twin = ax.twinx()
        y = ts["nucleation_events_cumulative"]
        handles += twin.plot(days, y, color="black", lw=1.6, label="cumulative")
        twin.set_ylim(0.0, max(float(y.max()) * 1.15 if y.size else 0.0, 1.0))
        twin.set_ylabel("cumulative events (count)")
    _time_axis(ax, days)
    ax.legend(handles=handles, fontsize="small", loc="upper left", frameon=False)
    ax.set_title(_title(model, "nucleation events"))
    return fig


def upr_figure(model: Any, fig: Figure | None = None) -> Figure:
    """Mean ER-stress / UPR markers (and Runx2) over viable cells."""
    fig = fig or new_figure()
    ax = fig.subplots()
    days = _days(model)
    ts = _series(model, [f"mean_{m}" for m in UPR_PANEL_MARKERS])
    for m in UPR_PANEL_MARKERS:
        key = f"mean_{m}"
        if key in ts:
            ax.plot(days, ts[key], label=m, lw=1.4, ls="--" if m == "runx2" else "-")
    ax.set_ylim(0.0, 1.02)
    ax.set_ylabel("mean over viable cells (relative level, 0-1)")
    _time_axis(ax, days)
    ax.legend(fontsize="small", ncol=4, loc="upper right", frameon=False)
    ax.set_title(_title(model, "UPR markers"))
    return fig


#: Every figure of the page in order (the field heatmap takes the field key too).
TIME_SERIES_FIGURES: tuple[Callable[[Any], Figure], ...] = (
    phenotype_figure, calcification_figure, nucleation_figure, upr_figure,
)


def all_figures(model: Any, field: str = DEFAULT_FIELD) -> list[Figure]:
    """Every figure the page draws for one step, in page order."""
    return [lattice_figure(model), field_figure(model, field),
            *(f(model) for f in TIME_SERIES_FIGURES)]
