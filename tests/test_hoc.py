"""hoc interoperability: exported templates run by nrniv, hoc cells measured by cablemodels.

The reference for every round trip is the same cell simulated in this Python
process; the exported template is run by a separate ``nrniv`` process that knows
nothing of cablemodels but its compiled library.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cablemodels import energy, hocio, mechanisms, protocols
from cablemodels import simulation as sim
from cablemodels.axon import (MyelinatedAxonParams, UnmyelinatedAxonParams,
                              build_myelinated_axon, build_unmyelinated_axon)
from cablemodels.biophysics import HCN, Leak, Membrane
from cablemodels.dendrite import Branch
from cablemodels.morphology import SwcParams, load_swc, shipped
from cablemodels.soma import NeuronParams, build_neuron

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
DT_MS = 0.01
T_STOP_MS = 8.0


def nrniv() -> str:
    here = Path(sys.executable).parent / "nrniv"
    return str(here) if here.exists() else shutil.which("nrniv")


def run_hoc(folder: Path, *files: str) -> str:
    """Run hoc files with nrniv and cablemodels' library; return stdout."""
    lib = mechanisms.load().library
    proc = subprocess.run([nrniv(), "-nogui", "-nobanner", "-dll", str(lib), *files],
                          cwd=folder, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def probes(cell, max_sections: int = 60):
    """(hoc name, x) of the middle of every section (every k-th for large cells)."""
    names = [(sec, f"{role}[{i}]") for role in cell.roles for i, sec in
             enumerate(cell.sections(role))]
    step = max(1, len(names) // max_sections)
    return [(sec, name, 0.5) for sec, name in names[::step]]


def python_traces(h, cell, stim, amp, integrator, v_init):
    sec, _, x = stim
    clamp = h.IClamp(sec(x))
    clamp.delay, clamp.dur, clamp.amp = 1.0, 0.5, amp
    recs = []
    for psec, _, px in probes(cell):
        vec = h.Vector()
        vec.record(psec(px)._ref_v)
        recs.append(vec)
    sim.start(cell, integrator, v_init)
    sim.advance(T_STOP_MS)
    out = np.array([v.as_numpy().copy() for v in recs])
    del clamp
    return out


def hoc_traces(folder: Path, cell, stim, amp, integrator, v_init, template: str):
    hocio.export_hoc(cell, folder / "cell.hoc", template)
    points = probes(cell)
    lines = ['load_file("stdrun.hoc")', 'load_file("cell.hoc")',
             f"objref cell, spare, stim, pc, f, rec[{len(points)}]",
             f"cell = new {template}()",
             # A second instance must not disturb the first (fixed step; under CVODE
             # its states would join the error norm and change the step sequence).
             f"spare = new {template}()" if integrator.method == "fixed" else "",
             "celsius = cell.celsius_degC",
             f"cell.{stim[1]} stim = new IClamp({stim[2]!r})",
             f"{{ stim.del = 1  stim.dur = 0.5  stim.amp = {amp!r} }}"]
    for i, (_, name, x) in enumerate(points):
        lines.append(f"{{ rec[{i}] = new Vector()  rec[{i}].record(&cell.{name}.v({x!r})) }}")
    if integrator.method == "fixed":
        lines += ["cvode.active(0)", f"dt = {integrator.dt_ms!r}",
                  f"steps_per_ms = {1 / integrator.dt_ms!r}",
                  f"secondorder = {integrator.secondorder}"]
    else:
        lines += ["cvode.active(1)", f"cvode.atol({integrator.atol!r})",
                  f"cvode.rtol({integrator.rtol!r})"]
    lines += ["pc = new ParallelContext()", "pc.set_maxstep(10)",
              f"finitialize({v_init!r})"]
    if integrator.method == "cvode":
        lines.append("cvode.re_init()")
    lines += [f"pc.psolve({T_STOP_MS!r})", 'f = new File("traces.txt")', "f.wopen()",
              f"for i = 0, {len(points) - 1} rec[i].printf(f, \"%.17g\\n\")", "f.close()",
              "quit()"]
    (folder / "run.hoc").write_text("\n".join(lines) + "\n")
    run_hoc(folder, "run.hoc")
    flat = np.loadtxt(folder / "traces.txt")
    return flat.reshape(len(points), -1)


def round_trip(h, tmp_path, cell, stim_role="axon", integrator=None, expect_spike=True):
    """Max |dV| (mV) between Python and nrniv, and the Python traces."""
    integrator = integrator or sim.Integrator(method="fixed", dt_ms=DT_MS, secondorder=2)
    v_init = protocols.rest_mV(cell)
    sec = cell.sections(stim_role)[0]
    stim = (sec, f"{stim_role}[0]", 0.5)
    amp = protocols.pulse_amplitude_nA(sec(0.5))
    for _ in range(6):  # double the pulse until it starts a spike
        amp *= 2
        ours = python_traces(h, cell, stim, amp, integrator, v_init)
        if ours.max() > 0.0 or not expect_spike:
            break
    theirs = hoc_traces(tmp_path, cell, stim, amp, integrator, v_init, "RoundTrip")
    assert ours.shape == theirs.shape
    if expect_spike:
        assert ours.max() > 0.0, "the stimulus should start a spike (the test would be weak)"
    names = [name for _, name, _ in probes(cell)]
    return float(np.max(np.abs(ours - theirs))), dict(zip(names, ours))


def test_round_trip_unmyelinated_squid(h, tmp_path):
    cell = build_unmyelinated_axon(UnmyelinatedAxonParams(length_um=3000.0))
    dv, _ = round_trip(h, tmp_path, cell)
    print(f"unmyelinated squid: max |dV| = {dv:.3g} mV")
    assert dv <= 1e-6


def test_round_trip_unmyelinated_cvode(h, tmp_path):
    """Under CVODE the two runs take the same adaptive steps, so they agree as well."""
    cell = build_unmyelinated_axon(UnmyelinatedAxonParams.mammalian(length_um=1000.0))
    dv, _ = round_trip(h, tmp_path, cell, integrator=sim.Integrator(dt_ms=DT_MS))
    print(f"unmyelinated WB, CVODE: max |dV| = {dv:.3g} mV")
    assert dv <= 1e-6


@pytest.mark.parametrize("representation,paranodes", [("single", False), ("double", True)])
def test_round_trip_myelinated(h, tmp_path, representation, paranodes):
    params = MyelinatedAxonParams.mammalian(n_nodes=6, representation=representation,
                                            paranodes=paranodes)
    cell = build_myelinated_axon(params)
    dv, ours = round_trip(h, tmp_path, cell, stim_role="node")
    print(f"myelinated {representation}: max |dV| = {dv:.3g} mV")
    assert dv <= 1e-6
    assert ours["node[5]"].max() > 0.0, "the spike should reach the last node"


@pytest.mark.parametrize("preset", ["granule", "pyramidal"])
def test_round_trip_soma_variants(h, tmp_path, preset):
    """Somata with passive dendrites; the pyramidal one adds HCN, a pump and Na+/K+
    accumulation so their parameters and ion styles are exported too."""
    if preset == "granule":
        params = NeuronParams.preset("granule")
    else:
        membrane = Membrane.mammalian("soma").with_(
            hcn=HCN.preset("hcn1", pbar_cm_s=1e-6), pump_imax_mA_cm2=0.0005,
            accumulation=True)
        params = NeuronParams.preset(
            "pyramidal", membrane=membrane,
            dendrites=(Branch(200.0, 2.0, (Branch(150.0, 1.26), Branch(150.0, 1.26))),))
    cell = build_neuron(params)
    dv, _ = round_trip(h, tmp_path, cell, stim_role="soma")
    print(f"{preset}: max |dV| = {dv:.3g} mV")
    assert dv <= 1e-6


def test_round_trip_swc_cell(h, tmp_path):
    """Import3d sections carry 3-D points; the template must reproduce their areas."""
    cell = load_swc(SwcParams(shipped("ball_and_stick")))
    assert any(sec.n3d() > 0 for sec in cell.sections())
    dv, _ = round_trip(h, tmp_path, cell, stim_role="soma")
    print(f"SWC ball and stick: max |dV| = {dv:.3g} mV")
    assert dv <= 1e-6


def test_exported_text_is_portable(h):
    cell = load_swc(SwcParams(shipped("pyramidal_myelinated")))
    text = hocio.to_hoc(cell, "Pyr")
    assert text.isascii()
    lib = str(mechanisms.load().library)
    assert lib not in text and str(REPO) not in text and str(Path.home()) not in text
    assert not re.search(r"(^|[\s\"'(])/[A-Za-z0-9_.-]+/", text), "an absolute path slipped in"
    assert text.count("begintemplate Pyr") == 1 and text.rstrip().endswith("endtemplate Pyr")


def test_unexportable_features_raise(h):
    cell = build_unmyelinated_axon(UnmyelinatedAxonParams(length_um=500.0))
    sec = cell.sections("axon")[0]
    clamp = h.IClamp(sec(0.5))
    with pytest.raises(hocio.UnexportableError, match="point processes.*IClamp"):
        hocio.to_hoc(cell)
    del clamp
    sec(0.5).cm_leak.pk = float("nan")
    with pytest.raises(hocio.UnexportableError, match="pk_cm_leak of axon\\[0\\].*non-finite"):
        hocio.to_hoc(cell)
    sec(0.5).cm_leak.pk = 1e-6
    stray = h.Section(name="stray")
    sec.connect(stray(1))
    try:
        with pytest.raises(hocio.UnexportableError, match="connected to stray"):
            hocio.to_hoc(cell)
    finally:
        h.disconnect(sec=sec)
        h.delete_section(sec=stray)
    h.ion_style("na_ion", 1, 2, 1, 0, 1, sec=sec)
    with pytest.raises(hocio.UnexportableError, match="cinit=1"):
        hocio.to_hoc(cell)
    with pytest.raises(ValueError, match="not a hoc identifier"):
        hocio.to_hoc(cell, "2bad name")


def test_export_writes_nothing_when_it_fails(h, tmp_path):
    cell = build_unmyelinated_axon(UnmyelinatedAxonParams(length_um=500.0))
    clamp = h.IClamp(cell.sections("axon")[0](0.5))
    with pytest.raises(hocio.UnexportableError):
        hocio.export_hoc(cell, tmp_path / "cell.hoc")
    del clamp
    assert not list(tmp_path.iterdir())


# ----------------------------------------------------------------------------- import
#: The hand-written hoc cell in tests/data/squid_axon.hoc states these values.
HOC_AXON = dict(length_um=4000.0, diameter_um=20.0, nseg=101, pk_cm_s=7e-7, pna_cm_s=3.5e-8)


def _load_hoc_axon(h):
    h.load_file(str(DATA / "squid_axon.hoc"))
    return h.SquidAxonHoc()


def test_hoc_cell_energy_equals_built_cell(h):
    """A squid axon written by hand in hoc (tests/data/squid_axon.hoc), wrapped by
    role pattern, gives the ATP per action potential of the same axon built by
    cablemodels from the same numbers (same segments, so within 1e-9 relative)."""
    obj = _load_hoc_axon(h)
    wrapped = hocio.wrap_hoc(obj, {"axon": "axon*"})
    assert wrapped.temperature_degC == pytest.approx(6.3)
    assert [s.name() for s in wrapped.sections("axon")] == [s.name() for s in obj.all]
    theirs = energy.ap_energy(wrapped)
    wrapped.delete()
    assert len(list(obj.all)) == 1, "wrapping must not delete hoc's sections"
    del obj, wrapped  # measure the built cell alone, as the hoc one was (CVODE steps)

    membrane = Membrane.squid().with_(leak=Leak(pk_cm_s=HOC_AXON["pk_cm_s"],
                                                pna_cm_s=HOC_AXON["pna_cm_s"]))
    built = build_unmyelinated_axon(UnmyelinatedAxonParams(
        length_um=HOC_AXON["length_um"], diameter_um=HOC_AXON["diameter_um"],
        membrane=membrane))
    sec = built.sections("axon")[0]
    sec.nseg = HOC_AXON["nseg"]
    built._apply_ions(sec, membrane)
    ours = energy.ap_energy(built)
    print(f"hoc-written axon {theirs.atp_per_um:.6g} ATP/um, built {ours.atp_per_um:.6g}")
    assert theirs.rest_mV == pytest.approx(ours.rest_mV, abs=1e-9)
    assert theirs.atp_per_um == pytest.approx(ours.atp_per_um, rel=1e-9)


def test_wrap_section_list_and_pattern_errors(h):
    obj = _load_hoc_axon(h)
    wrapped = hocio.wrap_hoc(obj.all, {"axon": ["ax?n", "axon[*]"]}, temperature_degC=6.3)
    assert len(wrapped.sections("axon")) == 1
    rin = protocols.input_resistance(wrapped)
    assert rin.value > 0
    with pytest.raises(ValueError, match="match no role pattern: axon"):
        hocio.wrap_hoc(obj, {"soma": "soma*"})
    with pytest.raises(ValueError, match="several roles"):
        hocio.wrap_hoc(obj, {"axon": "ax*", "dendrite": "*on"})
    with pytest.raises(ValueError, match="unknown role"):
        hocio.wrap_hoc(obj, {"spine": "*"})
    with pytest.raises(KeyError, match="built in hoc"):
        wrapped.membrane("axon")


def test_energy_counts_neurons_own_hh_as_unattributed(h):
    """NEURON's hh writes ina without a cablemodels counter: its Na+ is counted by the
    ion-total counter and reported as unattributed, not dropped.

    Reference: the same hand-written axon with cm_na_hh + cm_k_hh (the same HH 1952
    kinetics) and hh's ohmic leak switched off, so both axons differ only in who
    implements the channels: total Na+ per spike within 0.5%, and what hh carried
    equals what cm_na_hh's own counter attributed.
    """
    def spike(with_hh: bool):
        obj = _load_hoc_axon(h)
        sec = obj.axon
        if with_hh:
            for mech in ("cm_na_hh", "cm_k_hh"):
                sec.uninsert(mech)
            sec.insert("hh")
            for seg in sec:
                seg.hh.gl = 0.0
        wrapped = hocio.wrap_hoc(obj, {"axon": "axon"})
        result = energy.ap_energy(wrapped)
        wrapped.delete()
        return result

    ours = spike(False)
    theirs = spike(True)
    print(f"Na+ per spike: cm_na_hh {ours.na_charge_C:.6g} C, hh {theirs.na_charge_C:.6g} C; "
          f"unattributed with hh {theirs.na_unattributed_C:.6g} C")
    assert theirs.na_charge_C == pytest.approx(ours.na_charge_C, rel=0.005)
    gated = ours.segments["na_attributed_C"].sum() - theirs.segments["na_attributed_C"].sum()
    assert theirs.na_unattributed_C == pytest.approx(gated, rel=0.005)
    assert abs(ours.na_unattributed_C) < 1e-6 * ours.na_charge_C


# ----------------------------------------------------------------------------- docs
DOCS = REPO / "docs" / "hoc.md"


def _blocks(lang: str) -> list[str]:
    """The fenced code blocks of docs/hoc.md tagged ``lang`` ("" for untagged)."""
    blocks, current, tag = [], None, ""
    for line in DOCS.read_text().splitlines():
        if line.startswith("```") and current is None:
            current, tag = [], line[3:].strip()
        elif line.startswith("```"):
            if tag == lang:
                blocks.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_docs_example_runs_as_written(h, tmp_path):
    """The shell block of docs/hoc.md's example, run as written, prints what the page
    says, and its numbers agree with the Python API's measurement of the same cell."""
    block = next(b for b in _blocks("bash") if "export-hoc myelinated" in b)
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
           "HOME": str(Path.home())}
    for key in ("CABLEMODELS_CACHE_DIR", "NEURON_MODULE_OPTIONS"):
        if key in os.environ:
            env[key] = os.environ[key]
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    printed = next(b for b in _blocks("") if "conduction velocity" in b)
    got = [float(x) for x in re.findall(r"(\d+\.\d+) ", proc.stdout.replace("\n", " \n"))]
    want = [float(x) for x in re.findall(r"(\d+\.\d+) ", printed.replace("\n", " \n"))]
    assert got == pytest.approx(want, rel=1e-3), proc.stdout

    cell = build_myelinated_axon(MyelinatedAxonParams.mammalian())
    velocity = protocols.axon_velocity(cell).velocity_m_s
    atp = energy.ap_energy(cell).atp_per_um
    assert got[1] == pytest.approx(velocity, rel=0.01)
    assert got[2] == pytest.approx(atp, rel=0.005)


def test_docs_python_snippet_runs(tmp_path):
    """The wrap_hoc snippet runs from an empty folder: it needs nothing outside the wheel."""
    block = next(b for b in _blocks("python") if "wrap_hoc" in b)
    proc = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert float(proc.stdout.split()[-1]) == pytest.approx(1.85e6, rel=0.01)


def test_docs_mechanism_table_names_exist(h):
    """Every hoc name in the page's mechanism table exists in the compiled library."""
    table = DOCS.read_text().split("| mechanism | range parameters")[1].split("\n\n")[0]
    names = set(re.findall(r"`(\w+_cm_\w+)`", table))
    assert len(names) > 40
    sec = h.Section(name="probe")
    for mech in mechanisms.mechanism_names():
        sec.insert(mech)
    missing = [n for n in names if not (hasattr(sec(0.5), n) or hasattr(h, n))]
    assert not missing, missing


def test_cli_export_hoc(tmp_path):
    from cablemodels.cli import main

    assert main(["export-hoc", "granule-soma", "--out", str(tmp_path / "g.hoc"),
                 "--template", "Granule"]) == 0
    text = (tmp_path / "g.hoc").read_text()
    assert "begintemplate Granule" in text and "v_rest_mV = -" in text
    assert main(["export-hoc", "no-such-cell", "--out", str(tmp_path / "x.hoc")]) == 2
    assert not (tmp_path / "x.hoc").exists()


def test_template_sets_celsius_when_asked(h, tmp_path):
    """``set_celsius=True``: a separate nrniv that never reads ``celsius_degC`` (as
    NetPyNE does not) runs at the cell's temperature once the template is instantiated;
    the default template leaves ``celsius`` alone (NEURON's default, 6.3 degC)."""
    cell = build_unmyelinated_axon(UnmyelinatedAxonParams.mammalian(length_um=200.0))
    assert cell.temperature_degC == 37.0
    hocio.export_hoc(cell, tmp_path / "warm.hoc", "Warm", set_celsius=True)
    hocio.export_hoc(cell, tmp_path / "plain.hoc", "Plain")
    script = ['load_file("warm.hoc")', 'load_file("plain.hoc")', "objref a, b",
              'printf("before %.17g\\n", celsius)', "b = new Plain()",
              'printf("plain %.17g\\n", celsius)', "a = new Warm()",
              'printf("warm %.17g\\n", celsius)', "quit()"]
    (tmp_path / "run.hoc").write_text("\n".join(script) + "\n")
    out = dict(line.split() for line in run_hoc(tmp_path, "run.hoc").splitlines()
               if line.split()[:1] in (["before"], ["plain"], ["warm"]))
    assert float(out["before"]) == 6.3
    assert float(out["plain"]) == 6.3
    assert float(out["warm"]) == 37.0
