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

    @classmethod
    def potassium(cls, g_S_cm2: float, ions: Ions, temperature_degC: float) -> "Leak":
        """A pure K+ leak: reversal E_K, slope conductance ``g_S_cm2`` there."""
        check_positive("g_S_cm2", g_S_cm2)
        ek = ions.nernst_mV("k", temperature_degC)
        dv = 1e-3

        def unit_current(v):
            return ghk_current_mA_cm2(1.0, v, ions.ki_mM, ions.ko_mM, 1, temperature_degC)

        slope = (unit_current(ek + dv) - unit_current(ek - dv)) / (2 * dv)  # S/cm2 per cm/s
        return cls(pk_cm_s=g_S_cm2 / slope)

    @property
    def ions(self) -> tuple[str, ...]:
        """The ions this leak carries (those with a permeability > 0)."""
        return tuple(ion for ion, p in (("na", self.pna_cm_s), ("k", self.pk_cm_s),
                                        ("cl", self.pcl_cm_s)) if p > 0)


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


@dataclass(frozen=True)
class LeakModel:
    """A published leak: where its conductance and reversal come from, how it is booked.

    Attributes
    ----------
    g_key, e_key : str
        Keys of :data:`parameters.TABLE` for the conductance (S/cm2) and the published
        reversal (mV).
    energy_ions : tuple of str
        Ions the energy-ready configuration books the leak to (GHK permeabilities):
        ``("na", "k")`` for a Na+/K+ mixture reversing at the published E, ``("k",)``
        for a K+ leak reversing at E_K (used where the published E lies at or below
        E_K, so no Na+/K+ mixture can reverse there). The published configuration
        is always the paper's ohmic leak (NEURON ``pas``), which carries no ion.
    role : str
        ``"physiology"`` (a measured or fitted membrane conductance) or
        ``"stabiliser"`` (a conductance the paper added for numerical or dynamical
        stability); a stabiliser is never booked to an ion.
    """

    g_key: str
    e_key: str
    energy_ions: tuple[str, ...]
    role: str = "physiology"


#: Every leak a preset uses, by name (``Membrane.leak_model``).
LEAK_MODELS: dict[str, LeakModel] = {
    # Hodgkin & Huxley's leak "l" (Table 3); mostly Cl- and K+ in squid, not resolved there.
    "hh52": LeakModel("squid.gleak_S_cm2", "squid.eleak_mV", ("na", "k")),
    # Wang & Buzsaki 1996 g_L at E_L.
    "wb96": LeakModel("wb.gleak_S_cm2", "wb.eleak_mV", ("na", "k")),
    # Mainen & Sejnowski 1996 membrane resistance rm = 30000 ohm cm2 (soma, hillock, dendrites).
    "ms96_rm": LeakModel("ms96.rm_ohm_cm2", "ms96.eleak_mV", ("na", "k")),
    # MS96 nodes: g_pas_node, their only repolarising conductance (no K+ channel at nodes).
    # Used only in the published configuration; the energy-ready node uses "mrg02_node".
    "ms96_node": LeakModel("ms96.node_gleak_S_cm2", "ms96.eleak_mV", (), "stabiliser"),
    # McIntyre, Richardson & Grill 2002 nodal leak, 7 mS/cm2 at -90 mV (below E_K = -89.0 mV
    # for the mammalian ions at 37 degC): booked to K+ at E_K.
    "mrg02_node": LeakModel("mrg.node_gleak_S_cm2", "mrg.node_eleak_mV", ("k",)),
    # MRG 2002 internodal axolemma (FLUT, STIN), 0.1 mS/cm2 at -80 mV.
    "mrg02_axolemma": LeakModel("mrg.axolemma_gleak_S_cm2", "mrg.axolemma_eleak_mV",
                                ("na", "k")),
}


