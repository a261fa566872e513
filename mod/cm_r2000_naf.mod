TITLE cm_r2000_naf: fast Na+ channel of the Richardson-McIntyre-Grill 2000 mammalian node

COMMENT
Richardson AG, McIntyre CC & Grill WM (2000) Med Biol Eng Comput 38:438-446, nodal
fast Na+ current, with the rate constants as used by Arancibia-Carcamo IL et al. (2017)
eLife 6:e23329 for rat CNS axons (authors' model files, AttwellLab/MyelinatedAxonModel,
Richardson2000FastNa.m):

    I_Naf   = gnabar m^3 h (V - E_Na),  gnabar = 3 S/cm2 (30 mS/mm2),  E_Na = 50 mV
    alpha_m = 1.86 (V + 25.4) / (1 - exp(-(V + 25.4)/10.3))
    beta_m  = 0.086 (-(V + 29.7)) / (1 - exp((V + 29.7)/9.16))
    alpha_h = 0.0336 (-(V + 118)) / (1 - exp((V + 118)/11))
    beta_h  = 2.3 / (1 + exp(-(V + 35.8)/13.4))                      (/ms, V in mV)

Rates hold at tref = 20 degC and scale by q10m = 2.2 (m) and q10h = 2.9 (h) to the
power (celsius - tref)/10. Compared with cm_mrg_naf (MRG 2002) the curves sit 4 mV
more depolarised and alpha_h is smaller. Booked to the na ion; STATE qna integrates
the charge per area (uC/cm2, inward negative).
ENDCOMMENT

NEURON {
    SUFFIX cm_r2000_naf
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
    am = qm*1.86 (/ms) * vtrap(-(v + 25.4 (mV)), 10.3 (mV))
    bm = qm*0.086 (/ms) * vtrap(v + 29.7 (mV), 9.16 (mV))
    ah = qh*0.0336 (/ms) * vtrap(v + 118 (mV), 11 (mV))
    bh = qh*2.3 (/ms) / (1 + exp(-(v + 35.8 (mV))/(13.4 (mV))))
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
