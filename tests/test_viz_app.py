"""The browser page without a browser: figures, live redraws, the model factory, the CLI.

The figures are plain matplotlib (vcsim.viz.components); the page module (vcsim.viz.app) needs
the ``viz`` extra and is skipped without it. tests/test_viz_browser.py drives the real page.
"""

from __future__ import annotations

import io
import statistics
import time

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from vcsim.model import VascularModel
from vcsim.params import schema
from vcsim.scenario import load_scenario
from vcsim.viz import components as C


def small_model(scenario: str = "ckd", steps: int = 3, **overrides) -> VascularModel:
    sets = [f"{k}={v}" for k, v in {"lattice_rows": 8, "lattice_cols": 12, **overrides}.items()]
    model = load_scenario(scenario, sets).make_model(seed=2)
    for _ in range(steps):
        model.step()
    return model


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def texts(fig: Figure) -> str:
    """Every label, title, legend entry and colour-bar label of a figure, as one string."""
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()]
    for legend in fig.legends:
        out += [t.get_text() for t in legend.get_texts()]
    return " | ".join(out)


# ---------------------------------------------------------------------- figures
@pytest.mark.parametrize("geometry", ["slab", "ring"])
def test_every_figure_renders_with_units_and_legends(geometry):
    model = small_model(geometry=geometry)
    figures = C.all_figures(model)
    assert len(figures) == 7
    for fig in figures:
        assert isinstance(fig, Figure)
        assert C.to_png(fig).startswith(b"\x89PNG")
    lattice, field, phenotypes, calcification, nucleation, upr, patient = map(texts, figures)
    for name in ("contractile", "osteogenic", "autophagic", "apoptotic", "empty", "elastic lamina"):
        assert name in lattice
    assert "mmol Ca / L tissue" in lattice and "calcified (>= 5 mmol Ca/L)" in lattice
    assert "log10(IAP/Ksp)" in field
    assert "time (days)" in phenotypes and "fraction of cell sites (1)" in phenotypes
    assert "contractile" in phenotypes
    assert "ug Ca / mg protein" in calcification and "calcified fraction" in calcification
    assert "cumulative" in nucleation and "new" in nucleation and "(per step)" in nucleation
    assert "GRP78" in upr and "CHOP" in upr and "0-1" in upr
    assert "no patient in this run" in " ".join(t.get_text() for t in figures[6].axes[0].texts)


def test_the_patient_panel_draws_a_coupled_patient_and_its_inputs_are_not_overridden():
    from vcsim.viz.app import VizModel, run_summary

    model = VizModel(scenario="patient_haemodialysis", lattice_rows=4, lattice_cols=6,
                     serum_phosphate_mM=2.5, phosphate_binder_fraction=0.5)
    model.step()
    model.step()
    text = texts(C.patient_figure(model))
    assert "serum Pi (total)" in text and "PTH (right axis)" in text and "pg/mL" in text
    panel = C.LivePanel(C.PatientView)
    assert panel.png(model).startswith(b"\x89PNG")
    headline, _ = run_summary(model, {})
    assert "those sliders and the phosphate binder do not apply" in headline


@pytest.mark.parametrize("field", sorted(C.FIELDS))
def test_every_heatmap_field_renders_with_units_on_the_colour_bar(field):
    model = small_model(steps=2)
    fig = C.field_figure(model, field)
    spec = C.FIELDS[field]
    assert any(spec.units in ax.get_xlabel() + ax.get_ylabel() for ax in fig.axes)  # colour bar
    assert C.to_png(fig).startswith(b"\x89PNG")


def test_unknown_heatmap_field_names_the_choices():
    with pytest.raises(KeyError, match="hap_saturation_index"):
        C.field_figure(small_model(steps=0), "calcium_mm")


def test_cell_markers_are_blank_where_there_is_no_viable_cell():
    model = small_model(steps=1)
    chop = C.FIELDS["chop"].values(model)
    viable = C.viable_grid(model)
    assert np.isnan(chop[~viable]).all() and np.isfinite(chop[viable]).all()
    assert not viable[model.lattice.lamina].any()


