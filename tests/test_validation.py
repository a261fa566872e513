"""The validation layer (issue 19 item 1): every field of every public parameter class.

Bad values (wrong type, bool, non-finite, out of the physical range) must raise a
:class:`~cablemodels.validation.ParameterError` (a ValueError) naming the class, the
field, the value and the allowed range; numpy scalars of the right kind must be
accepted and stored as Python numbers. The ranges are the documented ones of
``cablemodels/validation.py`` (temperature above absolute zero, -273.15 degC, and at
most 100 degC; g-ratio at least 0.05 and below 1, ...), written out here by hand.
"""

from __future__ import annotations

import dataclasses
import math
import re
import signal

import numpy as np
import pytest

from cablemodels import sweep, validation
from cablemodels.axon import (MyelinatedAxonParams, UnmyelinatedAxonParams,
                              build_myelinated_axon, build_unmyelinated_axon)
from cablemodels.biophysics import HCN, Ions, Leak, Membrane
from cablemodels.cell import Discretization
from cablemodels.dendrite import Branch, DendriteParams
from cablemodels.simulation import Integrator
from cablemodels.soma import NeuronParams

#: Each class with the arguments of one valid instance.
MAKERS = {
    "UnmyelinatedAxonParams": lambda **kw: UnmyelinatedAxonParams(**kw),
    "MyelinatedAxonParams": lambda **kw: MyelinatedAxonParams(**kw),
    "NeuronParams": lambda **kw: NeuronParams(**kw),
    "Branch": lambda **kw: Branch(**{"length_um": 100.0, "diameter_um": 2.0, **kw}),
    "DendriteParams": lambda **kw: DendriteParams(**{"tree": Branch(100.0, 2.0),
                                                     "membrane": Membrane(), **kw}),
    "Ions": lambda **kw: Ions(**{**dataclasses.asdict(Ions.preset("mammalian")), **kw}),
    "Leak": lambda **kw: Leak(**kw),
    "HCN": lambda **kw: HCN(**{"pbar_cm_s": 1e-6, **kw}),
    "Membrane": lambda **kw: Membrane(**kw),
    "Integrator": lambda **kw: Integrator(**kw),
    "Discretization": lambda **kw: Discretization(**kw),
}

TEMPERATURE = r"\(-273.15, 100\] degC"

