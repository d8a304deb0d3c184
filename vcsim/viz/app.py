"""The browser page of vcsim: Mesa's SolaraViz around :class:`VizModel` and the figures of
:mod:`vcsim.viz.components`.

Start it with ``python run.py viz [--scenario ckd] [--port 8765] [--host 127.0.0.1]`` (served
offline: see :mod:`vcsim.viz.cli`), or with
``solara run vcsim/viz/app.py --production --no-check-version`` (both flags keep Solara from
calling solara.dev and pypi.org; the scenario then comes from the ``VCSIM_VIZ_SCENARIO``
environment variable, default ``ckd``).

The sidebar (Mesa's): Step, Play/Pause, Reset, the play and render intervals, and the model
inputs of :data:`INPUTS`: scenario, engine, lattice size and geometry, serum Pi, Ca and
Mg, fetuin-A, glucose mode and level, TNF-a, vitamin K, warfarin, phosphate binder, rapamycin,
4-PBA and 3-MA (real parameter names, bounds from the schema; the lattice size is capped for
the page, see :data:`LATTICE_LIMITS`).

Which value wins (Reset builds ``VizModel(scenario=..., seed=..., engine=..., **inputs)``):

1. The inputs start at the values of the scenario the server was started with.
2. Choosing another scenario in the picker sets every input to *that* scenario's values
   (what you see is what Reset will build); moving an input afterwards overrides the scenario.
3. Reset builds the scenario (its parameters, ``[[schedule]]`` and ``[[rules]]``) with every
   input on top. A scenario's schedule still changes its parameters during its window (e.g.
   the binder of ``ckd_phosphate_binder`` from day 7), whatever the input says before then.

The "run" panel has the exact seed field, a download of the running model's time series (CSV),
and lists each input in the running model and, where it differs, the value Reset will use. Every browser tab has its own model and inputs (Solara reactive variables are
per-session).
"""

from __future__ import annotations

import html
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import solara

with warnings.catch_warnings():
    # Mesa 3.3's SolaraViz trips Solara's rules-of-hooks lint when imported (harmless)
    warnings.filterwarnings("ignore", message=r".*found despite early return", category=UserWarning)
    from mesa.visualization import SolaraViz
    from mesa.visualization import solara_viz as _solara_viz
    from mesa.visualization.utils import update_counter

from vcsim.model import ENGINES, VascularModel
from vcsim.params import schema
from vcsim.processes.mineral_metabolism import COUPLED_SYSTEMIC
from vcsim.scenario import load_scenario, scenario_names
from vcsim.viz import DEFAULT_SCENARIO, SCENARIO_ENV
from vcsim.viz import components as C

DEFAULT_SEED = 1
TITLE = "vcsim: medial vascular calcification"

#: Lattice size on the page: the schema allows up to 4000 x 4000 sites, far beyond what a
#: browser redraw follows (a run of that size belongs to ``python run.py run``).
LATTICE_LIMITS = {"lattice_rows": (3, 200), "lattice_cols": (3, 400)}
SEED_MAX = 9999


@dataclass(frozen=True)
class Input:
    """One model input on the page: a schema parameter, its label and slider step."""

    name: str
    label: str
    step: float | None = None  # None: a choice (Select) from the schema's choices

    @property
    def param(self):
        return schema()[self.name]

    def bounds(self) -> tuple[float, float]:
        lo, hi = LATTICE_LIMITS.get(self.name, (self.param.lower, self.param.upper))
        return lo, hi

    def widget(self, value: Any) -> dict[str, Any]:
        """Mesa ``model_params`` entry (``value`` may be a solara reactive variable)."""
        p = self.param
        units = f" ({p.units})" if p.units and p.units != "1" else ""
        label = f"{self.label}{units}"
        if self.step is None:
            return {"type": "Select", "value": value, "values": list(p.choices), "label": label}
        lo, hi = self.bounds()
        if p.kind is int:
            return {"type": "SliderInt", "value": value, "min": int(lo), "max": int(hi),
                    "step": int(self.step), "label": label}
        return {"type": "SliderFloat", "value": value, "min": float(lo), "max": float(hi),
                "step": float(self.step), "label": label}


