TITLE cm_hcn: hyperpolarisation-activated cation channel (HCN, Ih) with separate Na+ and K+ currents

COMMENT
One first-order activation gate o:

    o_inf(V) = 1 / (1 + exp((V - vhalf_eff)/k)),   vhalf_eff = vhalf + camp_shift
    tau(V)   = taupeak / (qt cosh((V - vhalf_eff)/ktau)),  qt = q10^((celsius - tref)/10)

so activation grows with hyperpolarisation, is slow (tens to hundreds of ms) and
its time constant peaks near half-activation. cAMP binding shifts half-activation
(and the time-constant curve with it) by camp_shift toward depolarisation
(Wainger et al. 2001 Nature 411:805; Wang et al. 2001 J Gen Physiol 118:237).

The pore passes Na+ and K+. Each part follows the GHK current equation
(Hille 2001, ch. 14, eq. 14-6) and is written to its own ion:

    i_K  = pbar o ghk(V, [K]i,  [K]o)
    i_Na = pbar o pnak ghk(V, [Na]i, [Na]o)

pnak = P_Na/P_K is about 0.2-0.25 for native Ih (Wollmuth & Hille 1992 J Gen
Physiol 100:749, P_Na/P_K ~ 0.27 in rod Ih; Biel et al. 2009 Physiol Rev 89:847
review ~0.2-0.25), which with mammalian concentrations gives a reversal near
-30 to -45 mV. Channel-type values (HCN1, HCN2) are presets in
cablemodels/parameters.py with their sources.

NEURON gets each part's exact slope dI/dV as its CONDUCTANCE (so BREAKPOINT
runs once per step instead of twice for a 1 uV difference quotient):

    dI/dV = pbar o F (du/dV) (s'(u) (ci - co e^-u) + s(u) co e^-u),
    s(u) = u/(1 - e^-u),  u = F V/(R T),  du/dV = F/(R T)

One exponential serves both ions (the same u, z = +1).

Cumulative charge per area through this channel: STATEs qna, qk (uC/cm2).
ENDCOMMENT

NEURON {
    SUFFIX cm_hcn
    USEION na READ nai, nao WRITE ina
    USEION k READ ki, ko WRITE ik
    RANGE pbar, pnak, vhalf, k, camp_shift, taupeak, ktau, o_inf, tau, ina, ik
    GLOBAL q10, tref
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
    pbar = 0 (cm/s) <0, 1e9>
    pnak = 0.25 (1) <0, 1e9>
    vhalf = -73 (mV)
    k = 8 (mV) <1e-3, 1e3>
    camp_shift = 0 (mV)
    taupeak = 50 (ms) <1e-6, 1e9>
    ktau = 20 (mV) <1e-3, 1e3>
    q10 = 3 (1) <1e-3, 100>
    tref = 22 (degC)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    nai (mM)
    nao (mM)
    ki (mM)
    ko (mM)
    ina (mA/cm2)
    ik (mA/cm2)
    o_inf (1)
    tau (ms)
    gna (S/cm2)
    gk (S/cm2)
}

STATE {
    o
    qna (uC/cm2)
    qk (uC/cm2)
}

INITIAL {
    rates(v)
    o = o_inf
    qna = 0
    qk = 0
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    currents(v)
    CONDUCTANCE gna USEION na
    CONDUCTANCE gk USEION k
}

DERIVATIVE states {
    rates(v)
    o' = (o_inf - o)/tau
    qna' = ina
    qk' = ik
}

PROCEDURE rates(v (mV)) {
    LOCAL x
    x = v - vhalf - camp_shift
    o_inf = 1/(1 + exp(x/k))
    tau = taupeak/(q10^((celsius - tref)/(10 (degC)))*cosh(x/ktau))
}

PROCEDURE currents(v (mV)) {
    LOCAL u, eu, sf, ds, dudv, gate
    u = (.001)*FARADAY*v/(R*(celsius + 273.15 (degC)))
    eu = exp(-u)
    if (fabs(u) < 1e-6) {
        sf = 1 + u/2
    } else {
        sf = u/(1 - eu)
    }
    : sf' (u); its closed form cancels to ~u^2/2 near 0, so a series below 1e-3
    if (fabs(u) < 1e-3) {
        ds = 0.5 + u/6 - u*u*u/180
    } else {
        ds = (1 - eu - u*eu)/((1 - eu)*(1 - eu))
    }
    dudv = (.001)*FARADAY/(R*(celsius + 273.15 (degC)))
    gate = pbar*o
    ik = gate*flux(ki, ko, sf, eu)
    ina = gate*pnak*flux(nai, nao, sf, eu)
    gk = gate*dflux(ki, ko, sf, ds, eu)*dudv
    gna = gate*pnak*dflux(nai, nao, sf, ds, eu)*dudv
}

FUNCTION flux(ci (mM), co (mM), sf (1), eu (1)) (.001 coulomb/cm3) {
    : GHK flux factor F s (ci - co e^-u) per unit permeability (z = +1)
    flux = (.001)*FARADAY*sf*(ci - co*eu)
}

FUNCTION dflux(ci (mM), co (mM), sf (1), ds (1), eu (1)) (.001 coulomb/cm3) {
    : d/du of flux: F (s' (ci - co e^-u) + s co e^-u)
    dflux = (.001)*FARADAY*(ds*(ci - co*eu) + sf*co*eu)
}