def leak_conductance_S_cm2(model: str) -> float:
    """The published conductance of leak ``model`` (S/cm2)."""
    key = LEAK_MODELS[model].g_key
    val = P.value(key)
    return 1.0 / val if key.endswith("_ohm_cm2") else val


#: Departures of an energy-ready configuration from the published model, by short name.
#: :func:`departures` returns the names that apply to a membrane or a built configuration.
DEPARTURES: dict[str, str] = {
    "nernst_reversals": "E_Na and E_K from the Nernst equation and the ion concentrations "
                        "instead of the paper's fixed reversal potentials",
    "ghk_leak": "the paper's ohmic leak booked to ions as a constant-field (GHK) leak with "
                "the paper's slope conductance at the paper's reversal (or at E_K, see "
                "mrg_nodal_leak)",
    "ms96_no_tadj": "MS96 densities not multiplied by tadj = 2.3^((T - 23)/10) (3.21 at "
                    "37 degC), which the published na.mod and kv.mod apply",
    "ms96_node_kv": "K+ channels at MS96 nodes (the initial-segment density, gkv_axon); the "
                    "published nodes have none and are repolarised by their 0.02 S/cm2 leak",
    "mrg_nodal_leak": "nodal leak of McIntyre et al. 2002 (7 mS/cm2) instead of the "
                      "kinetics paper's, booked to K+ and reversing at E_K (MRG: -90 mV, "
                      "below E_K)",
    "wb_node_densities": "Wang-Buzsaki kinetics at a node: McIntyre et al. 2002 nodal Na+ "
                         "density (3 S/cm2), K+ at Wang & Buzsaki's gK/gNa ratio (their model "
                         "is a soma)",
    "ms96_soma_no_ca_km_kca": "MS96 soma without the published Ca2+, Km and KCa channels",
    "temperature": "run at a temperature other than the one the published kinetics were "
                   "set up for (MS96: 37 degC only; WB: phi = 5 taken to hold at 37 degC)",
}

#: Reversal potentials (mV) of each kinetics set's published model (parameter table keys).
PUBLISHED_REVERSALS = {
    "squid": ("squid.ena_mV", "squid.ek_mV"),
    "wb": ("wb.ena_mV", "wb.ek_mV"),
    "ms96": ("ms96.ena_mV", "ms96.ek_mV"),
}

#: Temperature (degC) each kinetics set's published model runs at; None: any (Q10 published).
PUBLISHED_TEMPERATURE = {"squid": None, "wb": 37.0, "ms96": 37.0}

