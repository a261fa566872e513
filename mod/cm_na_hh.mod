TITLE cm_na_hh: Hodgkin-Huxley squid Na+ channel with explicit Q10

COMMENT
Squid giant axon Na+ conductance, Hodgkin & Huxley 1952 J Physiol 117:500-544,
equations 7, 20-23 and Table 3, rewritten for the modern sign convention with the
resting potential at -65 mV (the form of NEURON's own hh.mod):

    alpha_m = 0.1 (V + 40) / (1 - exp(-(V + 40)/10))    /ms
    beta_m  = 4 exp(-(V + 65)/18)                       /ms
    alpha_h = 0.07 exp(-(V + 65)/20)                    /ms
    beta_h  = 1 / (1 + exp(-(V + 35)/10))               /ms
    I_Na    = gnabar m^3 h (V - E_Na),  gnabar = 0.120 S/cm2

Rates were measured at 6.3 degC; they scale by q10^((celsius - tref)/10) with
q10 = 3 and tref = 6.3 degC (Hodgkin & Huxley 1952, p. 519). The kinetics are
valid roughly between 6.3 and 18.5 degC (the temperatures of the 1952 data).

The cumulative Na+ charge through this channel per membrane area is the STATE
qna (uC/cm2, inward negative).
ENDCOMMENT

NEURON {
    SUFFIX cm_na_hh
    USEION na READ ena WRITE ina
    RANGE gnabar, gna, ina
    GLOBAL q10, tref, minf, hinf, mtau, htau
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
    (uC) = (microcoulomb)
}

PARAMETER {
    gnabar = 0.120 (S/cm2) <0, 1e9>
    q10 = 3 (1) <1e-3, 100>
    tref = 6.3 (degC)
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
    LOCAL am, bm, ah, bh, qt
    TABLE minf, mtau, hinf, htau DEPEND celsius, q10, tref FROM -100 TO 100 WITH 200
    qt = q10^((celsius - tref)/(10 (degC)))
    am = 0.1 (/ms) * vtrap(-(v + 40 (mV)), 10 (mV))
    bm = 4 (/ms) * exp(-(v + 65 (mV))/(18 (mV)))
    ah = 0.07 (/ms) * exp(-(v + 65 (mV))/(20 (mV)))
    bh = 1 (/ms) / (1 + exp(-(v + 35 (mV))/(10 (mV))))
    mtau = 1/(qt*(am + bm))
    minf = am/(am + bm)
    htau = 1/(qt*(ah + bh))
    hinf = ah/(ah + bh)
}

FUNCTION vtrap(x (mV), y (mV)) (1) {
    : x / (exp(x/y) - 1) / (1 mV), continuous at x = 0
    if (fabs(x/y) < 1e-6) {
        vtrap = (y*(1 - x/y/2))/(1 (mV))
    } else {
        vtrap = (x/(exp(x/y) - 1))/(1 (mV))
    }
}
