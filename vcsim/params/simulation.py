"""Simulation set-up: time step, lattice size and geometry, output thresholds."""

from vcsim.params.schema import Param

PARAMS = [
    Param("dt_h", 1.0, 0.05, 6.0, "h", "time step of the cell model (transport is implicit, stable at any step)",
          "stated reason: a cell time step of ~1 h resolves the UPR (hours) and phenotype changes (days)"),
    Param("reaction_transport_rtol", 1e-7, 1e-14, 1e-3, "1",
          "the coupled reaction-transport iteration stops when no dissolved concentration changes by more "
          "than this share of the field's largest value",
          "stated reason: 1e-7 is far below the time-discretisation error (docs/convergence.md); the mass "
          "balance holds to round-off at any tolerance (the final solve uses the rates it applies)"),
    Param("reaction_transport_max_iterations", 40, 2, 1000, "iterations",
          "iterations of the reaction-transport solve before the step is split in two",
          "stated reason: the iteration converges in a few iterations at the default step; splitting is the "
          "fallback that always converges"),
    Param("reaction_transport_anderson_depth", 5, 0, 20, "differences",
          "when the plain reaction-transport iteration does not converge, the piece is solved again by Anderson "
          "acceleration with this many past differences before it is split (0 = split at once)",
          "numerical choice: 3-10 is usual for Anderson acceleration (Walker & Ni 2011 SIAM J Numer Anal 49:1715); "
          "each difference holds two copies of the dissolved fields"),
    Param("reaction_transport_anderson_max_iterations", 100, 2, 1000, "iterations",
          "iterations of the Anderson-accelerated retry before the step is split in two",
          "stated reason: it converges in ~5-20 iterations where the plain iteration stalls (deep and wide "
          "walls, tests/test_reaction_transport.py); 100 bounds the cost of a retry that will not converge"),
    Param("reaction_transport_max_halvings", 8, 0, 20, "halvings",
          "how many times the reaction-transport step may be split in two before the run stops with an error",
          "stated reason: 2^8 = 256 pieces; a step that needs more is better run with a smaller dt_h"),
    Param("lattice_rows", 30, 1, 4000, "sites", "sites across the media, lumen side (row 0) to adventitia",
          "human aortic media ~300 um at 10 um per site"),
    Param("lattice_cols", 100, 1, 4000, "sites", "sites along the wall (periodic)", "stated reason: 1 mm of wall at 10 um"),
    Param("geometry", "slab", None, None, "",
          "slab: a flat piece of media (square sites, columns periodic along the wall); ring: a vessel "
          "cross-section (rows are shells around the lumen, columns sectors; site volumes and diffusion "
          "follow the radius, vcsim.geometry.ring)",
          "stated reason: a slab is a piece of a large artery's media; a ring a whole small vessel",
          choices=("slab", "ring")),
    Param("ring_inner_radius_um", 0.0, 0.0, 10000.0, "um",
          "lumen radius of the ring geometry; 0 = lattice_cols x site_spacing_um / (2 pi), which makes the "
          "lumen-side arc of a site one spacing",
          "stated reason: conduit arteries have lumen radii of mm, dermal arterioles of 10-100 um"),
    Param("site_spacing_um", 10.0, 1.0, 100.0, "um", "edge of one square lattice site (about one VSMC)",
          "VSMC width ~5-10 um; stated reason: one cell per ~10 um site"),
    Param("site_depth_um", 10.0, 1.0, 100.0, "um", "thickness of the slice each site represents (site volume = spacing^2 x depth)",
          "stated reason: one cell layer thick"),
    Param("porosity_fraction", 0.3, 0.02, 1.0, "1", "extracellular fluid volume fraction of a site",
          "arterial media interstitial fluid fraction ~0.2-0.4 (stated reason: mid value)"),
    Param("lamina_every_rows", 6, 0, 1000, "rows", "an elastic lamina row every N rows starting at row 0 (the internal elastic lamina); 0 = none",
          "lamellar units of media ~50-60 um apart at this coarse resolution (stated reason)"),
    Param("initial_cell_fraction", 0.95, 0.0, 1.0, "1", "fraction of non-lamina sites holding a VSMC at start",
          "stated reason: near-confluent healthy media"),
    Param("calcified_threshold_mmol_per_L", 5.0, 0.0, 1000.0, "mmol Ca / L tissue",
          "mineral calcium above which a site counts as calcified (staining-like threshold)",
          "stated reason: Alizarin-red/von Kossa positive deposits ~ a few mmol Ca per L of tissue"),
    Param("protein_per_cell_ng", 0.4, 0.01, 10.0, "ng", "protein per VSMC, to express mineral as ug Ca per mg protein",
          "cultured VSMC ~0.2-0.5 ng protein per cell (stated reason: mid value)"),
]
