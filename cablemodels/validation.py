"""One check for every field of every public parameter class.

Each parameter dataclass declares, next to its fields, a small table
``field name -> Spec`` (:func:`real`, :func:`integer`, :func:`flag`,
:func:`choice`, :func:`instance`) and calls :func:`check` from its
``__post_init__``. :func:`check` refuses a value of the wrong type, a
non-finite number or a number outside the field's physical range, with one
message shape naming the class, the field, the value, the allowed range and
the unit::

    MyelinatedAxonParams.g_ratio = 1e-09 is outside [0.05, 1) (dimensionless: axon
    diameter over fibre diameter)

Types follow :mod:`numbers`: any ``numbers.Real`` (Python or numpy floats and
ints) is a real, any ``numbers.Integral`` an integer; ``bool`` is neither (it
is refused where a number is expected: ``True`` is not a 1 um diameter).
Accepted numbers are stored as plain Python ``float`` / ``int``, so numpy
scalars never reach NEURON or a JSON record.

Ranges (closed unless marked open; chosen to cover every published value we
know of by a wide margin while refusing input that cannot be physical or
would make a build run for hours):

* temperature: (-273.15, 100] degC (above absolute zero, at most boiling water);
* diameters: (0, 5000] um (squid giant axons reach about 1000 um); lengths:
  (0, 1e6] um (1 m, the longest axons);
* g-ratio: [0.05, 1) and, with the lamella period, at most
  :data:`MAX_LAMELLAE` lamellae (real sheaths have up to about 300);
* concentrations (0, 2000] mM; permeabilities [0, 1] cm/s; conductance
  densities [0, 1000] S/cm2; capacitance (0, 100] uF/cm2; axial resistivity
  (0, 1e5] ohm cm; voltages [-500, 500] mV;
* d_lambda [1e-4, 10], frequency (0, 1e6] Hz, time step [1e-6, 100] ms.

Nothing here imports NEURON.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Mapping

#: Upper bound of a myelin sheath's lamella count (thickest mammalian sheaths: ~300).
MAX_LAMELLAE = 2000

ABSOLUTE_ZERO_DEGC = -273.15


class ParameterError(ValueError):
    """A parameter value outside its allowed range (or not finite)."""


class ParameterTypeError(ParameterError, TypeError):
    """A parameter value of the wrong type (also a ValueError, like every bad value)."""


@dataclass(frozen=True)
class Spec:
    """What one field accepts. Build with :func:`real`, :func:`integer`,
    :func:`flag`, :func:`choice` or :func:`instance`.

    Attributes
    ----------
    kind : str
        'real', 'int', 'bool', 'choice' or 'instance'.
    low, high : float or None
        Bounds (None: unbounded on that side).
    low_open, high_open : bool
        Whether the bound itself is excluded.
    unit : str
        Unit (and meaning) shown in messages.
    optional : bool
        None is allowed.
    options : tuple
        For 'choice': the allowed values; for 'instance': the allowed classes.
    """

    kind: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    unit: str = ""
    optional: bool = False
    options: tuple = ()

    def describe(self) -> str:
        """The allowed values in words, e.g. ``(0, 5000] um``."""
        if self.kind in ("real", "int"):
            lo = "-inf" if self.low is None else f"{self.low:g}"
            hi = "inf" if self.high is None else f"{self.high:g}"
            text = (f"{'(' if self.low_open or self.low is None else '['}{lo}, "
                    f"{hi}{')' if self.high_open or self.high is None else ']'}")
            text += f" {self.unit}" if self.unit else ""
            text += " (integer)" if self.kind == "int" else ""
        elif self.kind == "bool":
            text = "True or False"
        elif self.kind == "choice":
            text = "one of " + ", ".join(repr(o) for o in self.options)
        else:
            text = "a " + " or ".join(c.__name__ for c in self.options)
        return text + (" (or None)" if self.optional else "")


def real(low: float | None = None, high: float | None = None, unit: str = "", *,
         low_open: bool = False, high_open: bool = False, optional: bool = False) -> Spec:
    """A finite real number in [low, high] (open ends with ``low_open``/``high_open``)."""
    return Spec("real", low, high, low_open, high_open, unit, optional)


def positive(high: float, unit: str, *, optional: bool = False) -> Spec:
    """A finite real number in (0, high]."""
    return real(0.0, high, unit, low_open=True, optional=optional)


def nonnegative(high: float, unit: str, *, optional: bool = False) -> Spec:
    """A finite real number in [0, high]."""
    return real(0.0, high, unit, optional=optional)


def integer(low: int | None = None, high: int | None = None, unit: str = "", *,
            optional: bool = False) -> Spec:
    """An integer in [low, high]."""
    return Spec("int", low, high, False, False, unit, optional)


def flag() -> Spec:
    """True or False."""
    return Spec("bool")


def choice(*options, optional: bool = False) -> Spec:
    """One of ``options`` (compared with ==)."""
    return Spec("choice", optional=optional, options=tuple(options))


def instance(*classes: type, optional: bool = False) -> Spec:
    """An instance of one of ``classes``."""
    return Spec("instance", optional=optional, options=tuple(classes))


# Shared specs of the quantities that recur across classes.
TEMPERATURE_DEGC = real(ABSOLUTE_ZERO_DEGC, 100.0, "degC", low_open=True)
DIAMETER_UM = positive(5000.0, "um")
LENGTH_UM = positive(1e6, "um")
RA_OHM_CM = positive(1e5, "ohm cm")
CONCENTRATION_MM = positive(2000.0, "mM")
PERMEABILITY_CM_S = nonnegative(1.0, "cm/s")
CONDUCTANCE_S_CM2 = nonnegative(1000.0, "S/cm2")
CAPACITANCE_UF_CM2 = positive(100.0, "uF/cm2")
VOLTAGE_MV = real(-500.0, 500.0, "mV")


def _bad(owner: str, name: str, value: Any, spec: Spec, why: str = "is outside",
         error: type = ParameterError) -> ParameterError:
    return error(f"{owner}.{name} = {value!r} {why} {spec.describe()}")


def check_value(owner: str, name: str, value: Any, spec: Spec) -> Any:
    """Check one value against ``spec``; return it normalised (numpy scalars become
    Python ``float``/``int``).

    Parameters
    ----------
    owner : str
        Class or function name shown in messages.
    name : str
        Field or argument name.
    value
        The value to check.
    spec : Spec

    Returns
    -------
    The value (float for reals, int for integers, unchanged otherwise).

    Raises
    ------
    ParameterTypeError
        Wrong type (bool where a number is expected, a string, ...).
    ParameterError
        Not finite, outside the range, or not one of the choices.
    """
    if value is None:
        if spec.optional:
            return None
        raise _bad(owner, name, value, spec, "is not allowed: expected", ParameterTypeError)
    if spec.kind in ("real", "int"):
        wanted = numbers.Integral if spec.kind == "int" else numbers.Real
        if isinstance(value, bool) or not isinstance(value, wanted):
            kind = "an integer" if spec.kind == "int" else "a real number"
            raise _bad(owner, name, value, spec, f"({type(value).__name__}) is not {kind}: "
                       "expected", ParameterTypeError)
        value = int(value) if spec.kind == "int" else float(value)
        if not math.isfinite(value):
            raise _bad(owner, name, value, spec, "is not finite: expected")
        too_low = spec.low is not None and (value <= spec.low if spec.low_open
                                            else value < spec.low)
        too_high = spec.high is not None and (value >= spec.high if spec.high_open
                                              else value > spec.high)
        if too_low or too_high:
            raise _bad(owner, name, value, spec)
        return value
    if spec.kind == "bool":
        if isinstance(value, bool) or (type(value).__module__ == "numpy"
                                        and type(value).__name__ in ("bool", "bool_")):
            return bool(value)
        raise _bad(owner, name, value, spec, f"({type(value).__name__}) is not", ParameterTypeError)
    if spec.kind == "choice":
        bool_ok = any(isinstance(o, bool) for o in spec.options)
        if not isinstance(value, bool) or bool_ok:
            try:
                for option in spec.options:
                    if value == option and type(value) is not bool or value is option:
                        return option
            except (TypeError, ValueError):
                pass
        raise _bad(owner, name, value, spec, "is not")
    if isinstance(value, spec.options):
        return value
    raise _bad(owner, name, value, spec, f"({type(value).__name__}) is not", ParameterTypeError)


def check(obj: Any, specs: Mapping[str, Spec]) -> None:
    """Check the fields of dataclass instance ``obj`` named in ``specs``; store the
    normalised values back (works on frozen dataclasses).

    Raises
    ------
    ParameterError, ParameterTypeError
        For the first field that fails (see :func:`check_value`).
    """
    owner = type(obj).__name__
    for name, spec in specs.items():
        value = check_value(owner, name, getattr(obj, name), spec)
        if value is not getattr(obj, name):
            object.__setattr__(obj, name, value)


def check_args(owner: str, specs: Mapping[str, Spec], **values) -> dict:
    """Check function arguments (``owner`` is the function's name); return them normalised."""
    return {name: check_value(owner, name, value, specs[name]) for name, value in values.items()}
