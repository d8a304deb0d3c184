"""The interactive browser page (Mesa SolaraViz): ``python run.py viz``.

- :mod:`vcsim.viz.components`: the figures, plain matplotlib on a model (no Solara needed).
- :mod:`vcsim.viz.app`: the SolaraViz page (needs the ``viz`` extra: solara, solara-assets).
- :mod:`vcsim.viz.cli`: the ``viz`` subcommand, serving the page offline.

Importing this package imports neither Solara nor matplotlib.
"""

#: Environment variable naming the scenario the page starts with (set by ``run.py viz``).
SCENARIO_ENV = "VCSIM_VIZ_SCENARIO"
#: Scenario of the page when none is given.
DEFAULT_SCENARIO = "ckd"
