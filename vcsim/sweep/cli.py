"""``sweep`` and ``analyze`` subcommands (registered in :mod:`vcsim.cli`; also
``python -m vcsim.sweep sweep|analyze ...``).

    sweep SPEC --out DIR [--workers N | --scheduler ADDRESS | --dask-local N] [--resume]
          [--dry-run] [--quiet]
    analyze DIR [--metrics M ...] [--band sd|ci] [--conf 0.95] [--resamples 1000] [--no-figures]

Each class has ``add_arguments(parser)`` and ``run(args) -> int`` (the exit status: 0 done,
1 sweep finished with failed runs, 2 bad input).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vcsim.progname import program_name

EXIT_FAILED_RUNS = 1
EXIT_USAGE = 2


def _user_errors() -> tuple[type[Exception], ...]:
    """Exceptions that mean bad input: shown as one line, exit status 2."""
    from vcsim.params import ParameterError
    from vcsim.sweep.executors import SweepError

    errors: tuple[type[Exception], ...] = (ParameterError, SweepError)
    try:
        from vcsim.scenario import ScenarioError
    except ImportError:
        return errors
    return (*errors, ScenarioError)


def _resume_command(args: argparse.Namespace) -> str:
    return " ".join([program_name(main=False), "sweep", *([str(args.spec)] if args.spec else []),
                     "--out", str(args.out), "--resume"])


def _error(message: object) -> int:
    print(f"vcsim: error: {' '.join(str(message).split())}", file=sys.stderr)
    return EXIT_USAGE


class SweepCommand:
    """``sweep``: run a parameter sweep from a TOML spec into an output folder."""

    @staticmethod
    def add_arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("spec", nargs="?", type=Path, default=None,
                       help="sweep spec: a TOML file, or the name of a shipped spec "
                            f"({program_name()} list --sweeps); optional with --resume (the spec "
                            "recorded in DIR/sweep.json is used)")
        p.add_argument("--out", type=Path, required=True, metavar="DIR",
                       help="output folder: sweep.json, design.csv, results.csv, timeseries.csv")
        where = p.add_mutually_exclusive_group()
        where.add_argument("--workers", type=int, default=None, metavar="N",
                           help="local process pool of N workers (default: one per core; "
                                "0 = in this process, for debugging)")
        where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                           help="run on an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                                "(needs vcsim[distributed])")
        where.add_argument("--dask-local", type=int, default=None, metavar="N",
                           help="start a Dask LocalCluster of N workers (needs vcsim[distributed])")
        p.add_argument("--resume", action="store_true",
                       help="continue the sweep in --out: skip runs that finished ok, retry failed ones")
        p.add_argument("--dry-run", action="store_true",
                       help="print the design size and the first points; run nothing")
        p.add_argument("--quiet", action="store_true", help="no progress bar")

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        from vcsim.sweep import results as res
        from vcsim.sweep.executors import (
            DaskExecutor,
            LocalPoolExecutor,
            SerialExecutor,
            run_sweep,
        )
        from vcsim.sweep.spec import SweepSpec

        try:
            if args.spec is not None:
                from vcsim.scenario import sweep_spec_path

                spec = SweepSpec.from_toml(sweep_spec_path(args.spec))
            elif args.resume and (args.out / res.SWEEP_JSON).exists():
                spec = SweepSpec.from_dict(res.read_json(args.out / res.SWEEP_JSON)["spec"],
                                           where=str(args.out / res.SWEEP_JSON))
            else:
                return _error("sweep: give a SPEC file (or --resume an existing --out)")
            if args.dry_run:  # everything is checked (scenario, metrics), nothing runs
                from vcsim.sweep.runner import resolve_spec

                spec = resolve_spec(spec, warn=lambda msg: print(msg, file=sys.stderr))
                design = spec.design_points()
                print(f"{spec.source}: design {spec.design}, {len(design)} points x "
                      f"{spec.replicates} replicates = {len(design) * spec.replicates} runs of "
                      f"{spec.days:g} days; metrics: {', '.join(spec.metrics)}")
                for i, point in enumerate(design.points[:10]):
                    print(f"  point {i}: " + ", ".join(
                        f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v!r}"
                        for k, v in point.items()))
                if len(design) > 10:
                    print(f"  ... {len(design) - 10} more")
                return 0
            if args.workers is not None and args.workers < 0:
                return _error(f"--workers: {args.workers} is not allowed; expected an integer >= 0")
            if args.dask_local is not None and args.dask_local < 1:
                return _error(f"--dask-local: {args.dask_local} is not allowed; expected an integer >= 1")
            if args.scheduler or args.dask_local:
                executor = DaskExecutor(address=args.scheduler, n_workers=args.dask_local)
            elif args.workers == 0:
                executor = SerialExecutor()
            else:
                executor = LocalPoolExecutor(args.workers)
            try:
                summary = run_sweep(spec, args.out, executor=executor, resume=args.resume,
                                    progress=not args.quiet)
            except KeyboardInterrupt:
                print(f"vcsim: interrupted; finished runs are kept in {args.out}/results.csv; "
                      f"continue with: {_resume_command(args)}", file=sys.stderr)
                return 130
            finally:
                executor.close()
        except _user_errors() as exc:
            return _error(exc)
        state = "complete" if summary.complete else "incomplete"
        print(f"sweep {state}: {summary.ran} runs this session ({summary.ok} ok, {summary.failed} "
              f"failed), {summary.already_ok} already done, {summary.total} in all, "
              f"{summary.wall_time_s:.1f} s -> {args.out}/results.csv")
        if summary.failed:
            ids = ", ".join(str(i) for i in summary.failed_ids[:10])
            more = "" if summary.failed <= 10 else f" and {summary.failed - 10} more"
            print(f"  failed runs: {ids}{more} (errors in results.csv); retry them with: "
                  f"{_resume_command(args)}", file=sys.stderr)
            return EXIT_FAILED_RUNS
        return 0


class AnalyzeCommand:
    """``analyze``: sensitivity indices, replicate statistics and figures of a sweep folder."""

    @staticmethod
    def add_arguments(p: argparse.ArgumentParser) -> None:
        prog = program_name(main=False)
        p.add_argument("dir", type=Path, help=f"a sweep output folder ({prog} sweep ... --out DIR)")
        p.add_argument("--metrics", nargs="+", default=None, metavar="M",
                       help="metrics to analyse (default: every exported metric)")
        p.add_argument("--band", choices=("sd", "ci"), default="sd",
                       help="dose-response band over replicates: mean +- sd (default) or the CI")
        p.add_argument("--conf", type=float, default=0.95, help="confidence level (default 0.95)")
        p.add_argument("--resamples", type=int, default=1000,
                       help="bootstrap resamples for index confidence intervals (default 1000)")
        p.add_argument("--no-figures", dest="figures", action="store_false", help="tables only")

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        from vcsim.sweep.analysis import analyze

        try:
            result = analyze(args.dir, metrics=args.metrics, conf_level=args.conf,
                             num_resamples=args.resamples, band=args.band, figures=args.figures)
        except _user_errors() as exc:
            return _error(exc)
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)
        if result.indices is not None:
            key = "ST" if "ST" in result.indices else "mu_star"
            print(f"{key} by metric (largest first):")
            for metric, t in result.indices.groupby("metric", sort=False):
                t = t.sort_values(key, ascending=False, na_position="last")
                print(f"  {metric}: " + ", ".join(f"{p} {v:.3g}" for p, v in zip(t["parameter"], t[key],
                                                                                 strict=True)))
        print(f"wrote {len(result.files)} files to {result.folder}/")
        return 0


def add_sweep_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``sweep`` to an argparse subparsers object (for CLIs without vcsim's registry)."""
    p = subparsers.add_parser("sweep", help="run a parameter sweep")
    SweepCommand.add_arguments(p)
    p.set_defaults(_handler=SweepCommand)
    return p


def add_analyze_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``analyze`` to an argparse subparsers object."""
    p = subparsers.add_parser("analyze", help="analyse a sweep: indices and figures")
    AnalyzeCommand.add_arguments(p)
    p.set_defaults(_handler=AnalyzeCommand)
    return p


def main(argv: list[str] | None = None) -> int:
    """``python -m vcsim.sweep sweep|analyze ...``"""
    parser = argparse.ArgumentParser(prog="python -m vcsim.sweep",
                                     description="vcsim parameter sweeps")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_sweep_parser(sub)
    add_analyze_parser(sub)
    args = parser.parse_args(argv)
    try:
        return int(args._handler.run(args))
    except KeyboardInterrupt:
        print("vcsim: interrupted; finished runs are kept, continue with --resume", file=sys.stderr)
        return 130