#: (class, field, bad value, words the message must contain besides class and field).
BAD = [
    ("UnmyelinatedAxonParams", "diameter_um", True, r"\(bool\) is not a real number"),
    ("UnmyelinatedAxonParams", "diameter_um", "1", r"\(str\) is not a real number"),
    ("UnmyelinatedAxonParams", "diameter_um", -2.0, r"outside \(0, 5000\] um"),
    ("UnmyelinatedAxonParams", "diameter_um", 1e300, r"outside \(0, 5000\] um"),
    ("UnmyelinatedAxonParams", "length_um", 0.0, r"outside \(0, 1e\+06\] um"),
    ("UnmyelinatedAxonParams", "length_um", math.inf, "not finite"),
    ("UnmyelinatedAxonParams", "temperature_degC", -300.0, TEMPERATURE),
    ("UnmyelinatedAxonParams", "temperature_degC", -273.15, TEMPERATURE),
    ("UnmyelinatedAxonParams", "temperature_degC", 1000.0, TEMPERATURE),
    ("UnmyelinatedAxonParams", "temperature_degC", math.nan, "not finite"),
    ("UnmyelinatedAxonParams", "ra_ohm_cm", -35.4, r"\(0, 100000\] ohm cm"),
    ("UnmyelinatedAxonParams", "membrane", "squid", r"is not a Membrane"),
    ("UnmyelinatedAxonParams", "ions", None, "is not allowed"),
    ("MyelinatedAxonParams", "g_ratio", 1e-9, r"outside \[0.05, 1\)"),
    ("MyelinatedAxonParams", "g_ratio", 1.0, r"outside \[0.05, 1\)"),
    ("MyelinatedAxonParams", "g_ratio", 1.2, r"outside \[0.05, 1\)"),
    ("MyelinatedAxonParams", "axon_diameter_um", 1e300, r"outside \(0, 5000\] um"),
    ("MyelinatedAxonParams", "n_nodes", 2.5, r"\(float\) is not an integer"),
    ("MyelinatedAxonParams", "n_nodes", 1, r"outside \[2, 10000\] \(integer\)"),
    ("MyelinatedAxonParams", "n_nodes", True, r"\(bool\) is not an integer"),
    ("MyelinatedAxonParams", "internode_length_um", -1.0, r"\(0, 100000\] um \(or None\)"),
    ("MyelinatedAxonParams", "node_diameter_um", math.nan, "not finite"),
    ("MyelinatedAxonParams", "lamella_period_um", 0.0, r"\(0, 1\] um"),
    ("MyelinatedAxonParams", "periaxonal_space_um", -0.002, r"\(0, 100\] um"),
    ("MyelinatedAxonParams", "representation", "triple", "is not one of 'single', 'double'"),
    ("MyelinatedAxonParams", "paranodes", 1, "is not True or False"),
    ("MyelinatedAxonParams", "temperature_degC", 101.0, TEMPERATURE),
    ("NeuronParams", "soma_diameter_um", 0.0, r"outside \(0, 5000\] um"),
    ("NeuronParams", "temperature_degC", "1", r"\(str\) is not a real number"),
    ("NeuronParams", "temperature_degC", math.nan, "not finite"),
    ("NeuronParams", "dendrite_membrane", 3, r"is not a Membrane \(or None\)"),
    ("NeuronParams", "discretization", 0.1, "is not a Discretization"),
    ("Branch", "length_um", -1.0, r"outside \(0, 1e\+06\] um"),
    ("Branch", "diameter_um", True, r"\(bool\) is not a real number"),
    ("DendriteParams", "temperature_degC", -274.0, TEMPERATURE),
    ("DendriteParams", "tree", "soma", "is not a Branch"),
    ("Ions", "nai_mM", 0.0, r"outside \(0, 2000\] mM"),
    ("Ions", "ko_mM", math.inf, "not finite"),
    ("Leak", "pk_cm_s", -1e-8, r"outside \[0, 1\] cm/s"),
    ("Leak", "pna_cm_s", math.nan, "not finite"),
    ("HCN", "slope_mV", 0.0, r"outside \(0, 200\] mV"),
    ("HCN", "tref_degC", -300.0, TEMPERATURE),
    ("HCN", "vhalf_mV", 1e4, r"outside \[-500, 500\] mV"),
    ("Membrane", "gnabar_S_cm2", -0.12, r"outside \[0, 1000\] S/cm2"),
    ("Membrane", "cm_uF_cm2", 0.0, r"outside \(0, 100\] uF/cm2"),
    ("Membrane", "pas_e_mV", math.nan, "not finite"),
    ("Membrane", "pump_imax_mA_cm2", -1.0, r"\[0, 100\] mA/cm2 \(or None\)"),
    ("Membrane", "accumulation", "yes", "is not True or False"),
    ("Membrane", "leak", 0.0, "is not a Leak"),
    ("Membrane", "hcn", 1.0, r"is not a HCN \(or None\)"),
    ("Integrator", "method", "fixd", "is not one of 'fixed', 'cvode'"),
    ("Integrator", "dt_ms", 0.0, r"outside \[1e-06, 100\] ms"),
    ("Integrator", "dt_ms", math.nan, "not finite"),
    ("Integrator", "secondorder", 3, "is not one of 0, 1, 2"),
    ("Integrator", "secondorder", True, "is not one of 0, 1, 2"),
    ("Integrator", "atol", -1e-6, r"outside \(0, 1\]"),
    ("Integrator", "maxorder", 6, r"outside \[0, 5\] \(integer\)"),
    ("Integrator", "local_dt", 0, "is not True or False"),
    ("Discretization", "d_lambda", 0.0, r"outside \[0.0001, 10\]"),
    ("Discretization", "d_lambda", 1e-300, r"outside \[0.0001, 10\]"),
    ("Discretization", "frequency_hz", -100.0, r"outside \(0, 1e\+06\] Hz"),
    ("Discretization", "min_nseg", 0, r"outside \[1, 32767\] \(integer\)"),
]


@pytest.fixture
def hang_guard():
    """Fail (instead of hanging) if the test runs longer than 20 s in Python code."""
    def expired(signum, frame):
        raise TimeoutError("hang guard: still running after 20 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("cls, name, value, words", BAD,
                         ids=[f"{c}.{n}={v!r}" for c, n, v, _ in BAD])
def test_bad_value_names_class_field_value_and_range(cls, name, value, words, hang_guard):
    with pytest.raises(validation.ParameterError) as info:
        MAKERS[cls](**{name: value})
    message = str(info.value)
    assert message.startswith(f"{cls}.{name} = ") or message.startswith(f"{cls}.{name}:"), message
    shown = {repr(value)}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        shown.add(repr(float(value)))
    assert any(f"= {text} " in message or f" {text};" in message for text in shown), message
    assert re.search(words, message), f"{words!r} not in {message!r}"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("cls", sorted(MAKERS))
def test_every_field_is_checked(cls):
    """An object of no sensible type is refused in every field, naming the field."""
    instance = MAKERS[cls]()
    for field in dataclasses.fields(instance):
        with pytest.raises(ValueError, match=rf"{cls}\.{field.name}\b"):
            MAKERS[cls](**{field.name: object()})


def test_wrong_types_are_also_type_errors():
    with pytest.raises(TypeError):
        UnmyelinatedAxonParams(diameter_um="10")


