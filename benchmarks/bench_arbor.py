"""Part (e) of bench_scale.py in Arbor: the same single-cable myelinated axon.

The Arbor cell is built from the cablemodels cell itself: one Arbor segment (and
CV) per NEURON segment, same lengths, diameters, axial resistivity, capacitance,
mechanisms and parameter values (read from NEURON), same ion concentrations and
reversal potentials, same temperature. The mechanisms are our NMODL files adapted
to Arbor's dialect by ``arbor_mods.py`` and compiled with ``arbor-build-catalogue``
(needs cmake and a C++ compiler). Measured the usual way in Arbor: Na+ current of
every CV and voltage at the two timing nodes sampled every step.

Arbor is a benchmark-only dependency: ``pip install arbor``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from cablemodels import protocols
from cablemodels.axon import MyelinatedAxonParams, build_myelinated_axon
from cablemodels.cell import hoc
from cablemodels.energy import ELEMENTARY_CHARGE_C, NA_PER_ATP

import arbor as A
from arbor import units as U
from timing import crossing_ms, measuring_nodes

HERE = Path(__file__).resolve().parent
MECHANISMS = ("cm_na_ms96", "cm_k_ms96", "cm_leak")


def build_catalogue(folder: Path) -> Path:
    """Compile the adapted mechanisms into an Arbor catalogue in ``folder``."""
    src = folder / "src"
    subprocess.run([sys.executable, str(HERE / "arbor_mods.py"), str(src), *MECHANISMS],
                   check=True)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    tool = shutil.which("arbor-build-catalogue", path=env["PATH"])
    subprocess.run([tool, "cm", str(src)], cwd=folder, check=True, env=env,
                   capture_output=True)
    return folder / "cm-catalogue.so"


def _params(seg, mech):
    h = hoc()
    ms = h.MechanismStandard(mech, 1)
    name, out = h.ref(""), {}
    for i in range(int(ms.count())):
        ms.name(name, i)
        out[name[0].replace(f"_{mech}", "")] = getattr(seg, name[0])
    return out


class MyelinatedRecipe(A.recipe):
    def __init__(self, cell, catalogue: Path, amp_nA: float, split: int = 1):
        super().__init__()
        h = hoc()
        self.props = A.neuron_cable_properties()
        self.props.catalogue.extend(A.load_catalogue(str(catalogue)), "")
        first = cell.sections()[0](0.5)
        rt_f_mV = 8.314462618 * (cell.temperature_degC + 273.15) / 96485.33212 * 1e3
        for ion, valence in (("na", 1), ("k", 1), ("cl", -1)):
            ci, co = getattr(first, f"{ion}i"), getattr(first, f"{ion}o")
            # Nernst, as NEURON computes it at finitialize (a segment's e<ion> read
            # before any finitialize still holds NEURON's defaults, +50 and -77 mV)
            self.props.set_ion(ion, valence=valence, int_con=ci * U.mM, ext_con=co * U.mM,
                               rev_pot=rt_f_mV / valence * np.log(co / ci) * U.mV)
        tree = A.segment_tree()
        parent, x = A.mnpos, 0.0
        self.positions = []  # (x of CV centre um, role, area um2 / split) per CV
        tags = {"node": 1, "internode": 2}
        sections = sorted(cell.sections(), key=lambda s: h.distance(cell.origin(), s(0)))
        for sec in sections:
            role = cell.role_of(sec)
            for seg in sec:
                piece = sec.L / sec.nseg / split
                for _ in range(split):
                    r = seg.diam / 2
                    parent = tree.append(parent, A.mpoint(x, 0, 0, r),
                                         A.mpoint(x + piece, 0, 0, r), tag=tags[role])
                    self.positions.append((x + piece / 2, role))
                    x += piece
        self.length_um = x
        labels = A.label_dict({"node": "(tag 1)", "internode": "(tag 2)"})
        decor = A.decor()
        decor.set_property(Vm=protocols.rest_mV(cell) * U.mV, tempK=(cell.temperature_degC
                                                                    + 273.15) * U.Kelvin,
                           rL=sections[0].Ra * U.Ohm * U.cm)
        for role in ("node", "internode"):
            seg = cell.sections(role)[0](0.5)
            decor.paint(f'"{role}"', cm=seg.cm * 0.01 * U.F / U.m2)
            for mech in MECHANISMS:
                if seg.sec.has_membrane(mech):
                    decor.paint(f'"{role}"', A.density(mech, _params(seg, mech)))
        nodes = cell.sections("node")
        self.node_x = [h.distance(cell.origin(), n(0.5)) for n in nodes]
        self.node_start = [h.distance(cell.origin(), n(0)) for n in nodes]
        # Arbor 0.12: i_clamp (was iclamp), and a current clamp takes no label
        decor.place(f"(location 0 {self.node_x[0] / x})",
                    A.i_clamp(1.0 * U.ms, 0.5 * U.ms, amp_nA * U.nA))
        self.i, self.j, self.jv = measuring_nodes(len(nodes))
        self.probe_list = [A.cable_probe_membrane_voltage(f"(location 0 {self.node_x[k] / x})",
                                                      f"v{k}") for k in (self.i, self.jv)]
        self.probe_list.append(A.cable_probe_ion_current_cell("na", "ina"))
        self.cell = A.cable_cell(A.morphology(tree), decor, labels,
                                 A.cv_policy_every_segment())

    def num_cells(self):
        return 1

    def cell_kind(self, gid):
        return A.cell_kind.cable

    def cell_description(self, gid):
        return self.cell

    def probes(self, gid):
        return self.probe_list

    def global_properties(self, kind):
        return self.props


def arbor_point(recipe: MyelinatedRecipe, dt_ms: float, t_stop_ms: float = 16.0) -> dict:
    sim = A.simulation(recipe)
    every = A.regular_schedule(dt_ms * U.ms)
    handles = [sim.sample((0, tag), every) for tag in ("v" + str(recipe.i),
                                                      "v" + str(recipe.jv), "ina")]
    sim.run(t_stop_ms * U.ms, dt_ms * U.ms)
    (v1, _), = sim.samples(handles[0])
    (v2, _), = sim.samples(handles[1])
    (ina, meta), = sim.samples(handles[2])
    t = v1[:, 0]
    velocity = ((recipe.node_x[recipe.jv] - recipe.node_x[recipe.i]) * 1e-3
                / (crossing_ms(t, v2[:, 1]) - crossing_ms(t, v1[:, 1])))
    total = recipe.length_um
    d0, d1 = recipe.node_start[recipe.i], recipe.node_start[recipe.j]
    centres = np.array([(c.prox + c.dist) / 2 * total for c in meta])
    mask = (centres >= d0) & (centres < d1)
    tt = ina[:, 0]
    current = ina[:, 1:][:, mask] - ina[0, 1:][mask]  # nA per CV, rest subtracted
    window = tt >= 1.0
    charge_C = -np.trapezoid(current[window].sum(axis=1), tt[window]) * 1e-12  # nA ms = pC
    return {"atp_per_um": charge_C / ELEMENTARY_CHARGE_C / NA_PER_ATP / (d1 - d0),
            "velocity_m_s": velocity}


def arbor_point_rows(point: dict, reference: dict, ours_point, amp_nA: float) -> list:
    """Rows for the results table; ``ours_point`` is timed alternately with Arbor."""
    if shutil.which("cmake") is None:
        return [("(e) Arbor", "not run", "cmake not found (arbor-build-catalogue needs it)")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        catalogue = build_catalogue(Path(tmp))
        cell = build_myelinated_axon(MyelinatedAxonParams.mammalian(**point))
        chosen = None
        for split in (1, 2, 4):
            recipe = MyelinatedRecipe(cell, catalogue, amp_nA, split)
            for dt in (0.025, 0.01, 0.005, 0.0025, 0.001, 0.0005):
                result = arbor_point(recipe, dt)
                errs = {k: result[k] / reference[k] - 1 for k in reference}
                if all(abs(e) <= 0.01 for e in errs.values()):
                    chosen = (split, dt, result, errs)
                    break
            if chosen:
                break
        cell.delete()
        if chosen is None:
            return [("(e) Arbor", "not within 1%", "down to dt 0.5 us and 4 CVs per segment")]
        split, dt, result, errs = chosen

        def run():
            cell2 = build_myelinated_axon(MyelinatedAxonParams.mammalian(**point))
            r = MyelinatedRecipe(cell2, catalogue, amp_nA, split)
            cell2.delete()
            start = time.perf_counter()
            arbor_point(r, dt)
            return time.perf_counter() - start

        arbor_times, ours_times = [], []
        for _ in range(9):
            arbor_times.append(run())
            start = time.perf_counter()
            ours_point()
            ours_times.append(time.perf_counter() - start)
        t_arbor, t_ours = statistics.median(arbor_times), statistics.median(ours_times)
        err_text = ", ".join(f"{k} {100 * e:+.2f}%" for k, e in errs.items())
        rows.append((f"(e) same point in Arbor {A.__version__}: same cable, our mechanisms "
                     f"compiled by modcc, {split} CV per NEURON segment, dt {dt * 1e3:g} us "
                     "(largest within 1%), every CV's Na+ current and 2 voltages sampled",
                     f"{t_arbor:.3f} s",
                     f"{err_text}; Arbor / cablemodels = **{t_arbor / t_ours:.1f}x** "
                     f"(cablemodels {t_ours:.3f} s in the same alternation; Arbor's time is "
                     "simulation and sampling only, its set-up from NEURON not counted)"))
    return rows


def quick() -> dict:
    """A tiny run for the test suite: the catalogue builds, the recipe runs, and the
    point comes out within 5% of cablemodels' own (dt 5 us, 1 CV per segment)."""
    from cablemodels import sweep

    point = dict(axon_diameter_um=1.0)
    ours = sweep.myelinated_ap(rest_cost=False, **point)
    with tempfile.TemporaryDirectory() as tmp:
        catalogue = build_catalogue(Path(tmp))
        cell = build_myelinated_axon(MyelinatedAxonParams.mammalian(**point))
        amp = 2 * protocols.pulse_amplitude_from_impedance_nA(cell, cell.sections("node")[0](0.5),
                                                              protocols.rest_mV(cell))
        result = arbor_point(MyelinatedRecipe(cell, catalogue, amp), 0.005)
        cell.delete()
    return {"arbor": result, "cablemodels": ours}


if __name__ == "__main__":
    out = quick()
    print(out)
    for key in ("atp_per_um", "velocity_m_s"):
        ratio = out["arbor"][key] / out["cablemodels"][key]
        assert abs(ratio - 1) < 0.05, (key, ratio)