def test_calcified_sites_are_marked_on_the_lattice():
    model = small_model(steps=0)
    model.lattice.fields["mineral_hap_mM"][2, 3] = 1.0  # 10 mmol Ca / L tissue >= 5
    view = C.LatticeView(model)
    x, y = view.calcified.get_data()
    spacing = model.lattice.spacing_um
    assert list(zip(x, y, strict=True)) == [(3.5 * spacing, 2.5 * spacing)]


def test_nice_ceiling_steps_through_1_2_5():
    assert [C.nice_ceiling(x) for x in (0.03, 0.05, 0.07, 1.0, 1.2, 3.0, 7.0, 14.0)] == \
        pytest.approx([0.05, 0.05, 0.1, 1.0, 2.0, 5.0, 10.0, 20.0])
    assert C.nice_ceiling(0.0) == 1.0 and C.nice_ceiling(float("nan")) == 1.0
    lo, hi = C.nice_range(1.13, 2.21)
    assert lo <= 1.13 and hi >= 2.21 and (lo, hi) == C.nice_range(1.12, 2.2)


# ---------------------------------------------------------------------- live redraws
def test_live_panel_redraws_what_changed_and_matches_a_full_draw():
    model = small_model(steps=0)
    panels = [C.LivePanel(view) for view in C.PAGE_VIEWS]
    before = [p.png(model) for p in panels]
    for _ in range(4):
        model.step()
    after = [p.png(model) for p in panels]
    fresh = [C.to_png(fig) for fig in C.all_figures(model)]
    for panel, old, new, full in zip(panels, before, after, fresh, strict=True):
        name = panel.view_class.__name__
        # the saturation index may already be uniform at step 0 and 4; a run without a patient
        # shows only its note (the time axis spans a day at least)
        if name not in ("FieldView", "PatientView"):
            assert (pixels(old) != pixels(new)).any(), f"{name} did not change after 4 steps"
        a, b = pixels(new), pixels(full)
        assert a.shape == b.shape
        differing = (np.abs(a - b).sum(axis=-1) > 60).mean()
        assert differing < 0.002, f"{name}: live picture differs from a full draw in {differing:.2%}"


def test_live_panel_rebuilds_for_a_new_model_and_a_new_field():
    panel = C.LivePanel(C.FieldView)
    first = small_model(steps=1)
    panel.png(first, field="phosphate_mM")
    view = panel.view
    panel.png(first, field="phosphate_mM")
    assert panel.view is view
    panel.png(first, field="chop")
    assert panel.view is not view and panel.view.spec is C.FIELDS["chop"]
    view = panel.view
    # a new model of the same lattice (Reset) keeps the view and, back at a saved layout key,
    # its saved picture: no full draw
    draws = panel.full_draws
    again = panel.png(small_model(steps=1), field="chop")
    assert panel.view is view and panel.full_draws == draws and panel.views_built == 2
    assert (pixels(again) == pixels(C.to_png(C.FieldView(small_model(steps=1), "chop").figure))).mean() > 0.998
    # another lattice needs another view
    panel.png(small_model(steps=1, lattice_rows=10), field="chop")
    assert panel.view is not view and panel.views_built == 3


def test_step_and_redraw_of_the_default_lattice_take_well_under_a_second():
    model = load_scenario("ckd").make_model(seed=1)  # 30 x 100
    assert model.lattice.shape == (30, 100)
    panels = [C.LivePanel(view) for view in C.PAGE_VIEWS]
    for p in panels:
        p.png(model)
    times = []
    for _ in range(10):
        t0 = time.perf_counter()
        model.step()
        for p in panels:
            p.png(model)
        times.append(time.perf_counter() - t0)
    # about 0.1 s on one unloaded core; the bound leaves room for a busy test machine
    assert statistics.median(times) < 0.5, times


# ---------------------------------------------------------------------- the page module
app = pytest.importorskip("vcsim.viz.app", reason="the page needs the viz extra (solara)")


