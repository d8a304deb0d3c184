"""``python -m vcsim.sweep sweep SPEC --out DIR ...`` and ``python -m vcsim.sweep analyze DIR``."""

import sys

from vcsim.sweep.cli import main

if __name__ == "__main__":
    sys.exit(main())
