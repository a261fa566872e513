TITLE cm_accum: intracellular Na+ and K+ accumulation from membrane fluxes

COMMENT
Well-mixed intracellular Na+ and K+ in each segment, changed by the total
transmembrane Na+ and K+ currents of all mechanisms (charge conservation,
Faraday's law):

    d[Na]i/dt = -ina / (F * vs),   d[K]i/dt = -ik / (F * vs)

vs is the segment's volume-to-surface ratio. By default it is diam/4, exact for
the lateral membrane of a cylinder (volume pi d^2 L/4 over area pi d L). Set
vs_um > 0 to override it (for a sphere of diameter d, vs = d/6).
Reversal potentials follow the concentrations: NEURON recomputes ena and ek
from the Nernst equation whenever a mechanism writes the concentrations.
Each finitialize restarts from the segment's own nai_init and ki_init (RANGE),
so repeated runs do not inherit a previous run's concentrations and cells with
different ion sets can share a process.
ENDCOMMENT

NEURON {
    SUFFIX cm_accum
    USEION na READ ina WRITE nai
    USEION k READ ik WRITE ki
    RANGE vs_um, vs, nai_init, ki_init
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    vs_um = 0 (um) <0, 1e9>
    nai_init = 12 (mM) <0, 1e9>
    ki_init = 140 (mM) <0, 1e9>
}

ASSIGNED {
    diam (um)
    ina (mA/cm2)
    ik (mA/cm2)
    vs (um)
}

STATE {
    nai (mM)
    ki (mM)
}

INITIAL {
    geometry()
    nai = nai_init
    ki = ki_init
}

BREAKPOINT {
    SOLVE conc METHOD cnexp
}

DERIVATIVE conc {
    geometry()
    nai' = -(1e4)*ina/(FARADAY*vs)
    ki' = -(1e4)*ik/(FARADAY*vs)
}

PROCEDURE geometry() {
    if (vs_um > 0) {
        vs = vs_um
    } else {
        vs = diam/4
    }
}
