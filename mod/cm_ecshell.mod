TITLE cm_ecshell: extracellular Na+ and K+ in a thin periaxonal shell that relaxes to the bath

COMMENT
Frankenhaeuser-Hodgkin space: a thin extracellular shell of depth depth_um around
the membrane where ions leaving or entering the cell accumulate, exchanging with
the bath with time constant tau_ms (Frankenhaeuser & Hodgkin 1956 J Physiol
131:341, who fitted a space about 30 nm thick outside the squid axon):

    d[K]o/dt  = ik  / (F * depth) - ([K]o  - [K]bath)  / tau
    d[Na]o/dt = ina / (F * depth) - ([Na]o - [Na]bath) / tau

Each finitialize sets the shell to nao_init and ko_init (RANGE), which are also
the bath concentrations. sealed = 1 closes the shell (no exchange with the bath), which
makes the cell plus shell a closed system for conservation tests.
The shell's curvature is neglected (depth much smaller than the diameter).
METHOD derivimplicit, not cnexp: with sealed = 1 the relaxation coefficient is
exactly 0 and cnexp's closed-form update divides by it (NaN on the first step).
ENDCOMMENT

NEURON {
    SUFFIX cm_ecshell
    USEION na READ ina WRITE nao
    USEION k READ ik WRITE ko
    RANGE depth_um, tau_ms, sealed, nao_init, ko_init
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    depth_um = 0.03 (um) <1e-9, 1e9>
    tau_ms = 100 (ms) <1e-9, 1e12>
    sealed = 0 (1) <0, 1>
    nao_init = 145 (mM) <0, 1e9>
    ko_init = 5 (mM) <0, 1e9>
}

ASSIGNED {
    ina (mA/cm2)
    ik (mA/cm2)
}

STATE {
    nao (mM)
    ko (mM)
}

INITIAL {
    nao = nao_init
    ko = ko_init
}

BREAKPOINT {
    SOLVE conc METHOD derivimplicit
}

DERIVATIVE conc {
    nao' = (1e4)*ina/(FARADAY*depth_um) - (1 - sealed)*(nao - nao_init)/tau_ms
    ko' = (1e4)*ik/(FARADAY*depth_um) - (1 - sealed)*(ko - ko_init)/tau_ms
}
