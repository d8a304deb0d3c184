"""Scenario files: every shipped one loads; extends merges, overrides and detects cycles."""

from __future__ import annotations

import textwrap

import pytest

from vcsim.params import ParameterError, default_parameters
from vcsim.scenario import (
    SCENARIO_DIR,
    ScenarioError,
    list_scenarios,
    load_scenario,
    scenario_names,
)

REQUIRED = {
    "healthy", "ckd", "invitro_pi", "diabetes_constant", "diabetes_fluctuating", "inflammation",
    "warfarin", "calciphylaxis", "hypomagnesaemia", "ckd_phosphate_binder", "ckd_vitamin_k",
    "ckd_magnesium", "ckd_rapamycin", "ckd_4pba", "ckd_3ma", "ckd_anti_tnf",
}


def _write(path, text):
    path.write_text(textwrap.dedent(text))
    return path


# ---------------------------------------------------------------------- shipped scenarios
def test_the_required_scenarios_are_shipped():
    assert REQUIRED <= set(scenario_names())


@pytest.mark.parametrize("name", scenario_names())
def test_every_shipped_scenario_loads_with_a_description(name):
    sc = load_scenario(name)
    assert sc.name == name
    assert sc.description and "\n" not in sc.description
    assert sc.days > 0
    assert sc.source_files[-1] == str(SCENARIO_DIR / f"{name}.toml")


def test_list_scenarios_gives_every_name_with_its_description():
    listed = dict(list_scenarios())
    assert set(listed) == set(scenario_names())
    assert not any(d.startswith("(cannot load") for d in listed.values())


def test_ckd_is_hyperphosphataemic_inflamed_and_inhibitor_poor():
    p = load_scenario("ckd").params
    assert 2.0 <= p.serum_phosphate_mM <= 2.5
    assert 10.0 <= p.tnf_alpha_pg_per_mL <= 20.0
    assert p.fetuin_a_g_per_L == pytest.approx(0.4)
    assert p.serum_ppi_uM == pytest.approx(1.2)
    assert p.serum_magnesium_mM == pytest.approx(0.9)


def test_healthy_is_normal_serum():
    p = load_scenario("healthy").params
    assert 0.8 <= p.serum_phosphate_mM <= 1.45 and 1.1 <= p.serum_calcium_mM <= 1.3
    assert p.glucose_mM < 7 and p.warfarin_vkorc1_inhibition_fraction == 0


def test_invitro_is_in_vitro_and_its_phosphate_is_the_users_choice():
    sc = load_scenario("invitro_pi", ["serum_phosphate_mM=1.4"])
    assert sc.params.setting == "in_vitro"
    assert sc.params.serum_phosphate_mM == 1.4


def test_diabetes_scenarios_differ_only_in_the_glucose_swing():
    const = load_scenario("diabetes_constant").params
    fluct = load_scenario("diabetes_fluctuating").params
    assert const.glucose_mM == 25.0 and const.glucose_mode == "constant"
    assert fluct.glucose_mode == "fluctuating" and fluct.glucose_low_mM == 5.0
    assert fluct.glucose_period_h == 48.0
    diff = {k for k in const if const[k] != fluct[k]}
    assert diff == {"glucose_mode"} | ({"glucose_low_mM"} if const.glucose_low_mM != 5.0 else set())


def test_calciphylaxis_is_ckd_plus_warfarin_with_less_fetuin():
    ckd = load_scenario("ckd").params
    calci = load_scenario("calciphylaxis").params
    assert calci.warfarin_vkorc1_inhibition_fraction > 0.5
    assert calci.fetuin_a_g_per_L < ckd.fetuin_a_g_per_L
    assert calci.serum_phosphate_mM >= ckd.serum_phosphate_mM
    # no coagulation stand-in: the hypercoagulable milieu is not modelled (issue 17)
    assert calci.oxidative_stress_index == ckd.oxidative_stress_index


THERAPY_LEVERS = {
    "ckd_phosphate_binder": "phosphate_binder_fraction",
    "ckd_vitamin_k": "vitamin_k_index",
    "ckd_magnesium": "serum_magnesium_mM",
    "ckd_rapamycin": "rapamycin_mtorc1_inhibition_fraction",
    "ckd_4pba": "pba4_chaperone_fraction",
    "ckd_3ma": "three_ma_autophagy_block_fraction",
    "ckd_anti_tnf": "anti_tnf_fraction",
}


@pytest.mark.parametrize("name, lever", sorted(THERAPY_LEVERS.items()))
def test_each_therapy_is_ckd_plus_one_intervention(name, lever):
    ckd = load_scenario("ckd")
    sc = load_scenario(name)
    assert sc.source_files[:-1] == ckd.source_files
    changed = {k for k in ckd.params if ckd.params[k] != sc.params[k]}
    scheduled = {e.parameter for e in sc.schedule.entries} - {e.parameter for e in ckd.schedule.entries}
    assert changed | scheduled == {lever}