#: Configurations the membrane factories build.
CONFIGS = ("energy", "published")

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
    "ena_mV": V.real(-500.0, 500.0, "mV (None: Nernst)", optional=True),
    "ek_mV": V.real(-500.0, 500.0, "mV (None: Nernst)", optional=True),
    "gbar_tadj": V.flag(),
    "leak_model": V.instance(str),
    "declared": V.instance(tuple),
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
        An ohmic leak (NEURON's ``pas``) booked to no ion: a published model's own
        ohmic leak in its ``published`` configuration, or a classic passive cable
        specified by Rm; 0 inserts none. Energy accounting ignores it.
    ena_mV, ek_mV : float or None
        Fixed reversal potentials (a published model's own); None (default): Nernst
        from the cell's ion concentrations at initialisation (and as they change
        under ``accumulation``). Departure ``"nernst_reversals"`` when None.
    gbar_tadj : bool
        MS96 kinetics only: multiply the densities by tadj = q10^((T - 23)/10) as
        the published na.mod and kv.mod do (True, default). False is departure
        ``"ms96_no_tadj"``.
    leak_model : str
        Name in :data:`LEAK_MODELS` of the published leak this membrane's leak
        implements, or ``"custom"``.
    declared : tuple of str
        Departures (names in :data:`DEPARTURES`) the factory made that the fields
        above do not show (e.g. ``"ms96_node_kv"``); :func:`departures` adds the
        ones it reads off the fields.
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
    ena_mV: float | None = None
    ek_mV: float | None = None
    gbar_tadj: bool = True
    leak_model: str = "custom"
    declared: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kinetics is not None and not (isinstance(self.kinetics, str)
                                              and self.kinetics in KINETICS):
            raise V.ParameterError(f"Membrane.kinetics: unknown channel set {self.kinetics!r}; "
                                   f"choose one of {sorted(KINETICS)} or None for a passive "
                                   "membrane")
        V.check(self, _MEMBRANE_SPEC)
        _require(not (self.accumulation and (self.ena_mV is not None or self.ek_mV is not None)),
                 "accumulation moves E_Na and E_K with the concentrations; it cannot be "
                 "combined with fixed ena_mV/ek_mV in Membrane")
        _require(self.leak_model == "custom" or self.leak_model in LEAK_MODELS,
                 f"unknown leak_model {self.leak_model!r}; choose 'custom' or one of "
                 f"{sorted(LEAK_MODELS)}")
        unknown = [d for d in self.declared if d not in DEPARTURES]
        _require(not unknown, f"unknown departures {unknown} in Membrane; known: "
                              f"{sorted(DEPARTURES)}")

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
              config: str = "energy", **changes) -> "Membrane":
        """Hodgkin & Huxley 1952 squid axon membrane.

        ``config="published"``: HH's own model as NEURON's ``hh`` runs it: fixed
        E_Na = +50 mV and E_K = -77 mV, ohmic leak 0.3 mS/cm2 at -54.3 mV (``pas``,
        no ion). ``config="energy"`` (default): reversals from the concentrations
        (Nernst) and the leak booked to Na+ and K+ as a GHK leak with HH's slope
        and reversal (departures ``nernst_reversals``, ``ghk_leak``).
        """
        _check_config(config)
        base = cls(kinetics="squid", gnabar_S_cm2=P.value("squid.gnabar_S_cm2"),
                   gkbar_S_cm2=P.value("squid.gkbar_S_cm2"),
                   cm_uF_cm2=P.value("squid.cm_uF_cm2"))
        ions = ions or Ions.preset("squid")
        t = P.value("squid.temperature_degC") if temperature_degC is None else temperature_degC
        base = _with_leak(base, "hh52", config, ions, t)
        return base.with_(**changes) if changes else base

    @classmethod
    def mammalian(cls, role: str = "axon", kinetics: str = "wb", ions: Ions | None = None,
                  temperature_degC: float | None = None, config: str = "energy",
                  **changes) -> "Membrane":
        """A mammalian membrane at 37 degC for ``role`` 'axon', 'node' or 'soma'.

        ``kinetics="wb"`` (default), Wang & Buzsaki 1996:
          * 'axon' and 'soma': their densities and leak (g_L 0.1 mS/cm2 at -65 mV);
            published: E_Na +55, E_K -90 mV, ohmic leak.
          * 'node' (energy only; WB modelled a soma): McIntyre et al. 2002 nodal Na+
            density (3 S/cm2), K+ at Wang & Buzsaki's gK/gNa ratio, MRG's nodal leak
            (departures ``wb_node_densities``, ``mrg_nodal_leak``).

        ``kinetics="ms96"``, Mainen & Sejnowski 1996 (ModelDB 2488):
          * 'axon' and 'node': their nodal membrane. Published: Na+ 3 S/cm2, no K+,
            ohmic g_pas_node 0.02 S/cm2 at -70 mV (it repolarises the node), E_Na
            +60, E_K -90 mV. Energy: plus K+ at 0.2 S/cm2 (their initial-segment
            density, departure ``ms96_node_kv``) and MRG's nodal leak instead of
            g_pas_node (``mrg_nodal_leak``).
          * 'soma': their somatic Na+ and K+ densities and rm leak, without their
            Ca2+, Km and KCa channels (``ms96_soma_no_ca_km_kca``).
          MS96 densities are multiplied by tadj (3.21 at 37 degC) in both
          configurations, as published; ``gbar_tadj=False`` drops it.

        The energy configuration (default) takes reversals from the concentrations
        and books every leak to ions (GHK); the published one uses the paper's fixed
        reversals and ohmic leak. :func:`departures` lists what applies.

        Raises
        ------
        ValueError
            Unknown role, kinetics or config; ``config="published"`` for a WB node.
        """
        if role not in ("axon", "node", "soma"):
            raise ValueError(f"unknown mammalian membrane role {role!r}; "
                             "choose 'axon', 'node' or 'soma'")
        if kinetics not in ("wb", "ms96"):
            raise ValueError(f"unknown mammalian kinetics {kinetics!r}; choose 'wb' or 'ms96'")
        _check_config(config)
        ions = ions or Ions.preset("mammalian")
        t = P.value("mammalian.temperature_degC") if temperature_degC is None else temperature_degC
        declared: tuple[str, ...] = ()
        if kinetics == "wb":
            gna, gk = P.value("wb.gnabar_S_cm2"), P.value("wb.gkbar_S_cm2")
            cm, leak = P.value("wb.cm_uF_cm2"), "wb96"
            if role == "node":
                if config == "published":
                    raise ValueError("Wang & Buzsaki 1996 modelled a soma and has no nodal "
                                     "membrane; use config='energy' for WB nodes")
                scale = P.value("mrg.node_gnabar_S_cm2") / gna
                gna, gk = gna * scale, gk * scale
                leak = "mrg02_node"
                declared = ("wb_node_densities", "mrg_nodal_leak")
        else:
            cm = P.value("ms96.cm_uF_cm2")
            if role == "soma":
                gna, gk = P.value("ms96.soma_gnabar_S_cm2"), P.value("ms96.soma_gkbar_S_cm2")
                leak, declared = "ms96_rm", ("ms96_soma_no_ca_km_kca",)
            elif config == "published":
                gna, gk, leak = P.value("ms96.axon_gnabar_S_cm2"), 0.0, "ms96_node"
            else:
                gna, gk = P.value("ms96.axon_gnabar_S_cm2"), P.value("ms96.axon_gkbar_S_cm2")
                leak, declared = "mrg02_node", ("ms96_node_kv", "mrg_nodal_leak")
        base = cls(kinetics=kinetics, gnabar_S_cm2=gna, gkbar_S_cm2=gk, cm_uF_cm2=cm,
                   declared=declared)
        base = _with_leak(base, leak, config, ions, t)
        return base.with_(**changes) if changes else base

    @classmethod
    def axolemma(cls, cm_uF_cm2: float, ions: Ions, temperature_degC: float,
                 config: str = "energy") -> "Membrane":
        """Internodal axolemma under the myelin: McIntyre et al. 2002 leak, no channels.

        0.1 mS/cm2 at -80 mV (ModelDB 3810, FLUT and STIN); ``config="energy"`` books
        it to Na+ and K+ (GHK), ``"published"`` keeps it ohmic.
        """
        _check_config(config)
        base = cls(kinetics=None, cm_uF_cm2=cm_uF_cm2)
        return _with_leak(base, "mrg02_axolemma", config, ions, temperature_degC)

    @property
    def leak_ions(self) -> tuple[str, ...]:
        """Ions the membrane's leak is booked to; () for an ohmic leak (``pas``) or none."""
        return self.leak.ions

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


