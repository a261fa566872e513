"""Sweeps: early validation, resume after SIGKILL, serial = pool = MPI, failures recorded.

References are independent runs of the same points (an uninterrupted serial run),
compared bitwise for fixed-step protocols.
"""

from __future__ import annotations

import ctypes.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from cablemodels import sweep

HERE = Path(__file__).resolve().parent
RESULTS = ["atp_per_um", "velocity_m_s", "excess_factor", "rest_mV", "nseg"]

#: Four short squid axons, fixed step (bitwise reproducible), about 0.5 s each.
SMALL = {"protocol": "unmyelinated_ap",
         "grid": {"diameter_um": [2.0, 3.0], "temperature_degC": [6.3, 10.0]},
         "fixed": {"length_um": 2000.0, "method": "fixed", "dt_ms": 0.025}}


def read_table(path):
    """A results.csv with every float as written: pandas 3 parses to the nearest double by
    default; pandas 2 (the newest on Python 3.10) does only when asked."""
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    return pd.read_csv(path, **exact)


def test_table_is_tidy_with_units_in_names(tmp_path, h):
    frame = sweep.run(sweep.SweepSpec.from_dict(SMALL), tmp_path, progress=False)
    assert list(frame["point"]) == [0, 1, 2, 3]
    assert list(frame.columns[:6]) == ["point", "diameter_um", "temperature_degC", "length_um",
                                       "method", "dt_ms"]
    assert set(RESULTS) <= set(frame.columns) and (frame["status"] == "ok").all()
    assert frame.loc[(frame.diameter_um == 2.0) & (frame.temperature_degC == 6.3)].shape[0] == 1
    on_disk = read_table(tmp_path / sweep.TABLE_FILE)
    assert on_disk["velocity_m_s"].tolist() == frame["velocity_m_s"].tolist()
    # velocity grows as sqrt(diameter) (cable theory) at each temperature; 5% because
    # 25 us implicit-Euler steps resolve the ~1 ms transit only to a few percent
    # (the exponent itself is tested to 1e-3 in test_builders.py)
    for _, g in frame.groupby("temperature_degC"):
        v = g.set_index("diameter_um")["velocity_m_s"]
        assert v[3.0] / v[2.0] == pytest.approx((3.0 / 2.0) ** 0.5, rel=0.05)


