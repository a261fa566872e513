"""Fault injection into sweep folders and sweep runs (issue 19 item 5, issue 12 item 4).

Each case damages a real sweep folder (or kills a real sweep) and checks the
outcome against an undamaged run of the same points: a resumed table must hold
every point exactly once with bitwise the same fixed-step results, a damaged file
must be named and recomputed, and nothing may keep running after its caller is
gone. Subprocesses and waits carry timeouts (the hang guard).
"""

from __future__ import annotations

import json
import logging
import os
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

#: Short squid axons, fixed step (bitwise reproducible), about 0.5 s each.
SPEC = {"protocol": "unmyelinated_ap",
        "grid": {"diameter_um": [2.0, 3.0], "temperature_degC": [6.3, 10.0]},
        "fixed": {"length_um": 2000.0, "method": "fixed", "dt_ms": 0.025, "rest_cost": False}}


@pytest.fixture
def user_protocols():
    sys.path.insert(0, str(HERE))
    yield
    sys.path.remove(str(HERE))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    """An undamaged, uninterrupted run of SPEC."""
    out = tmp_path_factory.mktemp("reference")
    frame = sweep.run(sweep.SweepSpec.from_dict(SPEC), out, jobs=2, progress=False)
    assert (frame["status"] == "ok").all(), frame["error"].tolist()
    return frame


