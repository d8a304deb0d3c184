#!/usr/bin/env python3
"""vcsim command line: ``python run.py --help`` (see :mod:`vcsim.cli`)."""

import sys

from vcsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
