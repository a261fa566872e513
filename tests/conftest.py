"""Shared fixtures: mechanisms are loaded once; no test may leak NEURON sections."""

from __future__ import annotations

import gc
import os
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def h():
    """NEURON's ``h`` with cablemodels' mechanisms and the standard run system loaded."""
    from cablemodels import mechanisms

    mechanisms.load()
    from neuron import h as hoc

    hoc.load_file("stdrun.hoc")
    return hoc


class LeakedSectionsWarning(UserWarning):
    """Sections a failed test left behind (deleted by the cleanup fixture)."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so that the cleanup fixture knows
    whether the test itself failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(autouse=True)
def no_leaked_sections(request):
    """Delete every section after each test and fail the test if any was left behind.

    A test that failed (or whose setup failed) usually leaks the sections it was
    building when it stopped; those are still deleted, but reported as a section on
    the test's own report ("leaked sections (deleted)") instead of a second ERROR
    that would hide or duplicate the real failure. Only a test that passed fails
    for a leak.

    Also returns NEURON's run globals to their defaults (fixed step, implicit Euler,
    dt 25 us, 6.3 degC), so no test inherits another's integrator: a Crank-Nicolson
    setting left by one test made a voltage-clamp test ring in another.
    """
    yield
    if "neuron" not in sys.modules:
        return
    from neuron import h as hoc

    hoc.load_file("stdrun.hoc")  # defines steps_per_ms, which the reset below sets
    hoc.CVode().active(0)
    hoc.CVode().use_local_dt(0)
    hoc.secondorder = 0
    hoc.dt = 0.025
    hoc.steps_per_ms = 40.0
    hoc.celsius = 6.3
    gc.collect()
    leaked = [sec.name() for sec in hoc.allsec()]
    for sec in list(hoc.allsec()):
        hoc.delete_section(sec=sec)
    if not leaked:
        return
    message = f"test leaked NEURON sections: {leaked[:10]}" + (
        f" and {len(leaked) - 10} more" if len(leaked) > 10 else "")
    failed = any(getattr(getattr(request.node, f"report_{when}", None), "failed", False)
                 for when in ("setup", "call"))
    if failed:
        note = f"{message}; deleted (not reported as an error: the test itself failed)"
        request.node.add_report_section("teardown", "leaked sections", note)
        warnings.warn(note, LeakedSectionsWarning, stacklevel=1)
        return
    raise AssertionError(message)


#: A user's own Na+ and K+ channels, written the way labs write them (no charge
#: counter), compiled by the test. Kinetics: HH 1952 rates shifted 5 mV depolarised and
#: without a temperature factor, so they differ from every shipped mechanism.
USER_MOD = {
    "usrna.mod": """
        NEURON {
            SUFFIX usrna
            USEION na READ ena WRITE ina
            RANGE gnabar, ina
        }
        UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
        PARAMETER { gnabar = 0.12 (S/cm2) }
        ASSIGNED { v (mV) ena (mV) ina (mA/cm2) minf hinf mtau (ms) htau (ms) }
        STATE { m h }
        INITIAL { rates(v) m = minf h = hinf }
        BREAKPOINT {
            SOLVE states METHOD cnexp
            ina = gnabar*m*m*m*h*(v - ena)
        }
        DERIVATIVE states {
            rates(v)
            m' = (minf - m)/mtau
            h' = (hinf - h)/htau
        }
        PROCEDURE rates(v (mV)) {
            LOCAL am, bm, ah, bh, u
            UNITSOFF
            u = v - 5
            am = 0.1*(u + 40)/(1 - exp(-(u + 40)/10))
            bm = 4*exp(-(u + 65)/18)
            ah = 0.07*exp(-(u + 65)/20)
            bh = 1/(1 + exp(-(u + 35)/10))
            UNITSON
            minf = am/(am + bm)
            mtau = 1/(am + bm)
            hinf = ah/(ah + bh)
            htau = 1/(ah + bh)
        }
    """,
    "usrk.mod": """
        NEURON {
            SUFFIX usrk
            USEION k READ ek WRITE ik
            RANGE gkbar, ik
        }
        UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
        PARAMETER { gkbar = 0.036 (S/cm2) }
        ASSIGNED { v (mV) ek (mV) ik (mA/cm2) ninf ntau (ms) }
        STATE { n }
        INITIAL { rates(v) n = ninf }
        BREAKPOINT {
            SOLVE states METHOD cnexp
            ik = gkbar*n*n*n*n*(v - ek)
        }
        DERIVATIVE states {
            rates(v)
            n' = (ninf - n)/ntau
        }
        PROCEDURE rates(v (mV)) {
            LOCAL an, bn, u
            UNITSOFF
            u = v - 5
            an = 0.01*(u + 55)/(1 - exp(-(u + 55)/10))
            bn = 0.125*exp(-(u + 65)/80)
            UNITSON
            ninf = an/(an + bn)
            ntau = 1/(an + bn)
        }
    """,
}


@pytest.fixture(scope="session")
def user_mechanisms(tmp_path_factory, h):
    """Compile USER_MOD with nrnivmodl (through our cache machinery, in a private cache)
    and load the library beside ours."""
    folder = tmp_path_factory.mktemp("user_mod")
    for name, text in USER_MOD.items():
        (folder / name).write_text(textwrap.dedent(text))
    from cablemodels import mechanisms

    info = mechanisms.build(mod_dir=folder, root=tmp_path_factory.mktemp("user_cache"))
    h.nrn_load_dll(str(info.library))
    return ("usrna", "usrk")