def test_at_least_one_therapy_starts_later_by_schedule():
    sc = load_scenario("ckd_phosphate_binder")
    (entry,) = sc.schedule.entries
    assert entry.parameter == "phosphate_binder_fraction" and entry.start_h == 7 * 24.0
    before = sc.schedule.systemic_at(sc.params, 6 * 24.0)
    after = sc.schedule.systemic_at(sc.params, 8 * 24.0)
    assert before["phosphate_binder_fraction"] == 0.0 and after["phosphate_binder_fraction"] == 0.7


# ---------------------------------------------------------------------- extends
def test_extends_by_relative_path_merges_and_overrides(tmp_path):
    _write(tmp_path / "base.toml", """
        description = "base"
        days = 10
        [parameters]
        serum_phosphate_mM = 2.0
        tnf_alpha_pg_per_mL = 10.0
        [[schedule]]
        parameter = "anti_tnf_fraction"
        value = 0.5
        start_day = 2
        end_day = 4
        [[rules]]
        id = "apoptosis_base"
        saturation = 1e-4
    """)
    sub = tmp_path / "sub"
    sub.mkdir()
    _write(sub / "child.toml", """
        extends = "../base.toml"
        [parameters]
        tnf_alpha_pg_per_mL = 20.0
        [lattice]
        lattice_rows = 9
        [[schedule]]
        parameter = "anti_tnf_fraction"
        value = 0.9
        start_day = 3
        [[rules]]
        id = "apoptosis_base"
        saturation = 2e-4
    """)
    sc = load_scenario(sub / "child.toml")
    assert sc.name == "child"
    assert sc.description == "base" and sc.days == 10  # inherited
    assert sc.params.serum_phosphate_mM == 2.0         # inherited
    assert sc.params.tnf_alpha_pg_per_mL == 20.0       # overridden
    assert sc.params.lattice_rows == 9
    assert sc.source_files == [str(tmp_path / "base.toml"), str(sub / "child.toml")]
    # schedules append, the later entry wins where they overlap
    assert [e.value for e in sc.schedule.entries] == [0.5, 0.9]
    at = {d: sc.schedule.systemic_at(sc.params, 24.0 * d)["anti_tnf_fraction"] for d in (1, 2.5, 3.5, 5)}
    assert at == {1: 0.0, 2.5: 0.5, 3.5: 0.9, 5: 0.9}
    # rules append in order, so the child's entry is applied last and wins
    assert sc.rules_overrides == [
        {"id": "apoptosis_base", "saturation": 1e-4},
        {"id": "apoptosis_base", "saturation": 2e-4},
    ]
    from vcsim.cells import load_rules

    assert load_rules().override(sc.rules_overrides)["apoptosis_base"].saturation == 2e-4


def test_extends_a_shipped_scenario_by_name_and_chains(tmp_path):
    _write(tmp_path / "mine.toml", """
        description = "ckd on rapamycin, hotter"
        extends = "ckd_rapamycin"
        [parameters]
        temperature_c = 38.0
    """)
    sc = load_scenario(tmp_path / "mine.toml")
    ckd = load_scenario("ckd")
    assert len(sc.source_files) == 4  # healthy -> ckd -> ckd_rapamycin -> mine
    assert sc.params.serum_phosphate_mM == ckd.params.serum_phosphate_mM
    assert sc.params.rapamycin_mtorc1_inhibition_fraction > 0
    assert sc.params.temperature_c == 38.0
    assert sc.description == "ckd on rapamycin, hotter"


def test_extends_a_sibling_file_by_name(tmp_path):
    _write(tmp_path / "a_base.toml", "[parameters]\nserum_phosphate_mM = 1.7\n")
    _write(tmp_path / "b.toml", 'extends = "a_base"\n')
    assert load_scenario(tmp_path / "b.toml").params.serum_phosphate_mM == 1.7


def test_extends_cycle_is_detected(tmp_path):
    _write(tmp_path / "a.toml", 'extends = "b.toml"\n')
    _write(tmp_path / "b.toml", 'extends = "c.toml"\n')
    _write(tmp_path / "c.toml", 'extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="extends cycle: a.toml -> b.toml -> c.toml -> a.toml"):
        load_scenario(tmp_path / "a.toml")


def test_extending_itself_is_a_cycle(tmp_path):
    _write(tmp_path / "self.toml", 'extends = "self.toml"\n')
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "self.toml")


def test_extends_of_a_missing_file_is_an_error(tmp_path):
    _write(tmp_path / "a.toml", 'extends = "missing.toml"\n')
    with pytest.raises(ScenarioError, match="missing.toml"):
        load_scenario(tmp_path / "a.toml")


# ---------------------------------------------------------------------- overrides and errors
def test_overrides_apply_after_the_files():
    sc = load_scenario("ckd", ["serum_phosphate_mM=3.0", "lattice_rows=8"])
    assert sc.params.serum_phosphate_mM == 3.0 and sc.params.lattice_rows == 8
    assert load_scenario("ckd").params.serum_phosphate_mM != 3.0


def test_bad_override_is_a_parameter_error():
    with pytest.raises(ParameterError, match="did you mean 'serum_phosphate_mM'"):
        load_scenario("ckd", ["serum_phosphat_mM=3.0"])
    with pytest.raises(ParameterError, match="key=value"):
        load_scenario("ckd", ["serum_phosphate_mM"])


