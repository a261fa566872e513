"""Bad and odd SWC input: every file gets a clear error or a correct load.

The corpus in ``tests/data/morphology_corpus/`` (sources and licences in its
README) holds synthetic files written for these checks, real malformed or
unusual files from NeuroM's and MorphIO's test suites, and one real neuron. The
cases run in a separate Python process with a time limit, so a crash (segfault
inside NEURON) or a hang fails a case instead of killing the run: all cases first
run in one process; any case that process did not finish (it crashed or hung
there) runs again alone, in its own process with its own limit, and fails.

Expected outcomes:

* ``error``: a ``ValueError`` whose message names the file and contains the
  listed words (and, where given, the line).
* ``load``: the cell builds; its neurite section count, total neurite length and
  area, and soma area agree with NeuroM reading the same file (or the listed
  equivalent file), an independent reader built on MorphIO. Warnings that must
  be raised are listed by the words they contain; no other warning may appear.

Run this file as a script with a case's path to see what the worker reports.
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "data" / "morphology_corpus"
#: Seconds a case may take alone (NEURON import and mechanism load included).
TIMEOUT_S = 120
#: Seconds the whole corpus may take in one process (then the rest run alone).
BATCH_TIMEOUT_S = 600


def _load(path: str, options: dict) -> dict:
    """Build ``path`` and describe the result (runs in the worker process)."""
    from cablemodels.morphology import SwcParams, SwcWarning, load_swc

    if options.get("crash_for_test"):  # proves the harness survives a segfault
        os.kill(os.getpid(), signal.SIGSEGV)
    params = SwcParams(path, type_roles={int(k): v for k, v in
                                         options.get("type_roles", {}).items()},
                       require_soma=options.get("require_soma", True))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            cell = load_swc(params)
        except Exception as err:  # reported to the test, which judges it
            return {"outcome": "error", "type": type(err).__name__, "message": str(err)}
    from neuron import h

    neurites = [sec for sec in cell.sections() if cell.role_of(sec) != "soma"]
    report = {
        "outcome": "load",
        "warnings": [f"{w.category.__name__}: {w.message}" for w in caught],
        "swc_warnings": [str(w.message) for w in caught if issubclass(w.category, SwcWarning)],
        "sections": len(neurites),
        "neurite_um": sum(sec.L for sec in neurites),
        "neurite_area_um2": sum(seg.area() for sec in neurites for seg in sec),
        "soma_area_um2": cell.area_um2("soma"),
        "roles": {role: len(secs) for role, secs in cell.roles.items()},
        "names": sorted(sec.name() for sec in cell.sections()),
        "all_sections": len(list(h.allsec())),
    }
    cell.delete()
    report["left_after_delete"] = len(list(h.allsec()))
    return report


def _reference(path: str) -> dict:
    """NeuroM's numbers for ``path`` (runs in the worker process)."""
    import morphio
    import neurom

    # A type change without a branch is a new section for Import3d too.
    morph = neurom.load_morphology(morphio.Morphology(
        path, options=morphio.Option.allow_unifurcated_section_change))
    return {"sections": int(neurom.get("number_of_sections", morph)),
            "neurite_um": float(neurom.get("total_length", morph)),
            "neurite_area_um2": float(neurom.get("total_area", morph)),
            "soma_area_um2": float(neurom.get("soma_surface_area", morph))}


def _batch(jobs: list) -> dict:
    """Run many cases in one interpreter (saves a NEURON start per case).

    Returns path -> (report, lines NEURON printed during that case) for every case
    that finished; after a crash or :data:`BATCH_TIMEOUT_S` the rest are missing
    and :func:`test_corpus` runs them one by one, each in its own process.
    """
    env = dict(os.environ, NEURON_MODULE_OPTIONS="-nogui")
    try:
        done = subprocess.run([sys.executable, __file__, "--batch"], input=json.dumps(jobs),
                              capture_output=True, text=True, timeout=BATCH_TIMEOUT_S, env=env)
        out = done.stdout
    except subprocess.TimeoutExpired as err:
        out = err.stdout or ""
        out = out.decode(errors="replace") if isinstance(out, bytes) else out
    results, noise = {}, []
    for line in out.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            noise.append(line)
            continue
        results[item["path"]] = (item["report"], noise)
        noise = []
    return results


