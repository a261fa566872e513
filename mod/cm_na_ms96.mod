TITLE cm_na_ms96: mammalian fast Na+ channel (Mainen & Sejnowski 1996 kinetics)

COMMENT
Fast-inactivating Na+ channel of mammalian cortical neurons, kinetics of
Mainen ZF & Sejnowski TJ (1996) Nature 382:363-366 (ModelDB 2488, na.mod), also
used for axon and nodes in Mainen et al. 1995 Neuron 15:1427. Rates at the
reference temperature tref = 23 degC, scaled with q10 = 2.3 (both from that model):

    trap(V, th, a, q) = a (V - th) / (1 - exp(-(V - th)/q))
    alpha_m = trap(V, -35, 0.182, 9)     beta_m = trap(-V, 35, 0.124, 9)
    alpha_h = trap(V, -50, 0.024, 5)     beta_h = trap(-V, 75, 0.0091, 5)
    h_inf   = 1 / (1 + exp((V + 65)/6.2))
    tau_x   = 1 / (qt (alpha_x + beta_x)),  m_inf = alpha_m / (alpha_m + beta_m)
    I_Na    = tadj gnabar m^3 h (v - E_Na)   (v unshifted)

where V = v + vshift: the rates are evaluated at the membrane potential plus
vshift, exactly as the published mechanism calls trates(v+vshift); demofig1.hoc
sets vshift_na = -5 mV, so alpha_m = 0.182 (v + 30)/(1 - exp(-(v + 30)/9)), as
the paper's correction note in demofig1.hoc writes it.

Temperature: qt = q10^((celsius - tref)/10) divides the time constants and, as
in the published file, also multiplies the conductance when tadj_gbar = 1
(Mainen's heuristic, explained in the published na.mod: the effective density at
37 degC is 3.21 gnabar). tadj_gbar = 0 drops that factor (a declared departure,
cablemodels.biophysics.DEPARTURES["ms96_no_tadj"]). The model was designed for
37 degC only (published na.mod, "Special comment").

Changes from the published file that do not change its numbers: conductance in
S/cm2 instead of pS/um2 (1 S/cm2 = 1e4 pS/um2); the tadj factor is a RANGE
variable set at INITIAL (the published one is a GLOBAL set at INITIAL and in
rates); the rate table spans -100..100 mV in 400 steps (published: -120..100 in
199); the cumulative Na+ charge per area is the STATE qna (uC/cm2, inward
negative). Checked against the published na.mod run in NEURON:
tests/test_published_models.py.
ENDCOMMENT

NEURON {
    SUFFIX cm_na_ms96
    USEION na READ ena WRITE ina
    RANGE gnabar, gna, ina, tadj_gbar, tadj
    GLOBAL q10, tref, vshift, minf, hinf, mtau, htau
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
    (uC) = (microcoulomb)
}

PARAMETER {
    gnabar = 0.1 (S/cm2) <0, 1e9>
    q10 = 2.3 (1) <1e-3, 100>
    tref = 23 (degC)
    vshift = -5 (mV)
    tadj_gbar = 1 (1) <0, 1>
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
    tadj (1)
}

STATE {
    m
    h
    qna (uC/cm2)
}

INITIAL {
    tadj = 1 + tadj_gbar*(q10^((celsius - tref)/(10 (degC))) - 1)
    rates(v)
    m = minf
    h = hinf
    qna = 0
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gna = tadj*gnabar*m*m*m*h
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
    LOCAL am, bm, ah, bh, qt, vm
    TABLE minf, mtau, hinf, htau DEPEND celsius, q10, tref, vshift FROM -100 TO 100 WITH 400
    qt = q10^((celsius - tref)/(10 (degC)))
    vm = v + vshift
    am = trap(vm, -35 (mV), 0.182 (/ms-mV), 9 (mV))
    bm = trap(-vm, 35 (mV), 0.124 (/ms-mV), 9 (mV))
    ah = trap(vm, -50 (mV), 0.024 (/ms-mV), 5 (mV))
    bh = trap(-vm, 75 (mV), 0.0091 (/ms-mV), 5 (mV))
    mtau = 1/(qt*(am + bm))
    minf = am/(am + bm)
    htau = 1/(qt*(ah + bh))
    hinf = 1/(1 + exp((vm + 65 (mV))/(6.2 (mV))))
}

FUNCTION trap(x (mV), th (mV), a (/ms-mV), q (mV)) (/ms) {
    : a (x - th) / (1 - exp(-(x - th)/q)), continuous at x = th
    if (fabs((x - th)/q) < 1e-6) {
        trap = a*q*(1 + (x - th)/q/2)
    } else {
        trap = a*(x - th)/(1 - exp(-(x - th)/q))
    }
}
