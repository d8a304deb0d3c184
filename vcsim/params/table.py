"""Generate the parameter table (Markdown and CSV) from the schema; never hand-copied."""

from __future__ import annotations

import csv
import io

from vcsim.params import Parameters, schema

COLUMNS = ("name", "group", "default", "units", "lower", "upper", "meaning", "source", "calibrated_by")


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def rows(params: Parameters | None = None) -> list[dict[str, str]]:
    """One dict per parameter; ``default`` shows ``params``' value when given."""
    out = []
    for p in schema():
        value = p.default if params is None else params[p.name]
        lower = p.lower if p.kind in (int, float) else None
        upper = p.upper if p.kind in (int, float) else None
        out.append(
            {
                "name": p.name,
                "group": p.group,
                "default": _fmt(value),
                "units": p.units,
                "lower": _fmt(lower),
                "upper": _fmt(upper) if p.choices is None else " | ".join(p.choices),
                "meaning": p.meaning,
                "source": p.source,
                "calibrated_by": p.calibrated_by,
            }
        )
    return out


def to_csv(params: Parameters | None = None) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(params))
    return buf.getvalue()


def to_markdown(params: Parameters | None = None) -> str:
    head = "| " + " | ".join(COLUMNS) + " |\n|" + "---|" * len(COLUMNS) + "\n"
    body = "".join(
        "| " + " | ".join(r[c].replace("|", "\\|") for c in COLUMNS) + " |\n" for r in rows(params)
    )
    return head + body


def write_docs(directory: str = "docs") -> list[str]:
    """Write ``parameters.md`` and ``parameters.csv`` (the defaults) into ``directory``."""
    from pathlib import Path

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    md = out / "parameters.md"
    md.write_text(
        "# vcsim parameters\n\nGenerated from the schema by `make params-docs` "
        "(`python -m vcsim.params.table`); do not edit by hand.\n\n" + to_markdown(),
        encoding="utf-8",
    )
    csv_path = out / "parameters.csv"
    csv_path.write_text(to_csv(), encoding="utf-8")
    return [str(md), str(csv_path)]


if __name__ == "__main__":
    for path in write_docs():
        print(f"wrote {path}")
