"""``vcsim viz`` (``python run.py viz`` in a checkout): serve the interactive page
(:mod:`vcsim.viz.app`) on this machine.

The page works without internet access: the browser loads every file from this server
(Solara's front-end files come from the ``solara-assets`` package, served under
``/_solara/cdn``), and the server makes no requests of its own (no version check, no usage
telemetry). It listens on 127.0.0.1 unless ``--host`` says otherwise; the page has no login,
so serve it beyond this machine only on a network you trust.

Stop it with Ctrl-C.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
from pathlib import Path

# Fail at import, where the command line turns it into a one-line "install the viz extra".
for _module in ("solara", "solara_assets", "mesa.visualization"):
    if importlib.util.find_spec(_module.split(".")[0]) is None:
        raise ImportError(f"No module named '{_module}' (pip install -e '.[viz]')")

APP = Path(__file__).with_name("app.py")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

#: Solara settings for a machine without internet access (read when solara is imported).
OFFLINE_ENVIRONMENT = {
    # front-end files from the local solara-assets package via the server, never a CDN URL
    "SOLARA_ASSETS_PROXY": "True",
    # no usage reports to api.mixpanel.com
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    # Mesa 3.3's SolaraViz trips Solara's rules-of-hooks lint (harmless; it only warns)
    "SOLARA_CHECK_HOOKS": "off",
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    from vcsim.progname import program_name

    p.add_argument("--scenario", default=None,
                   help=f"scenario the page starts with: a name ({program_name()} list) or a TOML "
                        "file (default: ckd); the page has a scenario picker too")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to listen on (default {DEFAULT_HOST}: this machine only)")
    p.add_argument("--open", action="store_true", help="open the page in the default web browser")


def run(args: argparse.Namespace) -> int:
    from vcsim.cli import UserError
    from vcsim.scenario import load_scenario
    from vcsim.viz import DEFAULT_SCENARIO, SCENARIO_ENV

    if not 0 <= args.port <= 65535:
        raise UserError(f"--port: {args.port} is not a port number (0-65535)")
    scenario = args.scenario or DEFAULT_SCENARIO
    load_scenario(scenario)  # a bad name or file is a one-line error now, not in the browser
    if scenario.endswith(".toml") or "/" in scenario:
        scenario = str(Path(scenario).resolve())  # the server may resolve paths elsewhere
    os.environ[SCENARIO_ENV] = scenario
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ[key] = value

    from solara.__main__ import cli as solara_cli  # after the environment is set

    solara_cli.main(
        args=["run", str(APP), "--host", args.host, "--port", str(args.port), "--production",
              "--no-check-version", "--open" if args.open else "--no-open"],
        prog_name="solara", standalone_mode=False,
    )
    return 0
