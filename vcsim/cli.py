"""The command line: ``vcsim SUBCOMMAND ...`` (the installed console script; ``python run.py
SUBCOMMAND ...`` in a source checkout). Messages that say what to type next name the command
the user typed (:func:`vcsim.progname.program_name`).

Subcommands::

    run SCENARIO_OR_FILE [--days N] [--seed S] [--set key=value ...] [--engine vector|agents]
        [--out DIR] [--snapshot-every DAYS] [--resume] [--force] [--quiet]
    list [--sweeps]                        the shipped scenarios (or sweep specs), one line each
    params [--scenario X] [--set k=v ...] [--format md|csv]   the parameter table

Adding a subcommand: write a module (or class) with ``add_arguments(parser)`` and
``run(args) -> int`` (the exit status), and add one :class:`Subcommand` line to
:data:`SUBCOMMANDS`. The module is imported only when its subcommand is used, so heavy or
optional dependencies (Solara, Dask) cost nothing to the others.

Bad input (unknown scenario or parameter, bad TOML, out-of-range value, unreadable file,
an output directory that exists) exits with status 2 and one line on stderr; an interrupted
run (Ctrl-C, SIGTERM) exits with 130 / 143 after writing its checkpoint.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vcsim import __version__
from vcsim.params import ParameterError
from vcsim.progname import program_name

EXIT_USAGE = 2


@dataclass(frozen=True)
class Subcommand:
    """One subcommand: ``target`` is ``"module"`` or ``"module:attribute"``; the object it
    names has ``add_arguments(parser)`` and ``run(args) -> int``."""

    name: str
    target: str
    help: str

    def load(self) -> Any:
        module_name, _, attr = self.target.partition(":")
        obj: Any = importlib.import_module(module_name)
        return getattr(obj, attr) if attr else obj


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("run", "vcsim.cli:RunCommand", "run a scenario and write its outputs"),
    Subcommand("list", "vcsim.cli:ListCommand", "list the shipped scenarios (or sweep specs)"),
    Subcommand("params", "vcsim.cli:ParamsCommand", "print the parameter table (Markdown or CSV)"),
    Subcommand("processes", "vcsim.processes.table:ProcessesCommand",
               "print the step's processes in order, with what each reads and writes"),
    Subcommand("outputs", "vcsim.processes.table:OutputsCommand", "print every output with its units"),
    Subcommand("sweep", "vcsim.sweep.cli:SweepCommand", "run a parameter sweep from a TOML spec"),
    Subcommand("analyze", "vcsim.sweep.cli:AnalyzeCommand",
               "analyse a sweep: sensitivity indices, replicate statistics, figures"),
    # Later subcommands are one line each, e.g.
    Subcommand("viz", "vcsim.viz.cli", "serve the interactive page (SolaraViz) in a browser"),
    Subcommand("validate", "vcsim.validation:ValidateCommand", "check the model against its anchors"),
)


class UserError(Exception):
    """A problem with what the user asked for (exit status 2, one line, no traceback)."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (usage stays available through --help)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message} (see {self.prog} --help)")


# ---------------------------------------------------------------------- run
class RunCommand:
    """``run``: one scenario into one output directory."""

    @staticmethod
    def add_arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("scenario",
                       help=f"a scenario name ({program_name()} list) or a path to a TOML file")
        p.add_argument("--days", type=float, default=None,
                       help="simulated days (default: the scenario's days)")
        p.add_argument("--seed", type=int, default=None,
                       help="random seed (default 1; on --resume, the checkpoint's)")
        p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="override a parameter, e.g. --set serum_phosphate_mM=2.0 (repeatable)")
        p.add_argument("--engine", choices=("vector", "agents"), default=None,
                       help="vector (fast, default) or agents (one Mesa agent per cell; same results)")
        p.add_argument("--out", type=Path, default=None,
                       help="output directory (default runs/<scenario>-seed<S>)")
        p.add_argument("--snapshot-every", type=float, default=None, metavar="DAYS",
                       help="write snapshots/day_XXX.npz of the fields every DAYS days")
        p.add_argument("--resume", action="store_true",
                       help="continue the interrupted (or finished) run in --out from its checkpoint")
        p.add_argument("--force", action="store_true",
                       help="overwrite the run files of a non-empty --out")
        p.add_argument("--quiet", action="store_true", help="no progress bar")
        p.add_argument("--no-memory-check", dest="memory_check", action="store_false",
                       help="run a lattice even if its estimated memory exceeds what is available")
        p.add_argument("--no-figure", dest="figure", action="store_false",
                       help="skip summary.png")
        # for tests of interruption and resume: stop as if interrupted after this many steps
        p.add_argument("--stop-after-steps", type=int, default=None, help=argparse.SUPPRESS)

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        from vcsim.outputs import DEFAULT_SEED, FIGURE, run_to_directory
        from vcsim.scenario import load_scenario, validate_days

        scenario = load_scenario(args.scenario, args.overrides)
        days = validate_days(args.days, where="--days") if args.days is not None else None
        if args.seed is not None and args.seed < 0:
            raise UserError(f"--seed: {args.seed} is not allowed; expected an integer >= 0")
        out = args.out or Path("runs") / f"{scenario.name}-seed{args.seed if args.seed is not None else DEFAULT_SEED}"
        result = run_to_directory(
            scenario, out, seed=args.seed, engine=args.engine, days=days,
            snapshot_every_days=args.snapshot_every, resume=args.resume, force=args.force,
            figure=args.figure, progress=not args.quiet, stop_after_steps=args.stop_after_steps,
            memory_check=args.memory_check,
        )
        m = result.metrics
        print(f"{scenario.name}: {result.status} at day {result.days:g} ({result.steps} steps) -> {result.out}/")
        print(f"  results: {result.out}/timeseries.csv, nucleation_events.csv, transitions.csv, metadata.json")
        if args.figure:
            print(f"  figure:  {result.out / FIGURE}")
        shown = [("calcified_fraction", "calcified area {:.3f}"),
                 ("calcium_content_ug_per_mg_protein", "calcium {:.3g} ug/mg protein"),
                 ("fraction_osteogenic", "osteogenic {:.3f}"),
                 ("fraction_apoptotic", "apoptotic {:.3f}")]
        parts = [fmt.format(m[k]) for k, fmt in shown if k in m]
        if parts:
            print("  final: " + ", ".join(parts))
        if result.status != "complete":
            cmd = f"{program_name()} run {args.scenario} --out {result.out} --resume"
            if args.days is not None:
                cmd += f" --days {args.days:g}"
            for o in args.overrides:
                cmd += f" --set {o}"
            print(f"  interrupted; continue with: {cmd}", file=sys.stderr)
            return 128 + (result.signal or signal.SIGINT)
        return 0