def _check_config(config: str) -> None:
    _require(config in CONFIGS, f"unknown configuration {config!r}; choose one of {CONFIGS}")


def _with_leak(base: Membrane, model: str, config: str, ions: Ions,
               temperature_degC: float) -> Membrane:
    """``base`` with leak ``model`` in ``config``, plus the published reversals if published."""
    spec = LEAK_MODELS[model]
    g, e = leak_conductance_S_cm2(model), P.value(spec.e_key)
    if config == "published":
        fixed = {}
        if base.kinetics is not None:
            na_key, k_key = PUBLISHED_REVERSALS[base.kinetics]
            fixed = dict(ena_mV=P.value(na_key), ek_mV=P.value(k_key))
        return base.with_(leak=Leak(), pas_g_S_cm2=g, pas_e_mV=e, leak_model=model, **fixed)
    if spec.role != "physiology":
        raise ValueError(f"leak {model!r} is a {spec.role}, which is never booked to ions; "
                         "it exists only in the published configuration")
    if spec.energy_ions == ("k",):
        leak = Leak.potassium(g, ions, temperature_degC)
    else:
        leak = Leak.from_conductance(g, e, ions, temperature_degC)
    return base.with_(leak=leak, leak_model=model)


def departures(obj) -> list[str]:
    """Short names (keys of :data:`DEPARTURES`) of the departures from the published models.

    Parameters
    ----------
    obj : Membrane, a builder's parameter dataclass, or a built cell
        A membrane; a built :class:`cablemodels.cell.Cell` (the membranes it applied,
        by role, and its temperature); or a parameter dataclass: its membranes in
        attributes ``membrane``, ``node_membrane``, ``dendrite_membrane``, a
        ``membranes`` dict, an ``axolemma()`` method (myelinated axons) or a
        ``membrane(role)`` method (SWC cells: every role's membrane it would apply).
        A ``temperature_degC`` attribute adds ``"temperature"`` when it differs from
        the temperature a kinetics set's published model runs at.

    Returns
    -------
    list of str
        Sorted, without repeats; empty for a configuration that reproduces the
        published models it uses (or uses none).

    Raises
    ------
    TypeError
        If ``obj`` holds no membrane.
    """
    membranes = _membranes_of(obj)
    found: set[str] = set()
    for m in membranes:
        found.update(m.declared)
        if m.kinetics in PUBLISHED_REVERSALS and (m.ena_mV is None or m.ek_mV is None):
            found.add("nernst_reversals")
        if m.leak_model in LEAK_MODELS and m.leak.ions:
            found.add("ghk_leak")
        if m.kinetics == "ms96" and not m.gbar_tadj:
            found.add("ms96_no_tadj")
    temperature = getattr(obj, "temperature_degC", None)
    if temperature is not None:
        for m in membranes:
            published_t = PUBLISHED_TEMPERATURE.get(m.kinetics)
            if published_t is not None and abs(temperature - published_t) > 1e-9:
                found.add("temperature")
    return sorted(found)


