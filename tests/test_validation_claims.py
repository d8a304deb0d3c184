"""The validation table (vcsim/validation/claims.toml): loading, templates, one-line errors, and
the statistics of the claims on known numbers. No simulation runs here (one 3 x 3 model is built
to read the output registry)."""

from __future__ import annotations

import math
import string

import numpy as np
import pandas as pd
import pytest

from vcsim import validation as v
from vcsim.params import ParameterError
from vcsim.scenario import load_scenario
from vcsim.validation.design import Claim
from vcsim.validation.statistics import evaluate, t_interval
from vcsim.validation.table import TABLE_PATH, TableError, load_table

#: A small table: two suites, a dose response, two ranked scenarios, arms and claims of each kind.
SMALL = """
[suites.quick]
seeds = [1, 2]
lattice_rows = 6
lattice_cols = 10
days_in_vitro = 2.0
days_in_vivo = 3.0
doses = [1.0, 2.0]

[suites.full]
seeds = [1, 2, 3]
lattice_rows = 8
lattice_cols = 10
days_in_vitro = 2.0
days_in_vivo = 4.0
doses = [1.0, 1.5, 2.0]

[dose_response]
scenario = "invitro_pi"
parameter = "serum_phosphate_mM"
name = "iv_pi{serum_phosphate_mM:.1f}"
label = "Pi {serum_phosphate_mM:.1f} mM"

[ranking]
scenarios = ["healthy", "calciphylaxis"]

[[arms]]
name = "ckd_ref"
scenario = "ckd"
overrides = ["fetuin_a_g_per_L=0.5"]
setting = "in_vivo"
label = "ckd, fetuin-A {fetuin_a_g_per_L:g} g/L"

[[arms]]
name = "ckd_low_fetuin"
scenario = "ckd"
overrides = ["fetuin_a_g_per_L=0.15"]

[[claims]]
id = "low_fetuin_raises"
role = "validation"
text = "Low fetuin-A raises calcification (CKD, {ref.fetuin_a_g_per_L:g} -> {treat.fetuin_a_g_per_L:g} g/L)"
source = "Ketteler et al. 2003 Lancet 361:827"
metric = "calcium_content_ug_per_mg_protein"
kind = "diff"
treat = "ckd_low_fetuin"
ref = "ckd_ref"
direction = "higher"
figure = "inhibitors"

[[claims]]
id = "pi_2_0_clear"
role = "validation"
text = "At {treat.serum_phosphate_mM:.1f} mM Pi clear mineral (above {threshold:g})"
source = "Jono et al. 2000 Circ Res 87:e10"
metric = "calcified_fraction"
kind = "above"
treat = "iv_pi2.0"
threshold = 0.05

[[claims]]
id = "left"
role = "validation"
text = "share of the {base.serum_phosphate_mM:.1f} -> {ref.serum_phosphate_mM:.1f} mM effect left"
source = "Jono et al. 2000 Circ Res 87:e10"
metric = "avg_mean_runx2"
kind = "remaining"
treat = "iv_pi1.0"
ref = "iv_pi2.0"
base = "iv_pi1.0"
threshold = 0.2

[[claims]]
id = "top"
role = "validation"
text = "Calciphylaxis is the most severe"
source = "Nigwekar, Thadhani & Brandenburg 2018 N Engl J Med 378:1704"
metric = "nucleation_events_total"
kind = "top"
treat = "calciphylaxis"
others = ["healthy", "ckd_ref"]
"""


def load_text(tmp_path, text: str):
    path = tmp_path / "claims.toml"
    path.write_text(text, encoding="utf-8")
    return load_table(path)


def error_of(tmp_path, old: str, new: str, exc: type[Exception] = TableError) -> str:
    assert old in SMALL, old
    with pytest.raises(exc) as info:
        load_text(tmp_path, SMALL.replace(old, new, 1))
    message = str(info.value)
    assert "\n" not in message and "claims.toml: " in message
    return message