#: (class, field, numpy value, the Python value it must equal).
NUMPY_OK = [
    ("MyelinatedAxonParams", "n_nodes", np.int64(3), 3),
    ("MyelinatedAxonParams", "axon_diameter_um", np.float32(2.0), 2.0),
    ("MyelinatedAxonParams", "paranodes", np.bool_(True), True),
    ("UnmyelinatedAxonParams", "temperature_degC", np.float32(37.0), 37.0),
    ("UnmyelinatedAxonParams", "diameter_um", np.int32(4), 4.0),
    ("NeuronParams", "soma_diameter_um", np.float64(12.5), 12.5),
    ("Ions", "nai_mM", np.float32(12.0), 12.0),
    ("Integrator", "secondorder", np.int64(2), 2),
    ("Integrator", "maxorder", np.uint8(2), 2),
    ("Discretization", "min_nseg", np.int16(3), 3),
    ("Discretization", "d_lambda", np.float16(0.5), 0.5),
    ("HCN", "q10", np.float32(4.0), 4.0),
]


@pytest.mark.parametrize("cls, name, value, expected", NUMPY_OK,
                         ids=[f"{c}.{n}={type(v).__name__}" for c, n, v, _ in NUMPY_OK])
def test_numpy_scalars_are_accepted_as_python_numbers(cls, name, value, expected):
    instance = MAKERS[cls](**{name: value})
    stored = getattr(instance, name)
    assert stored == expected and type(stored) is type(expected)


def test_numpy_typed_axon_builds_like_python_typed(h):
    """The same axon from numpy and from Python numbers: identical geometry."""
    py = build_myelinated_axon(MyelinatedAxonParams(n_nodes=3, axon_diameter_um=2.0))
    nps = build_myelinated_axon(MyelinatedAxonParams(n_nodes=np.int64(3),
                                                     axon_diameter_um=np.float32(2.0)))
    try:
        assert [(s.L, s.diam, s.nseg) for s in py.sections()] == [
            (s.L, s.diam, s.nseg) for s in nps.sections()]
    finally:
        py.delete()
        nps.delete()


def test_thin_sheath_limit_stays_sane(hang_guard):
    """A g-ratio of 0.05 around a thick axon would need thousands of lamellae: refused
    with the count (real sheaths: up to about 300 lamellae)."""
    with pytest.raises(validation.ParameterError, match=r"lamellae.*more than 2000"):
        MyelinatedAxonParams(axon_diameter_um=100.0, g_ratio=0.05)
    ok = MyelinatedAxonParams(axon_diameter_um=10.0, g_ratio=0.6)
    # (10 / 0.6 - 10) / 2 um of myelin at 0.016 um per lamella (McIntyre et al. 2002)
    assert ok.n_lamellae == int((10.0 / 0.6 - 10.0) / 2 / 0.016)


def test_extremes_inside_the_ranges_build(h, hang_guard):
    """The boundaries are physical, not arbitrary: a squid giant axon (476 um) and
    37 degC mammalian values are far inside them and build."""
    axon = build_unmyelinated_axon(UnmyelinatedAxonParams(diameter_um=476.0, length_um=1000.0,
                                                          temperature_degC=99.0))
    assert axon.sections()[0].diam == pytest.approx(476.0)
    axon.delete()


def test_soma_passive_takes_its_documented_soma_diameter(h):
    """``soma_passive(soma_diameter_um=...)`` was always rejected ("multiple values");
    the soma is a cylinder of length = diameter, area pi d^2 (module soma.py)."""
    out = sweep.soma_passive(preset="granule", soma_diameter_um=12.0)
    assert out["area_um2"] == pytest.approx(math.pi * 12.0 ** 2, rel=1e-9)
    spec = sweep.SweepSpec.from_dict({"protocol": "soma_passive",
                                      "grid": {"soma_diameter_um": [8.0, 12.0]}})
    assert len(spec.validate()) == 2


@pytest.mark.parametrize("fixed, words", [
    ({"method": "fixd"}, "is not one of 'default', 'fixed', 'cvode'"),
    ({"method": "fixed", "dt_ms": -0.025}, r"dt_ms = -0.025 is outside \[1e-06, 100\] ms"),
    ({"dt_ms": 0.025}, "needs method 'fixed' or 'cvode'"),
    ({"rest_cost": "no"}, "wrong type"),
    ({"method": "cvode", "dt_ms": math.nan}, "wrong type"),
])
def test_sweep_run_options_checked_before_running(fixed, words, tmp_path):
    spec = sweep.SweepSpec.from_dict({"protocol": "unmyelinated_ap",
                                      "grid": {"diameter_um": [2.0]}, "fixed": fixed})
    with pytest.raises(sweep.SweepSpecError, match=words):
        sweep.run(spec, tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def test_sweep_spec_accepts_numpy_grids():
    spec = sweep.SweepSpec(protocol="myelinated_ap",
                           grid={"n_nodes": list(np.arange(3, 5)),
                                 "axon_diameter_um": list(np.linspace(1.0, 2.0, 2))})
    points = spec.validate()
    assert [type(p["n_nodes"]) for p in points] == [int] * 4
    assert spec.digest()  # JSON-serialisable
