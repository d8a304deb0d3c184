"""Every way a bad parameter gets in is a one-line ParameterError naming the problem."""

from __future__ import annotations

import csv
import io
import math

import pytest

from vcsim.params import (
    Param,
    ParameterError,
    default_parameters,
    parse_assignments,
    read_toml,
    schema,
    table,
    validate_value,
)


def _error(fn, *args) -> str:
    with pytest.raises(ParameterError) as info:
        fn(*args)
    message = str(info.value)
    assert "\n" not in message, "errors are one line for the user"
    return message


# ---------------------------------------------------------------------- unknown keys
def test_unknown_key_names_the_closest_valid_key():
    msg = _error(default_parameters().updated, {"serum_phosphat_mM": 2.0})
    assert "unknown parameter 'serum_phosphat_mM'" in msg
    assert "did you mean 'serum_phosphate_mM'" in msg


def test_unknown_key_without_a_close_match_gives_no_suggestion():
    msg = _error(default_parameters().updated, {"zzzz_qqqq": 1})
    assert "unknown parameter 'zzzz_qqqq'" in msg
    assert "did you mean" not in msg


def test_unknown_key_in_a_key_value_override():
    msg = _error(default_parameters().with_overrides, ["tnf_alpha_pg_per_ml=5"])
    assert "did you mean 'tnf_alpha_pg_per_mL'" in msg


# ---------------------------------------------------------------------- wrong types
@pytest.mark.parametrize(
    "key, value",
    [
        ("serum_phosphate_mM", "two"),       # not a number
        ("serum_phosphate_mM", True),        # a bool is not a number
        ("serum_phosphate_mM", [1.0, 2.0]),  # a list is not a number
        ("lattice_rows", 10.5),              # an int parameter needs an integer
        ("lattice_rows", "ten"),
        ("setting", 3),                      # a string parameter needs a string
        ("setting", "in_silico"),            # ... one of its choices
        ("glucose_mode", "sometimes"),
    ],
)
def test_wrong_type_is_rejected_with_what_is_allowed(key, value):
    msg = _error(default_parameters().updated, {key: value})
    assert f"parameter '{key}'" in msg and "expected" in msg


def test_choices_are_listed_for_string_parameters():
    msg = _error(default_parameters().updated, {"setting": "in_silico"})
    assert "'in_vivo'" in msg and "'in_vitro'" in msg


def test_integral_float_and_numeric_strings_are_converted():
    p = default_parameters().updated({"lattice_rows": 12.0, "serum_phosphate_mM": "2.5"})
    assert p["lattice_rows"] == 12 and isinstance(p["lattice_rows"], int)
    assert p["serum_phosphate_mM"] == 2.5 and isinstance(p["serum_phosphate_mM"], float)


def test_bool_parameters_accept_true_false_only():
    flag = Param("some_flag", False, None, None, "", "a flag", "test")
    assert validate_value(flag, "true") is True
    assert validate_value(flag, "False") is False
    assert validate_value(flag, True) is True
    for bad in ("yes", 1, 0.0):
        assert "true or false" in _error(validate_value, flag, bad)


# ---------------------------------------------------------------------- NaN / inf
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "nan", "inf", "-inf"])
def test_nan_and_infinity_are_rejected(value):
    msg = _error(default_parameters().updated, {"serum_calcium_mM": value})
    assert "finite number" in msg


# ---------------------------------------------------------------------- bounds
def test_below_lower_bound_is_rejected_with_the_bounds():
    p = schema()["serum_phosphate_mM"]
    msg = _error(default_parameters().updated, {"serum_phosphate_mM": p.lower / 2})
    assert f"[{p.lower:g}, {p.upper:g}]" in msg and "mM" in msg


def test_above_upper_bound_is_rejected():
    p = schema()["lattice_rows"]
    msg = _error(default_parameters().with_overrides, [f"lattice_rows={int(p.upper) + 1}"])
    assert "lattice_rows" in msg and "an integer" in msg