@pytest.fixture(scope="module")
def corpus_results():
    jobs = [(str(path), case.get("options", {}), _reference_of(path, case))
            for path, case in (p.values for p in _cases())]
    return _batch([(p, o, str(r) if r else None) for p, o, r in jobs])


def _reference_of(path: Path, case: dict) -> Path | None:
    if case["expect"] != "load":
        return None
    return CORPUS / (case["reference"] or str(path.relative_to(CORPUS)))


def _run_worker(path: Path, options: dict, reference: Path | None) -> dict:
    """Run one case in a fresh interpreter, with :data:`TIMEOUT_S` as hang guard."""
    args = [sys.executable, __file__, str(path), json.dumps(options)]
    if reference is not None:
        args.append(str(reference))
    env = dict(os.environ, NEURON_MODULE_OPTIONS="-nogui")
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{path.name}: no answer within {TIMEOUT_S} s (hang)")
    if done.returncode != 0:
        pytest.fail(f"{path.name}: worker died with status {done.returncode} "
                    f"(negative: killed by that signal)\n{done.stderr[-3000:]}")
    lines = done.stdout.strip().splitlines()
    # Only the report: NEURON's Import3d prints when it removes or rewires something.
    assert len(lines) == 1, f"{path.name}: unexpected output from NEURON: {lines[:-1]}"
    return json.loads(lines[-1])


# ---------------------------------------------------------------------------- cases
def error(*words, line=None, **options):
    return {"expect": "error", "words": list(words), "line": line, "options": options}


def load(*warned, reference=None, fewer_sections=0, soma_steps_um=0.0, soma_area_um2=None,
         **options):
    """A correct load; ``fewer_sections``: NEURON's count below NeuroM's, one per
    zero-length section removed plus one per branch point it leaves with a single
    child (Import3d joins the two sections there); ``soma_steps_um``: steps from
    soma points to neurites (computed by hand from the file) that Import3d counts as
    neurite and NeuroM does not; ``soma_area_um2``: the soma area where NeuroM's
    convention differs (explained at the case)."""
    return {"expect": "load", "warned": list(warned), "reference": reference,
            "fewer_sections": fewer_sections, "soma_steps_um": soma_steps_um,
            "soma_area_um2": soma_area_um2, "options": options}


