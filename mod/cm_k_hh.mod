TITLE cm_k_hh: Hodgkin-Huxley squid delayed-rectifier K+ channel with explicit Q10

COMMENT
Squid giant axon K+ conductance, Hodgkin & Huxley 1952 J Physiol 117:500-544,
equations 6, 12-13 and Table 3, modern sign convention (rest at -65 mV):

    alpha_n = 0.01 (V + 55) / (1 - exp(-(V + 55)/10))   /ms
    beta_n  = 0.125 exp(-(V + 65)/80)                   /ms
    I_K     = gkbar n^4 (V - E_K),  gkbar = 0.036 S/cm2

Rates measured at 6.3 degC, scaled by q10^((celsius - tref)/10), q10 = 3,
tref = 6.3 degC (Hodgkin & Huxley 1952, p. 519).

The cumulative K+ charge through this channel per membrane area is the STATE
qk (uC/cm2, outward positive).
ENDCOMMENT

NEURON {
    SUFFIX cm_k_hh
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
    gkbar = 0.036 (S/cm2) <0, 1e9>
    q10 = 3 (1) <1e-3, 100>
    tref = 6.3 (degC)
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
    TABLE ninf, ntau DEPEND celsius, q10, tref FROM -100 TO 100 WITH 200
    qt = q10^((celsius - tref)/(10 (degC)))
    an = 0.01 (/ms) * vtrap(-(v + 55 (mV)), 10 (mV))
    bn = 0.125 (/ms) * exp(-(v + 65 (mV))/(80 (mV)))
    ntau = 1/(qt*(an + bn))
    ninf = an/(an + bn)
}

FUNCTION vtrap(x (mV), y (mV)) (1) {
    : x / (exp(x/y) - 1) / (1 mV), continuous at x = 0
    if (fabs(x/y) < 1e-6) {
        vtrap = (y*(1 - x/y/2))/(1 (mV))
    } else {
        vtrap = (x/(exp(x/y) - 1))/(1 (mV))
    }
}
