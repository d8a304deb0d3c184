"""The committed parameter table is the one the schema generates (never hand-copied)."""

from pathlib import Path

from vcsim.params.table import to_csv, to_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_committed_parameter_table_is_generated_from_the_schema():
    csv_text = (DOCS / "parameters.csv").read_text(encoding="utf-8")
    md_text = (DOCS / "parameters.md").read_text(encoding="utf-8")
    assert csv_text == to_csv(), "docs/parameters.csv is stale: run `make params-docs`"
    assert md_text.endswith(to_markdown()), "docs/parameters.md is stale: run `make params-docs`"


def test_every_parameter_has_units_bounds_meaning_and_source():
    from vcsim.params import schema

    for p in schema():
        assert p.meaning.strip(), p.name
        assert p.source.strip(), p.name
        if p.kind in (int, float):
            assert p.lower is not None and p.upper is not None, p.name
            assert p.lower <= p.default <= p.upper, p.name
            assert p.units.strip(), p.name
