TITLE cm_na_wb: fast Na+ channel of the Wang-Buzsaki hippocampal interneuron model

COMMENT
Wang X-J & Buzsaki G (1996) J Neurosci 16:6402-6413, equations 2-4:

    I_Na    = gnabar m_inf^3 h (V - E_Na),  gnabar = 35 mS/cm2
    alpha_m = 0.1 (V + 35) / (1 - exp(-(V + 35)/10))    beta_m = 4 exp(-(V + 60)/18)
    alpha_h = 0.07 exp(-(V + 58)/20)                    beta_h = 1 / (1 + exp(-(V + 28)/10))
    dh/dt   = phi (alpha_h (1 - h) - beta_h h),  phi = 5

Activation is instantaneous (m = m_inf), as in the paper. The paper gives phi = 5
as its temperature factor without a temperature; we take the published kinetics
to hold at tref = 37 degC (the model describes mammalian interneurons) and scale
phi by q10^((celsius - tref)/10) with q10 = 3 elsewhere (an assumption, stated
here and in the parameter table).
Cumulative Na+ charge per area: STATE qna (uC/cm2, inward negative).
ENDCOMMENT

NEURON {
    SUFFIX cm_na_wb
    USEION na READ ena WRITE ina
    RANGE gnabar, gna, ina
    GLOBAL phi, q10, tref, minf, hinf, htau
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
    (uC) = (microcoulomb)
}

PARAMETER {
    gnabar = 0.035 (S/cm2) <0, 1e9>
    phi = 5 (1) <1e-9, 1e9>
    q10 = 3 (1) <1e-3, 100>
    tref = 37 (degC)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ena (mV)
    ina (mA/cm2)
    gna (S/cm2)
    minf (1)
    hinf (1)
    htau (ms)
}

STATE {
    h
    qna (uC/cm2)
}

INITIAL {
    rates(v)
    h = hinf
    qna = 0
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    rates(v)
    gna = gnabar*minf*minf*minf*h
    ina = gna*(v - ena)
    CONDUCTANCE gna USEION na
}

DERIVATIVE states {
    rates(v)
    h' = (hinf - h)/htau
    qna' = ina
}

PROCEDURE rates(v (mV)) {
    LOCAL am, bm, ah, bh, qt
    TABLE minf, hinf, htau DEPEND celsius, phi, q10, tref FROM -100 TO 100 WITH 400
    qt = phi*q10^((celsius - tref)/(10 (degC)))
    am = 0.1 (/ms) * vtrap(-(v + 35 (mV)), 10 (mV))
    bm = 4 (/ms) * exp(-(v + 60 (mV))/(18 (mV)))
    ah = 0.07 (/ms) * exp(-(v + 58 (mV))/(20 (mV)))
    bh = 1 (/ms) / (1 + exp(-(v + 28 (mV))/(10 (mV))))
    minf = am/(am + bm)
    hinf = ah/(ah + bh)
    htau = 1/(qt*(ah + bh))
}

FUNCTION vtrap(x (mV), y (mV)) (1) {
    : x / (exp(x/y) - 1) / (1 mV), continuous at x = 0
    if (fabs(x/y) < 1e-6) {
        vtrap = (y*(1 - x/y/2))/(1 (mV))
    } else {
        vtrap = (x/(exp(x/y) - 1))/(1 (mV))
    }
}