def test_page_module_exposes_a_page_and_panels():
    assert app.page is not None
    assert len(app.COMPONENTS) == 9


def test_model_factory_is_the_scenario_with_the_inputs_on_top():
    model = app.VizModel(scenario="ckd", seed=3, engine="vector", lattice_rows=8, lattice_cols=12,
                         serum_phosphate_mM=3.0)
    ckd = load_scenario("ckd").params
    assert model.params["serum_phosphate_mM"] == 3.0
    assert model.params["tnf_alpha_pg_per_mL"] == ckd["tnf_alpha_pg_per_mL"] == 15.0
    assert model.seed == 3 and model.lattice.shape == (8, 12)
    assert model.scenario_name == "ckd"
    binder = app.VizModel(scenario="ckd_phosphate_binder", lattice_rows=8, lattice_cols=12)
    assert [e.parameter for e in binder.schedule.entries] == ["phosphate_binder_fraction"]


def test_model_factory_reads_the_widget_variables_mesa_hands_it():
    import solara

    model = app.VizModel(scenario=solara.reactive("healthy"), seed=solara.reactive(5),
                         engine=solara.reactive("agents"), lattice_rows=solara.reactive(6),
                         lattice_cols=8, tnf_alpha_pg_per_mL=solara.reactive(40.0))
    assert model.scenario_name == "healthy" and model.seed == 5 and model.engine == "agents"
    assert model.lattice.shape == (6, 8) and model.params["tnf_alpha_pg_per_mL"] == 40.0


def test_choosing_a_scenario_sets_every_input_to_its_values():
    saved = app.current_kwargs()
    try:
        app.apply_scenario("calciphylaxis")
        calciphylaxis = load_scenario("calciphylaxis").params
        kwargs = app.current_kwargs()
        for name in app.INPUT_NAMES:
            assert kwargs[name] == calciphylaxis[name], name
        app.input_values["serum_phosphate_mM"].value = 1.5  # a slider moved afterwards wins
        app.scenario_choice.value = "calciphylaxis"
        model = app.VizModel(**{**app.current_kwargs(), "lattice_rows": 6, "lattice_cols": 8})
        assert model.params["serum_phosphate_mM"] == 1.5
        assert model.params["warfarin_vkorc1_inhibition_fraction"] == 0.9
    finally:
        app.scenario_choice.value = saved["scenario"]
        for name in app.INPUT_NAMES:
            app.input_values[name].value = saved[name]


def test_inputs_are_schema_parameters_within_their_bounds():
    from mesa.visualization.solara_viz import _check_model_params

    params = app.model_params()
    _check_model_params(app.VizModel.__init__, params)  # what SolaraViz checks on load
    wanted = {"serum_phosphate_mM", "serum_calcium_mM", "glucose_mode", "glucose_mM",
              "tnf_alpha_pg_per_mL", "fetuin_a_g_per_L", "serum_magnesium_mM", "vitamin_k_index",
              "warfarin_vkorc1_inhibition_fraction", "rapamycin_mtorc1_inhibition_fraction",
              "pba4_chaperone_fraction", "three_ma_autophagy_block_fraction", "lattice_rows",
              "lattice_cols", "geometry"}
    assert wanted <= set(params)
    assert {"scenario", "seed", "engine"} <= set(params)
    for name in app.INPUT_NAMES:
        p, widget = schema()[name], params[name]
        if widget["type"] == "Select":
            assert widget["values"] == list(p.choices)
        else:
            assert p.lower <= widget["min"] < widget["max"] <= p.upper
            assert widget["min"] <= widget["value"].value <= widget["max"]
    assert "ckd" in params["scenario"]["values"]


def test_run_panel_lists_what_reset_would_change():
    model = app.VizModel(scenario="ckd", lattice_rows=6, lattice_cols=8)
    pending = {"scenario": "ckd", "serum_phosphate_mM": 2.5}
    headline, rows = app.run_summary(model, pending)
    assert "ckd" in headline and "6 x 8" in headline
    assert ("serum_phosphate_mM", "2.2", "2.5") in rows
    assert ("scenario", "ckd", "") in rows
    assert "<table>" in app.run_summary_html(model, pending)


