"""How the user started vcsim, for messages that say what to type next.

An installed vcsim is the console script ``vcsim``; a source checkout also has ``run.py``
(``python run.py ...``); a package module may be run with ``python -m`` (``python -m
vcsim.sweep``). A message such as "continue with: ... --resume" or "(... list shows all 17)"
names the same command the user typed, so it can be copied as it is::

    from vcsim.progname import program_name
    print(f"continue with: {program_name()} run ckd --resume")
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

#: The console script of ``[project.scripts]`` in pyproject.toml, and the name used when the
#: command cannot be told from ``sys.argv[0]`` (vcsim called from Python, a notebook, a test).
CONSOLE_SCRIPT = "vcsim"

#: The command-line script at the top of a source checkout.
CHECKOUT_SCRIPT = "run.py"


#: The modules that run the full command line (every subcommand) with ``python -m``; a message
#: from another module names the first.
MAIN_MODULES = ("vcsim", "vcsim.cli")


def program_name(argv0: str | None = None, *, main: bool = True) -> str:
    """The command that started this process, as the user would type it again.

    Args:
        argv0: the program path to interpret (default ``sys.argv[0]``).
        main: the message names a subcommand of the full command line (``list``, ``run``):
            a vcsim module run with ``-m`` that has only some of them (``python -m
            vcsim.sweep``) is answered with ``python -m vcsim``. With ``main=False``
            the module itself is named (for ``sweep ... --resume``, which both have).

    Returns:
        ``"python run.py"`` (or ``"python path/to/run.py"`` as typed) for the checkout's script,
        ``"python -m vcsim"`` (``"python -m vcsim.cli"`` as typed, or the module itself with
        ``main=False``) for a vcsim module run with ``-m``, else
        ``"vcsim"``.
    """
    if argv0 is None:
        argv0 = sys.argv[0] if sys.argv else ""
    if not argv0 or argv0.startswith("-"):  # "-c", "-m" (while importing), an interactive shell
        return CONSOLE_SCRIPT
    path = Path(argv0)
    if path.name == CHECKOUT_SCRIPT:
        return f"python {shlex.quote(argv0)}"
    if path.suffix == ".py":
        module = _module_name(path)
        if module is not None:
            if main and module not in MAIN_MODULES:
                module = MAIN_MODULES[0]
            return f"python -m {module}"
    return CONSOLE_SCRIPT


def _module_name(path: Path) -> str | None:
    """``vcsim.sweep`` for ``.../vcsim/sweep/__main__.py``; None outside the vcsim package."""
    package = Path(__file__).resolve().parent
    try:
        relative = path.resolve().relative_to(package.parent)
    except (OSError, ValueError):
        return None
    parts = list(relative.with_suffix("").parts)
    if not parts or parts[0] != package.name:
        return None
    if parts[-1] == "__main__":
        parts.pop()
    return ".".join(parts)
