"""``python run.py validate [--quick] [--out DIR] [--workers N] [--quiet]`` and the robustness
screening ``python run.py validate --robustness R [--factor F] [--lattice ROWSxCOLS]
[--seeds N]`` (:mod:`vcsim.validation.robustness`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from vcsim.progname import program_name
from vcsim.validation.design import SuiteConfig


class ValidateCommand:
    """``validate``: run the validation suite and write its report."""

    @staticmethod
    def add_arguments(p: argparse.ArgumentParser) -> None:
        from vcsim.validation.table import shipped_table

        quick = shipped_table().suite("quick")
        p.add_argument("--quick", action="store_true",
                       help=f"CI size: {quick.lattice_rows} x {quick.lattice_cols} lattice, "
                            f"{len(quick.seeds)} seeds, in vivo {quick.days_in_vivo:g} days")
        p.add_argument("--out", type=Path, default=Path("runs/validation"),
                       help="output directory (default runs/validation)")
        p.add_argument("--workers", type=int, default=None,
                       help="processes (default: number of cores)")
        p.add_argument("--quiet", action="store_true", help="no progress lines")
        p.add_argument("--robustness", type=int, default=0, metavar="R",
                       help="instead of the suite: a Morris screening of the validation claims "
                            "with R trajectories over the parameters no anchor sets (writes "
                            "robustness.md/.csv)")
        p.add_argument("--factor", type=float, default=2.0,
                       help="screening range: each parameter x 1/F to x F (default 2)")
        p.add_argument("--lattice", default="12x40", metavar="ROWSxCOLS",
                       help="screening lattice (default 12x40)")
        p.add_argument("--seeds", type=int, default=2, metavar="N",
                       help="screening replicate seeds 1..N (default 2; >= 2 for the CIs)")

    @staticmethod
    def run(args: argparse.Namespace) -> int:
        import sys

        from vcsim.validation.report import headline, summary_table_md
        from vcsim.validation.suite import validate
        from vcsim.validation.table import shipped_table

        cfg = shipped_table().suite("quick" if args.quick else "full")
        if args.workers is not None and args.workers < 1:
            print(f"--workers: {args.workers} is not allowed; expected >= 1", file=sys.stderr)
            return 2

        def progress(msg: str) -> None:
            if not args.quiet:
                print(msg, file=sys.stderr, flush=True)

        if args.robustness:
            return _robustness(args, cfg, progress)
        result = validate(cfg, out=args.out, workers=args.workers, progress=progress)
        v = result["validation"]
        print("Validation (no parameter tuned to these)\n")
        print(summary_table_md(v, "validation"))
        print("\nCalibration anchors\n")
        print(summary_table_md(v, "calibration"))
        print(f"\n{headline(v)}; report: {result['report']}")
        return 0


def _robustness(args: argparse.Namespace, cfg: SuiteConfig,
                progress: Callable[[str], None]) -> int:
    """``validate --robustness R``: the screening on a small lattice (module docstring)."""
    import sys
    from dataclasses import replace

    from vcsim.validation.robustness import screen

    try:
        rows, cols = (int(x) for x in args.lattice.lower().split("x"))
    except ValueError:
        print(f"{program_name()}: error: --lattice: {args.lattice!r} is not allowed; "
              "expected ROWSxCOLS, e.g. 12x40", file=sys.stderr)
        return 2
    if args.robustness < 1 or args.seeds < 2 or not args.factor > 1.0 or rows < 1 or cols < 1:
        print(f"{program_name()}: error: --robustness {args.robustness}, --seeds "
              f"{args.seeds}, --factor {args.factor:g}, "
              f"--lattice {args.lattice}: expected R >= 1, N >= 2, F > 1 and a positive lattice",
              file=sys.stderr)
        return 2
    small = replace(cfg, seeds=tuple(range(1, args.seeds + 1)), lattice_rows=rows,
                    lattice_cols=cols)
    result = screen(small, trajectories=args.robustness, factor=args.factor, out=args.out,
                    workers=args.workers, progress=progress)
    print(result["report"])
    return 0
