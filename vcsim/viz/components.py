"""The figures of the browser page, as plain matplotlib on a model (no Solara here).

Each figure is a small *view* class: built once for a model, then updated in place each step
(``update(model)``). The plain functions (:func:`lattice_figure`, :func:`field_figure`,
:func:`phenotype_figure`, :func:`calcification_figure`, :func:`nucleation_figure`,
:func:`upr_figure`) return the finished :class:`matplotlib.figure.Figure` of a view, for tests,
notebooks and scripts. :class:`LivePanel` is what the page uses: it redraws only what changed
and returns PNG bytes (:mod:`vcsim.viz.app` wraps one panel per Solara component).

What is drawn:

- :class:`LatticeView`: every site coloured by phenotype (contractile, osteogenic, autophagic,
  apoptotic, empty; the elastic lamina in its own colour), mineral calcium
  (``HAP_CALCIUM * mineral_hap_mM``, mmol Ca / L tissue) overlaid in semi-transparent brown on a log
  colour bar, and sites at or above ``calcified_threshold_mmol_per_L`` marked with a dot.
- :class:`FieldView`: a heatmap of one of :data:`FIELDS` (lattice fields and cell state), units
  on the colour bar; grey where a cell variable does not apply (no viable cell, lamina).
- :class:`PhenotypeView`, :class:`CalcificationView`, :class:`NucleationView`,
  :class:`UPRView`: the model's DataCollector series against time in days.

Maps are the slab (distance along the wall across, depth from the lumen down, in um) or, when
``geometry = "ring"``, the vessel cross-section (:class:`vcsim.geometry.RingGeometry`).

Speed: drawing text dominates a matplotlib redraw (about 1-2 ms per label here), so axis limits
move in 1-2-5 steps (:func:`nice_ceiling`) and stay put between them; while they stay put,
:class:`LivePanel` restores the saved picture of the static parts (axes, ticks, labels, legends,
colour bars) and draws only the data artists on top (matplotlib "blitting"). All the figures
for one step of the default 30 x 100 lattice take a few tens of milliseconds.

Every figure uses a bare Agg canvas (no pyplot state): safe in the server's threads.
"""

from __future__ import annotations

import io
import math
import struct
import zlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm, ListedColormap, LogNorm, Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from vcsim.chemistry.nucleation import SOURCES
from vcsim.chemistry.phases import HAP_CALCIUM
from vcsim.figures import (
    LAMINA_COLOUR,
    MINERAL_MAX_MMOL_PER_L,
    MINERAL_MIN_MMOL_PER_L,
    mineral_cmap,
    panel_markers,
    phenotype_entries,
)

#: Size of every figure on the page (inches) and its resolution: 560 x 328 px.
FIGSIZE = (7.0, 4.1)
DPI = 80
#: The lattice's resolution: its panel spans the page's width and shows it up to 1050 px wide
#: (scaled by the browser). 100 or 120 dpi look sharper but cost the Step-to-redraw 0.04 s in
#: one comparison (0.205 s at 80 dpi against 0.246 s at 100 dpi), which the 0.25 s target
#: cannot spare.
LATTICE_DPI = 80

#: Time-series axes box [left, bottom, width, height] (legend underneath, right axis room).
TIME_SERIES_BOX = [0.10, 0.26, 0.78, 0.66]
#: Map and colour-bar boxes [left, bottom, width, height] for (geometry, legend underneath?).
MAP_BOXES = {
    ("slab", True): ([0.10, 0.40, 0.87, 0.52], [0.25, 0.25, 0.50, 0.035]),
    ("slab", False): ([0.10, 0.30, 0.87, 0.62], [0.20, 0.13, 0.60, 0.04]),
    ("ring", True): ([0.04, 0.24, 0.70, 0.69], [0.76, 0.28, 0.025, 0.60]),
    ("ring", False): ([0.04, 0.06, 0.70, 0.86], [0.76, 0.15, 0.025, 0.70]),
}

#: Mineral overlay: the summary figure's colour scale (vcsim.figures), translucent over the
#: phenotypes.
MINERAL_CMAP = mineral_cmap(overlay=True)

#: Mean markers of the UPR panel (``mean_<name>`` columns): the cell type's "upr" variables
UPR_PANEL_MARKERS = panel_markers("upr")
#: Nucleation sources (``nucleation_events_new_<source>``), stacked in this order when present.
NUCLEATION_SOURCES = SOURCES


