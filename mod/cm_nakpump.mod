TITLE cm_nakpump: electrogenic Na+/K+-ATPase, 3 Na+ out and 2 K+ in per ATP

COMMENT
Stoichiometry 3 Na+ : 2 K+ : 1 ATP (Skou 1957 Biochim Biophys Acta 23:394; Post &
Jolly 1957 Biochim Biophys Acta 25:118), so every cycle moves one net positive
charge outward and the pump current equals F times the ATP turnover rate.

Turnover saturates with intracellular Na+ and extracellular K+ with the
Hill-type form used by Kager, Wadman & Somjen 2000 J Neurophysiol 84:495, eq. 3
(after Lauger 1991, Electrogenic Ion Pumps):

    ipump = (1 - block) imax (1 + km_k/[K]o)^-2 (1 + km_na/[Na]i)^-3
    km_k = 3.5 mM,  km_na = 10 mM

    ina = 3 ipump (outward),  ik = -2 ipump (inward),  net current = ipump

block is the fraction of pumps inhibited (0: none, 1: full ouabain block).
atp_rate is the ATP hydrolysis rate per membrane area (pmol/cm2/ms) and the
STATE atp its time integral (pmol/cm2), integrated by NEURON under fixed step
and CVODE alike. imax defaults to 0; builders set it from the resting balance
(cablemodels/energy.py) or from a cited density.

The turnover does not depend on voltage, so dI/dV = 0 is given to NEURON as the
CONDUCTANCE of both currents (gv); without it NEURON would evaluate BREAKPOINT a
second time per step to find that slope by a difference quotient.
ENDCOMMENT

NEURON {
    SUFFIX cm_nakpump
    USEION na READ nai WRITE ina
    USEION k READ ko WRITE ik
    RANGE imax, block, ipump, atp_rate, ina, ik
    GLOBAL km_na, km_k
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    (mol) = (1)
    (pmol) = (picomol)
    (S) = (siemens)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    imax = 0 (mA/cm2) <0, 1e9>
    block = 0 (1) <0, 1>
    km_na = 10 (mM) <1e-9, 1e9>
    km_k = 3.5 (mM) <1e-9, 1e9>
}

ASSIGNED {
    v (mV)
    nai (mM)
    ko (mM)
    ina (mA/cm2)
    ik (mA/cm2)
    ipump (mA/cm2)
    atp_rate (pmol/cm2-ms)
    gv (S/cm2)
}

STATE {
    atp (pmol/cm2)
}

INITIAL {
    atp = 0
    gv = 0
    turnover()
}

BREAKPOINT {
    SOLVE counters METHOD cnexp
    turnover()
    ina = 3*ipump
    ik = -2*ipump
    CONDUCTANCE gv USEION na
    CONDUCTANCE gv USEION k
}

DERIVATIVE counters {
    turnover()
    atp' = atp_rate
}

PROCEDURE turnover() {
    LOCAL a, b
    : products instead of ^2 and ^3: NEURON's ^ is a pow() call, twice per step
    a = 1 + km_k/ko
    b = 1 + km_na/nai
    ipump = (1 - block)*imax/(a*a*b*b*b)
    atp_rate = (1e6)*ipump/FARADAY
}
