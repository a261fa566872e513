TITLE cm_mrg_nap: persistent Na+ channel of the MRG mammalian motor-fibre node

COMMENT
McIntyre CC, Richardson AG & Grill WM (2002) J Neurophysiol 87:995-1006, Appendix
(nodal persistent Na+ current), rate constants of the authors' published model
(ModelDB 3810, AXNODE.mod, after the 2011 sign fix of the singular points):

    I_Nap    = gnapbar p^3 (V - E_Na),  gnapbar = 0.01 S/cm2,  E_Na = 50 mV (published)
    alpha_p  = 0.01 (V + 27) / (1 - exp(-(V + 27)/10.2))
    beta_p   = 0.00025 (-(V + 34)) / (1 - exp((V + 34)/10))           (/ms, V in mV)

Temperature: rates at tref = 20 degC scaled by q10 = 2.2 to the power
(celsius - tref)/10, as in the paper. Booked to the na ion (the published
mechanism uses NONSPECIFIC_CURRENT); STATE qna integrates its charge per area
(uC/cm2, inward negative).
ENDCOMMENT

NEURON {
    SUFFIX cm_mrg_nap
    USEION na READ ena WRITE ina
    RANGE gnapbar, gnap, ina
    GLOBAL q10, tref, pinf, ptau
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
    (uC) = (microcoulomb)
}

PARAMETER {
    gnapbar = 0.01 (S/cm2) <0, 1e9>
    q10 = 2.2 (1) <1e-3, 100>
    tref = 20 (degC)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ena (mV)
    ina (mA/cm2)
    gnap (S/cm2)
    pinf (1)
    ptau (ms)
}

STATE {
    p
    qna (uC/cm2)
}

INITIAL {
    rates(v)
    p = pinf
    qna = 0
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gnap = gnapbar*p*p*p
    ina = gnap*(v - ena)
    CONDUCTANCE gnap USEION na
}

DERIVATIVE states {
    rates(v)
    p' = (pinf - p)/ptau
    qna' = ina
}

PROCEDURE rates(v (mV)) {
    LOCAL a, b, qt
    qt = q10^((celsius - tref)/(10 (degC)))
    a = qt*0.01 (/ms) * vtrap(-(v + 27 (mV)), 10.2 (mV))
    b = qt*0.00025 (/ms) * vtrap(v + 34 (mV), 10 (mV))
    pinf = a/(a + b)
    ptau = 1/(a + b)
}

FUNCTION vtrap(x (mV), y (mV)) (1) {
    : x / (exp(x/y) - 1) / (1 mV), continuous at x = 0
    if (fabs(x/y) < 1e-6) {
        vtrap = (y*(1 - x/y/2))/(1 (mV))
    } else {
        vtrap = (x/(exp(x/y) - 1))/(1 (mV))
    }
}
