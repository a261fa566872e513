TITLE cm_count_ca: time integral of a segment's total Ca2+ current, whatever carries it

COMMENT
Reads the ion's total current density ica (NEURON sums into it the
contributions of every mechanism that writes ica in the segment: our channels,
NEURON's own hh, users' mechanisms, point processes per unit area) and integrates
it as a STATE:

    dq/dt = ica,   q(0) = 0 at finitialize

so q (uC/cm2; 1 mA/cm2 x 1 ms = 1 uC/cm2) is the Ca2+ charge that has crossed
the membrane since initialisation, outward positive, as NEURON's current sign.
Because q is a STATE, NEURON integrates it with the same method as the model
(implicit Euler, Crank-Nicolson or CVODE), so no per-step Python or recorded
trace is needed. cablemodels.energy inserts it where it measures and compares it
with the per-channel counters (qna, qk) to find current that no counter
attributes. It carries no current and changes nothing in the model.
ENDCOMMENT

NEURON {
    SUFFIX cm_count_ca
    USEION ca READ ica
    RANGE q
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (uC) = (microcoulomb)
}

ASSIGNED {
    ica (mA/cm2)
}

STATE {
    q (uC/cm2)
}

INITIAL {
    q = 0
}

BREAKPOINT {
    SOLVE integrate METHOD cnexp
}

DERIVATIVE integrate {
    q' = ica
}
