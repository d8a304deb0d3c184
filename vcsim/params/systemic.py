"""Systemic inputs: the serum (in vivo) or culture medium (in vitro) the media is bathed in.

These are the boundary values at the lumen side and the signals every cell senses from the
systemic circulation. Time-varying schedules (a drug from day 7, glucose swings) are applied
by :mod:`vcsim.schedule` on top of these values.
"""

from vcsim.params.schema import Param

PARAMS = [
    Param("setting", "in_vivo", None, None, "", "in_vivo: serum at the lumen, adventitia no-flux; in_vitro: medium bathes both sides",
          "stated reason: in vivo the lumen is held at serum values and the adventitia is closed; in vitro the medium bathes both sides", choices=("in_vivo", "in_vitro")),
    Param("serum_calcium_mM", 1.2, 0.3, 5.0, "mM",
          "in vivo: ionised (free) serum Ca2+, converted at the lumen to the total dissolved Ca with "
          "that free Ca2+ (1.271 mM at the defaults); in vitro: the medium's total Ca, used as is",
          "ionised Ca 1.18 +- 0.05 mM at pH 7.4 (Fogh-Andersen et al. 1978, Clin Chem 24:1545); "
          "DMEM 1.8 mM CaCl2 (Dulbecco & Freeman 1959, Virology 8:396)"),
    Param("serum_phosphate_mM", 1.1, 0.2, 6.0, "mM",
          "total inorganic phosphate of serum / medium (the lumen total as is)",
          "normal 0.8-1.45 mM; CKD and calcifying media 2-3 mM (Jono et al. 2000)"),
    Param("serum_magnesium_mM", 0.85, 0.1, 5.0, "mM",
          "total serum (medium) magnesium, the lumen total as is (its ~32 % protein-bound share counted as dissolved)",
          "total serum Mg 0.75-0.95 mM (Elin 1987, Clin Chem 33:1965); 55 % ionised, 32 % protein-bound (Walser 1961)"),
    Param("serum_ppi_uM", 2.5, 0.0, 20.0, "uM", "total plasma pyrophosphate, the lumen total as is",
          "plasma PPi 3.3 uM healthy, 2.3 uM in haemodialysis, ~30 % protein-bound (Lomashvili et al. 2005, "
          "J Am Soc Nephrol 16:2495)"),
    Param("serum_ph", 7.4, 6.8, 7.8, "pH units", "pH of serum / interstitial fluid", "physiological arterial pH"),
    Param("serum_nacl_mM", 140.0, 0.0, 300.0, "mM", "background NaCl setting ionic strength",
          "plasma Na ~140 mM"),
    Param("temperature_c", 37.0, 0.0, 60.0, "degC", "temperature of tissue and medium", "body temperature"),
    Param("fetuin_a_g_per_L", 0.7, 0.0, 2.0, "g/L", "serum fetuin-A (systemic mineral chaperone)",
          "0.5-1.0 g/L normal; low in inflammation, malnutrition, dialysis (Ketteler et al. 2003 Lancet 361:827; Hermans et al. 2007 Kidney Int 72:202)"),
    Param("glucose_mM", 5.5, 0.0, 50.0, "mM", "glucose (the high level when glucose_mode is fluctuating)",
          "normoglycaemia ~5.5 mM; diabetic culture 22-35 mM (Xu et al. 2019 Eur J Inflamm 17: 35 mM); stated reason: 25 mM, the usual high-glucose medium"),
    Param("glucose_mode", "constant", None, None, "", "constant: glucose_mM throughout; fluctuating: square wave between glucose_low_mM and glucose_mM",
          "fluctuating-glucose VSMC protocols (Zhang et al. 2019 Diabetol Metab Syndr 11:67); stated reason: 5 <-> 25 mM", choices=("constant", "fluctuating")),
    Param("glucose_low_mM", 5.0, 0.0, 50.0, "mM", "low level of the fluctuating glucose square wave",
          "stated reason: the normal-glucose medium of 5 <-> 25 mM fluctuation protocols (Zhang et al. 2019 Diabetol Metab Syndr 11:67)"),
    Param("glucose_period_h", 48.0, 2.0, 720.0, "h", "full period of the glucose square wave (half high, half low)",
          "stated reason: medium switched every 24 h, a daily medium change"),
    Param("tnf_alpha_pg_per_mL", 2.0, 0.0, 1000.0, "pg/mL", "TNF-a / inflammation level",
          "healthy plasma ~1-3 pg/mL; CKD 5-20 pg/mL; in-vitro stimulation up to 10 ng/mL is clipped by the bound"),
    Param("age_index", 0.0, 0.0, 10.0, "1", "advanced glycation end-products, relative to a diabetic reference (1)",
          "stated reason: no absolute AGE unit is common across assays; 0 = none, 1 = diabetic"),
    Param("oxidative_stress_index", 0.0, 0.0, 10.0, "1", "extrinsic oxidative stress (ROS load) relative to a stressed reference (1)",
          "stated reason: relative index; glucose and TNF-a add intrinsic ROS in the cell model"),
    Param("lipid_index", 0.0, 0.0, 10.0, "1", "lipotoxic load (oxysterols, stearate) relative to a hyperlipidaemic reference (1)",
          "stated reason: relative index (lipids induce ER stress: Masuda et al. 2012 J Lipid Res 53:1543; Miyazaki-Anzai et al. 2014 J Am Heart Assoc 3:e000949)"),
    Param("vitamin_k_index", 1.0, 0.0, 10.0, "1", "vitamin K status relative to replete (1); supplementation > 1",
          "stated reason: relative index; vitamin K hydroquinone drives MGP carboxylation (VKORC1 regenerates it: Li et al. 2004 Nature 427:541)"),
]