SYNTHETIC = {
    # correct loads
    "good_ball_stick.swc": load(),
    "huge_ids.swc": load(reference="synthetic/good_ball_stick.swc"),
    "sparse_ids.swc": load(reference="synthetic/good_ball_stick.swc"),
    "child_first.swc": load("listed before its parent", reference="synthetic/good_ball_stick.swc"),
    "branched_unordered.swc": load("listed before its parent"),
    "windows_eol.swc": load(),
    "tabs_and_spaces.swc": load(),
    "scientific.swc": load(),
    "latin1_comment.swc": load("line 1 of latin1_comment.swc: comment is not UTF-8"),
    "utf8_comment.swc": load(),
    "zero_length_leaf.swc": load("1 neurite section(s) of zero length", "line 5",
                                 fewer_sections=2),
    "point_neurite_at_soma.swc": load("1 neurite section(s) of zero length", "line 5",
                                      fewer_sections=1),
    "branch_at_first_point.swc": load("1 neurite section(s) of zero length", "line 3",
                                      fewer_sections=1),
    "neurite_at_soma_centre.swc": load(),
    "three_point_soma.swc": load(),
    # soma point 3 at (8, 0, 0), dendrite from (8, 3, 0)
    "soma_cylinders.swc": load("counts the step", soma_steps_um=3.0),
    # as soma_cylinders.swc, the dendrite branching at its first point: each branch
    # starts with that point, 3 um from soma point 3
    "soma_cylinders_branch.swc": load("counts the step", "1 neurite section(s) of zero length",
                                      soma_steps_um=6.0, fewer_sections=1),
    "type_change.swc": load(type_roles={7: "internode"}),
    "type8_mapped.swc": load(type_roles={8: "axon"}),
    "type0_mapped.swc": load(type_roles={0: "dendrite"}),
    "directive.swc": load(),
    "no_soma_allowed.swc": load(require_soma=False),
    "soma_only.swc": load(),
    "large_but_sane.swc": load(),
    # clear errors
    "type8_unmapped.swc": error("type 8 first on line 3", "type_roles"),
    "type0_unmapped.swc": error("type 0 first on line 3", "type_roles"),
    "two_roots.swc": error("2 separate trees", "lines 2, 5"),
    "two_somata.swc": error("2 somata", "lines 2, 4"),
    "soma_neurite_parent.swc": error("soma point id 4", "neurite", line=5),
    "nan_coordinate.swc": error("non-numeric", line=2),
    "inf_coordinate.swc": error("non-numeric", line=2),
    "overflow_coordinate.swc": error("z = 1e999", "finite coordinate", line=2),
    "absurd_coordinate.swc": error("z = 1e300", "finite coordinate", line=2),
    "absurd_radius.swc": error("radius", "1e300", line=2),
    "nan_radius.swc": error("non-numeric", "radius", line=2),
    "negative_radius.swc": error("radius must be > 0", "-1", line=2),
    "zero_radius.swc": error("radius must be > 0", "neurite tip", line=2),
    "zero_radius_tip.swc": load(),
    "zero_radius_inside.swc": error("neurite tip", "id 3", line=4),
    "negative_id.swc": error("id must be >= 0", line=2),
    "negative_type.swc": error("type must be >= 0", line=2),
    "bad_parent.swc": error("parent must be -1", line=2),
    "float_id.swc": error("non-numeric", "id", line=1),
    "underscore_number.swc": error("non-numeric", "x", line=2),
    "unicode_digit.swc": error("non-numeric", "id", line=2),
    "latin1_data.swc": error("not UTF-8", "0xB5", line=3),
    "binary.swc": error("not UTF-8", line=1),
    "empty.swc": error("no points"),
    "comments_only.swc": error("no points"),
    "missing_parent.swc": error("parent 7 of id 2 is not defined", line=2),
    "self_parent.swc": error("its own parent", line=2),
    "cycle.swc": error("cycle"),
    "duplicate_id.swc": error("id 2 already defined on line 2", line=3),
    "eight_fields.swc": error("expected 7 fields", line=2),
    "six_fields.swc": error("expected 7 fields", line=2),
    "no_soma.swc": error("no soma", "require_soma=False"),
    "single_point_root.swc": error("single neurite point", line=2, require_soma=False),
    "directive_bad_role.swc": error("role 'myelin'"),
    "directive_soma.swc": error("type 1 is always the soma"),
    "very_long_id.swc": error("id longer than 100 digits", line=2),
    "huge_id_missing_parent.swc": error("parent 99999999999999999999", line=2),
}


def _cases():
    for name, case in SYNTHETIC.items():
        yield pytest.param(CORPUS / "synthetic" / name, case, id=f"synthetic/{name}")
    for name, case in EXTERNAL.items():
        yield pytest.param(CORPUS / name, case, id=name)


