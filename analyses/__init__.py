"""Claim-by-claim analyses behind ``cablemodels reproduce``.

One module per claim group; each has ``main(out_dir, quick=False) -> Section``
and uses only cablemodels' public API. Installed as ``cablemodels.analyses``.
"""

#: Module names, in report order.
MODULES = ("permeability", "hcn", "size", "pump_block", "cable", "ap_energy", "myelin",
           "resting", "dendrites")