# ---------------------------------------------------------------------- the shipped table
def test_shipped_table_loads_with_every_claim_and_both_suites():
    table = v.shipped_table()
    assert TABLE_PATH.is_file() and table.path == TABLE_PATH
    assert set(table.suites) == {"quick", "full"}
    assert v.QUICK.quick and not v.FULL.quick and v.QUICK.seeds == (1, 2, 3)
    ids = [c.id for c in table.claims]
    assert len(ids) == len(set(ids)) >= 50
    roles = [c.role for c in table.claims]
    assert roles.count("validation") >= 20 + roles.count("calibration") // 2
    for cfg in (v.QUICK, v.FULL):
        names = {a.name for a in v.arms(cfg)}
        assert [a.dose for a in v.arms(cfg) if a.dose is not None] == list(cfg.doses)
        for c in v.claims(cfg):
            assert set(c.arms) <= names, c.id
    assert v.DOSES_QUICK == (1.0, 1.4, 2.0, 3.0) and "calciphylaxis" in v.RANKED


def test_sources_cite_the_literature_not_internal_documents():
    for c in v.shipped_table().claims:
        assert c.source and "MODEL.md" not in c.source and "seed 00" not in c.source, c.id
        assert any(ch.isdigit() for ch in c.source), c.id  # a year at least


