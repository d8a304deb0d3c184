"""The step's process table and the output registry as Markdown, generated from the code.

``python run.py processes`` prints the default step (or a scenario's) in order with what each
process reads and writes; ``python run.py outputs`` prints the output registry;
``python -m vcsim.processes.table`` rewrites ``docs/processes.md`` and ``docs/outputs.md``
(checked against the code by ``tests/test_docs_generated.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _small_model(**params: Any) -> Any:
    from vcsim.model import VascularModel

    return VascularModel(seed=1, lattice_rows=3, lattice_cols=3, threads=1, **params)


#: the documented model: the default step with the patient coupled, so the tables hold the
#: optional process ``mineral_metabolism`` and its ``patient_*`` outputs too
DOC_PARAMS = {"patient_coupled": True}


def _names(items: list[str]) -> str:
    return ", ".join(f"`{x}`" for x in items) if items else "-"


def processes_markdown(model: Any = None) -> str:
    """The process table of ``model`` (the documented step, :data:`DOC_PARAMS`, when None)."""
    model = model if model is not None else _small_model(**DOC_PARAMS)
    lines = ["| # | process | what it does | reads | writes |", "|---|---|---|---|---|"]
    n = 0
    for row in model.processes.table():
        nested = "." in row["name"]
        if not nested:
            n += 1
        number = "" if nested else str(n)
        name = f"&nbsp;&nbsp;`{row['name']}`" if nested else f"`{row['name']}`"
        lines.append(f"| {number} | {name} | {row['doc']} | {_names(row['reads'])} | {_names(row['writes'])} |")
    return "\n".join(lines) + "\n"


def outputs_markdown(model: Any = None) -> str:
    """The output registry of ``model`` (the documented step's, :data:`DOC_PARAMS`, when None)."""
    model = model if model is not None else _small_model(**DOC_PARAMS)
    lines = ["| output | units | meaning | kind | from |", "|---|---|---|---|---|"]
    for row in model.outputs.table():
        lines.append(f"| `{row['name']}` | {row['units']} | {row['meaning']} | {row['kind']} | `{row['source']}` |")
    return "\n".join(lines) + "\n"


PROCESSES_HEADER = """# The step, process by process

Generated from the code by `python -m vcsim.processes.table` (do not edit by hand). Each row is
one process of the default step, in the order the model runs them; the cell processes of the
VSMCs are nested under their phase. `mineral_metabolism` runs only with `patient_coupled = true`
(the patient's mineral metabolism sets the lumen; docs/systemic.md s. 1). Names in *reads* and *writes* are dotted names of the
model's namespaces: `field.*` lattice fields, `vsmc.*` the VSMC state, `signal.*` what a cell
sensed this step, `release.*` what it released, `input.*` the values in force now, `log.*`,
`ledger.*`. See docs/ARCHITECTURE.md for the contracts and how to add a process.

"""

OUTPUTS_HEADER = """# Outputs

Generated from the output registry by `python -m vcsim.processes.table` (do not edit by hand).
*step* outputs are columns of `timeseries.csv` (one row per step); *summary* outputs exist in
`summary_metrics()` and sweep results only. *from* names the process that computes it. The
`patient_*` outputs exist only with `patient_coupled = true`.

"""


def write_docs(docs: Path = DOCS) -> list[Path]:
    model = _small_model(**DOC_PARAMS)
    out = []
    for name, header, body in (("processes.md", PROCESSES_HEADER, processes_markdown(model)),
                               ("outputs.md", OUTPUTS_HEADER, outputs_markdown(model))):
        path = docs / name
        path.write_text(header + body, encoding="utf-8")
        out.append(path)
    return out


class ProcessesCommand:
    """``processes``: the step's processes in order, with what each reads and writes."""

    @staticmethod
    def add_arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("--scenario", default=None, help="the step of this scenario (default: the model's)")

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        model = _small_model()  # the default step (the docs add the optional patient)
        if args.scenario is not None:
            from vcsim.scenario import load_scenario

            model = load_scenario(args.scenario, ["lattice_rows=3", "lattice_cols=3"]).make_model(seed=1)
        sys.stdout.write(processes_markdown(model))
        return 0


class OutputsCommand:
    """``outputs``: every reported quantity with its units and meaning."""

    @staticmethod
    def add_arguments(p: argparse.ArgumentParser) -> None:
        pass

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        sys.stdout.write(outputs_markdown())
        return 0


if __name__ == "__main__":
    for path in write_docs():
        print(path)