#: The inputs, in sidebar order (parameter names from vcsim/params/*.py).
INPUTS: tuple[Input, ...] = (
    Input("lattice_rows", "lattice rows", 1),
    Input("lattice_cols", "lattice columns", 1),
    Input("geometry", "geometry"),
    Input("serum_phosphate_mM", "serum Pi", 0.05),
    Input("serum_calcium_mM", "serum Ca", 0.05),
    Input("serum_magnesium_mM", "serum Mg", 0.05),
    Input("fetuin_a_g_per_L", "fetuin-A", 0.05),
    Input("glucose_mode", "glucose mode"),
    Input("glucose_mM", "glucose", 0.5),
    Input("tnf_alpha_pg_per_mL", "TNF-a", 1.0),
    Input("vitamin_k_index", "vitamin K index", 0.1),
    Input("warfarin_vkorc1_inhibition_fraction", "warfarin", 0.05),
    Input("phosphate_binder_fraction", "phosphate binder", 0.05),
    Input("rapamycin_mtorc1_inhibition_fraction", "rapamycin", 0.05),
    Input("pba4_chaperone_fraction", "4-PBA", 0.05),
    Input("three_ma_autophagy_block_fraction", "3-MA", 0.05),
)
INPUT_NAMES = tuple(i.name for i in INPUTS)
#: inputs a coupled patient sets (:data:`vcsim.processes.mineral_metabolism.COUPLED_SYSTEMIC`,
#: and the serum-Pi override that is a gut dose there)
PATIENT_SET = (*COUPLED_SYSTEMIC, "phosphate_binder_fraction")


def _plain(value: Any) -> Any:
    """Mesa hands the model the ``model_params`` values, which here may be the reactive
    variables behind the widgets (see :func:`model_params`): use what they hold."""
    return value.value if isinstance(value, solara.Reactive) else value


class VizModel(VascularModel):
    """The model Reset builds: a scenario with the page's inputs on top.

    Args:
        scenario: a shipped scenario name or a path to a scenario TOML file.
        seed: random seed.
        engine: "vector" or "agents".
        **kwargs: parameters of the schema (the page's inputs), applied over the scenario's.
            (Mesa's SolaraViz requires this name for the catch-all.)
    """

    def __init__(self, scenario: str = DEFAULT_SCENARIO, seed: int = DEFAULT_SEED,
                 engine: str = "vector", **kwargs: Any) -> None:
        scenario, seed, engine = _plain(scenario), _plain(seed), _plain(engine)
        sc = load_scenario(scenario)
        values = {k: _plain(v) for k, v in kwargs.items()}
        coupled = bool(values.get("patient_coupled", sc.params["patient_coupled"]))
        if coupled:  # the patient sets these; their sliders do not apply (the run panel says so)
            values = {k: v for k, v in values.items() if k not in PATIENT_SET}
        super().__init__(
            seed=int(seed), engine=engine, schedule=sc.schedule,
            rules_overrides=[dict(e) for e in sc.rules_overrides], params=sc.params, **values,
        )
        self.scenario_name = sc.name
        self.scenario_description = sc.description


def scenario_inputs(scenario: str) -> dict[str, Any]:
    """The value of every page input in ``scenario`` (what the picker sets the inputs to)."""
    params = load_scenario(scenario).params
    return {name: params[name] for name in INPUT_NAMES}


def initial_scenario() -> str:
    return os.environ.get(SCENARIO_ENV, "").strip() or DEFAULT_SCENARIO


def scenario_choices(current: str) -> list[str]:
    names = scenario_names()
    return names if current in names else [current, *names]


# ---------------------------------------------------------------------- per-session state
# solara.reactive values are per browser session (kernel); these are the widgets' values.
_START = initial_scenario()
_START_INPUTS = scenario_inputs(_START)
scenario_choice = solara.reactive(_START)
seed_choice = solara.reactive(DEFAULT_SEED)
engine_choice = solara.reactive("vector")
input_values: dict[str, solara.Reactive] = {k: solara.reactive(v) for k, v in _START_INPUTS.items()}
field_choice = solara.reactive(C.DEFAULT_FIELD)