@pytest.mark.parametrize("spec,message", [
    ({"protocol": "unmyelinated_ap", "grid": {"diameter": [1.0]}},
     "unknown parameter 'diameter'"),
    ({"protocol": "unmyelinated_ap", "grid": {"diameter_um": []}}, "grid is empty"),
    ({"protocol": "unmyelinated_ap", "grid": {}}, "no points"),
    ({"protocol": "unmyelinated_ap", "grid": {"diameter_um": ["thick"]}}, "wrong type"),
    ({"protocol": "unmyelinated_ap", "grid": {"diameter_um": [True]}}, "wrong type"),
    ({"protocol": "myelinated_ap", "grid": {"n_nodes": [2.5]}}, "wrong type"),
    ({"protocol": "unmyelinated_ap", "grid": {"diameter_um": [1.0, -2.0]}},
     r"point 1.*diameter_um = -2.0 is outside \(0, 5000\] um"),
    ({"protocol": "myelinated_ap", "grid": {"g_ratio": [1.2]}}, "g_ratio"),
    ({"protocol": "myelinated_ap", "fixed": {"kinetics": "frog"}, "grid": {"g_ratio": [0.6]}},
     "kinetics"),
    ({"protocol": "no_such_protocol", "grid": {"x": [1]}}, "unknown protocol"),
    ({"protocol": "nomodule_xyz:f", "grid": {"x": [1]}}, "cannot import"),
    ({"protocol": "unmyelinated_ap", "grid": {"diameter_um": 1.0}}, "must be a list"),
    ({"protocol": "unmyelinated_ap", "grids": {}}, "unknown sweep key"),
])
def test_bad_specs_fail_before_any_simulation(tmp_path, h, spec, message):
    with pytest.raises(sweep.SweepSpecError, match=message):
        sweep.run(sweep.SweepSpec.from_dict(spec), tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists(), "nothing may be written for a bad spec"
    assert not list(h.allsec()), "nothing may be built for a bad spec"


def test_folder_holds_one_sweep(tmp_path, h):
    spec = sweep.SweepSpec.from_dict({**SMALL, "grid": {"diameter_um": [2.0]}})
    sweep.run(spec, tmp_path, progress=False)
    other = sweep.SweepSpec.from_dict({**SMALL, "grid": {"diameter_um": [4.0]}})
    with pytest.raises(sweep.SweepSpecError, match="holds a different sweep"):
        sweep.run(other, tmp_path, progress=False)


def test_failing_point_is_recorded_and_sweep_goes_on(tmp_path, h):
    """Nodes without Na+ channels cannot conduct: that point fails, the others run."""
    spec = sweep.SweepSpec.from_dict({
        "protocol": "myelinated_ap", "grid": {"node_gnabar_S_cm2": [3.0, 0.0]},
        "fixed": {"n_nodes": 11, "method": "fixed", "dt_ms": 0.005}})
    frame = sweep.run(spec, tmp_path, progress=False)
    assert frame["status"].tolist() == ["ok", "error"]
    assert frame.loc[1, "error"].startswith("MeasurementError")
    assert "no measured segment carries voltage-gated Na+ channels" in frame.loc[1, "error"]
    assert frame.loc[0, "velocity_m_s"] > 1.0
    failed = tmp_path / "points" / f"{sweep.point_key(spec.protocol, spec.expand()[1])}.json"
    before = json.loads(failed.read_text())
    frame2 = sweep.run(spec, tmp_path, progress=False)  # resume: failures are not rerun
    after = json.loads(failed.read_text())
    assert before == after and frame2["status"].tolist() == ["ok", "error"]


def test_user_protocol_module_function(tmp_path, h):
    sys.path.insert(0, str(HERE))
    try:
        spec = sweep.SweepSpec.from_dict({"protocol": "sweep_user:sealed_cable_rin",
                                          "grid": {"length_um": [200.0, 400.0]}})
        frame = sweep.run(spec, tmp_path, progress=False, jobs=2)
        with pytest.raises(sweep.SweepSpecError, match="unknown parameter 'lenght_um'"):
            sweep.SweepSpec.from_dict({"protocol": "sweep_user:sealed_cable_rin",
                                       "grid": {"lenght_um": [1.0]}}).validate()
    finally:
        sys.path.remove(str(HERE))
    assert (frame["status"] == "ok").all(), frame["error"].tolist()
    # sealed-end cable: R_in = r_a lambda coth(L / lambda) (Rall 1969), within 1%
    for _, row in frame.iterrows():
        assert row["input_resistance_MOhm"] == pytest.approx(row["theory_MOhm"], rel=0.01)


def test_serial_and_pool_are_bitwise_identical(tmp_path, h):
    # points long enough (8 mm axons, ~1 s each) that the second worker has started before
    # the first has run them all: with 0.2 s points one worker could take every point
    spec = {**SMALL, "fixed": {**SMALL["fixed"], "length_um": 8000.0}}
    serial = sweep.run(sweep.SweepSpec.from_dict(spec), tmp_path / "serial", progress=False)
    pool = sweep.run(sweep.SweepSpec.from_dict(spec), tmp_path / "pool", jobs=2,
                     progress=False)
    assert len({p for p in pool_pids(tmp_path / "pool")}) == 2, "both workers should run points"
    pd.testing.assert_frame_equal(serial[RESULTS], pool[RESULTS], check_exact=True)


def pool_pids(folder):
    return [r["pid"] for r in sweep.finished(folder).values()]


def _cli(*args):
    return [sys.executable, "-m", "cablemodels.sweep", *args]


def test_sigkill_and_resume(tmp_path, h):
    """Kill a running sweep (SIGKILL to its whole process group), resume it, and get the
    uninterrupted run's table: no point lost, none duplicated, none recomputed."""
    spec = {**SMALL, "grid": {"diameter_um": [2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0]}}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    out = tmp_path / "killed"
    proc = subprocess.Popen(_cli(str(tmp_path / "spec.json"), "--out", str(out), "--jobs", "2",
                                 "--no-progress"), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while time.time() < deadline and len(sweep.finished(out) if out.exists() else {}) < 3:
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    survivors = sweep.finished(out)
    assert 3 <= len(survivors) < 8, f"kill landed too late ({len(survivors)} points done)"
    assert not (out / sweep.TABLE_FILE).exists()
    mtimes = {p: p.stat().st_mtime_ns for p in (out / "points").glob("*.json")}

    resumed = sweep.run(sweep.SweepSpec.from_dict(spec), out, jobs=2, progress=False)
    for path, mtime in mtimes.items():
        assert path.stat().st_mtime_ns == mtime, f"{path.name} was recomputed"
    assert not list((out / "points").glob(".*.tmp")), "stale temporary files left behind"
    reference = sweep.run(sweep.SweepSpec.from_dict(spec), tmp_path / "whole", progress=False)
    assert resumed["point"].tolist() == list(range(8))
    pd.testing.assert_frame_equal(resumed[["diameter_um", *RESULTS]],
                                  reference[["diameter_um", *RESULTS]], check_exact=True)


def _mpiexec() -> str | None:
    """The launcher of the MPI library NEURON will load: cablemodels.sweep prefers MPICH's
    libmpich, so MPICH's own mpiexec when both MPICH and Open MPI are installed (Open
    MPI's launcher starts MPICH processes as unconnected singletons, and refuses root)."""
    if ctypes.util.find_library("mpich") and shutil.which("mpiexec.mpich"):
        return shutil.which("mpiexec.mpich")
    return shutil.which("mpiexec")


def _mpi_skip_reason() -> str | None:
    if _mpiexec() is None:
        return "mpiexec not found (make test installs MPICH where it can: scripts/install_mpi.sh)"
    if not (ctypes.util.find_library("mpich") or ctypes.util.find_library("mpi")):
        return "no MPI library for NEURON to load"
    return None


def _mpi_sweep(tmp_path, spec) -> None:
    """Run ``spec`` on 2 MPI ranks into tmp_path/mpi (skips where MPI is missing)."""
    reason = _mpi_skip_reason()
    if reason:
        pytest.skip(reason)
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
    proc = subprocess.run([_mpiexec(), "-n", "2", *_cli(str(tmp_path / "spec.json"), "--out",
                                                         str(tmp_path / "mpi"), "--mpi",
                                                         "--no-progress")],
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "numprocs=2" in proc.stdout + proc.stderr


def test_mpi_two_ranks_bitwise_identical(tmp_path, h):
    # eight points, so both ranks run several at once (a psolve deadlock between
    # ranks running different points showed up only with several concurrent points)
    spec = {**SMALL, "grid": {**SMALL["grid"], "diameter_um": [2.0, 2.5, 3.0, 3.5]}}
    _mpi_sweep(tmp_path, spec)
    assert len(set(pool_pids(tmp_path / "mpi"))) == 2, "both ranks should run points"
    mpi = read_table(tmp_path / "mpi" / sweep.TABLE_FILE)
    serial = sweep.run(sweep.SweepSpec.from_dict(spec), tmp_path / "serial", progress=False)
    # the CSV holds 17 significant digits (repr), so the floats read back exactly
    pd.testing.assert_frame_equal(serial[RESULTS], mpi[RESULTS], check_exact=True)


def test_example_spec_is_valid():
    spec = sweep.SweepSpec.from_file(HERE.parent / "examples" / "sweeps" / "myelin_map.toml")
    assert len(spec.validate()) == 20


def test_resume_refuses_other_mechanisms(tmp_path, h):
    """Results computed with other mechanism sources are not mixed into a resumed sweep."""
    spec = sweep.SweepSpec.from_dict({**SMALL, "grid": {"diameter_um": [2.0]}})
    sweep.run(spec, tmp_path, progress=False)
    saved = json.loads((tmp_path / sweep.SPEC_FILE).read_text())
    saved["mechanism_hash"] = "0" * 16
    (tmp_path / sweep.SPEC_FILE).write_text(json.dumps(saved))
    with pytest.raises(sweep.SweepSpecError, match="other mechanism sources"):
        sweep.run(spec, tmp_path, progress=False)


def test_mpi_cvode_agrees_with_serial(tmp_path, h):
    """Under MPI every rank integrates in 1 ms slices (so the master can serve the
    bulletin board); CVODE results then agree with a serial run to 1e-12, not bitwise."""
    spec = {"protocol": "myelinated_ap", "grid": {"axon_diameter_um": [1.0, 2.0, 3.0]},
            "fixed": {"rest_cost": False, "n_nodes": 11}}
    _mpi_sweep(tmp_path, spec)
    mpi = pd.read_csv(tmp_path / "mpi" / sweep.TABLE_FILE)
    serial = sweep.run(sweep.SweepSpec.from_dict(spec), tmp_path / "serial", progress=False)
    for column in ("atp_per_um", "velocity_m_s", "excess_factor"):
        assert mpi[column].tolist() == pytest.approx(serial[column].tolist(), rel=1e-12)
