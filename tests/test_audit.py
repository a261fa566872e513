"""Energy audit of any NEURON model (issue 15).

References: trapezoid integration of NEURON's own recorded total ion currents
(independent of the counters), energy.ap_energy on the same cell, and NEURON's
segment areas.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from cablemodels import audit as A
from cablemodels import energy as E
from cablemodels import simulation as sim
from cablemodels.axon import UnmyelinatedAxonParams, build_unmyelinated_axon

#: A cell written the way labs write hoc: a template, NEURON's hh in the soma, a
#: user's own channels (tests/conftest.py USER_MOD) in the dendrite, pas everywhere,
#: a current step, the standard run system.
HOC_CELL = """
begintemplate LabCell
public soma, dend, all
create soma, dend[2]
objref all
proc init() {
    all = new SectionList()
    soma { L = 20  diam = 20  nseg = 1  insert hh  all.append() }
    for i = 0, 1 dend[i] {
        L = 200  diam = 2  nseg = 9
        insert pas  g_pas = 1e-4  e_pas = -65
        insert usrna  gnabar_usrna = 0.02
        insert usrk   gkbar_usrk = 0.01
        all.append()
    }
    connect dend[0](0), soma(1)
    connect dend[1](0), soma(0)
    forall Ra = 100
}
endtemplate LabCell
"""

#: What a lab's run script does with it.
HOC_RUN = """
objref cell, stim
cell = new LabCell()
cell.soma stim = new IClamp(0.5)
stim.del = 5
stim.dur = 20
stim.amp = 0.3
tstop = 40
"""


@pytest.fixture(scope="module")
def lab_template(h, user_mechanisms, tmp_path_factory):
    path = tmp_path_factory.mktemp("lab") / "lab_cell.hoc"
    path.write_text(textwrap.dedent(HOC_CELL))
    assert h.load_file(str(path)) == 1


@pytest.fixture
def lab_cell(h, lab_template):
    """A fresh LabCell with its stimulus, as the lab's script makes it; tests reach it as
    ``h.cell`` (a Python reference kept by the fixture would outlive the test and keep
    the template's sections alive)."""
    for line in textwrap.dedent(HOC_RUN).strip().splitlines():
        h(line)
    try:
        yield
    finally:
        h("objref cell, stim")


@pytest.mark.parametrize("cvode", [False, True], ids=["fixed", "cvode"])
def test_audit_equals_integrated_recorded_currents(h, lab_cell, cvode):
    """Na+ per segment from the audit vs trapezoid integration of each segment's
    recorded total ina over the window (raw), within 0.5% of the cell's total and
    per segment where the entry is not tiny."""
    h.CVode().active(1 if cvode else 0)
    if cvode:
        h.CVode().atol(1e-6)
    h.dt, h.steps_per_ms = 0.0125, 80
    secs = [sec for sec in h.allsec()]
    segs = [seg for sec in secs for seg in sec]
    t = h.Vector().record(h._ref_t)
    recs = [h.Vector().record(seg._ref_ina) for seg in segs]
    session = A.prepare(h.cell, window_ms=(4.0, 30.0),
                        groups={"soma": "soma", "dendrites": "dend*"})
    h.run()
    result = session.result()
    tt = np.array(t)
    sel = (tt >= 4.0) & (tt <= 30.0)
    reference = np.array([-np.trapezoid(np.array(r)[sel], tt[sel]) * seg.area() * 1e-14
                          for r, seg in zip(recs, segs)])
    ours = result.segments["na_charge_C"].to_numpy()
    print(result.table())
    print(f"total {ours.sum():.6g} C vs recorded {reference.sum():.6g} C")
    assert ours.sum() == pytest.approx(reference.sum(), rel=0.005)
    big = np.abs(reference) > 0.01 * np.abs(reference).max()
    np.testing.assert_allclose(ours[big], reference[big], rtol=0.005)
    # group sums are the whole; per-area values divide by NEURON's segment areas
    groups = result.by_group().set_index("group")
    assert groups["atp"].sum() == pytest.approx(result.atp, rel=1e-12)
    assert set(groups.index) == {"soma", "dendrites"}
    np.testing.assert_allclose(result.segments["area_um2"], [seg.area() for seg in segs])
    np.testing.assert_allclose(result.segments["atp_per_um2"],
                               result.segments["atp"] / result.segments["area_um2"])


def test_audit_of_our_cell_equals_ap_energy(h):
    """The same spike, counted by ap_energy and by an audit of the same window."""
    axon = build_unmyelinated_axon(UnmyelinatedAxonParams.mammalian(diameter_um=1.0))
    spike = E.ap_energy(axon, window_ms=15.0)
    sec = axon.sections("axon")[0]
    clamp = h.IClamp(sec(0.0))
    clamp.delay, clamp.dur, clamp.amp = 20.0, 0.5, spike.stimulus_nA
    session = A.prepare(axon, window_ms=(20.0, 35.0), subtract_rest=True)
    sim.start(axon, sim.default_integrator(axon), spike.rest_mV)
    sim.advance(40.0)
    result = session.result()
    measured = result.segments[result.segments["x"].between(0.25, 0.75)]
    print(f"audit {measured['atp'].sum():.6g} ATP, ap_energy {spike.atp:.6g} ATP")
    assert measured["atp"].sum() == pytest.approx(spike.atp, rel=0.005)
    del clamp
    axon.delete()


def test_audit_refuses_what_it_cannot_measure(h, lab_cell):
    with pytest.raises(A.AuditError, match="need 0 <= T0 < T1"):
        A.prepare(h.cell, window_ms=(30.0, 10.0))
    with pytest.raises(A.AuditError, match="two groups"):
        A.prepare(h.cell, window_ms=(0.0, 10.0), groups={"a": "dend*", "b": "dend[0]"})
    with pytest.raises(A.AuditError, match="no sections"):
        A.prepare([], window_ms=(0.0, 10.0))
    with pytest.raises(A.AuditError, match="rest before T0"):
        A.prepare(h.cell, window_ms=(2.0, 10.0), subtract_rest=True, rest_ms=5.0)
    session = A.prepare(h.cell, window_ms=(10.0, 400.0))
    h.run()
    with pytest.raises(A.AuditError, match="the run stopped at t = 40"):
        session.result()


def test_sections_in_no_group_are_other(h, lab_cell):
    result = A.audit(h.cell, window_ms=(4.0, 30.0), groups={"first": "dend[0]"})
    groups = result.by_group().set_index("group")
    assert set(groups.index) == {"first", "other"}
    assert groups.loc["first", "segments"] == 9


# ------------------------------------------------------------------- the command line
REPO = __import__("pathlib").Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "audit" / "lab_cell.hoc"


def _cli(*args, cwd=None):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "cablemodels.cli", "audit", *map(str, args)],
                          capture_output=True, text=True, timeout=600, cwd=cwd)