def _by_params(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(["diameter_um", "temperature_degC"]).sort_index()[RESULTS]


def _mtimes(out: Path) -> dict:
    return {p.name: p.stat().st_mtime_ns for p in (out / "points").glob("*.json")}


def test_reordered_grid_resumes_every_point_once(reference, tmp_path):
    """Before: the same grid written in another key order was accepted as the same
    sweep and yielded duplicated and missing combinations."""
    out = tmp_path / "sweep"
    half = {**SPEC, "grid": {**SPEC["grid"], "diameter_um": [2.0]}}
    sweep.run(sweep.SweepSpec.from_dict(half), out, progress=False)
    (out / sweep.SPEC_FILE).unlink()  # the half sweep was a different spec
    before = _mtimes(out)
    reordered = {**SPEC, "grid": {"temperature_degC": [10.0, 6.3], "diameter_um": [3.0, 2.0]}}
    assert sweep.SweepSpec.from_dict(reordered).digest() == \
        sweep.SweepSpec.from_dict(SPEC).digest()
    frame = sweep.run(sweep.SweepSpec.from_dict(reordered), out, jobs=2, progress=False)
    assert len(frame) == 4 and not frame.duplicated(["diameter_um", "temperature_degC"]).any()
    assert frame["point"].tolist() == [0, 1, 2, 3]
    assert frame[["temperature_degC", "diameter_um"]].values.tolist() == [
        [10.0, 3.0], [10.0, 2.0], [6.3, 3.0], [6.3, 2.0]]
    assert all(_mtimes(out)[name] == t for name, t in before.items()), "finished points rerun"
    pd.testing.assert_frame_equal(_by_params(frame), _by_params(reference), check_exact=True)
    # and the original order again: same folder, same sweep, nothing to compute
    again = sweep.run(sweep.SweepSpec.from_dict(SPEC), out, progress=False)
    pd.testing.assert_frame_equal(_by_params(again), _by_params(reference), check_exact=True)


def test_truncated_point_file_is_named_and_recomputed(reference, tmp_path, caplog):
    out = tmp_path / "sweep"
    spec = sweep.SweepSpec.from_dict(SPEC)
    sweep.run(spec, out, jobs=2, progress=False)
    victim = sorted((out / "points").glob("*.json"))[0]
    victim.write_text(victim.read_text()[:40])
    with caplog.at_level(logging.WARNING, logger="cablemodels.sweep"):
        frame = sweep.run(spec, out, progress=False)
    assert victim.name in caplog.text and "unreadable" in caplog.text
    assert victim.with_name(victim.name + ".corrupt").exists()
    assert json.loads(victim.read_text())["status"] == "ok"
    pd.testing.assert_frame_equal(_by_params(frame), _by_params(reference), check_exact=True)


def test_point_file_whose_parameters_differ_is_not_reused(reference, tmp_path, caplog):
    out = tmp_path / "sweep"
    spec = sweep.SweepSpec.from_dict(SPEC)
    sweep.run(spec, out, jobs=2, progress=False)
    victim = sorted((out / "points").glob("*.json"))[0]
    record = json.loads(victim.read_text())
    record["params"]["length_um"] = 9999.0
    record["results"]["velocity_m_s"] = -1.0
    victim.write_text(json.dumps(record))
    with caplog.at_level(logging.WARNING, logger="cablemodels.sweep"):
        frame = sweep.run(spec, out, progress=False)
    assert victim.name in caplog.text and "not reused" in caplog.text
    pd.testing.assert_frame_equal(_by_params(frame), _by_params(reference), check_exact=True)


def test_deleted_spec_json(reference, tmp_path):
    """Same spec: resumes without recomputing. Changed spec: refused (before, all the
    old points were reused for the new spec)."""
    out = tmp_path / "sweep"
    spec = sweep.SweepSpec.from_dict(SPEC)
    sweep.run(spec, out, jobs=2, progress=False)
    before = _mtimes(out)
    (out / sweep.SPEC_FILE).unlink()
    frame = sweep.run(spec, out, progress=False)
    assert _mtimes(out) == before
    pd.testing.assert_frame_equal(_by_params(frame), _by_params(reference), check_exact=True)
    (out / sweep.SPEC_FILE).unlink()
    changed = sweep.SweepSpec.from_dict({**SPEC, "fixed": {**SPEC["fixed"], "length_um": 2500.0}})
    with pytest.raises(sweep.SweepSpecError, match="not points of this sweep"):
        sweep.run(changed, out, progress=False)
    assert _mtimes(out) == before


def test_folder_of_cablemodels_0_1_is_recomputed_not_refused(reference, tmp_path, caplog):
    """0.1.0 named point files by index and hashed the spec text; such a folder is
    recognised as the same sweep, its unverifiable points set aside and recomputed."""
    import hashlib

    out = tmp_path / "sweep"
    (out / "points").mkdir(parents=True)
    old_spec = {"protocol": SPEC["protocol"], "grid": SPEC["grid"], "points": [],
                "fixed": SPEC["fixed"]}
    digest = hashlib.sha256(json.dumps(old_spec, sort_keys=True, separators=(",", ":"))
                            .encode()).hexdigest()[:16]
    (out / sweep.SPEC_FILE).write_text(json.dumps({"digest": digest, "spec": old_spec}))
    (out / "points" / "00000000.json").write_text(json.dumps(
        {"index": 0, "params": {}, "status": "ok", "results": {"velocity_m_s": -1.0},
         "error": "", "seconds": 0.0}))
    with caplog.at_level(logging.WARNING, logger="cablemodels.sweep"):
        frame = sweep.run(sweep.SweepSpec.from_dict(SPEC), out, jobs=2, progress=False)
    assert "older cablemodels" in caplog.text
    assert (out / "points" / "00000000.json.legacy").exists()
    pd.testing.assert_frame_equal(_by_params(frame), _by_params(reference), check_exact=True)


def test_point_result_does_not_depend_on_the_callers_sections(reference, tmp_path, h):
    """Issue 12: a point gave 10.0563 m/s alone and 10.0453 with another axon alive
    in the calling process. Points now run only in workers: with foreign cells
    (one with extracellular) alive here, the result is bitwise the reference's."""
    from cablemodels.axon import (MyelinatedAxonParams, UnmyelinatedAxonParams,
                                  build_myelinated_axon, build_unmyelinated_axon)

    foreign = [build_unmyelinated_axon(UnmyelinatedAxonParams(length_um=500.0)),
               build_myelinated_axon(MyelinatedAxonParams(n_nodes=3, representation="double"))]
    h.celsius, h.dt = 33.0, 0.1  # globals a caller may have changed
    try:
        frame = sweep.run(sweep.SweepSpec.from_dict(SPEC), tmp_path / "busy", jobs=1,
                          progress=False)
    finally:
        for cell in foreign:
            cell.delete()
    pids = {r["pid"] for r in sweep.finished(tmp_path / "busy").values()}
    assert os.getpid() not in pids, "a point ran in the calling process"
    pd.testing.assert_frame_equal(_by_params(frame), _by_params(reference), check_exact=True)


def _cli(spec: dict, tmp_path: Path, *args, timeout: float = 300, wait: bool = True):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    cmd = [sys.executable, "-m", "cablemodels.sweep", str(path), "--out", str(tmp_path / "out"),
           "--no-progress", *args]
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    if not wait:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
            if fields.get("PPid", "").strip() == str(pid) and not fields.get(
                    "State", "").startswith("Z"):
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = next(ln for ln in Path(f"/proc/{pid}/status").read_text().splitlines()
                     if ln.startswith("State:"))
    except (OSError, StopIteration):
        return False
    return "Z" not in state.split()[1]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_worker_exits_when_its_parent_is_killed(tmp_path):
    """Before: after SIGKILL of the main process its pool worker ran on for minutes."""
    spec = {"protocol": "sweep_faults_user:pause", "grid": {"seconds": [120.0]}}
    proc = _cli(spec, tmp_path, "--jobs", "1", wait=False)
    try:
        deadline = time.time() + 120
        workers: list[int] = []
        while time.time() < deadline and not workers:
            assert proc.poll() is None, proc.stderr.read()
            workers = _children(proc.pid)
            time.sleep(0.1)
        assert workers, "no worker started"
        time.sleep(3.0)  # the worker is now inside the 120 s point
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.time() + 10
        while time.time() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "a worker outlived its parent"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_time_limit_records_a_failed_point_and_exit_status_1(tmp_path):
    spec = {"protocol": "sweep_faults_user:pause", "time_limit_s": 3,
            "points": [{"seconds": 0.1, "tag": 1}, {"seconds": 120.0, "tag": 2},
                       {"seconds": 0.2, "tag": 3}]}
    started = time.time()
    proc = _cli(spec, tmp_path, "--jobs", "2")
    assert time.time() - started < 60, "the time limit did not stop the point"
    assert proc.returncode == 1, proc.stderr
    table = pd.read_csv(tmp_path / "out" / sweep.TABLE_FILE)
    assert table["status"].tolist() == ["ok", "timeout", "ok"]
    assert "time limit of 3 s" in table.loc[1, "error"]
    assert "1 of 3 points failed" in proc.stderr


def test_crashing_point_is_recorded_and_the_sweep_goes_on(tmp_path):
    spec = {"protocol": "sweep_faults_user:crash", "grid": {"tag": [1]}}
    proc = _cli(spec, tmp_path, "--jobs", "1")
    assert proc.returncode == 1, proc.stderr
    table = pd.read_csv(tmp_path / "out" / sweep.TABLE_FILE)
    assert table["status"].tolist() == ["error"]
    assert "killed by SIGSEGV" in table.loc[0, "error"]


def test_sweep_whose_points_all_fail_exits_1(tmp_path):
    proc = _cli({"protocol": "sweep_faults_user:fail", "grid": {"tag": [1, 2]}}, tmp_path,
                "--jobs", "2")
    assert proc.returncode == 1, proc.stderr
    assert "2 of 2 points failed" in proc.stderr


def test_misspelt_method_is_refused_before_running(tmp_path):
    """Before: every point failed at run time and the command exited 0."""
    proc = _cli({**SPEC, "fixed": {**SPEC["fixed"], "method": "fixd"}}, tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("cablemodels: error: point 0")
    assert "method = 'fixd' is not one of 'default', 'fixed', 'cvode'" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_duplicate_points_are_refused():
    spec = sweep.SweepSpec.from_dict({"protocol": "unmyelinated_ap",
                                      "grid": {"diameter_um": [2.0]},
                                      "points": [{"diameter_um": 2.0}]})
    with pytest.raises(sweep.SweepSpecError, match="points 0 and 1 have the same parameters"):
        spec.validate()
