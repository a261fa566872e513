"""The how-to pages' code runs as written and prints what the pages say.

Each test takes the fenced code blocks from the page itself, so a page cannot drift
from the code. The NetPyNE and LFPy checks run only where those packages are installed
(they are not cablemodels dependencies; the page names the versions it was run with).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
HOWTO = REPO / "docs" / "howto"


def blocks(page: Path, lang: str) -> list[str]:
    """Fenced code blocks of ``page`` tagged ``lang``."""
    return [m.group(1) for m in re.finditer(rf"^```{lang}\n(.*?)^```", page.read_text(),
                                             re.S | re.M)]


def run_python(code: str, cwd: Path) -> str:
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_own_mechanism_page_runs(tmp_path):
    """Compile the page's .mod file with nrnivmodl, run its script: the resting
    potentials printed agree with the page to 0.01 mV (an added K+ leak must pull the
    rest towards E_K, about -89 mV at 37 degC with 5/140 mM K+)."""
    page = HOWTO / "own-mechanisms.md"
    (mod,) = blocks(page, "nmodl")
    (script,) = blocks(page, "python")
    (tmp_path / "mymods").mkdir()
    (tmp_path / "mymods" / "my_kleak.mod").write_text(mod)
    nrnivmodl = Path(sys.executable).parent / "nrnivmodl"
    proc = subprocess.run([str(nrnivmodl)], cwd=tmp_path / "mymods", capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = run_python(script, tmp_path)
    got = [float(x) for x in re.findall(r"(-?\d+\.\d+) mV", out)]
    want = [float(x) for x in re.findall(r"rest (-?\d+\.\d+) mV -> (-?\d+\.\d+) mV",
                                         page.read_text())[0]]
    assert got == pytest.approx(want, abs=0.01), out
    assert -89.0 < got[1] < got[0]


@pytest.mark.skipif(importlib.util.find_spec("netpyne") is None, reason="NetPyNE not installed")
def test_netpyne_page_runs(tmp_path):
    """The page's two blocks: NetPyNE runs the exported template at 37 degC (taken from
    the template's globals) and records the same voltage as the template run directly in
    NEURON with the same stimulus and integrator (a separate process, sample for sample)."""
    export, netpyne_script = blocks(HOWTO / "netpyne-lfpy.md", "python")[:2]
    run_python(export, tmp_path)
    check = ("\nimport numpy as np\n"
             "assert sim.cfg.hParams['celsius'] == 37.0\n"
             "np.save('netpyne_v75.npy', np.asarray(list(sim.allSimData['v75']['cell_0'])))\n")
    run_python(netpyne_script + check, tmp_path)
    direct = """
import numpy as np
from cablemodels import mechanisms
mechanisms.load()
from neuron import h
h.load_file("stdrun.hoc")
h.load_file("c_fibre.hoc")
cell = h.CFibre()
assert h.celsius == 37.0
stim = h.IClamp(cell.axon[0](0.0))
stim.delay, stim.dur, stim.amp = 1, 0.5, 0.2
v = h.Vector().record(cell.axon[0](0.75)._ref_v)
h.dt, h.steps_per_ms = 0.01, 100
h.finitialize(-63.8477676605865)
h.continuerun(10.0)
np.save("direct_v75.npy", v.as_numpy())
"""
    run_python(direct, tmp_path)
    import numpy as np

    ours, theirs = np.load(tmp_path / "netpyne_v75.npy"), np.load(tmp_path / "direct_v75.npy")
    assert ours.max() > 0.0, "the pulse should start a spike that reaches 75% of the axon"
    assert len(ours) == len(theirs)
    assert np.abs(ours - theirs).max() == 0.0


@pytest.mark.skipif(importlib.util.find_spec("LFPy") is None, reason="LFPy not installed")
def test_lfpy_page_runs(tmp_path):
    """The soma fires, the LFP is tens of uV, and LFPy's membrane currents sum to the
    injected current (charge conservation) to 1e-3 nA of the 1 nA pulse."""
    script = blocks(HOWTO / "netpyne-lfpy.md", "python")[2]
    check = ("\nassert cell.vmem[0].max() > 0\n"
             "assert 10 < np.ptp(electrode.data) * 1e3 < 1000\n"
             "assert np.abs(cell.imem.sum(axis=0) - stim.i).max() < 1e-3\n")
    out = run_python(script + check, tmp_path)
    peak, lfp_uV = (float(x) for x in out.split()[-2:])
    assert peak == pytest.approx(44, abs=2) and lfp_uV == pytest.approx(61, rel=0.1)


def test_myelin_page_example_runs(tmp_path):
    """docs/myelin.md's example on the user's own axons runs as written: the three
    factors multiply to the ratio, the equal-velocity axon and a break-even rate exist."""
    (code,) = blocks(REPO / "docs" / "myelin.md", "python")
    out = run_python(code + "\nprint('CHECK', round(parts['product'] / parts['ratio'], 3), "
                     "same_speed['diameter_um'] > 1, found['myelin_cheaper'], "
                     "found['rate_hz'] > 0)\n", tmp_path)
    assert "CHECK 1.0 True above True" in out
