TITLE cm_leak: ion-specific, permeability-based (GHK) leak for Na+, K+ and Cl-

COMMENT
Constant-field leak. Each ion's current density follows the Goldman-Hodgkin-Katz
current equation (Goldman 1943 J Gen Physiol 27:37; Hodgkin & Katz 1949 J Physiol
108:37; textbook form in Hille 2001, Ion Channels of Excitable Membranes, 3rd ed.,
ch. 14, eq. 14-6):

    I_S = P_S z^2 F^2 V / (R T) * ([S]i - [S]o exp(-z F V / R T)) / (1 - exp(-z F V / R T))

The permeabilities P_S (cm/s) do not depend on voltage or time: this is the
"always open" leak of document 002. With only this mechanism in a compartment the
membrane rests at the GHK voltage-equation value

    V = (R T / F) ln((P_K [K]o + P_Na [Na]o + P_Cl [Cl]i) / (P_K [K]i + P_Na [Na]i + P_Cl [Cl]o))

Every current is booked to its own ion. Cumulative charge per membrane area carried
through this mechanism is integrated as STATEs (qna, qk, qcl; uC/cm2, inward charge
negative) so that CVODE integrates them to the same tolerance as everything else.

NEURON needs dI/dV of every current for its implicit step (and CVODE's
Jacobian). Without a hint it evaluates BREAKPOINT twice per step and differences
the currents over 1 uV; here the exact derivative of the GHK current is given as
each ion's CONDUCTANCE instead (NEURON uses the hinted value as dI/dV whatever
the current's form), so BREAKPOINT runs once. With s(u) = u/(1 - e^-u):

    dI_S/dV = P_S F (du/dV) (s'(u) (c1 - c2 e^-u) + s(u) c2 e^-u),   du/dV = F/(R T)
    s'(u) = (1 - e^-u - u e^-u)/(1 - e^-u)^2   (-> 1/2 + u/6 - u^3/180 near 0)

with (c1, c2) = ([S]i, [S]o) for Na+ and K+ and ([Cl]o, [Cl]i) for Cl-. The
currents are unchanged; only the slope NEURON linearises with is exact instead
of a 1 uV difference quotient.

Defaults are zero permeabilities; cablemodels' parameter tables (cablemodels/parameters.py)
carry the cited values used by the builders.
ENDCOMMENT

NEURON {
    SUFFIX cm_leak
    USEION na READ nai, nao WRITE ina
    USEION k READ ki, ko WRITE ik
    USEION cl READ cli, clo WRITE icl VALENCE -1
    RANGE pna, pk, pcl, ina, ik, icl
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    (uC) = (microcoulomb)
    (S) = (siemens)
    FARADAY = (faraday) (coulomb)
    R = (k-mole) (joule/degC)
}

PARAMETER {
    pna = 0 (cm/s) <0, 1e9>
    pk = 0 (cm/s) <0, 1e9>
    pcl = 0 (cm/s) <0, 1e9>
}

ASSIGNED {
    v (mV)
    celsius (degC)
    nai (mM)
    nao (mM)
    ki (mM)
    ko (mM)
    cli (mM)
    clo (mM)
    ina (mA/cm2)
    ik (mA/cm2)
    icl (mA/cm2)
    gna (S/cm2)
    gk (S/cm2)
    gcl (S/cm2)
}

STATE {
    qna (uC/cm2)
    qk (uC/cm2)
    qcl (uC/cm2)
}

INITIAL {
    qna = 0
    qk = 0
    qcl = 0
}

BREAKPOINT {
    SOLVE counters METHOD cnexp
    currents(v)
    CONDUCTANCE gna USEION na
    CONDUCTANCE gk USEION k
    CONDUCTANCE gcl USEION cl
}

DERIVATIVE counters {
    qna' = ina
    qk' = ik
    qcl' = icl
}

PROCEDURE currents(v (mV)) {
    LOCAL u, eu, s, ds, dudv
    : u = F V / (R T). One exponential serves all three ions: for a cation
    : (z = +1) I = P F s (ci - co e^-u) and for an anion (z = -1)
    : I = P F s (co - ci e^-u), with s = u / (1 - e^-u) (-> 1 + u/2 as u -> 0).
    : Computing it once instead of once per ion cut the leak's own cost 1.6-fold
    : (a passive 1,000-segment axon, 50 ms: 0.55 s -> 0.33 s above ohmic pas).
    u = (.001)*FARADAY*v/(R*(celsius + 273.15 (degC)))
    eu = exp(-u)
    if (fabs(u) < 1e-6) {
        s = 1 + u/2
    } else {
        s = u/(1 - eu)
    }
    : ds = s'(u); its closed form cancels to ~u^2/2 near 0, so a series below 1e-3
    : (truncation ~u^5/5000, rounding of the closed form above ~1e-10 relative)
    if (fabs(u) < 1e-3) {
        ds = 0.5 + u/6 - u*u*u/180
    } else {
        ds = (1 - eu - u*eu)/((1 - eu)*(1 - eu))
    }
    dudv = slope_factor()
    ina = pna*flux(nai, nao, s, eu)
    ik = pk*flux(ki, ko, s, eu)
    icl = pcl*flux(clo, cli, s, eu)
    gna = pna*dflux(nai, nao, s, ds, eu)*dudv
    gk = pk*dflux(ki, ko, s, ds, eu)*dudv
    gcl = pcl*dflux(clo, cli, s, ds, eu)*dudv
}

FUNCTION flux(c1 (mM), c2 (mM), s (1), eu (1)) (.001 coulomb/cm3) {
    : GHK flux factor F s (c1 - c2 e^-u) per unit permeability
    flux = (.001)*FARADAY*s*(c1 - c2*eu)
}

FUNCTION dflux(c1 (mM), c2 (mM), s (1), ds (1), eu (1)) (.001 coulomb/cm3) {
    : d/du of flux: F (s' (c1 - c2 e^-u) + s c2 e^-u)
    dflux = (.001)*FARADAY*(ds*(c1 - c2*eu) + s*c2*eu)
}

FUNCTION slope_factor() (/mV) {
    : du/dV = F / (R T)
    slope_factor = (.001)*FARADAY/(R*(celsius + 273.15 (degC)))
}