def test_cli_audits_the_documented_example(tmp_path):
    """docs/howto/audit.md's command on examples/audit/lab_cell.hoc (NEURON's hh, passive
    dendrites): a table with every group, a CSV with one row per segment whose Na+ sums to
    the printed total."""
    import pandas as pd

    out = tmp_path / "audit.csv"
    proc = _cli(EXAMPLE, "--window", "4:40", "--group", "soma=soma", "--group", "axon=axon*",
                "--group", "dendrites=dend*", "--out", out)
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out)
    assert len(table) == 1 + 41 + 3 * 15
    assert set(table["group"]) == {"soma", "axon", "dendrites"}
    total_pc = table["na_charge_C"].sum() * 1e12
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("total"))
    assert float(line.split()[3]) == pytest.approx(total_pc, rel=1e-3)
    assert (table.loc[table["group"] == "dendrites", "na_charge_C"] == 0).all()  # pas only


BAD_CLI = [
    ("syntax", "objref x\nx = = 3\n", ["--window", "0:1"], "NEURON could not load it"),
    ("empty", "// nothing\n", ["--window", "0:1"], "no sections to audit"),
    ("late", None, ["--window", "10:400"], "the run stopped at t = 40"),
    ("groups", None, ["--window", "4:40", "--group", "a=dend*", "--group", "b=dend[0]"],
     "match two groups"),
    ("groupspec", None, ["--window", "4:40", "--group", "nameonly"], "write NAME=PATTERN"),
    ("window", None, ["--window", "40"], "write T0:T1"),
    ("setup", None, ["--window", "4:40", "--setup", "no_such_proc()"], "--setup"),
]


@pytest.mark.parametrize("name, text, args, message", BAD_CLI, ids=[c[0] for c in BAD_CLI])
def test_cli_bad_inputs_give_clear_errors(tmp_path, name, text, args, message):
    model = EXAMPLE
    if text is not None:
        model = tmp_path / f"{name}.hoc"
        model.write_text(text)
    proc = _cli(model, *args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_mod_dir_errors(tmp_path):
    """A .mod that does not compile gives nrnivmodl's error lines; one named like ours is
    refused before compiling."""
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.mod").write_text("NEURON {\n    SUFFIX usr_bad\n}\nBREAKPOINT {\n    x =\n}\n")
    proc = _cli(EXAMPLE, "--window", "4:40", "--mod-dir", broken)
    assert proc.returncode == 2 and "nrnivmodl failed" in proc.stderr, proc.stderr
    clash = tmp_path / "clash"
    clash.mkdir()
    (clash / "leak.mod").write_text("NEURON {\n    SUFFIX cm_leak\n}\n")
    proc = _cli(EXAMPLE, "--window", "4:40", "--mod-dir", clash)
    assert proc.returncode == 2 and "already exist" in proc.stderr, proc.stderr
