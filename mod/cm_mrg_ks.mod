TITLE cm_mrg_ks: slow K+ channel of the MRG mammalian motor-fibre node

COMMENT
McIntyre CC, Richardson AG & Grill WM (2002) J Neurophysiol 87:995-1006, Appendix
(nodal slow K+ current), rate constants of the authors' published model
(ModelDB 3810, AXNODE.mod), written there in Traub's convention V2 = V + 80 mV:

    I_Ks    = gkbar s (V - E_K),  gkbar = 0.08 S/cm2,  E_K = -90 mV (published)
    alpha_s = 0.3 / (1 + exp((V2 - 27)/(-5)))  = 0.3 / (1 + exp(-(V + 53)/5))
    beta_s  = 0.03 / (1 + exp((V2 + 10)/(-1))) = 0.03 / (1 + exp(-(V + 90)/1))   (/ms)

Temperature: rates at tref = 36 degC scaled by q10 = 3 to the power
(celsius - tref)/10, as in the paper. Booked to the k ion (the published mechanism
uses NONSPECIFIC_CURRENT); STATE qk integrates its charge per area (uC/cm2).
ENDCOMMENT

NEURON {
    SUFFIX cm_mrg_ks
    USEION k READ ek WRITE ik
    RANGE gkbar, gk, ik
    GLOBAL q10, tref, sinf, stau
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
    tref = 36 (degC)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ek (mV)
    ik (mA/cm2)
    gk (S/cm2)
    sinf (1)
    stau (ms)
}

STATE {
    s
    qk (uC/cm2)
}

INITIAL {
    rates(v)
    s = sinf
    qk = 0
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gk = gkbar*s
    ik = gk*(v - ek)
    CONDUCTANCE gk USEION k
}

DERIVATIVE states {
    rates(v)
    s' = (sinf - s)/stau
    qk' = ik
}

PROCEDURE rates(v (mV)) {
    LOCAL a, b, qt
    qt = q10^((celsius - tref)/(10 (degC)))
    a = qt*0.3 (/ms) / (1 + exp(-(v + 53 (mV))/(5 (mV))))
    b = qt*0.03 (/ms) / (1 + exp(-(v + 90 (mV))/(1 (mV))))
    sinf = a/(a + b)
    stau = 1/(a + b)
}