def test_bounds_are_inclusive():
    p = schema()["serum_phosphate_mM"]
    assert default_parameters().updated({"serum_phosphate_mM": p.upper})["serum_phosphate_mM"] == p.upper


def test_every_default_lies_within_its_bounds_and_choices():
    for p in schema():
        assert validate_value(p, p.default) == p.default, p.name


# ---------------------------------------------------------------------- TOML files
def test_malformed_toml_names_the_file_and_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[parameters]\nserum_phosphate_mM = 2.0\nglucose_mM = = 5\n")
    msg = _error(read_toml, path)
    assert str(path) in msg and "invalid TOML" in msg and "line 3" in msg


def test_missing_and_unreadable_files(tmp_path):
    assert "file not found" in _error(read_toml, tmp_path / "nope.toml")
    assert "cannot read" in _error(read_toml, tmp_path)  # a directory
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert "cannot read" in _error(read_toml, binary)


def test_with_toml_applies_values_and_group_tables(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('serum_phosphate_mM = 2.0\n[systemic]\ntnf_alpha_pg_per_mL = 12.0\n')
    p = default_parameters().with_toml(path)
    assert p.serum_phosphate_mM == 2.0 and p.tnf_alpha_pg_per_mL == 12.0


def test_with_toml_rejects_lists_nesting_and_bad_values(tmp_path):
    cases = {
        "list.toml": ("serum_phosphate_mM = [1, 2]\n", "single value"),
        "deep.toml": ("[a.b]\nc = 1\n", "nested too deeply"),
        "bounds.toml": ("serum_phosphate_mM = -1.0\n", "serum_phosphate_mM"),
        "typo.toml": ("serum_phosphat_mM = 1.0\n", "did you mean 'serum_phosphate_mM'"),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        assert expected in _error(default_parameters().with_toml, path), name


def test_with_toml_table_must_be_a_table(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text("parameters = 3\n")
    assert "must be a table" in _error(default_parameters().with_toml, path, "parameters")


# ---------------------------------------------------------------------- key=value strings
@pytest.mark.parametrize("item", ["serum_phosphate_mM", "=2.0", "  =  ", ""])
def test_bad_key_value_strings(item):
    assert "not of the form key=value" in _error(parse_assignments, [item])


def test_key_value_strings_are_stripped_and_split_at_the_first_equals():
    assert parse_assignments([" a = 1 ", "b=x=y"]) == {"a": "1", "b": "x=y"}


# ---------------------------------------------------------------------- immutability
def test_parameters_are_immutable():
    p = default_parameters()
    with pytest.raises(AttributeError):
        p.serum_phosphate_mM = 3.0  # type: ignore[misc]
    q = p.updated({"serum_phosphate_mM": 3.0})
    assert p.serum_phosphate_mM != 3.0 and q.serum_phosphate_mM == 3.0
    assert q.changed() == {"serum_phosphate_mM": 3.0}


# ---------------------------------------------------------------------- the generated table
def test_generated_table_has_every_parameter_once():
    names = [p.name for p in schema()]
    rows = list(csv.DictReader(io.StringIO(table.to_csv())))
    assert [r["name"] for r in rows] == names
    md = table.to_markdown().splitlines()
    assert len(md) == len(names) + 2
    for name, line in zip(names, md[2:], strict=True):
        assert line.startswith(f"| {name} |")


def test_generated_table_has_units_meaning_and_source_for_every_parameter():
    for r in csv.DictReader(io.StringIO(table.to_csv())):
        assert r["meaning"].strip(), r["name"]
        assert r["source"].strip(), r["name"]
        assert r["group"].strip(), r["name"]


def test_generated_table_shows_given_values():
    p = default_parameters().updated({"serum_phosphate_mM": 2.25})
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(table.to_csv(p)))}
    assert rows["serum_phosphate_mM"]["default"] == "2.25"