def current_kwargs() -> dict[str, Any]:
    """What Reset would pass to :class:`VizModel` now (plain values)."""
    return {"scenario": scenario_choice.value, "seed": seed_choice.value,
            "engine": engine_choice.value, **{k: r.value for k, r in input_values.items()}}


def apply_scenario(name: str) -> None:
    """Set every input to scenario ``name``'s values (the picker's on-change)."""
    for key, value in scenario_inputs(name).items():
        input_values[key].value = value


def model_params() -> dict[str, Any]:
    """Mesa ``model_params``. The values are the reactive variables themselves, so the widgets
    show them and follow :func:`apply_scenario`; each change reaches Mesa's Reset through the
    widget's on-change, and :class:`VizModel` reads the variables Mesa passes before any change."""
    out: dict[str, Any] = {
        "scenario": {"type": "Select", "value": scenario_choice,
                     "values": scenario_choices(_START), "label": "scenario (sets the inputs below)"},
        # not a widget of Mesa's: the run panel's exact seed field sets it, and Mesa hands the
        # reactive variable itself to every Reset (VizModel reads its value then)
        "seed": seed_choice,
        "engine": {"type": "Select", "value": engine_choice, "values": list(ENGINES),
                   "label": "engine (same results; agents = one Mesa agent per cell)"},
    }
    for inp in INPUTS:
        out[inp.name] = inp.widget(input_values[inp.name])
    return out


# ---------------------------------------------------------------------- components
def _live_png(model: VascularModel, view_class, **options: Any) -> bytes:
    """PNG of ``view_class`` for this model and step; redrawn when the model steps."""
    counter = update_counter.get()
    panel = solara.use_memo(lambda: C.LivePanel(view_class), [])
    return solara.use_memo(lambda: panel.png(model, **options),
                           [model, counter, *sorted(options.items())])


@solara.component
def LatticePanel(model: VascularModel):
    png = _live_png(model, C.LatticeView)
    solara.Image(png, width="100%", classes=["vcsim-lattice"])


