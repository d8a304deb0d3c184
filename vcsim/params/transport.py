"""Transport: diffusivities of the dissolved species and the boundary conditions of the media.

Free diffusivities are tracer (self-) diffusion coefficients of the ions in water at
infinite dilution and 25 degC. :meth:`vcsim.transport.Transport.from_params` scales them to
``temperature_c`` by Stokes-Einstein (D proportional to T / viscosity of water) and divides
by the squared tortuosity of the media, giving the effective diffusivity of a concentration
*in the pore fluid* (porosity is uniform, so it cancels from storage and flux alike).

Geometry (``lattice_rows``, ``site_spacing_um``, ``porosity_fraction``, ...) lives in
``simulation``; the serum values held at the boundaries and ``setting`` live in ``systemic``.
"""

from vcsim.params.schema import Param

_CRC = "CRC Handbook of Chemistry and Physics, 'Ionic conductivity and diffusion at infinite dilution' (Vanysek), 25 degC"

PARAMS = [
    Param("calcium_diffusivity_um2_per_s", 792.0, 100.0, 2000.0, "um2/s",
          "free diffusivity of Ca2+ in water at 25 degC (scaled to temperature_c by Stokes-Einstein)",
          f"{_CRC}: 0.792e-5 cm2/s; Li & Gregory 1974 (Geochim Cosmochim Acta 38:703) 7.93e-6 cm2/s"),
    Param("phosphate_diffusivity_um2_per_s", 780.0, 100.0, 2000.0, "um2/s",
          "free diffusivity of inorganic phosphate (HPO4 2- / H2PO4- mix at pH 7.4) in water at 25 degC",
          "weighted 0.8 HPO4 2- + 0.2 H2PO4- (pKa2 ~6.8 at I = 0.15): CRC (Vanysek) 0.759/0.959e-5 cm2/s -> 7.99e-10 m2/s; "
          "Li & Gregory 1974 7.34/8.46e-6 cm2/s -> 7.56e-10 m2/s; mid value 7.8e-10 m2/s"),
    Param("pyrophosphate_diffusivity_um2_per_s", 640.0, 50.0, 2000.0, "um2/s",
          "free diffusivity of pyrophosphate in water at 25 degC",
          f"{_CRC}: P2O7 4- 0.639e-5 cm2/s (Nernst-Einstein from its limiting conductivity); at pH 7.4 PPi is mostly "
          "HP2O7 3- and Mg/Ca complexes whose D is not tabulated (stated reason: uncertainty ~ +-20%)"),
    Param("magnesium_diffusivity_um2_per_s", 706.0, 100.0, 2000.0, "um2/s",
          "free diffusivity of Mg2+ in water at 25 degC (scaled to temperature_c by Stokes-Einstein)",
          f"{_CRC}: 0.706e-5 cm2/s; Li & Gregory 1974 7.05e-6 cm2/s"),
    Param("media_tortuosity_factor", 1.6, 1.0, 5.0, "1",
          "tortuosity lambda of the medial extracellular space: D_pore = D_free / lambda^2",
          "Nicholson & Sykova 1998 (Trends Neurosci 21:207): lambda ~1.6 for small ions in brain extracellular space; "
          "no direct value for arterial media is known to us (stated reason: closest measured analogue)"),
    Param("adventitia_boundary", "from_setting", None, None, "",
          "adventitial side: from_setting (in_vivo -> noflux, in_vitro -> serum), noflux, or serum (held at the serum/medium value)",
          "stated reason: adventitial side no-flux or serum (configurable); systemic.setting: in vitro the medium bathes both sides",
          choices=("from_setting", "noflux", "serum")),
    Param("lumen_boundary", "serum", None, None, "",
          "lumen side: serum (Dirichlet: the outer face of row 0 held at the serum value), mass_transfer "
          "(an endothelial barrier of permeability lumen_permeability_um_per_s in series) or noflux (a closed "
          "box with a no-flux adventitia: nothing enters or leaves, for mass-balance tests)",
          "stated reason: the lumen side is held at serum values (Dirichlet)",
          choices=("serum", "mass_transfer", "noflux")),
    Param("lumen_permeability_um_per_s", 1.0, 1e-4, 1e4, "um/s",
          "permeability of the endothelium/intima to small ions; used only when lumen_boundary = mass_transfer",
          "stated reason: order-of-magnitude guess for small hydrophilic ions through interendothelial clefts "
          "(~1e-5 - 1e-4 cm/s); not calibrated"),
]
