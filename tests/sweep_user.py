"""A user-written sweep protocol (``sweep_user:sealed_cable_rin``), for tests/test_sweep.py."""

import math


def sealed_cable_rin(length_um: float, diameter_um: float = 2.0, rm_ohm_cm2: float = 20000.0,
                     ra_ohm_cm: float = 100.0) -> dict:
    """Input resistance of a passive sealed-end cable, simulated and from cable theory."""
    from cablemodels import protocols
    from cablemodels.biophysics import Membrane
    from cablemodels.dendrite import Branch, DendriteParams, build_dendrite

    cell = build_dendrite(DendriteParams(tree=Branch(length_um, diameter_um),
                                         membrane=Membrane.passive(rm_ohm_cm2, -65.0),
                                         ra_ohm_cm=ra_ohm_cm))
    try:
        rin = protocols.input_resistance(cell).value
    finally:
        cell.delete()
    lam_cm = math.sqrt(rm_ohm_cm2 * diameter_um * 1e-4 / (4 * ra_ohm_cm))
    ra_per_cm = 4 * ra_ohm_cm / (math.pi * (diameter_um * 1e-4) ** 2)
    theory = ra_per_cm * lam_cm / math.tanh(length_um * 1e-4 / lam_cm) / 1e6
    return {"input_resistance_MOhm": rin, "theory_MOhm": theory}