# ---------------------------------------------------------------------- small helpers
def nice_ceiling(x: float) -> float:
    """Smallest value of the 1-2-5 sequence (..., 0.5, 1, 2, 5, 10, ...) that is >= ``x``
    (1 for ``x <= 0`` or not finite)."""
    if not math.isfinite(x) or x <= 0:
        return 1.0
    decade = 10.0 ** math.floor(math.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * decade >= x * (1 - 1e-12):
            return m * decade
    return 10.0 * decade


def nice_range(lo: float, hi: float) -> tuple[float, float]:
    """An interval enclosing ``[lo, hi]`` whose ends are multiples of a 1-2-5 step (about a
    quarter of the span), so it changes only when the data cross a step."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return 0.0, 1.0
    span = hi - lo
    if span <= 1e-9 * max(abs(lo), abs(hi), 1e-12):  # uniform: a small range around the value
        pad = nice_ceiling(max(abs(hi) * 0.05, 1e-9))
        return lo - pad, hi + pad
    step = nice_ceiling(span / 4.0)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step


def new_figure(figsize: tuple[float, float] = FIGSIZE, dpi: int = DPI) -> Figure:
    """A bare Agg figure (no pyplot). Axes are placed by hand (no layout engine: the
    constrained-layout solver costs as much as drawing the figure)."""
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (a full draw)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def rgba_png(rgba: np.ndarray, level: int = 1) -> bytes:
    """A (height, width, 4) uint8 array as PNG bytes: filter "none" on every row and zlib at
    ``level``. A third of the time of a general encoder (PIL's adaptive filtering) for pictures
    of about the same size: the page encodes seven figures at every step."""
    height, width, _ = rgba.shape
    raw = np.empty((height, 1 + 4 * width), dtype=np.uint8)
    raw[:, 0] = 0  # filter type of each scanline
    raw[:, 1:] = rgba.reshape(height, 4 * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + chunk(b"IEND", b""))


def canvas_png(canvas: FigureCanvasAgg) -> bytes:
    """PNG bytes of what the Agg canvas holds now (no redraw)."""
    return rgba_png(np.asarray(canvas.buffer_rgba()))


def viable_grid(model: Any) -> np.ndarray:
    """Bool (rows, cols): sites holding a live cell (the cell type's definition)."""
    return model.cells.alive_mask().reshape(model.geometry.shape)


def _is_ring(model: Any) -> bool:
    return model.geometry.name == "ring"


def _day(model: Any) -> float:
    return float(model.time_h) / 24.0


def _series(model: Any, name: str, n: int) -> np.ndarray:
    """One collected time series (one value per collected step); zeros if the model lacks it."""
    values = model.datacollector.model_vars.get(name)
    if values is None:
        return np.zeros(n)
    return np.asarray(values, dtype=float)


def _days(model: Any) -> np.ndarray:
    mv = model.datacollector.model_vars
    if "day" in mv:
        return np.asarray(mv["day"], dtype=float)
    n = len(next(iter(mv.values()), []))
    return np.arange(n) * float(getattr(model, "dt_h", 1.0)) / 24.0


def _top(values: np.ndarray, floor: float) -> float:
    finite = values[np.isfinite(values)] if values.size else values
    return nice_ceiling(max(float(finite.max()) if finite.size else 0.0, floor))


# ---------------------------------------------------------------------- views
class View:
    """A figure built once for a model and updated in place.

    Subclasses build the figure in ``__init__`` and put the artists whose data change every
    step in ``self.dynamic``; :meth:`update` sets their data and returns a *layout key*, a
    value that changes only when anything else in the picture (limits, ticks, colour bars)
    must change. Constructing a view leaves the figure complete and up to date.
    """

    def __init__(self, model: Any) -> None:
        self.figure = new_figure()
        self.dynamic: list[Artist] = []

    def update(self, model: Any) -> Hashable:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def signature(model: Any) -> Hashable:
        """What a view's constructor reads from its model, beyond what :meth:`update` sets:
        two models with the same signature can share one view (Reset keeps the page's views
        and their saved pictures instead of building and drawing them again)."""
        lattice = model.lattice
        return (model.geometry.name, tuple(model.geometry.shape), float(lattice.spacing_um),
                np.asarray(lattice.lamina, dtype=bool).tobytes(), model.cells.cell_type.name,
                tuple(model.datacollector.model_vars), float(model.params.calcified_threshold_mmol_per_L))


def _map_axes(fig: Figure, model: Any, legend: bool):
    """The map axes and its colour-bar axes: the bar under the slab (wide and flat), beside
    the ring."""
    geometry = "ring" if _is_ring(model) else "slab"
    box, cbox = MAP_BOXES[(geometry, legend)]
    return fig.add_axes(box), fig.add_axes(cbox), "vertical" if geometry == "ring" else "horizontal"


def _draw_map(ax, model: Any, data: np.ndarray, **kwargs: Any):
    """Draw a (rows, cols) array as the slab (imshow) or the ring (pcolormesh); returns the artist."""
    lat = model.lattice
    if _is_ring(model):
        x, y = model.geometry.corners_um()
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


def _set_map_data(artist, data: np.ndarray) -> None:
    if isinstance(artist, AxesImage):
        artist.set_data(data)  # slab
    else:
        artist.set_array(data)  # ring: QuadMesh


def _site_centres(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """Drawing coordinates (um) of every site centre, each (rows, cols)."""
    lat = model.lattice
    if _is_ring(model):
        return model.geometry.centres_um()
    s = lat.spacing_um
    cols, rows = np.meshgrid((np.arange(lat.cols) + 0.5) * s, (np.arange(lat.rows) + 0.5) * s)
    return cols, rows


class LatticeView(View):
    """Phenotype of every site with the mineral on top (see the module docstring)."""

    def __init__(self, model: Any) -> None:
        super().__init__(model)
        self.figure = fig = new_figure(dpi=LATTICE_DPI)
        ax, cax, orientation = _map_axes(fig, model, legend=True)
        self.lamina = np.asarray(model.lattice.lamina, dtype=bool)
        entries = phenotype_entries(model.cells.cell_type)
        self.lamina_code = len(entries)
        colours = [c for _, _, c in entries] + [LAMINA_COLOUR]
        cmap = ListedColormap(colours)
        norm = BoundaryNorm(np.arange(-0.5, len(colours) + 0.5), cmap.N)
        self.phenotypes = _draw_map(ax, model, self._codes(model), cmap=cmap, norm=norm)
        self.mineral = _draw_map(ax, model, self._mineral(model), cmap=MINERAL_CMAP,
                                 norm=LogNorm(MINERAL_MIN_MMOL_PER_L, MINERAL_MAX_MMOL_PER_L, clip=True))
        fig.colorbar(self.mineral, cax=cax, orientation=orientation, extend="max",
                     label="mineral Ca (mmol Ca / L tissue)")
        self.threshold = float(model.params.calcified_threshold_mmol_per_L)
        # calcified sites: a small white dot with a black rim, visible on every phenotype
        # colour (hatching thousands of sites costs a tenth of a second per redraw)
        self.centres = _site_centres(model)
        ax.apply_aspect()
        px_per_um = ax.get_window_extent().width / abs(np.subtract(*ax.get_xlim()))
        marker_pt = max(0.45 * model.lattice.spacing_um * px_per_um * 72.0 / fig.dpi, 1.5)
        (self.calcified,) = ax.plot([], [], ls="none", marker="o", ms=marker_pt, mfc="white",
                                    mec="black", mew=0.5)
        handles = [Patch(facecolor=c, edgecolor="#555555", label=n) for _, n, c in entries]
        if self.lamina.any():
            handles.append(Patch(facecolor=LAMINA_COLOUR, edgecolor="#555555", label="elastic lamina"))
        handles.append(Line2D([], [], ls="none", marker="o", ms=5, mfc="white", mec="black",
                              mew=0.5, label=f"calcified (>= {self.threshold:g} mmol Ca/L)"))
        fig.legend(handles=handles, loc="lower center", ncol=4, fontsize="small", frameon=False)
        self.title = ax.set_title("")
        # the frame goes over the images, as in a full draw
        self.dynamic = [self.phenotypes, self.mineral, self.calcified, self.title, *ax.spines.values()]
        self.update(model)

    def _codes(self, model: Any) -> np.ndarray:
        codes = np.asarray(model.phenotype_grid()).astype(np.int16)
        return np.where(self.lamina, self.lamina_code, codes)

    @staticmethod
    def _mineral(model: Any) -> np.ma.MaskedArray:
        return np.ma.masked_less(HAP_CALCIUM * model.lattice.fields["mineral_hap_mM"], MINERAL_MIN_MMOL_PER_L)

    def update(self, model: Any) -> Hashable:
        _set_map_data(self.phenotypes, self._codes(model))
        mineral = self._mineral(model)
        _set_map_data(self.mineral, mineral)
        calcified = np.ma.filled(mineral, 0.0) >= max(self.threshold, 1e-12)
        self.calcified.set_data(self.centres[0][calcified], self.centres[1][calcified])
        name = getattr(model, "scenario_name", "")  # the page's model or its companion
        self.title.set_text(f"{name + ': ' if name else ''}phenotypes and mineral, day {_day(model):.2f}")
        return ()


@dataclass(frozen=True)
class MapField:
    """A quantity :class:`FieldView` can draw.

    Attributes:
        label: what the selector and the colour bar show.
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
        arr = np.asarray(model.cells.state[name], dtype=np.float64).reshape(model.geometry.shape)
        return np.where(viable_grid(model), arr, np.nan)

    return values


_RELATIVE = "relative level, 0-1"

#: What the heatmap selector offers: key -> how to draw it (units as in docs/ARCHITECTURE.md).
FIELDS: dict[str, MapField] = {
    "hap_saturation_index": MapField(
        "HAP saturation index", "log10(IAP/Ksp)", _field("hap_saturation_index"), "RdBu_r", centre=0.0),
    "phosphate_mM": MapField("phosphate (Pi), pore fluid", "mM", _field("phosphate_mM")),
    "calcium_mM": MapField("calcium, pore fluid", "mM", _field("calcium_mM")),
    "pyrophosphate_uM": MapField("pyrophosphate (PPi), pore fluid", "uM", _field("pyrophosphate_uM")),
    "magnesium_mM": MapField("magnesium, pore fluid", "mM", _field("magnesium_mM")),
    "mineral_calcium": MapField(
        "mineral calcium (10 x HAP)", "mmol Ca / L tissue", _field("mineral_hap_mM", 10.0), "copper"),
    "nuclei_count": MapField("stable HAP nuclei", "count / site", _field("nuclei_count"), "magma"),
    "vesicles_count": MapField(
        "matrix vesicles + apoptotic bodies", "count / site", _field("vesicles_count"), "magma"),
    "tnap_activity_uM_per_h": MapField(
        "TNAP activity (Vmax)", "uM PPi / h", _field("tnap_activity_uM_per_h"), "magma"),
    "cmgp_nM": MapField("carboxylated MGP in matrix", "nM", _field("cmgp_nM"), "cividis"),
    "ucmgp_nM": MapField("uncarboxylated MGP in matrix", "nM", _field("ucmgp_nM"), "cividis"),
    "chop": MapField("CHOP (cells)", _RELATIVE, _cell_variable("chop"), "inferno", fixed_range=(0, 1)),
    "grp78": MapField("GRP78/BiP (cells)", _RELATIVE, _cell_variable("grp78"), "inferno", fixed_range=(0, 1)),
    "atf4": MapField("ATF4 (cells)", _RELATIVE, _cell_variable("atf4"), "inferno", fixed_range=(0, 1)),
    "xbp1s": MapField("spliced XBP1 (cells)", _RELATIVE, _cell_variable("xbp1s"), "inferno", fixed_range=(0, 1)),
    "runx2": MapField("Runx2 (cells)", _RELATIVE, _cell_variable("runx2"), "inferno", fixed_range=(0, 1)),
    "osteogenic_commitment": MapField(
        "osteogenic commitment (cells)", _RELATIVE, _cell_variable("osteogenic_commitment"), "inferno",
        fixed_range=(0, 1)),
    "autophagy_flux": MapField(
        "autophagic flux (cells)", _RELATIVE, _cell_variable("autophagy_flux"), "inferno", fixed_range=(0, 1)),
    "unfolded_load": MapField(
        "unfolded ER protein load (cells)", "relative to basal folding capacity", _cell_variable("unfolded_load"),
        "inferno"),
}
DEFAULT_FIELD = "hap_saturation_index"


class FieldView(View):
    """Heatmap of ``FIELDS[field]``; the colour range moves in 1-2-5 steps (grey: no value)."""

    def __init__(self, model: Any, field: str = DEFAULT_FIELD) -> None:
        super().__init__(model)
        if field not in FIELDS:
            raise KeyError(f"unknown field {field!r}; choose one of {', '.join(FIELDS)}")
        self.spec = spec = FIELDS[field]
        ax, self.cax, self.orientation = _map_axes(self.figure, model, legend=False)
        cmap = colormaps[spec.cmap].with_extremes(bad="#d9d9d9")
        self.image = _draw_map(ax, model, np.ma.masked_invalid(spec.values(model)), cmap=cmap,
                               norm=self._norm(self._limits(model)))
        self.colorbar = self.figure.colorbar(self.image, cax=self.cax, orientation=self.orientation,
                                             label=f"{spec.label} ({spec.units})")
        ax.set_title(spec.label)
        self.dynamic = [self.image, *ax.spines.values()]
        self.update(model)

    def _limits(self, model: Any, data: np.ndarray | None = None) -> tuple[float, float]:
        spec = self.spec
        if spec.fixed_range is not None:
            return spec.fixed_range
        data = np.asarray(spec.values(model) if data is None else data, dtype=float)
        finite = data[np.isfinite(data)]
        if spec.centre is not None:
            largest = float(np.abs(finite - spec.centre).max()) if finite.size else 0.0
            half = nice_range(0.0, max(largest, 0.1))[1]
            return spec.centre - half, spec.centre + half
        if not finite.size:
            return 0.0, 1.0
        return nice_range(float(finite.min()), float(finite.max()))

    def _norm(self, limits: tuple[float, float]) -> Normalize:
        if self.spec.centre is not None:
            return TwoSlopeNorm(self.spec.centre, *limits)
        return Normalize(*limits)

    def update(self, model: Any) -> Hashable:
        data = np.asarray(self.spec.values(model), dtype=float)
        limits = self._limits(model, data)
        if (self.image.norm.vmin, self.image.norm.vmax) != limits:
            self.image.set_norm(self._norm(limits))  # the colour bar follows its mappable
        _set_map_data(self.image, np.ma.masked_invalid(data))
        return limits


class TimeSeriesView(View):
    """A time-series figure: data against time (days), one left axis and maybe a right one;
    the legend under the axes (outside them, so data never hide it)."""

    title = ""
    ylabel = ""

    def __init__(self, model: Any) -> None:
        super().__init__(model)
        self.ax = self.figure.add_axes(TIME_SERIES_BOX)
        self.ax.set_xlabel("time (days)")
        self.ax.set_ylabel(self.ylabel)
        self.ax.set_title(self.title)
        self.ax.grid(True, alpha=0.25)
        self.lines: dict[str, Artist] = {}

    def _set_dynamic(self, artists: list[Artist]) -> None:
        """The data artists, then the frames (drawn over the data, as in a full draw)."""
        frames = [spine for ax in self.figure.axes for spine in ax.spines.values()]
        self.dynamic = [*artists, *frames]

    def _legend(self, handles: list[Artist], ncol: int) -> None:
        self.figure.legend(handles=handles, loc="lower center", ncol=ncol, fontsize="small",
                           frameon=False)

    #: The time axis spans at least this (days): the first day's steps then redraw only the
    #: lines (a change of the axis means a full draw, ~0.1 s a figure; five at once stall Step).
    MIN_XMAX_DAYS = 1.0

    @classmethod
    def _xmax(cls, model: Any, days: np.ndarray) -> float:
        last = float(days[-1]) if len(days) else 0.0
        return nice_ceiling(max(last, cls.MIN_XMAX_DAYS, float(getattr(model, "dt_h", 1.0)) / 24.0))

    def _set_lines(self, days: np.ndarray, series: dict[str, np.ndarray]) -> None:
        for key, line in self.lines.items():
            line.set_data(days, series[key])

    def update(self, model: Any) -> Hashable:
        """Redraw every line from the model's time series; the key is the x-axis limit."""
        days = _days(model)
        self._set_lines(days, {k: _series(model, k, len(days)) for k in self.lines})
        xmax = self._xmax(model, days)
        self.ax.set_xlim(0.0, xmax)
        return xmax


class PhenotypeView(TimeSeriesView):
    """Fraction of cell sites in each phenotype over time."""

    title = "phenotype fractions"
    ylabel = "fraction of cell sites (1)"

    def __init__(self, model: Any) -> None:
        super().__init__(model)
        ct = model.cells.cell_type
        for code, label, colour in phenotype_entries(ct):
            name = ct.code_names[code]
            (self.lines[f"fraction_{name}"],) = self.ax.plot(
                [], [], label=label, color=colour if code else "#999999", lw=1.6)
        self.ax.set_ylim(0.0, 1.02)
        self._legend(list(self.lines.values()), ncol=5)
        self._set_dynamic(list(self.lines.values()))
        self.update(model)


class UPRView(TimeSeriesView):
    """Mean ER-stress / UPR markers (and Runx2, dashed) over viable cells."""

    title = "UPR markers (mean over viable cells)"
    ylabel = f"mean level ({_RELATIVE})"

    def __init__(self, model: Any) -> None:
        super().__init__(model)
        for marker in (*UPR_PANEL_MARKERS, "runx2"):
            name = f"mean_{marker}"
            label = model.outputs[name].label if name in model.outputs else marker
            (self.lines[name],) = self.ax.plot(
                [], [], label=label, lw=1.4, ls="--" if marker == "runx2" else "-")
        self.ax.set_ylim(0.0, 1.02)
        self._legend(list(self.lines.values()), ncol=4)
        self._set_dynamic(list(self.lines.values()))
        self.update(model)


class CalcificationView(TimeSeriesView):
    """Calcified fraction of sites (left axis) and calcium content of the layer (right)."""

    title = "calcification"
    ylabel = "calcified fraction of sites (1)"

    def __init__(self, model: Any) -> None:
        super().__init__(model)
        threshold = float(model.params.calcified_threshold_mmol_per_L)
        (self.lines["calcified_fraction"],) = self.ax.plot(
            [], [], color="#8c2d04", lw=1.8, label=f"calcified fraction (sites >= {threshold:g} mmol Ca/L)")
        self.twin = self.ax.twinx()
        (self.lines["calcium_content_ug_per_mg_protein"],) = self.twin.plot(
            [], [], color="#636363", ls="--", lw=1.4, label="calcium content (right axis)")
        self.twin.set_ylabel("calcium content (ug Ca / mg protein)")
        self._legend(list(self.lines.values()), ncol=2)
        self._set_dynamic(list(self.lines.values()))
        self.update(model)

    def update(self, model: Any) -> Hashable:
        days = _days(model)
        series = {k: _series(model, k, len(days)) for k in self.lines}
        self._set_lines(days, series)
        xmax = self._xmax(model, days)
        top = min(_top(series["calcified_fraction"], 0.01), 1.0)
        top_content = _top(series["calcium_content_ug_per_mg_protein"], 0.01)
        self.ax.set_xlim(0.0, xmax)
        self.ax.set_ylim(0.0, top)
        self.twin.set_ylim(0.0, top_content)
        return xmax, top, top_content


class NucleationView(TimeSeriesView):
    """Nucleation events per step, stacked by source (left axis), and cumulative (right).

    Row k of the time series holds the events of the step that ended at ``day[k]``; it is
    drawn over ``(day[k-1], day[k]]``. One filled step artist per source, not one bar per step.
    """

    title = "nucleation events"
    ylabel = "new events (per step)"

    def __init__(self, model: Any) -> None:
        super().__init__(model)
        mv = model.datacollector.model_vars
        sources = [s for s in NUCLEATION_SOURCES if f"nucleation_events_new_{s}" in mv]
        sources += sorted(k.removeprefix("nucleation_events_new_") for k in mv
                          if k.startswith("nucleation_events_new_")
                          and k.removeprefix("nucleation_events_new_") not in sources)
        self.stack_keys = [f"nucleation_events_new_{s}" for s in sources] or ["nucleation_events_new"]
        labels = [f"new: {s.replace('_', ' ')}" for s in sources] or ["new"]
        colours = colormaps["tab10"].colors
        self.stairs = [
            self.ax.stairs([0.0], [0.0, 1.0], baseline=[0.0], fill=True, color=colours[i % 10], label=label)
            for i, label in enumerate(labels)
        ]
        self.ax.set_axisbelow(True)  # grid under the filled steps (as the live redraw has it)
        self.twin = self.ax.twinx()
        (self.cumulative,) = self.twin.plot([], [], color="black", lw=1.6, label="cumulative (right axis)")
        self.twin.set_ylabel("cumulative events (count)")
        self._legend([*self.stairs, self.cumulative], ncol=3)
        self._set_dynamic([*self.stairs, self.cumulative])
        self.update(model)

    def update(self, model: Any) -> Hashable:
        days = _days(model)
        n = len(days)
        dt_days = float(getattr(model, "dt_h", 1.0)) / 24.0
        edges = np.concatenate(([days[0] - dt_days], days)) if n else np.array([0.0, dt_days])
        bottom = np.zeros(max(n, 1))
        for key, artist in zip(self.stack_keys, self.stairs, strict=True):
            y = _series(model, key, n) if n else np.zeros(1)
            artist.set_data(bottom + y, edges, baseline=bottom.copy())
            bottom = bottom + y
        cumulative = _series(model, "nucleation_events_cumulative", n)
        self.cumulative.set_data(days, cumulative)
        xmax = self._xmax(model, days)
        top, top_cumulative = _top(bottom, 1.0), _top(cumulative, 1.0)
        self.ax.set_xlim(0.0, xmax)
        self.ax.set_ylim(0.0, top)
        self.twin.set_ylim(0.0, top_cumulative)
        return xmax, top, top_cumulative


class PatientView(TimeSeriesView):
    """The coupled patient (``patient_coupled``): serum Pi and ionised Ca (left axis, mM), PTH
    (right axis, pg/mL); a note when the run has no patient."""

    title = "the patient (systemic mineral metabolism)"
    ylabel = "serum (mM)"
    KEYS = (("patient_serum_phosphate_mM", "serum Pi (total)", "#b2182b", "ax"),
            ("patient_serum_ionised_calcium_mM", "serum Ca (ionised)", "#2166ac", "ax"),
            ("patient_pth_pg_per_mL", "PTH (right axis)", "#4d4d4d", "twin"))

    def __init__(self, model: Any) -> None:
        super().__init__(model)
        self.coupled = "patient_serum_phosphate_mM" in model.datacollector.model_vars
        self.twin = self.ax.twinx()
        self.twin.set_ylabel("PTH, intact (pg/mL)")
        if not self.coupled:
            self.ax.text(0.5, 0.5, "no patient in this run\n(scenarios patient_*: patient_coupled = true)",
                         transform=self.ax.transAxes, ha="center", va="center", color="#777777")
        else:
            for key, label, colour, where in self.KEYS:
                axis = self.ax if where == "ax" else self.twin
                (self.lines[key],) = axis.plot([], [], label=label, color=colour, lw=1.2,
                                               ls="--" if where == "twin" else "-")
            self._legend(list(self.lines.values()), ncol=3)
        self._set_dynamic(list(self.lines.values()))
        self.update(model)

    def update(self, model: Any) -> Hashable:
        days = _days(model)
        xmax = self._xmax(model, days)
        self.ax.set_xlim(0.0, xmax)
        if not self.coupled:
            return xmax
        series = {k: _series(model, k, len(days)) for k in self.lines}
        self._set_lines(days, series)
        top = _top(np.concatenate([series[k] for k, *_ in self.KEYS[:2]]), 0.5)
        top_pth = _top(series["patient_pth_pg_per_mL"], 10.0)
        self.ax.set_ylim(0.0, top)
        self.twin.set_ylim(0.0, top_pth)
        return xmax, top, top_pth


# ---------------------------------------------------------------------- functions on a model
def lattice_figure(model: Any) -> Figure:
    """Phenotype map with the mineral overlay, legend and colour bar (:class:`LatticeView`)."""
    return LatticeView(model).figure


def field_figure(model: Any, field: str = DEFAULT_FIELD) -> Figure:
    """Heatmap of ``FIELDS[field]`` with its units on the colour bar (:class:`FieldView`)."""
    return FieldView(model, field).figure


def phenotype_figure(model: Any) -> Figure:
    """Phenotype fractions over time (:class:`PhenotypeView`)."""
    return PhenotypeView(model).figure


def calcification_figure(model: Any) -> Figure:
    """Calcified fraction and calcium content over time (:class:`CalcificationView`)."""
    return CalcificationView(model).figure


def nucleation_figure(model: Any) -> Figure:
    """Nucleation events, new and cumulative, over time (:class:`NucleationView`)."""
    return NucleationView(model).figure


def upr_figure(model: Any) -> Figure:
    """Mean UPR markers over time (:class:`UPRView`)."""
    return UPRView(model).figure


def patient_figure(model: Any) -> Figure:
    """The coupled patient's serum Pi, Ca and PTH over time (:class:`PatientView`)."""
    return PatientView(model).figure


def comparison_figure(a: Any, b: Any) -> Figure:
    """Two runs side by side: calcium content (left axis) and calcified fraction (right) of the
    page's model ``a`` and the companion ``b`` over time, labelled by scenario."""
    fig = new_figure()
    ax = fig.add_axes(TIME_SERIES_BOX)
    twin = ax.twinx()
    handles = []
    for model, colour in ((a, "#8c2d04"), (b, "#2166ac")):
        days = _days(model)
        name = getattr(model, "scenario_name", "run")
        content = _series(model, "calcium_content_ug_per_mg_protein", len(days))
        calcified = _series(model, "calcified_fraction", len(days))
        handles += ax.plot(days, content, color=colour, lw=1.8, label=f"{name}: calcium content")
        handles += twin.plot(days, calcified, color=colour, lw=1.2, ls="--",
                             label=f"{name}: calcified fraction (right)")
    days = _days(a)
    ax.set_xlim(0.0, TimeSeriesView._xmax(a, days))
    top = max(_top(_series(m, "calcium_content_ug_per_mg_protein", len(_days(m))), 0.01) for m in (a, b))
    ax.set_ylim(0.0, top)
    twin.set_ylim(0.0, min(max(_top(_series(m, "calcified_fraction", len(_days(m))), 0.01)
                               for m in (a, b)), 1.0))
    ax.set_xlabel("time (days)")
    ax.set_ylabel("calcium content (ug Ca / mg protein)")
    twin.set_ylabel("calcified fraction of sites (1)")
    ax.set_title(f"side by side: {getattr(a, 'scenario_name', 'run')} and {getattr(b, 'scenario_name', 'run')} "
                 f"(seed {a.seed})")
    ax.grid(True, alpha=0.25)
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize="small", frameon=False)
    return fig


#: The views of the page, in page order (the heatmap takes a ``field`` option).
PAGE_VIEWS: tuple[type[View], ...] = (LatticeView, FieldView, PhenotypeView, CalcificationView,
                                      NucleationView, UPRView, PatientView)


def all_figures(model: Any, field: str = DEFAULT_FIELD) -> list[Figure]:
    """Every figure the page shows, drawn from scratch, in page order."""
    return [lattice_figure(model), field_figure(model, field), phenotype_figure(model),
            calcification_figure(model), nucleation_figure(model), upr_figure(model),
            patient_figure(model)]


# ---------------------------------------------------------------------- the page's redraws
class LivePanel:
    """Keeps one view for the current model and returns its picture as PNG bytes, cheaply.

    ``png(model, **options)`` builds the view on first use, for new options (another field) or
    for a model of another :meth:`View.signature` (another lattice, geometry or cell type);
    otherwise it updates the view's data, also for a new model after Reset. When a picture of
    the static parts was saved for the view's layout key, it restores it and draws only the
    dynamic artists over it; otherwise it draws everything and saves the static picture under
    that key (so Reset, back at the first step's key, draws no more than a step does).
    The views are laid out so that this gives the same picture as a full draw: legends sit
    outside the axes, grids under the data, and the axes frames are redrawn over the data.
    """

    #: saved pictures of the static parts kept per view (one per layout key, oldest dropped)
    MAX_BACKGROUNDS = 16

    def __init__(self, view_class: Callable[..., View]) -> None:
        self.view_class = view_class
        self.view: View | None = None
        self._signature: Any = None
        self._backgrounds: dict[Hashable, Any] = {}
        self.full_draws = 0
        self.views_built = 0

    def png(self, model: Any, **options: Any) -> bytes:
        signature = (tuple(sorted(options.items())), self.view_class.signature(model))
        if self.view is None or signature != self._signature:
            self.view = self.view_class(model, **options)
            self._signature, self._backgrounds = signature, {}
            self.views_built += 1
        key = self.view.update(model)  # a new model of the same signature: the same view
        canvas = self.view.figure.canvas
        background = self._backgrounds.get(key)
        if background is None:
            for artist in self.view.dynamic:
                artist.set_animated(True)
            canvas.draw()
            background = canvas.copy_from_bbox(self.view.figure.bbox)
            if len(self._backgrounds) >= self.MAX_BACKGROUNDS:
                self._backgrounds.pop(next(iter(self._backgrounds)))
            self._backgrounds[key] = background
            self.full_draws += 1
        else:
            canvas.restore_region(background)
        renderer = canvas.get_renderer()
        for artist in self.view.dynamic:
            artist.draw(renderer)
        return canvas_png(canvas)