RADIUS_0 = "radius must be > 0"
EXTERNAL = {
    # NeuroM tests/data/swc (BSD-3-Clause). Radius 0 is accepted at neurite tips only.
    "neurom/Neuron.swc": load(),
    "neurom/Neuron_disconnected_components.swc": error("5 separate trees", "lines 36, 40"),
    "neurom/Neuron_missing_ids.swc": error("parent 7 of id 8 is not defined", line=42),
    "neurom/Neuron_missing_parents.swc": error("parent 5 of id 6 is not defined", line=40),
    "neurom/Neuron_small_radius.swc": load(),
    "neurom/Neuron_zero_length_sections.swc": load("1 neurite section(s) of zero length",
                                                   "lines 169-178", fewer_sections=2),
    "neurom/Neuron_zero_length_segments.swc": load(),
    # soma point 3 at (0.1, 0.1, 0), axon from (4, 0, 0)
    "neurom/Neuron_zero_radius.swc": load("counts the step", soma_steps_um=math.hypot(3.9, 0.1)),
    "neurom/Single_apical_no_soma.swc": error("no soma"),
    "neurom/Single_axon.swc": load(),
    "neurom/Soma_origin.swc": load(),
    "neurom/custom_type.swc": load(type_roles={5: "dendrite"}),
    "neurom/dangling_axon.swc": load(),
    "neurom/empty_segments.swc": load("1 neurite section(s) of zero length", "line 3",
                                      fewer_sections=1),
    "neurom/fat_end.swc": load(),
    "neurom/heterogeneous_morphology.swc": load(),
    "neurom/multiple_somata.swc": error("2 somata", "lines 3, 12"),
    "neurom/narrow_start.swc": load(),
    "neurom/ordering_reversed_NRN_neurite_order.swc": load("3 neurite section(s) of zero length",
                                                           fewer_sections=3),
    "neurom/ordering_sample_disordered.swc": load(),
    "neurom/ordering_sample_mixed_tree_sections.swc": load(),
    "neurom/point_soma_single_neurite.swc": load(),
    "neurom/repeated_id.swc": error("id 4 already defined on line 5", line=6),
    "neurom/root_node_jump.swc": load(),
    "neurom/simple-different-soma.swc": load(),
    "neurom/simple.swc": load(),
    "neurom/simple_reversed.swc": load("id 2 is listed before its parent 7"),
    "neurom/soma_bifurcating_soma.swc": error(RADIUS_0, line=4),
    "neurom/soma_three_pt_soma.swc": error(RADIUS_0, line=8),
    "neurom/soma_with_neurite_parent.swc": error("soma point id 6", line=8),
    "neurom/soma_zero_radius.swc": error(RADIUS_0, line=23),
    "neurom/split_soma_two_neurites.swc": error("soma branches", line=13),
    "neurom/undefined_type.swc": load(type_roles={0: "axon"}),
    "neurom/z_jump.swc": load("1 neurite section(s) of zero length", "line 5",
                              fewer_sections=1),
    # MorphIO tests/data (Apache-2.0)
    # soma point 1 at (0.02, 0.02, 0), axon from (0, 0, 0)
    "morphio/complexe.swc": load("counts the step", soma_steps_um=math.hypot(0.02, 0.02)),
    "morphio/disconnected_neurite.swc": error("2 separate trees", "lines 1, 10"),
    "morphio/multiple_soma.swc": error("2 somata", "lines 2, 11"),
    # a three-point soma with neurites on its side points: a branched soma
    "morphio/neurite_wrong_root_point.swc": error("soma branches", line=3),
    "morphio/no_soma.swc": error("no soma"),
    "morphio/nrn_ordering.swc": load(),
    "morphio/simple-all-types.swc": error("type 5 first on line 4"),
    "morphio/simple-heterogeneous-neurite.swc": load(),
    "morphio/simple-trailing-space.swc": error("no soma"),
    "morphio/simple-windows-eol.swc": load(),
    "morphio/soma_cylinders.swc": load("1 neurite section(s) of zero length", "lines 7-8",
                                       fewer_sections=1),
    "morphio/soma_multiple_frustums.swc": load(),
    "morphio/soma_single_frustum.swc": load(),
    "morphio/soma_three_points_cylinder.swc": load(),
    "morphio/three_point_soma.swc": load(),
    # NeuroMorpho.Org C010398B-P2 (CC BY 4.0). Its three-point soma is NeuroMorpho's
    # sphere of radius 6.474 um for Import3d (area 4 pi r^2); NeuroM takes a cylinder
    # of that radius over the side points' span (12.95 um, not 2 r), 526.77 um2.
    "real/C010398B-P2.CNG.swc": load(soma_area_um2=4 * math.pi * 6.474 ** 2),
}


