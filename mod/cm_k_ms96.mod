TITLE cm_k_ms96: mammalian delayed-rectifier K+ channel (Mainen & Sejnowski 1996 kinetics)

COMMENT
Delayed-rectifier K+ channel of mammalian cortical neurons, kinetics of
Mainen ZF & Sejnowski TJ (1996) Nature 382:363-366 (ModelDB 2488, kv.mod).
Rates at the reference temperature tref = 23 degC, scaled with q10 = 2.3:

    alpha_n = 0.02 (V - 25) / (1 - exp(-(V - 25)/9))
    beta_n  = -0.002 (V - 25) / (1 - exp((V - 25)/9))
    tau_n   = 1 / (qt (alpha_n + beta_n)),  n_inf = alpha_n / (alpha_n + beta_n)
    I_K     = tadj gkbar n (V - E_K)

The rates are evaluated at v itself (the published kv.mod has no vshift).

Temperature: qt = q10^((celsius - tref)/10) divides the time constant and, as in
the published file, also multiplies the conductance when tadj_gbar = 1 (the
effective density at 37 degC is 3.21 gkbar); tadj_gbar = 0 drops that factor (a
declared departure, cablemodels.biophysics.DEPARTURES["ms96_no_tadj"]).

Changes from the published file that do not change its numbers: conductance in
S/cm2 instead of pS/um2; tadj is a RANGE variable set at INITIAL; the rate table
spans -100..100 mV in 400 steps; the cumulative K+ charge per area is the STATE
qk (uC/cm2, outward positive). Checked against the published kv.mod run in
NEURON: tests/test_published_models.py.
ENDCOMMENT

NEURON {
    SUFFIX cm_k_ms96
    USEION k READ ek WRITE ik
    RANGE gkbar, gk, ik, tadj_gbar, tadj
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
    gkbar = 0.02 (S/cm2) <0, 1e9>
    q10 = 2.3 (1) <1e-3, 100>
    tref = 23 (degC)
    tadj_gbar = 1 (1) <0, 1>
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ek (mV)
    ik (mA/cm2)
    gk (S/cm2)
    ninf (1)
    ntau (ms)
    tadj (1)
}

STATE {
    n
    qk (uC/cm2)
}

INITIAL {
    tadj = 1 + tadj_gbar*(q10^((celsius - tref)/(10 (degC))) - 1)
    rates(v)
    n = ninf
    qk = 0
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gk = tadj*gkbar*n
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
    TABLE ninf, ntau DEPEND celsius, q10, tref FROM -100 TO 100 WITH 400
    qt = q10^((celsius - tref)/(10 (degC)))
    an = trap(v, 25 (mV), 0.02 (/ms-mV), 9 (mV))
    bn = trap(-v, -25 (mV), 0.002 (/ms-mV), 9 (mV))
    ntau = 1/(qt*(an + bn))
    ninf = an/(an + bn)
}

FUNCTION trap(x (mV), th (mV), a (/ms-mV), q (mV)) (/ms) {
    : a (x - th) / (1 - exp(-(x - th)/q)), continuous at x = th
    if (fabs((x - th)/q) < 1e-6) {
        trap = a*q*(1 + (x - th)/q/2)
    } else {
        trap = a*(x - th)/(1 - exp(-(x - th)/q))
    }
}
