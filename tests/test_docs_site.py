"""The documentation site (make docs): sources that cannot drift, and the offline check.

The build itself (Sphinx with warnings as errors, every tutorial executed, docs/check_offline.py)
runs in CI as ``make docs``; these tests keep its inputs honest without building it.
"""

from __future__ import annotations

import importlib.util
import json
import pkgutil
import re
from pathlib import Path

import pytest

import vcsim
from vcsim import load_scenario, run

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _check_offline():
    spec = importlib.util.spec_from_file_location("check_offline", DOCS / "check_offline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _site(tmp_path: Path, body: str, css: str = "") -> Path:
    (tmp_path / "index.html").write_text(f"<html><head></head><body>{body}</body></html>")
    if css:
        (tmp_path / "_static").mkdir()
        (tmp_path / "_static" / "theme.css").write_text(css)
    return tmp_path


@pytest.mark.parametrize("body, css", [
    ('<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>', ""),
    ('<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Lato">', ""),
    ('<link rel="preload" href="https://example.org/font.woff2">', ""),
    ('<img src="http://example.org/logo.png">', ""),
    ('<div style="background: url(https://example.org/bg.png)"></div>', ""),
    ('<style>@import "https://example.org/x.css";</style>', ""),
    ("<p>text</p>", "@font-face { src: url('https://example.org/f.woff2'); }"),
])
def test_the_offline_check_finds_every_kind_of_remote_asset(tmp_path, body, css, capsys):
    check = _check_offline()
    site = _site(tmp_path, body, css)
    assert check.remote_assets(site), body + css
    assert check.main([str(site)]) == 1
    assert "loads a remote resource" in capsys.readouterr().out


def test_the_offline_check_allows_links_and_local_assets(tmp_path):
    check = _check_offline()
    site = _site(tmp_path, '<a href="https://mesa.readthedocs.io">Mesa</a>'
                 '<script src="_static/mathjax/tex-chtml.js"></script>'
                 '<link rel="stylesheet" href="_static/theme.css"><img src="summary.png">',
                 "body { background: url('../img/x.png'); }")
    assert check.remote_assets(site) == {}
    assert check.main([str(site)]) == 0
    assert check.main([str(tmp_path / "missing")]) == 2


def _modules() -> set[str]:
    found = {"vcsim"}
    for info in pkgutil.walk_packages(vcsim.__path__, "vcsim."):
        found.add(info.name)
    return found


# the command line and the browser page are documented as commands, not as an API
NOT_IN_API = re.compile(r"^vcsim\.(__main__|cli|progname|sweep\.(cli|__main__)|validation\.cli|viz(\..*)?)$")


def test_the_api_reference_lists_every_module():
    listed = set(re.findall(r"^   (vcsim[\w.]*)$", (DOCS / "api.md").read_text(), re.M))
    expected = {m for m in _modules() if not NOT_IN_API.match(m) and m != "vcsim.scenarios"}
    assert not expected - listed, f"add to docs/api.md: {sorted(expected - listed)}"
    assert not listed - expected, f"no such module: {sorted(listed - expected)}"


def test_the_tutorial_notebooks_are_committed_clean_with_one_title():
    notebooks = sorted((DOCS / "tutorials").glob("*.ipynb"))
    assert len(notebooks) >= 5
    for path in notebooks:
        nb = json.loads(path.read_text())
        assert nb["nbformat"] == 4, path.name
        cells = nb["cells"]
        assert cells[0]["cell_type"] == "markdown", path.name
        titles = [line for c in cells if c["cell_type"] == "markdown"
                  for line in "".join(c["source"]).splitlines() if re.match(r"^# ", line)]
        assert len(titles) == 1 and "".join(cells[0]["source"]).lstrip().startswith("# "), path.name
        for c in cells:
            if c["cell_type"] == "code":
                assert c.get("outputs") == [] and c.get("execution_count") is None, \
                    f"{path.name}: strip the outputs before committing"
                assert "".join(c["source"]).strip(), f"{path.name}: an empty code cell"


def test_every_docs_page_is_reachable_from_a_toctree():
    pages = {p.relative_to(DOCS).with_suffix("").as_posix() for p in DOCS.rglob("*.md")
             if "_build" not in p.parts and "api" not in p.parts}
    pages |= {p.relative_to(DOCS).with_suffix("").as_posix() for p in (DOCS / "tutorials").glob("*.ipynb")}
    included = {"patient_year"}  # included into studies.md, not a page of its own
    referenced = {"index"} | included
    for p in DOCS.rglob("*.md"):
        if "_build" in p.parts:
            continue
        for block in re.findall(r"```\{toctree\}(.*?)```", p.read_text(), re.S):
            base = p.parent.relative_to(DOCS)
            for line in block.splitlines():
                line = line.strip()
                if not line or line.startswith(":"):
                    continue
                name = (base / line).as_posix().removeprefix("./")
                if name.endswith("*"):
                    referenced |= {q for q in pages if q.startswith(name[:-1])}
                else:
                    referenced.add(name)
    assert not pages - referenced, f"not in any toctree: {sorted(pages - referenced)}"


@pytest.mark.parametrize("example", sorted((DOCS / "howto" / "examples").glob("*.toml")),
                         ids=lambda p: p.name)
def test_the_howto_scenarios_load_and_run(example):
    scenario = load_scenario(str(example), overrides=["lattice_rows=6", "lattice_cols=10"])
    model = run(scenario.make_model(seed=1), days=1)
    assert model.timeseries_frame()["day"].iloc[-1] == pytest.approx(1.0)


def test_the_rule_howto_changes_what_it_says():
    example = DOCS / "howto" / "examples" / "rules_slower_switch.toml"
    scenario = load_scenario(str(example))
    ids = {e["id"]: e for e in scenario.rules_overrides}
    assert ids["osteo_switch_commitment"]["saturation"] == 0.04
    assert ids["apoptosis_phosphate"]["remove"] is True
    assert "apoptosis_tnf_sensitised" in ids