def page_grid_layout(n: int) -> list[dict[str, Any]]:
    """The page's first layout (Mesa's grid; every panel can still be dragged and resized):
    the lattice across the full width, the other panels two to a row under it."""
    layout = [{"i": 0, "x": 0, "y": 0, "w": 12, "h": 16, "moved": False}]
    for i in range(1, n):
        k = i - 1
        layout.append({"i": i, "x": 6 * (k % 2), "y": 16 + 10 * (k // 2), "w": 6, "h": 10,
                       "moved": False})
    return layout


# Mesa 3.3 gives every panel the same half-width cell and reads its layout function at each
# new page; the lattice is the page's main picture, so it gets the full width here.
_solara_viz.make_initial_grid_layout = page_grid_layout


_FIELD_LABELS = {f"{spec.label} [{spec.units}]": key for key, spec in C.FIELDS.items()}


@solara.component
def FieldPanel(model: VascularModel):
    field = field_choice.value
    png = _live_png(model, C.FieldView, field=field)
    label = next(lbl for lbl, key in _FIELD_LABELS.items() if key == field)
    with solara.Column(gap="0px"):
        solara.Select("heatmap of", values=list(_FIELD_LABELS), value=label,
                      on_value=lambda lbl: field_choice.set(_FIELD_LABELS[lbl]), dense=True)
        solara.Image(png, width="100%")


@solara.component
def PhenotypePanel(model: VascularModel):
    solara.Image(_live_png(model, C.PhenotypeView), width="100%")


@solara.component
def CalcificationPanel(model: VascularModel):
    solara.Image(_live_png(model, C.CalcificationView), width="100%")


@solara.component
def NucleationPanel(model: VascularModel):
    solara.Image(_live_png(model, C.NucleationView), width="100%")


@solara.component
def UPRPanel(model: VascularModel):
    solara.Image(_live_png(model, C.UPRView), width="100%")


@solara.component
def PatientPanel(model: VascularModel):
    solara.Image(_live_png(model, C.PatientView), width="100%")


#: "compare side by side with": none, or a scenario run beside the page's model
NO_COMPARISON = "none"
compare_choice = solara.reactive(NO_COMPARISON)


class Companion:
    """A second model run beside the page's model: scenario ``name`` with the page model's
    seed, engine, lattice and geometry, kept at the same step (stepped as the page steps;
    rebuilt after Reset, for another scenario, or when the page's model is behind it)."""

    def __init__(self) -> None:
        self.model: VascularModel | None = None
        self._key: Any = None
        self.lattice = C.LivePanel(C.LatticeView)

    def follow(self, page_model: VascularModel, name: str) -> VascularModel:
        key = (id(page_model), name)
        if self.model is None or key != self._key or self.model.steps > page_model.steps:
            p = page_model.params
            self.model = VizModel(scenario=name, seed=page_model.seed, engine=page_model.engine,
                                  lattice_rows=p["lattice_rows"], lattice_cols=p["lattice_cols"],
                                  geometry=p["geometry"], ring_inner_radius_um=p["ring_inner_radius_um"])
            self._key = key
        while self.model.steps < page_model.steps:
            self.model.step()
        return self.model


@solara.component
def ComparePanel(model: VascularModel):
    """Another scenario side by side with the page's model, stepped with it (off by default:
    it doubles the cost of a step)."""
    counter = update_counter.get()
    choice = compare_choice.value
    companion = solara.use_memo(Companion, [])

    def pictures() -> tuple[bytes, bytes] | None:
        if choice == NO_COMPARISON:
            return None
        other = companion.follow(model, choice)
        return C.to_png(C.comparison_figure(model, other)), companion.lattice.png(other)

    shown = solara.use_memo(pictures, [model, counter, choice])  # every hook before any branch
    with solara.Column(gap="0px"):
        solara.Select("compare side by side with (steps with the page; doubles a step's cost)",
                      values=[NO_COMPARISON, *scenario_names()], value=choice,
                      on_value=compare_choice.set, dense=True)
        if shown is not None:
            solara.Image(shown[0], width="100%")
            solara.Image(shown[1], width="100%")


def run_summary(model: VascularModel, pending: Mapping[str, Any]) -> tuple[str, list[tuple[str, str, str]]]:
    """The running model in one line, and one row per input: (parameter, value in the running
    model, value Reset will use if it differs, else "")."""
    p = model.params
    name = getattr(model, "scenario_name", "?")
    headline = (
        f"Scenario {name}: {getattr(model, 'scenario_description', '')}. "
        f"Day {model.time_h / 24.0:.2f} (step {model.steps}, {model.dt_h:g} h per step), "
        f"{model.lattice.rows} x {model.lattice.cols} sites of {model.lattice.spacing_um:g} um."
    )
    if p["patient_coupled"]:
        headline += (" The patient's mineral metabolism sets serum Ca, Pi, Mg and fetuin-A"
                     " (patient_coupled); those sliders and the phosphate binder do not apply.")
    now = {"scenario": name, "seed": model.seed, "engine": model.engine,
           **{k: p[k] for k in INPUT_NAMES}}
    rows = []
    for key, value in now.items():  # parameter names carry their units (_mM, _g_per_L, ...)
        after = pending.get(key, value)
        rows.append((key, _fmt(value), _fmt(after) if _fmt(after) != _fmt(value) else ""))
    return headline, rows


def run_summary_html(model: VascularModel, pending: Mapping[str, Any]) -> str:
    """:func:`run_summary` as a small HTML table (Solara's Markdown would fetch KaTeX from a CDN)."""
    headline, rows = run_summary(model, pending)
    cell = 'style="padding:1px 8px;text-align:left"'
    body = "".join(
        f"<tr><td {cell}>{html.escape(a)}</td><td {cell}>{html.escape(b)}</td>"
        f"<td {cell}><b>{html.escape(c)}</b></td></tr>"
        for a, b, c in rows
    )
    return (
        f'<div style="font-size:13px"><p>{html.escape(headline)}</p>'
        f'<table><tr><th {cell}>input</th><th {cell}>running</th><th {cell}>on Reset</th></tr>'
        f"{body}</table></div>"
    )


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def run_csv_name(model: VascularModel) -> str:
    """File name of the running model's time series: scenario, seed and step."""
    return f"vcsim_{getattr(model, 'scenario_name', 'run')}_seed{model.seed}_step{model.steps}.csv"


def run_csv(model: VascularModel) -> bytes:
    """The running model's time series as the command line writes it (``timeseries.csv``: one
    row per step, units in the column names)."""
    return model.timeseries_frame().to_csv(index=False).encode()


def set_seed(value: int | None) -> None:
    """The seed field's on-change: a whole number in [0, SEED_MAX]; anything else is not taken
    (the run table's "on Reset" column keeps showing the seed Reset will use)."""
    if value is not None and 0 <= int(value) <= SEED_MAX:
        seed_choice.set(int(value))


@solara.component
def RunPanel(model: VascularModel):
    update_counter.get()
    with solara.Column(gap="4px"):
        solara.InputInt(f"seed (0-{SEED_MAX}; applies on Reset)", value=seed_choice.value,
                        on_value=set_seed, continuous_update=False, dense=True,
                        style={"max-width": "260px"})
        solara.FileDownload(lambda: run_csv(model), filename=run_csv_name(model),
                            label="Download this run's time series (CSV)", mime_type="text/csv")
        solara.HTML(tag="div", unsafe_innerHTML=run_summary_html(model, current_kwargs()))


#: Pause between two steps while Play runs (ms; the page's "Play Interval" slider)
PLAY_INTERVAL_MS = 31

#: The page's panels (Mesa components on page 0), in grid order.
COMPONENTS = [
    (LatticePanel, 0), (FieldPanel, 0),
    (PhenotypePanel, 0), (CalcificationPanel, 0),
    (NucleationPanel, 0), (UPRPanel, 0),
    (PatientPanel, 0), (RunPanel, 0),
    (ComparePanel, 0),
]


#: Page styles over Mesa's SolaraViz: every slider shows its value (Vuetify shows the thumb
#: label only while dragging); the tab bar of the page's one page ("PAGE 0") and Mesa's "Use
#: Threads" checkbox (Play already steps off the UI thread) are hidden.
PAGE_CSS = """
.v-slider__thumb-container .v-slider__thumb-label-container { display: block !important; }
.v-slider__thumb-container .v-slider__thumb-label {
  transform: translateY(-20%) translateY(-12px) translateX(-50%) rotate(45deg) !important;
  font-size: 0.7rem; }
.v-navigation-drawer .v-slider { margin-top: 22px; }
.v-tabs { display: none !important; }
.vcsim-lattice { max-width: 1050px; display: block; margin: 0 auto; }
.v-navigation-drawer .v-card:first-of-type .v-input--checkbox { display: none !important; }
"""


@solara.component
def Page():
    """One page per browser session: its own model, built from the inputs it starts with."""
    solara.use_effect(lambda: scenario_choice.subscribe(apply_scenario), [])
    solara.Style(PAGE_CSS)
    model = solara.use_memo(lambda: VizModel(**current_kwargs()), [])
    # Play pauses PLAY_INTERVAL_MS between steps, on top of the step and its redraw (~0.15 s)
    SolaraViz(model, components=COMPONENTS, model_params=model_params(), name=TITLE,
              play_interval=PLAY_INTERVAL_MS, render_interval=1)


def _quiet_solara_server() -> None:
    """Under ``solara run``, keep the server from reporting usage over the network."""
    try:
        import solara.server.settings as server_settings
    except ImportError:  # pragma: no cover - solara without its server
        return
    server_settings.telemetry.mixpanel_enable = False


_quiet_solara_server()

#: What ``solara run vcsim/viz/app.py`` serves.
page = Page()
