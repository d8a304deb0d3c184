"""``python -m vcsim``: the command line (the same as the ``vcsim`` command)."""

import sys

from vcsim.cli import main

sys.exit(main())