# ---------------------------------------------------------------------- the command line
def test_viz_subcommand_is_registered_and_checks_its_scenario_before_serving(capsys):
    from vcsim.cli import build_parser, main

    args = build_parser("viz").parse_args(["viz", "--port", "9999"])
    assert args.port == 9999 and args.host == "127.0.0.1" and args.scenario is None
    assert main(["viz", "--scenario", "no_such_scenario", "--port", "9"]) == 2
    assert "unknown scenario" in capsys.readouterr().err
    assert main(["viz", "--port", "70000"]) == 2


def test_the_fast_png_encoder_round_trips_exactly():
    import io

    from PIL import Image

    from vcsim.viz.components import rgba_png

    rng = np.random.default_rng(5)
    rgba = rng.integers(0, 256, size=(7, 13, 4), dtype=np.uint8)
    decoded = np.asarray(Image.open(io.BytesIO(rgba_png(rgba))).convert("RGBA"))
    assert np.array_equal(decoded, rgba)


def test_the_page_offers_the_running_models_time_series_as_csv():
    import io

    import pandas as pd

    from vcsim.viz.app import VizModel, run_csv, run_csv_name

    model = VizModel(scenario="healthy", seed=4, lattice_rows=4, lattice_cols=6)
    for _ in range(3):
        model.step()
    frame = pd.read_csv(io.BytesIO(run_csv(model)))
    assert run_csv_name(model) == "vcsim_healthy_seed4_step3.csv"
    assert len(frame) == len(model.timeseries_frame()) and "calcium_content_ug_per_mg_protein" in frame
    assert frame["day"].iloc[-1] == pytest.approx(3 * model.dt_h / 24)


def test_the_seed_field_takes_whole_numbers_in_range_only():
    from vcsim.viz import app

    before = app.seed_choice.value
    try:
        app.set_seed(42)
        assert app.seed_choice.value == 42
        for bad in (-1, app.SEED_MAX + 1, None):
            app.set_seed(bad)
            assert app.seed_choice.value == 42
    finally:
        app.seed_choice.set(before)


def test_a_companion_scenario_runs_beside_the_page_model_step_for_step():
    from vcsim.viz.app import Companion, VizModel

    page = VizModel(scenario="ckd", seed=6, lattice_rows=6, lattice_cols=8)
    companion = Companion()
    other = companion.follow(page, "healthy")
    assert other.scenario_name == "healthy" and other.seed == 6 and other.lattice.shape == (6, 8)
    for _ in range(3):
        page.step()
    assert companion.follow(page, "healthy") is other and other.steps == 3
    # the same run as a healthy model made on its own
    alone = VizModel(scenario="healthy", seed=6, lattice_rows=6, lattice_cols=8)
    for _ in range(3):
        alone.step()
    assert other.timeseries_frame().equals(alone.timeseries_frame())
    # after Reset (a new page model) or for another scenario: a new companion
    fresh = VizModel(scenario="ckd", seed=6, lattice_rows=6, lattice_cols=8)
    assert companion.follow(fresh, "healthy") is not other and companion.model.steps == 0
    assert companion.follow(fresh, "warfarin").scenario_name == "warfarin"
    png = C.to_png(C.comparison_figure(page, other))
    assert pixels(png).shape == (328, 560, 3)


def test_the_page_layout_gives_the_lattice_the_full_width():
    from mesa.visualization import solara_viz

    from vcsim.viz import app

    layout = app.page_grid_layout(len(app.COMPONENTS))
    assert solara_viz.make_initial_grid_layout is app.page_grid_layout
    assert layout[0]["w"] == 12 and all(item["w"] == 6 for item in layout[1:])
    cells = {(item["x"], item["y"]) for item in layout}
    assert len(cells) == len(layout)  # no two panels start in the same place
