TITLE cm_r2000_nap: persistent Na+ channel of the Richardson-McIntyre-Grill 2000 mammalian node

COMMENT
Richardson AG, McIntyre CC & Grill WM (2000) Med Biol Eng Comput 38:438-446, nodal
persistent Na+ current, with the rate constants as used by Arancibia-Carcamo IL et al.
(2017) eLife 6:e23329 (authors' model files, AttwellLab/MyelinatedAxonModel,
Richardson2000PersistentNa.m):

    I_Nap   = gnapbar p^3 (V - E_Na),  gnapbar = 0.005 S/cm2 (0.05 mS/mm2),  E_Na = 50 mV
    alpha_p = 0.186 (V + 48.4) / (1 - exp(-(V + 48.4)/10.3))
    beta_p  = 0.0086 (-(V + 42.7)) / (1 - exp((V + 42.7)/9.16))      (/ms, V in mV)

Rates hold at tref = 20 degC and scale by q10 = 2.2 to the power (celsius - tref)/10.
Booked to the na ion; STATE qna integrates the charge per area (uC/cm2).
ENDCOMMENT

NEURON {
    SUFFIX cm_r2000_nap
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
    gnapbar = 0.005 (S/cm2) <0, 1e9>
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
    a = qt*0.186 (/ms) * vtrap(-(v + 48.4 (mV)), 10.3 (mV))
    b = qt*0.0086 (/ms) * vtrap(v + 42.7 (mV), 9.16 (mV))
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
