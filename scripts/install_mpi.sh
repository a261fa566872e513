#!/usr/bin/env bash
# Make an MPI implementation available for the MPI sweep test (tests/test_sweep.py).
# NEURON's PyPI wheel loads libmpi dynamically, so only the runtime is needed
# (MPICH from Debian's archive; mpi4py is not needed). Never fails: where MPI cannot
# be installed (not root, no apt-get, no network) it says so and the test skips,
# naming the reason.
set -u
# MPICH specifically: cablemodels.sweep loads libmpich when it is there, and the tests
# launch with mpiexec.mpich (Open MPI's mpiexec cannot start MPICH processes).
if command -v mpiexec.mpich >/dev/null 2>&1 || \
        { command -v mpiexec >/dev/null 2>&1 && ! command -v mpiexec.openmpi >/dev/null 2>&1; }; then
    echo "install_mpi: $(command -v mpiexec.mpich || command -v mpiexec) present"
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "install_mpi: installing MPICH with apt-get"
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends mpich >/dev/null; then
        echo "install_mpi: $(command -v mpiexec) installed"
        exit 0
    fi
fi
echo "install_mpi: WARNING could not install MPI (needs root and apt-get);" \
     "the MPI sweep test will be skipped"
exit 0
