"""Test-suite settings: Hypothesis profiles.

``ci`` (what ``.ci/run`` selects with ``HYPOTHESIS_PROFILE=ci``) is derandomized: every run
draws the same examples, so a red CI always means a real regression, never an unlucky draw.
``dev`` (the default for local runs) keeps Hypothesis's random search, which finds new cases;
a failure it finds is printed with the seed and example to reproduce it.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
