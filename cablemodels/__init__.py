"""cablemodels: NEURON cable models of what neuronal signalling costs in energy.

Importing the package neither compiles nor loads mechanisms and does not touch
NEURON; :func:`cablemodels.mechanisms.load` (called by every builder) does that
on first use.
"""

__version__ = "0.1.0"