def _fields(template: str) -> list[tuple[str, str]]:
    return [(name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name]


def test_every_template_resolves_to_the_arms_parameters():
    arms = {a.name: a for a in v.arms(v.FULL)}
    for c in v.shipped_table().claims:
        assert "{" not in c.claim and "}" not in c.claim, c.id
        roles = {"treat": c.treat, "ref": c.ref, "base": c.base}
        for name, spec in _fields(c.template):
            root, _, key = name.partition(".")
            if root in ("threshold", "margin", "low", "high"):
                expected = format(getattr(c, root), spec)
            else:
                arm = arms[roles[root]]
                params = load_scenario(arm.scenario, overrides=list(arm.overrides)).params
                expected = format(params[key], spec)
            assert expected in c.claim, (c.id, name)


def test_the_fetuin_text_shows_the_ckd_and_arm_values():
    c = {c.id: c for c in v.shipped_table().claims}["low_fetuin_raises"]
    ckd = load_scenario("ckd").params.fetuin_a_g_per_L
    assert c.claim == f"Low fetuin-A raises calcification (CKD, {ckd:g} -> 0.15 g/L)"


def test_text_and_labels_change_with_the_parameters(tmp_path):
    table = load_text(tmp_path, SMALL)
    claims = {c.id: c for c in table.claims}
    assert claims["low_fetuin_raises"].claim == (
        "Low fetuin-A raises calcification (CKD, 0.5 -> 0.15 g/L)")
    assert claims["pi_2_0_clear"].claim == "At 2.0 mM Pi clear mineral (above 0.05)"
    assert claims["left"].claim == "share of the 1.0 -> 2.0 mM effect left"
    labels = {a.name: a.label for a in table.arms(table.suite("full"))}
    assert labels["ckd_ref"] == "ckd, fetuin-A 0.5 g/L" and labels["iv_pi1.5"] == "Pi 1.5 mM"
    assert labels["ckd_low_fetuin"] == "ckd_low_fetuin"  # no label: the name
    # the CKD reference's fetuin-A changed through its override: the text follows
    changed = load_text(tmp_path, SMALL.replace("fetuin_a_g_per_L=0.5", "fetuin_a_g_per_L=0.3"))
    text = {c.id: c for c in changed.claims}["low_fetuin_raises"].claim
    assert text == "Low fetuin-A raises calcification (CKD, 0.3 -> 0.15 g/L)"


def test_small_table_arms_and_settings(tmp_path):
    table = load_text(tmp_path, SMALL)
    quick = table.suite("quick")
    arms = {a.name: a for a in table.arms(quick)}
    assert list(arms) == ["iv_pi1.0", "iv_pi2.0", "healthy", "calciphylaxis", "ckd_ref",
                          "ckd_low_fetuin"]
    assert arms["iv_pi2.0"].overrides == ("serum_phosphate_mM=2.0",)
    assert arms["iv_pi2.0"].dose == 2.0
    assert not arms["iv_pi1.0"].vivo and arms["ckd_ref"].vivo and arms["healthy"].ranked
    assert arms["ckd_ref"].days(quick) == 3.0 and arms["iv_pi1.0"].days(quick) == 2.0


# ---------------------------------------------------------------------- one-line errors
@pytest.mark.parametrize("old, new, expected", [
    ('treat = "ckd_low_fetuin"', 'treat = "ckd_low_fetuinn"',
     "claim 'low_fetuin_raises': treat = 'ckd_low_fetuinn' is not an arm of suite 'quick'; "
     "did you mean 'ckd_low_fetuin'?"),
    ('others = ["healthy", "ckd_ref"]', 'others = ["healthy", "iv_pi1.5"]',
     "claim 'top': others = 'iv_pi1.5' is not an arm of suite 'quick'"),
    ('scenario = "ckd"\noverrides = ["fetuin_a_g_per_L=0.15"]',
     'scenario = "ckdd"\noverrides = ["fetuin_a_g_per_L=0.15"]',
     "arm 'ckd_low_fetuin': unknown scenario 'ckdd'; did you mean 'ckd'?"),
    ('scenarios = ["healthy", "calciphylaxis"]', 'scenarios = ["healthy", "calciphylaxiss"]',
     "[ranking] 'calciphylaxiss': unknown scenario 'calciphylaxiss'"),
    ('kind = "diff"', 'kind = "diffs"',
     "claim 'low_fetuin_raises': kind = 'diffs' is not allowed; did you mean 'diff'?; "
     "allowed: diff, below, above, remaining, top, within, ratio, equivalent"),
    ('role = "validation"', 'role = "calibrated"',
     "claim 'low_fetuin_raises': role = 'calibrated' is not allowed; did you mean 'calibration'?"),
    ('role = "validation"', 'role = "calibration"',
     "claim 'low_fetuin_raises': a calibration anchor needs sets = [the parameters it sets]"),
    ('role = "validation"', 'role = "calibration"\nsets = ["fetuin_g_per_L"]',
     "claim 'low_fetuin_raises': sets: unknown parameter 'fetuin_g_per_L'; did you mean "
     "'fetuin_a_g_per_L'?"),
    ('role = "validation"', 'role = "validation"\nsets = ["fetuin_a_g_per_L"]',
     "claim 'low_fetuin_raises': sets = ['fetuin_a_g_per_L'] is not allowed on a validation "
     "claim"),
    ('role = "validation"\ntext = "Low', 'text = "Low', "claim 'low_fetuin_raises': missing key 'role'"),
    ('metric = "avg_mean_runx2"', 'metric = "mean_runx2@day9"',
     "claim 'left': metric 'mean_runx2@day9' reads day 9, but arm 'iv_pi1.0' runs 2 days in suite "
     "'quick'"),
    ('metric = "avg_mean_runx2"', 'metric = "mean_runx3@day1"',
     "claim 'left': metric = 'mean_runx3@day1' is not allowed; a time-course metric is "
     "<column>@day<whole day>"),
    ('metric = "avg_mean_runx2"', 'metric = "mean_runx2@day1.5"',
     "claim 'left': metric = 'mean_runx2@day1.5' is not allowed"),
    ('metric = "calcium_content_ug_per_mg_protein"', 'metric = "calcium_content_ug_per_mg"',
     "claim 'low_fetuin_raises': metric = 'calcium_content_ug_per_mg' is not an output of the "
     "model; did you mean 'calcium_content_ug_per_mg_protein'?"),
    ('metric = "avg_mean_runx2"', 'metric = "avg_mean_runx3"',
     "claim 'left': metric = 'avg_mean_runx3' is not an output of the model"),
    ('id = "top"', 'id = "left"', "claim id 'left' is used 2 times; ids must be unique"),
    ('name = "ckd_low_fetuin"', 'name = "ckd_ref"', "arm 'ckd_ref' is defined twice"),
    ('{ref.fetuin_a_g_per_L:g}', '{ref.fetuin_g_per_L:g}',
     "claim 'low_fetuin_raises': text: template name '{ref.fetuin_g_per_L}': 'fetuin_g_per_L' is "
     "not a parameter; did you mean 'ref.fetuin_a_g_per_L'?"),
    ('{ref.fetuin_a_g_per_L:g}', '{base.fetuin_a_g_per_L:g}',
     "claim 'low_fetuin_raises': text: unknown template name '{base.fetuin_a_g_per_L}'; allowed: "
     "treat.<parameter>, ref.<parameter>, margin"),
    ('(above {threshold:g})', '(above {treshold:g})',
     "claim 'pi_2_0_clear': text: unknown template name '{treshold}'; did you mean 'threshold'?"),
    ('{treat.serum_phosphate_mM:.1f} mM Pi clear', '{treat.setting:.1f} mM Pi clear',
     "claim 'pi_2_0_clear': text: '{treat.setting:.1f}' cannot format 'in_vitro'"),
    ('{treat.fetuin_a_g_per_L:g} g/L)', '{treat[0]} g/L)',
     "claim 'low_fetuin_raises': text: '{treat[0]}': indexing and nested fields are not allowed"),
    ('{treat.fetuin_a_g_per_L:g} g/L)', '{treat.fetuin_a_g_per_L:g g/L)',
     "claim 'low_fetuin_raises': text: 'Low fetuin-A raises calcification (CKD, "),
    ('label = "ckd, fetuin-A {fetuin_a_g_per_L:g} g/L"', 'label = "ckd, fetuin-A {fetuin:g} g/L"',
     "arm 'ckd_ref': label: unknown template name '{fetuin}'"),
    ('threshold = 0.05', 'treshold = 0.05',
     "claim 'pi_2_0_clear': unknown key 'treshold'; did you mean 'threshold'?"),
    ('threshold = 0.05', 'threshold = 0.05\nmargin = 0.1',
     "claim 'pi_2_0_clear': unknown key 'margin'; allowed: id, role, text, source, metric, kind, "
     "figure, sets, note, treat, threshold"),
    ('threshold = 0.05', 'direction = "up"', "claim 'pi_2_0_clear': unknown key 'direction'"),
    ('direction = "higher"', 'direction = "up"',
     "claim 'low_fetuin_raises': direction = 'up' is not allowed; allowed: higher, lower"),
    ('threshold = 0.2', 'threshold = "0.2"',
     "claim 'left': threshold = '0.2' is not allowed; expected a number"),
    ('figure = "inhibitors"', 'figure = "inhibitor"',
     "claim 'low_fetuin_raises': figure = 'inhibitor' is not allowed; did you mean 'inhibitors'?"),
    ('ref = "ckd_ref"', 'ref = "ckd_low_fetuin"',
     "claim 'low_fetuin_raises': treat = 'ckd_low_fetuin' is also its own reference"),
    ('ref = "iv_pi2.0"\nbase', 'base', "claim 'left': missing key 'ref'"),
    ('setting = "in_vivo"', 'setting = "in_vitro"',
     "arm 'ckd_ref': setting = 'in_vitro' but the scenario runs 'in_vivo'"),
    ('setting = "in_vivo"', 'setting = "vivo"',
     "arm 'ckd_ref': setting = 'vivo' is not allowed; did you mean 'in_vivo'?"),
    ('seeds = [1, 2]', 'seeds = [1]',
     "[suites.quick]: seeds = [1] is not allowed; expected 2 or more distinct integers >= 0"),
    ('days_in_vivo = 3.0', 'days_in_vivo = 0',
     "[suites.quick] days_in_vivo: 0 is not allowed; expected a finite number of days > 0"),
    ('[suites.full]', '[suites.fulll]', "[suites]: unknown key 'fulll'; did you mean 'full'?"),
    ('[[claims]]\nid = "top"', '[[claim]]\nid = "top"',
     "claims.toml: unknown key 'claim'; did you mean 'claims'?"),
])
def test_bad_table_is_a_one_line_error(tmp_path, old, new, expected):
    message = error_of(tmp_path, old, new)
    assert expected in message, message


@pytest.mark.parametrize("old, new, expected", [
    ('overrides = ["fetuin_a_g_per_L=0.15"]', 'overrides = ["fetuin_a_g_per_L"]',
     "claims.toml: arm 'ckd_low_fetuin': override 'fetuin_a_g_per_L' is not of the form key=value"),
    ('overrides = ["fetuin_a_g_per_L=0.15"]', 'overrides = ["fetuin_g_per_L=0.15"]',
     "claims.toml: arm 'ckd_low_fetuin': "),
    ('overrides = ["fetuin_a_g_per_L=0.15"]', 'overrides = ["fetuin_a_g_per_L=-1"]',
     "claims.toml: arm 'ckd_low_fetuin': "),
    ('lattice_rows = 6', 'lattice_rows = 0', "claims.toml: [suites.quick]: "),
    ('kind = "diff"', 'kind = diff', "claims.toml: invalid TOML"),
])
def test_bad_override_is_the_schemas_one_line_error(tmp_path, old, new, expected):
    message = error_of(tmp_path, old, new, ParameterError)
    assert expected in message, message
    if "fetuin_g_per_L=" in new:
        assert "fetuin_g_per_L" in message and "fetuin_a_g_per_L" in message  # closest name


def test_command_line_reports_a_bad_table_in_one_line(tmp_path, monkeypatch, capsys):
    from vcsim.cli import main
    from vcsim.validation import table

    bad = tmp_path / "claims.toml"
    bad.write_text(SMALL.replace('kind = "diff"', 'kind = "diffs"'), encoding="utf-8")
    monkeypatch.setattr(table, "TABLE_PATH", bad)
    table.shipped_table.cache_clear()
    try:
        assert main(["validate", "--quick", "--out", str(tmp_path / "out")]) == 2
    finally:
        table.shipped_table.cache_clear()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "claim 'low_fetuin_raises': kind = 'diffs'" in err
    assert not (tmp_path / "out").exists()


def test_lazy_names_of_the_package():
    assert v.FULL.seeds == (1, 2, 3, 4) and v.DOSES_FULL == v.FULL.doses
    with pytest.raises(AttributeError):
        v.NOT_A_NAME  # noqa: B018


# ---------------------------------------------------------------------- statistics
def test_t_interval_on_known_numbers():
    mean, lo, hi = t_interval([1.0, 2.0, 3.0])
    half = 4.302653 / math.sqrt(3)  # t(0.975, 2) * sd 1 / sqrt(3)
    assert mean == 2.0 and lo == pytest.approx(2.0 - half, rel=1e-6)
    assert hi == pytest.approx(2.0 + half, rel=1e-6)
    assert t_interval([1.0, 2.0, 3.0, math.nan]) == t_interval([1.0, 2.0, 3.0])
    one = t_interval([1.0])
    assert one[0] == 1.0 and math.isnan(one[1]) and math.isnan(one[2])
    assert all(math.isnan(x) for x in t_interval([]))
    lo90 = t_interval([1.0, 2.0, 3.0], level=0.9)[1]
    assert lo90 == pytest.approx(2.0 - 2.919986 / math.sqrt(3), rel=1e-6)


def metric_frame(values: dict[str, list[float]], seeds=(1, 2, 3)) -> pd.DataFrame:
    rows = [{"arm": arm, "seed": s, "m": x} for arm, xs in values.items() for s, x in zip(seeds, xs,
                                                                                     strict=True)]
    return pd.DataFrame(rows).set_index(["arm", "seed"]).sort_index()


def claim(kind: str, **kw) -> Claim:
    return Claim(id="c", claim="text", source="src", metric="m", kind=kind, treat="t", **kw)


def test_diff_is_paired_by_seed_and_needs_the_whole_interval_past_zero():
    table = metric_frame({"t": [2.0, 2.1, 2.2], "r": [1.0, 1.0, 1.0]})
    r = evaluate(claim("diff", ref="r"), table)
    assert r["simulated_effect"] == pytest.approx(1.1) and r["passed"]
    assert r["ci_low"] == pytest.approx(1.1 - 4.302653 * 0.1 / math.sqrt(3), rel=1e-6)
    # the same arm means, but paired differences 1, 2, 3: the interval crosses zero
    noisy = metric_frame({"t": [2.0, 3.0, 4.0], "r": [1.0, 1.0, 1.0]})
    assert not evaluate(claim("diff", ref="r"), noisy)["passed"]
    # pairing: the row order does not matter, the seed does
    shuffled = table.iloc[::-1]
    assert evaluate(claim("diff", ref="r"), shuffled)["simulated_effect"] == pytest.approx(1.1)
    assert not evaluate(claim("diff", ref="r", direction=-1), table)["passed"]
    assert not evaluate(claim("diff", ref="r", margin=1.5), table)["passed"]
    lower = metric_frame({"t": [1.0, 1.0, 1.0], "r": [2.0, 2.1, 2.2]})
    assert evaluate(claim("diff", ref="r", direction=-1, margin=1.0), lower)["passed"]


def test_below_above_remaining_and_top():
    table = metric_frame({"t": [0.1, 0.2, 0.3], "r": [1.1, 1.2, 1.3], "b": [0.0, 0.1, 0.2],
                          "o": [0.0, 0.0, 0.0]})
    below = evaluate(claim("below", threshold=3.0), table)
    assert below["simulated_effect"] == pytest.approx(0.2) and below["passed"]
    assert not evaluate(claim("below", threshold=0.4), table)["passed"]  # hi = 0.2 + 0.248
    assert evaluate(claim("above", threshold=-0.1), table)["passed"]
    # (t - b) / (r - b) = 0.1 / 1.1 for every seed: no spread
    rem = evaluate(claim("remaining", ref="r", base="b", threshold=0.2), table)
    assert rem["simulated_effect"] == pytest.approx(0.1 / 1.1) and rem["passed"]
    assert not evaluate(claim("remaining", ref="r", base="b", threshold=0.05), table)["passed"]
    top = evaluate(claim("top", others=("o", "b")), table)
    assert top["simulated_effect"] == pytest.approx(0.1) and top["passed"]
    assert "runner-up b" in top["comparison"]
    assert not evaluate(claim("top", others=("r", "o")), table)["passed"]


def test_no_replicates_fails():
    table = metric_frame({"t": [np.nan] * 3, "r": [1.0] * 3})
    r = evaluate(claim("diff", ref="r"), table)
    assert math.isnan(r["simulated_effect"]) and not r["passed"]


def test_within_needs_the_mean_in_the_published_range():
    table = metric_frame({"t": [1.0, 2.0, 3.0]})
    assert evaluate(claim("within", low=1.5, high=2.5), table)["passed"]
    assert not evaluate(claim("within", low=2.1, high=5.0), table)["passed"]
    assert not evaluate(claim("within", low=0.0, high=1.9), table)["passed"]


def test_ratio_needs_the_range_and_a_resolved_change():
    table = metric_frame({"t": [2.8, 3.0, 3.2], "r": [1.0, 1.0, 1.0]})
    r = evaluate(claim("ratio", ref="r", low=2.0, high=5.0), table)
    assert r["simulated_effect"] == pytest.approx(3.0) and r["passed"]
    assert not evaluate(claim("ratio", ref="r", low=3.5, high=5.0), table)["passed"]
    # mean fold 2 but the CI spans 1: not resolved
    assert not evaluate(claim("ratio", ref="r", low=1.5, high=5.0), metric_frame(
        {"t": [2.0, 0.5, 3.5], "r": [1.0, 1.0, 1.0]}))["passed"]
    lower = metric_frame({"t": [0.3, 0.35, 0.4], "r": [1.0, 1.0, 1.0]})
    assert evaluate(claim("ratio", ref="r", low=0.1, high=0.5), lower)["passed"]


def test_range_kinds_are_checked(tmp_path):
    text = SMALL.replace('threshold = 0.05', 'low = 0.5\nhigh = 0.2').replace(
        'kind = "above"', 'kind = "within"')
    with pytest.raises(TableError, match="low = 0.5, high = 0.2 is not allowed"):
        load_text(tmp_path, text)
    ratio = SMALL.replace('threshold = 0.05', 'ref = "iv_pi1.0"\nlow = 0.5\nhigh = 2.0').replace(
        'kind = "above"', 'kind = "ratio"')
    with pytest.raises(TableError, match="must not contain 1"):
        load_text(tmp_path, ratio)
    missing = SMALL.replace('threshold = 0.05', 'low = 0.5').replace('kind = "above"',
                                                                       'kind = "within"')
    with pytest.raises(TableError, match="missing key 'high'"):
        load_text(tmp_path, missing)


def test_anchors_and_parameters_name_each_other():
    """Every parameter a calibration anchor sets names the anchor in its calibrated_by, and
    every parameter whose calibrated_by names an anchor is in that anchor's sets."""
    from vcsim.params import schema

    anchors = {c.id: set(c.sets) for c in v.shipped_table().claims if c.role == "calibration"}
    assert anchors
    for cid, names in anchors.items():
        for name in names:
            assert f"[{cid}]" in schema()[name].calibrated_by, (cid, name)
    for p in schema():
        for cid in anchors:
            if f"[{cid}]" in p.calibrated_by:
                assert p.name in anchors[cid], (p.name, cid)
    validation_ids = {c.id for c in v.shipped_table().claims if c.role == "validation"}
    for p in schema():
        for cid in validation_ids:
            assert f"[{cid}]" not in p.calibrated_by, (p.name, cid)


#: claims of the 0.1 table that are calibration anchors now: each must say why (a claim moves
#: from validation to calibration only with a note)
FIRST_TABLE = ("healthy_no_calcification", "pi_1_4_little", "pi_threshold_rise",
               "osteo_markers_with_pi", "glucose_high_vs_normal", "glucose_fluct_vs_constant",
               "anti_tnf_lowers_calcification")


def test_anchors_say_what_they_set():
    for c in v.shipped_table().claims:
        if c.role == "calibration":
            assert c.note and c.sets, c.id
        if c.id in FIRST_TABLE:
            assert c.role == "calibration", c.id


def test_equivalent_needs_the_whole_interval_in_the_margin():
    same = metric_frame({"t": [1.0, 1.02, 0.98], "r": [1.0, 1.0, 1.0]})
    assert evaluate(claim("equivalent", ref="r", low=0.8, high=1.25), same)["passed"]
    noisy = metric_frame({"t": [1.0, 1.5, 0.6], "r": [1.0, 1.0, 1.0]})
    assert not evaluate(claim("equivalent", ref="r", low=0.8, high=1.25), noisy)["passed"]
    changed = metric_frame({"t": [0.5, 0.52, 0.48], "r": [1.0, 1.0, 1.0]})
    assert not evaluate(claim("equivalent", ref="r", low=0.8, high=1.25), changed)["passed"]
