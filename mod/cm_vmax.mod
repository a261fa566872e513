TITLE cm_vmax: running maximum of the membrane potential

COMMENT
Records the largest membrane potential seen since finitialize, and the time
it was reached (tmax), so that energy accounting can read each segment's spike
peak and its time without recording
voltage traces (a Vector per segment costs more than the simulation itself on
a 1,000-segment axon; benchmarks/RESULTS.md). Carries no current and does not
change the model. Under CVODE the maximum is taken over the states NEURON
evaluates, which include Jacobian probes 0.001 mV away.
ENDCOMMENT

NEURON {
    SUFFIX cm_vmax
    RANGE vmax, tmax
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
}

ASSIGNED {
    v (mV)
    vmax (mV)
    tmax (ms)
}

INITIAL {
    vmax = v
    tmax = t
}

BREAKPOINT {
    if (v > vmax) {
        vmax = v
        tmax = t
    }
}
