TITLE cm_r2000_ks: slow K+ channel of the Richardson-McIntyre-Grill 2000 mammalian node

COMMENT
Richardson AG, McIntyre CC & Grill WM (2000) Med Biol Eng Comput 38:438-446, nodal
slow K+ current, with the rate constants as used by Arancibia-Carcamo IL et al. (2017)
eLife 6:e23329 (authors' model files, AttwellLab/MyelinatedAxonModel,
Richardson2000SlowK.m):

    I_Ks    = gkbar n (V - E_K),  gkbar = 0.08 S/cm2 (0.8 mS/mm2),  E_K = -84 mV
    alpha_n = 0.00122 (V + 19.5) / (1 - exp(-(V + 19.5)/23.6))
    beta_n  = 0.000739 (-(V + 87.1)) / (1 - exp((V + 87.1)/21.8))    (/ms, V in mV)

Rates hold at tref = 20 degC and scale by q10 = 3 to the power (celsius - tref)/10.
Booked to the k ion; STATE qk integrates the charge per area (uC/cm2).
ENDCOMMENT

NEURON {
    SUFFIX cm_r2000_ks
    USEION k READ ek WRITE ik
    RANGE gkbar, gk, ik
    GLOBAL q10, tref, ninf, ntau
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
    (uC) = (microcoulomb)
}

PARAMETER {
    gkbar = 0.08 (S/cm2) <0, 1e9>
    q10 = 3 (1) <1e-3, 100>
    tref = 20 (degC)
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
    gk = gkbar*n
    ik = gk*(v - ek)
    CONDUCTANCE gk USEION k
}

DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau
    qk' = ik
}

PROCEDURE rates(v (mV)) {
    LOCAL a, b, qt
    qt = q10^((celsius - tref)/(10 (degC)))
    a = qt*0.00122 (/ms) * vtrap(-(v + 19.5 (mV)), 23.6 (mV))
    b = qt*0.000739 (/ms) * vtrap(v + 87.1 (mV), 21.8 (mV))
    ninf = a/(a + b)
    ntau = 1/(a + b)
}

FUNCTION vtrap(x (mV), y (mV)) (1) {
    : x / (exp(x/y) - 1) / (1 mV), continuous at x = 0
    if (fabs(x/y) < 1e-6) {
        vtrap = (y*(1 - x/y/2))/(1 (mV))
    } else {
        vtrap = (x/(exp(x/y) - 1))/(1 (mV))
    }
}
