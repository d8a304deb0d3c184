"""The committed process table and output registry are the ones the code generates."""

from pathlib import Path

from vcsim.processes.table import (
    OUTPUTS_HEADER,
    PROCESSES_HEADER,
    outputs_markdown,
    processes_markdown,
)

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_docs_processes_and_outputs_are_generated_from_the_code():
    assert (DOCS / "processes.md").read_text(encoding="utf-8") == PROCESSES_HEADER + processes_markdown(), \
        "docs/processes.md is stale: run `python -m vcsim.processes.table`"
    assert (DOCS / "outputs.md").read_text(encoding="utf-8") == OUTPUTS_HEADER + outputs_markdown(), \
        "docs/outputs.md is stale: run `python -m vcsim.processes.table`"


def test_every_output_has_units_meaning_and_a_source():
    from vcsim.model import VascularModel

    m = VascularModel(seed=1, lattice_rows=3, lattice_cols=3)
    for o in m.outputs.ordered(None):
        assert o.meaning.strip() and o.source, o.name
        assert o.units is not None, o.name