def test_unknown_scenario_suggests_the_closest_name():
    with pytest.raises(ScenarioError, match="unknown scenario 'ckd_rapamycine'; did you mean 'ckd_rapamycin'"):
        load_scenario("ckd_rapamycine")


def test_missing_scenario_file():
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario("no/such/file.toml")


@pytest.mark.parametrize(
    "text, error, match",
    [
        ("[parameters]\nserum_phosphat_mM = 2.0\n", ParameterError, "did you mean 'serum_phosphate_mM'"),
        ("[parameters]\nserum_phosphate_mM = 99.0\n", ParameterError, "serum_phosphate_mM"),
        ("[parameters]\nserum_phosphate_mM = nan\n", ParameterError, "finite"),
        ("[parameters]\nsetting = 'in_silico'\n", ParameterError, "in_vitro"),
        ("[parameters]\nserum_phosphate_mM = [1.0, 2.0]\n", ScenarioError, "single value"),
        ("[parameters\n", ParameterError, "line 1"),
        ("serum_phosphate_mM = 2.0\n", ScenarioError, "under \\[parameters\\]"),
        ("descripton = 'x'\n", ScenarioError, "did you mean 'description'"),
        ("days = -3\n", ScenarioError, "days"),
        ("days = 'long'\n", ScenarioError, "days"),
        ("description = 3\n", ScenarioError, "description"),
        ("parameters = 3\n", ScenarioError, "table"),
        ("[lattice]\nserum_phosphate_mM = 2.0\n", ScenarioError, "not a lattice parameter"),
        ("[[schedule]]\nparameter = 'lattice_rows'\nvalue = 3\n", ParameterError, "cannot vary in time"),
        ("[[schedule]]\nparameter = 'anti_tnf_fraction'\nvalue = 3\n", ParameterError, "anti_tnf_fraction"),
        ("[[schedule]]\nparameter = 'anti_tnf_fraction'\nvalue = 0.5\nstart = 1\n", ParameterError, "unknown field 'start'"),
        ("[[schedule]]\nparameter = 'anti_tnf_fraction'\nvalue = 0.5\nstart_day = 5\nend_day = 2\n",
         ParameterError, "window"),
        ("schedule = [1, 2]\n", ScenarioError, "schedule entry 1"),
        ("[[rules]]\nid = 'apoptosis_base'\nsaturation = -1\n", ScenarioError, "rules"),
        ("[[rules]]\nid = 'apoptosis_base'\nsaturaton = 1\n", ScenarioError, "saturaton"),
    ],
)
def test_bad_scenario_files_name_the_file_and_the_problem(tmp_path, text, error, match):
    path = _write(tmp_path / "bad.toml", text)
    with pytest.raises(error, match=match) as info:
        load_scenario(path)
    assert "\n" not in str(info.value)
    assert "bad.toml" in str(info.value)


def test_schedule_days_become_hours_and_open_end_is_infinite(tmp_path):
    path = _write(tmp_path / "s.toml", """
        [[schedule]]
        parameter = "serum_phosphate_mM"
        value = 2.5
        start_day = 1.5
        end_day = 3
        [[schedule]]
        parameter = "warfarin_vkorc1_inhibition_fraction"
        value = 0.9
        start_day = 2
    """)
    sc = load_scenario(path)
    first, second = sc.schedule.entries
    assert (first.start_h, first.end_h) == (36.0, 72.0)
    assert second.start_h == 48.0 and second.end_h == float("inf")
    assert sc.schedule.to_records()[1] == {
        "parameter": "warfarin_vkorc1_inhibition_fraction", "value": 0.9, "start_day": 2.0}
    default_pi = default_parameters().serum_phosphate_mM
    assert sc.schedule.systemic_at(sc.params, 35.0)["serum_phosphate_mM"] == default_pi
    assert sc.schedule.systemic_at(sc.params, 36.0)["serum_phosphate_mM"] == 2.5
    assert sc.schedule.systemic_at(sc.params, 72.0)["serum_phosphate_mM"] == default_pi


def test_a_file_without_extends_or_days_uses_the_defaults(tmp_path):
    sc = load_scenario(_write(tmp_path / "empty.toml", ""))
    assert sc.params == default_parameters()
    assert sc.days == 21.0 and sc.description == "" and not sc.schedule and sc.rules_overrides == []


def test_to_dict_is_json_able():
    import json

    json.dumps(load_scenario("ckd_phosphate_binder").to_dict(), allow_nan=False)


def test_make_model_uses_the_scenario():
    sc = load_scenario("ckd_phosphate_binder", ["lattice_rows=6", "lattice_cols=7"])
    model = sc.make_model(seed=3)
    assert model.seed == 3 and model.engine == "vector"
    assert model.params == sc.params
    assert model.schedule is sc.schedule
    assert model.phenotype_grid().shape == (6, 7)


def test_overrides_given_as_one_string_say_to_pass_a_list():
    with pytest.raises(ParameterError, match=r"overrides: 'serum_phosphate_mM=2' is a string; pass a list"):
        load_scenario("ckd", overrides="serum_phosphate_mM=2")
