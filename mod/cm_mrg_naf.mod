TITLE cm_mrg_naf: fast Na+ channel of the MRG mammalian motor-fibre node

COMMENT
McIntyre CC, Richardson AG & Grill WM (2002) J Neurophysiol 87:995-1006, Appendix
(nodal fast Na+ current), with the rate constants of the authors' published model
(ModelDB 3810, AXNODE.mod, after the 2011 sign fix of the singular points):

    I_Naf   = gnabar m^3 h (V - E_Na),  gnabar = 3 S/cm2,  E_Na = 50 mV (published)
    alpha_m = 1.86 (V + 21.4) / (1 - exp(-(V + 21.4)/10.3))
    beta_m  = 0.086 (-(V + 25.7)) / (1 - exp((V + 25.7)/9.16))
    alpha_h = 0.062 (-(V + 114)) / (1 - exp((V + 114)/11))
    beta_h  = 2.3 / (1 + exp(-(V + 31.8)/13.4))                       (/ms, V in mV)

Temperature: the rates are those at tref = 20 degC, scaled by q10m = 2.2 (m) and
q10h = 2.9 (h) to the power (celsius - tref)/10, as in the paper (37 degC there).
The published mechanism books this current as NONSPECIFIC_CURRENT; here it is
written to the na ion, and its charge per area is integrated as STATE qna
(uC/cm2, inward negative). E_Na comes from the na ion: cablemodels.mrg fixes it at
the published 50 mV unless the caller asks for Nernst reversals.
ENDCOMMENT

NEURON {
    SUFFIX cm_mrg_naf
    USEION na READ ena WRITE ina
    RANGE gnabar, gna, ina
    GLOBAL q10m, q10h, tref, minf, hinf, mtau, htau
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
    (uC) = (microcoulomb)
}

PARAMETER {
    gnabar = 3 (S/cm2) <0, 1e9>
    q10m = 2.2 (1) <1e-3, 100>
    q10h = 2.9 (1) <1e-3, 100>
    tref = 20 (degC)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ena (mV)
    ina (mA/cm2)
    gna (S/cm2)
    minf (1)
    hinf (1)
    mtau (ms)
    htau (ms)
}

STATE {
    m
    h
    qna (uC/cm2)
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
    qna = 0
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gna = gnabar*m*m*m*h
    ina = gna*(v - ena)
    CONDUCTANCE gna USEION na
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
    qna' = ina
}

PROCEDURE rates(v (mV)) {
    LOCAL am, bm, ah, bh, qm, qh
    qm = q10m^((celsius - tref)/(10 (degC)))
    qh = q10h^((celsius - tref)/(10 (degC)))
    am = qm*1.86 (/ms) * vtrap(-(v + 21.4 (mV)), 10.3 (mV))
    bm = qm*0.086 (/ms) * vtrap(v + 25.7 (mV), 9.16 (mV))
    ah = qh*0.062 (/ms) * vtrap(v + 114 (mV), 11 (mV))
    bh = qh*2.3 (/ms) / (1 + exp(-(v + 31.8 (mV))/(13.4 (mV))))
    minf = am/(am + bm)
    mtau = 1/(am + bm)
    hinf = ah/(ah + bh)
    htau = 1/(ah + bh)
}

FUNCTION vtrap(x (mV), y (mV)) (1) {
    : x / (exp(x/y) - 1) / (1 mV), continuous at x = 0
    if (fabs(x/y) < 1e-6) {
        vtrap = (y*(1 - x/y/2))/(1 (mV))
    } else {
        vtrap = (x/(exp(x/y) - 1))/(1 (mV))
    }
}