# ---------------------------------------------------------------------- list
class ListCommand:
    """``list``: scenario names and descriptions; ``list --sweeps``: the shipped sweep specs."""

    @staticmethod
    def add_arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("--sweeps", action="store_true",
                       help="list the shipped sweep specs (for the sweep subcommand) instead")

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        from vcsim.scenario import SCENARIO_DIR, SWEEPS_SUBDIR, list_scenarios

        rows = list_sweeps() if args.sweeps else list_scenarios()
        if not rows:
            folder = SCENARIO_DIR / SWEEPS_SUBDIR if args.sweeps else SCENARIO_DIR
            print(f"vcsim: no shipped {'sweep specs' if args.sweeps else 'scenarios'} in {folder}",
                  file=sys.stderr)
            return 1
        width = max(len(n) for n, _ in rows)
        for name, description in rows:
            print(f"{name:<{width}}  {description}")
        return 0


def list_sweeps() -> list[tuple[str, str]]:
    """``(name, description)`` of every shipped sweep spec; a broken file says what is wrong."""
    from vcsim.scenario import ScenarioError, sweep_names, sweep_spec_path
    from vcsim.sweep.spec import SweepError, SweepSpec

    out = []
    for name in sweep_names():
        try:
            spec = SweepSpec.from_toml(sweep_spec_path(name))
        except (ScenarioError, ParameterError, SweepError) as exc:
            out.append((name, f"(cannot load: {one_line(exc)})"))
            continue
        what = spec.description or f"{spec.scenario or 'default'}: {', '.join(spec.names)}"
        points = spec.n_points()
        out.append((name, f"{what} ({spec.design}, {points} points x {spec.replicates} "
                          f"replicates = {points * spec.replicates} runs)"))
    return out


# ---------------------------------------------------------------------- params
class ParamsCommand:
    """``params``: the generated parameter table, with a scenario's values when given."""

    @staticmethod
    def add_arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("--scenario", default=None,
                       help="show this scenario's values in the 'default' column")
        p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="override a parameter (repeatable)")
        p.add_argument("--format", choices=("md", "csv"), default="md", help="Markdown (default) or CSV")

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        from vcsim.params import default_parameters, table

        if args.scenario is not None:
            from vcsim.scenario import load_scenario

            params = load_scenario(args.scenario, args.overrides).params
        else:
            params = default_parameters().with_overrides(args.overrides)
        text = table.to_csv(params) if args.format == "csv" else table.to_markdown(params)
        sys.stdout.write(text)
        return 0


# ---------------------------------------------------------------------- main
def build_parser(selected: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the ``selected`` subcommand's module is imported for its arguments."""
    parser = _Parser(prog=program_name(),
                     description="vcsim: agent-based simulator of medial vascular calcification")
    parser.add_argument("--version", action="version", version=f"vcsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for cmd in SUBCOMMANDS:
        sp = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        if cmd.name == selected:
            try:
                handler = cmd.load()
            except ImportError as exc:  # an optional dependency of that subcommand
                raise UserError(f"'{cmd.name}' cannot start: {exc} (are its optional "
                                "dependencies installed? see pyproject.toml extras)") from None
            handler.add_arguments(sp)
            sp.set_defaults(_handler=handler)
    return parser


def _selected(argv: Sequence[str]) -> str | None:
    names = {c.name for c in SUBCOMMANDS}
    for token in argv:
        if not token.startswith("-"):
            return token if token in names else None
    return None


def one_line(message: object) -> str:
    text = " ".join(str(message).split())
    return text or "error"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (``run.py`` passes it to ``sys.exit``)."""
    from vcsim.scenario import ScenarioError

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(_selected(argv))
        args = parser.parse_args(argv)
        status = int(args._handler.run(args))
        sys.stdout.flush()  # a closed pipe shows here, not as a traceback at exit
        return status
    except (UserError, ParameterError, ScenarioError) as exc:
        print(f"vcsim: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away (``vcsim params | head``): stop quietly
        _silence_stdout()
        return 128 + signal.SIGPIPE
    except OSError as exc:  # unreadable or unwritable files: the OS says which and why
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"vcsim: error:{where} {one_line(exc.strerror or exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("vcsim: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the flush at exit does not fail on the closed pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
