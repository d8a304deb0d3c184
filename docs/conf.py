"""Sphinx configuration of the vcsim documentation (``make docs``; warnings are errors).

Every asset is local: the pydata theme ships its fonts and icons, MathJax comes from the
``sphinx-mathjax-offline`` package, and the tutorials are executed by myst-nb during the build.
``docs/check_offline.py`` fails the build if any page still loads something from outside.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import vcsim  # noqa: E402

project = "vcsim"
author = "The vcsim developers"
copyright = "2025-2026, the vcsim developers"
version = release = vcsim.__version__

extensions = [
    "myst_nb",  # Markdown pages and executed Jupyter notebooks (includes myst_parser)
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static: math renders without a CDN
]

# .rst first: autosummary writes its API stubs with the first suffix
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute", "parameters.csv"]
templates_path = ["_templates"]

# Markdown
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# notebooks: executed at every build (cached between builds of an unchanged notebook); a cell
# that raises fails the build
nb_execution_mode = os.environ.get("VCSIM_DOCS_EXECUTE", "cache")
# the kernels inherit this environment: a non-interactive MPLBACKEND (CI sets Agg) would stop
# ipykernel's inline backend, and the tutorials' figures would be missing from the pages
os.environ.pop("MPLBACKEND", None)
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# API reference from the docstrings
autosummary_generate = True
# a package documents only what it defines: its re-exports are documented where they are defined
autodoc_default_options = {"members": True, "show-inheritance": True, "ignore-module-all": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
napoleon_google_docstring = True  # the code uses "Args:" / "Returns:"
napoleon_numpy_docstring = True

# HTML
html_theme = "pydata_sphinx_theme"
html_title = f"vcsim {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
