TITLE cm_k_wb: delayed-rectifier K+ channel of the Wang-Buzsaki interneuron model

COMMENT
Wang X-J & Buzsaki G (1996) J Neurosci 16:6402-6413, equations 5-6:

    I_K     = gkbar n^4 (V - E_K),  gkbar = 9 mS/cm2
    alpha_n = 0.01 (V + 34) / (1 - exp(-(V + 34)/10))   beta_n = 0.125 exp(-(V + 44)/80)
    dn/dt   = phi (alpha_n (1 - n) - beta_n n),  phi = 5

Temperature handling as in cm_na_wb (published kinetics taken at tref = 37 degC,
q10 = 3 elsewhere, an assumption). Cumulative K+ charge per area: STATE qk (uC/cm2).
ENDCOMMENT

NEURON {
    SUFFIX cm_k_wb
    USEION k READ ek WRITE ik
    RANGE gkbar, gk, ik
    GLOBAL phi, q10, tref, ninf, ntau
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
    (uC) = (microcoulomb)
}

PARAMETER {
    gkbar = 0.009 (S/cm2) <0, 1e9>
    phi = 5 (1) <1e-9, 1e9>
    q10 = 3 (1) <1e-3, 100>
    tref = 37 (degC)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ek (mV)
    ik (mA/cm2)
    gk (S/cm2)
    ninf (1)
    ntau (ms)
}

STATE {
    n
    qk (uC/cm2)
}

INITIAL {
    rates(v)
    n = ninf
    qk = 0
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gk = gkbar*n*n*n*n
    ik = gk*(v - ek)
    CONDUCTANCE gk USEION k
}

DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau
    qk' = ik
}

PROCEDURE rates(v (mV)) {
    LOCAL an, bn, qt
    TABLE ninf, ntau DEPEND celsius, phi, q10, tref FROM -100 TO 100 WITH 400
    qt = phi*q10^((celsius - tref)/(10 (degC)))
    an = 0.01 (/ms) * vtrap(-(v + 34 (mV)), 10 (mV))
    bn = 0.125 (/ms) * exp(-(v + 44 (mV))/(80 (mV)))
    ninf = an/(an + bn)
    ntau = 1/(qt*(an + bn))
}

FUNCTION vtrap(x (mV), y (mV)) (1) {
    : x / (exp(x/y) - 1) / (1 mV), continuous at x = 0
    if (fabs(x/y) < 1e-6) {
        vtrap = (y*(1 - x/y/2))/(1 (mV))
    } else {
        vtrap = (x/(exp(x/y) - 1))/(1 (mV))
    }
}