def test_every_corpus_file_has_an_expected_outcome():
    listed = {f"synthetic/{n}" for n in SYNTHETIC} | set(EXTERNAL)
    present = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.swc")}
    assert present == listed, (sorted(present - listed), sorted(listed - present))


@pytest.mark.parametrize("path, case", list(_cases()))
def test_corpus(path, case, corpus_results):
    if str(path) in corpus_results:
        got, printed = corpus_results[str(path)]
        # Only reports: NEURON's Import3d prints when it removes or rewires something.
        assert not printed, f"{path.name}: unexpected output from NEURON: {printed}"
    else:  # the batch crashed or hung before this case: run it alone
        got = _run_worker(path, case.get("options", {}), _reference_of(path, case))
    if case["expect"] == "error":
        assert got["outcome"] == "error", f"{path.name} loaded: {got}"
        assert got["type"] == "ValueError", got
        message = got["message"]
        assert path.name in message, message
        for word in case["words"]:
            assert word in message, (word, message)
        if case["line"] is not None:
            assert f"line {case['line']} of {path.name}" in message, message
        return
    assert got["outcome"] == "load", f"{path.name}: {got}"
    assert got["left_after_delete"] == 0
    for word in case["warned"]:
        assert any(word in w for w in got["swc_warnings"]), (word, got["warnings"])
    if not case["warned"]:
        assert not got["warnings"], got["warnings"]
    ref = got["reference"]
    assert "error" not in ref, ref
    # NEURON keeps 3-D points in single precision: relative 1e-5.
    steps = case["soma_steps_um"]
    assert got["neurite_um"] == pytest.approx(ref["neurite_um"] + steps, rel=1e-5, abs=1e-6)
    if steps:  # the steps' membrane (a frustum from the soma point's radius) comes on top
        assert got["neurite_area_um2"] > ref["neurite_area_um2"]
    else:
        assert got["neurite_area_um2"] == pytest.approx(ref["neurite_area_um2"], rel=1e-5,
                                                        abs=1e-6)
    soma_area = case["soma_area_um2"] or ref["soma_area_um2"]
    assert got["soma_area_um2"] == pytest.approx(soma_area, rel=1e-5, abs=1e-6)
    assert got["sections"] == ref["sections"] - case["fewer_sections"]


def test_a_crashing_case_fails_alone_and_spares_the_others():
    """The harness itself: a segfault in the worker is a failed case, not a dead run."""
    good = str(CORPUS / "synthetic" / "good_ball_stick.swc")
    bad = str(CORPUS / "synthetic" / "two_roots.swc")
    results = _batch([(good, {}, None), (bad, {"crash_for_test": True}, None), (good, {}, None)])
    assert list(results) == [good] and results[good][0]["outcome"] == "load"
    with pytest.raises(pytest.fail.Exception, match="killed by that signal"):
        _run_worker(Path(bad), {"crash_for_test": True}, None)


# ------------------------------------------------------------------- in-process checks
@pytest.mark.parametrize("kwargs, words", [
    ({"membranes": {"dendrit": None}}, "unknown role 'dendrit'"),
    ({"membranes": {"axon": "hh"}}, "must be a Membrane"),
    ({"type_roles": {8: "axn"}}, "role 'axn' for type 8"),
    ({"type_roles": {1: "axon"}}, "type 1 is always the soma"),
    ({"type_roles": {5: "soma"}}, "type 1 is always the soma"),
    ({"type_roles": {"8": "axon"}}, "SWC types are integers"),
    ({"type_roles": {True: "axon"}}, "SWC types are integers"),
    ({"type_roles": {-2: "axon"}}, "SWC types are integers"),
    ({"type_roles": [(8, "axon")]}, "must be a dict"),
])
def test_swc_params_refuse_unknown_roles(kwargs, words):
    from cablemodels.morphology import SwcParams, shipped

    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        SwcParams(shipped("ball_and_stick"), **kwargs)


def test_paranode_role_without_membrane_is_an_error(h):
    from cablemodels.morphology import SwcParams, load_swc

    path = CORPUS / "synthetic" / "type8_mapped.swc"
    with pytest.raises(ValueError, match="no default membrane for role 'paranode'"):
        load_swc(SwcParams(path, type_roles={8: "paranode"}))


