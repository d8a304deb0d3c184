"""``python run.py validate [--quick] [--out DIR] [--workers N] [--quiet]``."""

from __future__ import annotations

import argparse
from pathlib import Path


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

        result = validate(cfg, out=args.out, workers=args.workers, progress=progress)
        v = result["validation"]
        print("Validation (no parameter tuned to these)\n")
        print(summary_table_md(v, "validation"))
        print("\nCalibration anchors\n")
        print(summary_table_md(v, "calibration"))
        print(f"\n{headline(v)}; report: {result['report']}")
        return 0