def _membranes_of(obj) -> list[Membrane]:
    if isinstance(obj, Membrane):
        return [obj]
    found = []
    roles = getattr(obj, "roles", None)
    if isinstance(roles, dict) and callable(getattr(obj, "membrane", None)):  # a built Cell
        for role in roles:
            try:
                found.append(obj.membrane(role))
            except KeyError:  # sections adopted without a membrane description
                pass
        return _require_some(found, obj)
    for name in ("membrane", "node_membrane", "dendrite_membrane"):
        m = getattr(obj, name, None)
        if isinstance(m, Membrane):
            found.append(m)
        elif name == "membrane" and callable(m):
            for role in ("soma", "axon", "node", "dendrite"):
                found.append(m(role))
    extra = getattr(obj, "membranes", None)
    if isinstance(extra, dict):
        found.extend(m for m in extra.values() if isinstance(m, Membrane))
    if callable(getattr(obj, "axolemma", None)):
        found.append(obj.axolemma())
    return _require_some(found, obj)


def _require_some(found: list[Membrane], obj) -> list[Membrane]:
    if not found:
        raise TypeError(f"departures() needs a Membrane, a parameter dataclass holding "
                        f"membranes, or a built cell (got {type(obj).__name__})")
    return found


def configuration_label(obj) -> str:
    """``"published"`` if :func:`departures` finds none, else ``"energy-ready (...)"``."""
    found = departures(obj)
    return "published" if not found else "energy-ready (" + ", ".join(found) + ")"
