"""Membrane descriptions (data) and the closed-form physics they obey.

Nothing here touches NEURON. The dataclasses describe what a builder inserts;
the functions (Nernst, GHK, Mullins-Noda) are the analytic references the
simulations are tested against.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, replace

from . import parameters as P
from . import validation as V

#: Faraday constant (C/mol), exact in the 2019 SI.
FARADAY_C_MOL = 96485.33212
#: Molar gas constant (J/(mol K)), exact in the 2019 SI.
GAS_J_MOL_K = 8.314462618
#: Avogadro constant (1/mol), exact in the 2019 SI.
AVOGADRO = 6.02214076e23
#: Elementary charge (C), exact in the 2019 SI.
ELEMENTARY_CHARGE_C = 1.602176634e-19

VALENCE = {"na": 1, "k": 1, "cl": -1}


def thermal_voltage_mV(temperature_degC: float) -> float:
    """RT/F in mV."""
    return 1e3 * GAS_J_MOL_K * (temperature_degC + 273.15) / FARADAY_C_MOL


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def check_positive(name: str, val: float, where: str = "") -> float:
    """Return ``val`` if it is a finite number > 0, else raise a ValueError naming it."""
    ok = (isinstance(val, numbers.Real) and not isinstance(val, bool) and math.isfinite(val)
          and val > 0)
    _require(ok, f"{name} must be a finite number > 0 (got {val!r}){where}")
    return float(val)


def check_nonnegative(name: str, val: float, where: str = "") -> float:
    """Return ``val`` if it is a finite number >= 0, else raise a ValueError naming it."""
    ok = (isinstance(val, numbers.Real) and not isinstance(val, bool) and math.isfinite(val)
          and val >= 0)
    _require(ok, f"{name} must be a finite number >= 0 (got {val!r}){where}")
    return float(val)


@dataclass(frozen=True)
class Ions:
    """Intra- and extracellular concentrations (mM) of Na+, K+ and Cl-."""

    nai_mM: float
    nao_mM: float
    ki_mM: float
    ko_mM: float
    cli_mM: float
    clo_mM: float

    def __post_init__(self):
        V.check(self, {name: V.CONCENTRATION_MM for name in
                       ("nai_mM", "nao_mM", "ki_mM", "ko_mM", "cli_mM", "clo_mM")})

    @classmethod
    def preset(cls, name: str) -> "Ions":
        """``"mammalian"`` (Purves et al. 2018, Table 2.1) or ``"squid"`` (same table)."""
        if name not in ("mammalian", "squid"):
            raise ValueError(f"unknown ion preset {name!r}; choose 'mammalian' or 'squid'")
        return cls(*(P.value(f"{name}.{k}") for k in
                     ("nai_mM", "nao_mM", "ki_mM", "ko_mM", "cli_mM", "clo_mM")))

    def inside(self, ion: str) -> float:
        """Intracellular concentration of ``ion`` ('na', 'k' or 'cl') in mM."""
        return getattr(self, f"{ion}i_mM")

    def outside(self, ion: str) -> float:
        """Extracellular concentration of ``ion`` in mM."""
        return getattr(self, f"{ion}o_mM")

    def nernst_mV(self, ion: str, temperature_degC: float) -> float:
        """Nernst potential of ``ion`` in mV."""
        z = VALENCE[ion]
        return thermal_voltage_mV(temperature_degC) / z * math.log(self.outside(ion) / self.inside(ion))


def ghk_current_mA_cm2(p_cm_s: float, v_mV: float, ci_mM: float, co_mM: float, z: int,
                       temperature_degC: float) -> float:
    """GHK current density (mA/cm2, outward positive) of one ion.

    ``I = P z F u (ci - co e^-u) / (1 - e^-u)`` with ``u = z F V / RT`` (Hille 2001,
    eq. 14-6). Concentrations in mM equal mol/m3; the result is converted to mA/cm2.
    """
    u = z * v_mV / thermal_voltage_mV(temperature_degC)
    if abs(u) < 1e-6:
        ratio = (ci_mM - co_mM * (1 - u)) * (1 + u / 2)
    else:
        ratio = u * (ci_mM - co_mM * math.exp(-u)) / (1 - math.exp(-u))
    # P [cm/s] * z F [C/mol] * c [mol/m3 = 1e-6 mol/cm3] -> A/cm2 * 1e-6 -> mA/cm2 * 1e-3
    return p_cm_s * z * FARADAY_C_MOL * ratio * 1e-3


def ghk_voltage_mV(pk: float, pna: float, pcl: float, ions: Ions, temperature_degC: float) -> float:
    """Goldman-Hodgkin-Katz voltage equation (Hille 2001, eq. 14-9)."""
    num = pk * ions.ko_mM + pna * ions.nao_mM + pcl * ions.cli_mM
    den = pk * ions.ki_mM + pna * ions.nai_mM + pcl * ions.clo_mM
    return thermal_voltage_mV(temperature_degC) * math.log(num / den)


def mullins_noda_mV(pk: float, pna: float, ions: Ions, temperature_degC: float,
                    r: float = 1.5) -> float:
    """Steady resting potential of a GHK Na+/K+ leak with a 3:2 pump (Mullins & Noda 1963).

    ``V = RT/F ln((r P_K [K]o + P_Na [Na]o) / (r P_K [K]i + P_Na [Na]i))`` with
    ``r = 3/2`` (Mullins LJ & Noda K (1963) J Gen Physiol 47:117-132, eq. 5).
    """
    num = r * pk * ions.ko_mM + pna * ions.nao_mM
    den = r * pk * ions.ki_mM + pna * ions.nai_mM
    return thermal_voltage_mV(temperature_degC) * math.log(num / den)


@dataclass(frozen=True)
class Leak:
    """Permeabilities (cm/s) of the GHK leak ``cm_leak``; they never depend on V or t."""

    pk_cm_s: float = 0.0
    pna_cm_s: float = 0.0
    pcl_cm_s: float = 0.0

    def __post_init__(self):
        V.check(self, {name: V.PERMEABILITY_CM_S
                       for name in ("pk_cm_s", "pna_cm_s", "pcl_cm_s")})

    @classmethod
    def from_conductance(cls, g_S_cm2: float, e_mV: float, ions: Ions,
                         temperature_degC: float) -> "Leak":
        """Na+/K+ leak whose reversal is ``e_mV`` and slope conductance there ``g_S_cm2``.

        This books the classic ohmic leak of a published model (g, E) to Na+ and K+:
        P_Na/P_K follows from the GHK voltage equation, P_K from the slope.

        Raises
        ------
        ValueError
            If ``e_mV`` is not between E_K and E_Na, so no Na+/K+ mixture reverses there.
        """
        check_positive("g_S_cm2", g_S_cm2)
        ek = ions.nernst_mV("k", temperature_degC)
        ena = ions.nernst_mV("na", temperature_degC)
        if not ek < e_mV < ena:
            raise ValueError(f"leak reversal {e_mV} mV must lie between E_K = {ek:.1f} mV and "
                             f"E_Na = {ena:.1f} mV for a Na+/K+ leak")
        x = math.exp(e_mV / thermal_voltage_mV(temperature_degC))
        ratio = (ions.ko_mM - ions.ki_mM * x) / (ions.nai_mM * x - ions.nao_mM)
        dv = 1e-3

        def unit_current(v):
            return (ghk_current_mA_cm2(1.0, v, ions.ki_mM, ions.ko_mM, 1, temperature_degC)
                    + ratio * ghk_current_mA_cm2(1.0, v, ions.nai_mM, ions.nao_mM, 1,
                                                 temperature_degC))

        slope = (unit_current(e_mV + dv) - unit_current(e_mV - dv)) / (2 * dv)  # mA/cm2/mV = S/cm2
        pk = g_S_cm2 / slope
        return cls(pk_cm_s=pk, pna_cm_s=ratio * pk)


_HCN_SPEC = {
    "pbar_cm_s": V.PERMEABILITY_CM_S,
    "pna_pk": V.nonnegative(1000.0, "(P_Na/P_K, dimensionless)"),
    "vhalf_mV": V.VOLTAGE_MV,
    "slope_mV": V.positive(200.0, "mV"),
    "camp_shift_mV": V.VOLTAGE_MV,
    "taupeak_ms": V.positive(1e6, "ms"),
    "ktau_mV": V.positive(500.0, "mV"),
    "q10": V.positive(100.0, "(dimensionless)"),
    "tref_degC": V.TEMPERATURE_DEGC,
}


@dataclass(frozen=True)
class HCN:
    """Parameters of ``cm_hcn`` (see its COMMENT). ``ktau_mV`` is a shape choice, not data."""

    pbar_cm_s: float
    pna_pk: float = field(default_factory=lambda: P.value("hcn.pna_pk"))
    vhalf_mV: float = field(default_factory=lambda: P.value("hcn1.vhalf_mV"))
    slope_mV: float = field(default_factory=lambda: P.value("hcn1.slope_mV"))
    camp_shift_mV: float = 0.0
    taupeak_ms: float = field(default_factory=lambda: P.value("hcn1.taupeak_ms"))
    ktau_mV: float = 20.0
    q10: float = field(default_factory=lambda: P.value("hcn.q10"))
    tref_degC: float = field(default_factory=lambda: P.value("hcn.tref_degC"))

    def __post_init__(self):
        V.check(self, _HCN_SPEC)

    @classmethod
    def preset(cls, name: str, pbar_cm_s: float, camp: bool = False) -> "HCN":
        """``"hcn1"`` or ``"hcn2"`` with the cited half-activation, slope and kinetics.

        ``camp=True`` applies the isoform's cited cAMP shift.
        """
        if name not in ("hcn1", "hcn2"):
            raise ValueError(f"unknown HCN preset {name!r}; choose 'hcn1' or 'hcn2'")
        return cls(pbar_cm_s=pbar_cm_s, vhalf_mV=P.value(f"{name}.vhalf_mV"),
                   slope_mV=P.value(f"{name}.slope_mV"),
                   camp_shift_mV=P.value(f"{name}.camp_shift_mV") if camp else 0.0,
                   taupeak_ms=P.value(f"{name}.taupeak_ms"))

    def o_inf(self, v_mV: float) -> float:
        """Steady-state open fraction at ``v_mV``."""
        return 1.0 / (1.0 + math.exp((v_mV - self.vhalf_mV - self.camp_shift_mV) / self.slope_mV))

    def reversal_mV(self, ions: Ions, temperature_degC: float) -> float:
        """Reversal potential from the GHK voltage equation with P_Na/P_K = pna_pk."""
        return ghk_voltage_mV(1.0, self.pna_pk, 0.0, ions, temperature_degC)


#: Channel kinetics: Na+ and K+ mechanism names per kinetics set.
#: "squid": Hodgkin & Huxley 1952; "wb": Wang & Buzsaki 1996 (the default mammalian
#: set); "ms96": Mainen & Sejnowski 1996 (a second mammalian set, kept for contrast).
KINETICS = {
    "squid": ("cm_na_hh", "cm_k_hh"),
    "wb": ("cm_na_wb", "cm_k_wb"),
    "ms96": ("cm_na_ms96", "cm_k_ms96"),
}


_MEMBRANE_SPEC = {
    "kinetics": V.choice(*KINETICS, optional=True),
    "gnabar_S_cm2": V.CONDUCTANCE_S_CM2,
    "gkbar_S_cm2": V.CONDUCTANCE_S_CM2,
    "leak": V.instance(Leak),
    "cm_uF_cm2": V.CAPACITANCE_UF_CM2,
    "hcn": V.instance(HCN, optional=True),
    "pump_imax_mA_cm2": V.nonnegative(100.0, "mA/cm2", optional=True),
    "accumulation": V.flag(),
    "vs_um": V.nonnegative(5000.0, "um (0: diam/4)"),
    "pas_g_S_cm2": V.CONDUCTANCE_S_CM2,
    "pas_e_mV": V.VOLTAGE_MV,
}


@dataclass(frozen=True)
class Membrane:
    """What one kind of membrane carries.

    Attributes
    ----------
    kinetics : str or None
        A key of :data:`KINETICS` (``"squid"``, ``"wb"``, ``"ms96"``) or None for a
        passive membrane.
    gnabar_S_cm2, gkbar_S_cm2 : float
        Peak Na+ and K+ conductance densities.
    leak : Leak
        GHK leak permeabilities.
    cm_uF_cm2 : float
        Specific membrane capacitance.
    hcn : HCN or None
    pump_imax_mA_cm2 : float or None
        Maximal Na+/K+ pump current; None inserts no pump. 0 inserts a pump to be
        set later (``energy.balance_pump``).
    accumulation : bool
        Intracellular Na+ and K+ follow the fluxes (``cm_accum``).
    vs_um : float
        Volume-to-surface ratio for accumulation; 0 uses diam/4.
    pas_g_S_cm2, pas_e_mV : float
        An ohmic leak (NEURON's ``pas``) booked to no ion, for classic passive cable
        models specified by Rm; 0 inserts none. Energy accounting ignores it.
    """

    kinetics: str | None = None
    gnabar_S_cm2: float = 0.0
    gkbar_S_cm2: float = 0.0
    leak: Leak = Leak()
    cm_uF_cm2: float = 1.0
    hcn: HCN | None = None
    pump_imax_mA_cm2: float | None = None
    accumulation: bool = False
    vs_um: float = 0.0
    pas_g_S_cm2: float = 0.0
    pas_e_mV: float = -65.0

    def __post_init__(self):
        if self.kinetics is not None and not (isinstance(self.kinetics, str)
                                              and self.kinetics in KINETICS):
            raise V.ParameterError(f"Membrane.kinetics: unknown channel set {self.kinetics!r}; "
                                   f"choose one of {sorted(KINETICS)} or None for a passive "
                                   "membrane")
        V.check(self, _MEMBRANE_SPEC)

    def with_(self, **changes) -> "Membrane":
        """A copy with ``changes`` applied (validated again)."""
        return replace(self, **changes)

    @property
    def mechanisms(self) -> list[str]:
        """NEURON mechanism names this membrane inserts, in insertion order."""
        names = ["cm_leak"]
        if self.pas_g_S_cm2 > 0:
            names.append("pas")
        if self.kinetics:
            names.extend(KINETICS[self.kinetics])
        if self.hcn is not None:
            names.append("cm_hcn")
        if self.pump_imax_mA_cm2 is not None:
            names.append("cm_nakpump")
        if self.accumulation:
            names.append("cm_accum")
        return names

    @classmethod
    def squid(cls, ions: Ions | None = None, temperature_degC: float | None = None,
              **changes) -> "Membrane":
        """Hodgkin & Huxley 1952 squid axon membrane, its ohmic leak booked to Na+ and K+."""
        ions = ions or Ions.preset("squid")
        t = P.value("squid.temperature_degC") if temperature_degC is None else temperature_degC
        leak = Leak.from_conductance(P.value("squid.gleak_S_cm2"), P.value("squid.eleak_mV"),
                                     ions, t)
        base = cls(kinetics="squid", gnabar_S_cm2=P.value("squid.gnabar_S_cm2"),
                   gkbar_S_cm2=P.value("squid.gkbar_S_cm2"), leak=leak,
                   cm_uF_cm2=P.value("squid.cm_uF_cm2"))
        return base.with_(**changes) if changes else base

    @classmethod
    def mammalian(cls, role: str = "axon", kinetics: str = "wb", ions: Ions | None = None,
                  temperature_degC: float | None = None, **changes) -> "Membrane":
        """A mammalian membrane at 37 degC for ``role`` 'axon', 'node' or 'soma'.

        ``kinetics="wb"`` (default), Wang & Buzsaki 1996:
          * 'axon' and 'soma': their published densities and leak;
          * 'node': McIntyre et al. 2002 nodal Na+ density (3 S/cm2) and nodal leak
            (0.007 S/cm2), with K+ at Wang & Buzsaki's gK/gNa ratio.

        ``kinetics="ms96"``, Mainen & Sejnowski 1996:
          * 'axon' and 'node': their nodal membrane (Na+ 3 S/cm2, K+ 0.2 S/cm2,
            leak g_pas_node = 0.02 S/cm2; without that leak a bare axon fires
            spontaneously, the Na+ window current at -70 mV exceeding 1/Rm);
          * 'soma': their somatic densities and 1/Rm.
        """
        if role not in ("axon", "node", "soma"):
            raise ValueError(f"unknown mammalian membrane role {role!r}; "
                             "choose 'axon', 'node' or 'soma'")
        if kinetics not in ("wb", "ms96"):
            raise ValueError(f"unknown mammalian kinetics {kinetics!r}; choose 'wb' or 'ms96'")
        ions = ions or Ions.preset("mammalian")
        t = P.value("mammalian.temperature_degC") if temperature_degC is None else temperature_degC
        if kinetics == "wb":
            gna, gk = P.value("wb.gnabar_S_cm2"), P.value("wb.gkbar_S_cm2")
            g_leak, e_leak, cm = (P.value("wb.gleak_S_cm2"), P.value("wb.eleak_mV"),
                                  P.value("wb.cm_uF_cm2"))
            if role == "node":
                scale = P.value("mrg.node_gnabar_S_cm2") / gna
                gna, gk = gna * scale, gk * scale
                g_leak = P.value("mrg.node_gleak_S_cm2")
        else:
            where = "soma" if role == "soma" else "axon"
            gna, gk = P.value(f"ms96.{where}_gnabar_S_cm2"), P.value(f"ms96.{where}_gkbar_S_cm2")
            g_leak = (1.0 / P.value("ms96.rm_ohm_cm2") if role == "soma"
                      else P.value("ms96.node_gleak_S_cm2"))
            e_leak, cm = P.value("ms96.eleak_mV"), P.value("ms96.cm_uF_cm2")
        leak = Leak.from_conductance(g_leak, e_leak, ions, t)
        base = cls(kinetics=kinetics, gnabar_S_cm2=gna, gkbar_S_cm2=gk, leak=leak, cm_uF_cm2=cm)
        return base.with_(**changes) if changes else base

    @classmethod
    def passive(cls, rm_ohm_cm2: float, e_mV: float, cm_uF_cm2: float = 1.0,
                ions: Ions | None = None, temperature_degC: float | None = None) -> "Membrane":
        """A passive membrane of specific resistance ``rm_ohm_cm2`` reversing at ``e_mV``.

        Without ``ions`` the leak is ohmic (NEURON's ``pas``), the textbook cable
        membrane. With ``ions`` (and ``temperature_degC``) it is a GHK Na+/K+ leak
        whose slope resistance at ``e_mV`` is ``rm_ohm_cm2``.
        """
        check_positive("rm_ohm_cm2", rm_ohm_cm2)
        if ions is None:
            return cls(kinetics=None, pas_g_S_cm2=1.0 / rm_ohm_cm2, pas_e_mV=e_mV,
                       cm_uF_cm2=cm_uF_cm2)
        if temperature_degC is None:
            raise ValueError("a GHK passive membrane needs temperature_degC")
        leak = Leak.from_conductance(1.0 / rm_ohm_cm2, e_mV, ions, temperature_degC)
        return cls(kinetics=None, leak=leak, cm_uF_cm2=cm_uF_cm2)