def test_type_roles_override_the_files_declaration(h):
    """The shipped myelinated cell declares 7=internode 8=node; the caller may differ."""
    from cablemodels.morphology import SwcParams, load_swc, shipped

    own = load_swc(SwcParams(shipped("pyramidal_myelinated")))
    other = load_swc(SwcParams(shipped("pyramidal_myelinated"), type_roles={8: "axon"}))
    assert len(own.sections("node")) == 5 and not other.sections("node")
    assert len(other.sections("axon")) == len(own.sections("axon")) + 5
    assert other.area_um2() == pytest.approx(own.area_um2(), rel=1e-12)


def _names_in_fresh_process(name: str) -> list[str]:
    code = ("from cablemodels.morphology import SwcParams, load_swc, shipped\n"
            f"cell = load_swc(SwcParams(shipped({name!r})))\n"
            "print('\\n'.join(sec.name() for sec in cell.sections()))\n")
    env = dict(os.environ, NEURON_MODULE_OPTIONS="-nogui")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=TIMEOUT_S, env=env, check=True)
    return done.stdout.split()


def test_section_names_are_stable_across_processes():
    """Issue 18 item 5: names built from the file, not from Python object addresses."""
    first = _names_in_fresh_process("pyramidal_myelinated")
    assert first == _names_in_fresh_process("pyramidal_myelinated")
    assert "pyramidal_myelinated0.soma[0]" in first
    assert "pyramidal_myelinated0.apic[0]" in first and "pyramidal_myelinated0.dend[0]" in first
    assert "pyramidal_myelinated0.dend_7[4]" in first and "pyramidal_myelinated0.dend_8[4]" in first
    assert len(set(first)) == len(first) == 31
    assert not any("object at" in n or "_Holder" in n for n in first)


def test_names_join_a_segment_table_across_cells(h):
    """Two builds of one file in a process differ only by the counter in the cell name."""
    from cablemodels.morphology import SwcParams, load_swc, shipped

    a = load_swc(SwcParams(shipped("interneuron_small")))
    b = load_swc(SwcParams(shipped("interneuron_small")))
    ta, tb = a.segment_table(), b.segment_table()
    local = lambda t, cell: t["section"].str.removeprefix(cell.name + ".")  # noqa: E731
    assert list(local(ta, a)) == list(local(tb, b))
    assert a.name != b.name and a.name.startswith("interneuron_small")


def test_long_chain_validates_in_reasonable_time(tmp_path):
    """A hang guard, not a timing test (benchmarks/bench_swc.py measures: 0.2-0.4 s)."""
    path = tmp_path / "chain.swc"
    path.write_text("1 1 0 0 0 5 -1\n" + "".join(f"{i} 3 {i + 3} 0 0 1 {i - 1}\n"
                                                  for i in range(2, 20_002)))
    code = ("from cablemodels.morphology import read_swc\n"
            f"print(len(read_swc({str(path)!r})))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=TIMEOUT_S, check=True)
    assert done.stdout.split()[-1] == "20001"


def _report(path: str, options: dict, reference: str | None) -> dict:
    """The worker's answer for one case: the load and, for a load, NeuroM's numbers."""
    report = _load(path, options)
    if reference is not None and report["outcome"] == "load":
        try:
            report["reference"] = _reference(reference)
        except Exception as err:  # NeuroM refused: the test reports it
            report["reference"] = {"error": f"{type(err).__name__}: {err}"}
    # NEURON writes through C's stdio: flush it so its notices precede this report.
    ctypes.CDLL(None).fflush(None)
    return report


def _main(argv):
    if argv[1] == "--batch":
        for path, options, reference in json.load(sys.stdin):
            print(json.dumps({"path": path, "report": _report(path, options, reference)}),
                  flush=True)
        return
    reference = argv[3] if len(argv) > 3 else None
    print(json.dumps(_report(argv[1], json.loads(argv[2]), reference)), flush=True)


if __name__ == "__main__":
    _main(sys.argv)
