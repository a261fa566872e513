"""Fault injection into the mechanism cache (issue 19 item 4).

Every case damages a copy of a real build in its own ``CABLEMODELS_CACHE_DIR``
under ``tmp_path`` and then uses it in a child process with a timeout, so that a
crash (SIGBUS from mapping a truncated library) fails the test instead of killing
pytest, and a hang fails it instead of stalling the run. Expected outcome of each
case: the damaged entry is rebuilt and works, or a clear error names what to do.
Before this layer: a truncated library killed ``doctor`` with SIGBUS, a missing
one failed every build with ``OSError: Directory not empty``.

Compiling all of our mechanisms takes 20-70 s on this machine, so only one case
rebuilds the package's library; the others use one small ``.mod`` file (a few
seconds) or a copy of the suite's existing build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from cablemodels import mechanisms

REPO = Path(__file__).resolve().parent.parent
SMALL_MOD = "cm_accum.mod"


def _env(root: Path) -> dict:
    return dict(os.environ, NEURON_MODULE_OPTIONS="-nogui", **{mechanisms.CACHE_ENV: str(root)})


def _python(code: str, root: Path, cwd: Path, timeout: float = 300):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd,
                          env=_env(root), capture_output=True, text=True, timeout=timeout)


def _cli(*args, root: Path, cwd: Path, timeout: float = 600):
    return subprocess.run([sys.executable, "-m", "cablemodels.cli", *args], cwd=cwd,
                          env=_env(root), capture_output=True, text=True, timeout=timeout)


def _entry(root: Path) -> Path:
    (entry,) = [p for p in root.glob("nrn-*/*") if not p.name.startswith(".")]
    return entry


@pytest.fixture(scope="session")
def small_build(tmp_path_factory) -> tuple[Path, Path]:
    """(mod folder with one small .mod, a cache root holding its fresh build)."""
    base = tmp_path_factory.mktemp("small")
    (base / "mod").mkdir()
    shutil.copy(REPO / "mod" / SMALL_MOD, base / "mod")
    info = mechanisms.build(base / "mod", base / "cache")
    assert info.compiled and (info.build_dir / mechanisms.MANIFEST).is_file()
    return base / "mod", base / "cache"


@pytest.fixture(scope="session")
def full_build(tmp_path_factory) -> Path:
    """A cache root holding a copy of the suite's build of all our mechanisms."""
    info = mechanisms.build()
    root = tmp_path_factory.mktemp("full")
    shutil.copytree(info.build_dir, root / info.build_dir.parent.name / info.build_dir.name)
    return root


def _copy(root: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "cache"
    shutil.copytree(root, dest)
    return dest


def _truncate(lib: Path) -> None:
    data = lib.read_bytes()
    lib.write_bytes(data[: len(data) // 3])


def _empty(lib: Path) -> None:
    lib.write_bytes(b"")


def _delete(lib: Path) -> None:
    lib.unlink()


def _old_entry_truncated(lib: Path) -> None:
    """An entry written before checksums existed, then damaged."""
    (lib.parent.parent / mechanisms.MANIFEST).unlink()
    _truncate(lib)


def _old_entry_intact(lib: Path) -> None:
    (lib.parent.parent / mechanisms.MANIFEST).unlink()


def _garbage_manifest(lib: Path) -> None:
    (lib.parent.parent / mechanisms.MANIFEST).write_text("{not json")


#: fault -> whether the next build must recompile.
FAULTS = {"truncate": (_truncate, True), "empty": (_empty, True), "delete": (_delete, True),
          "old_entry_truncated": (_old_entry_truncated, True),
          "old_entry_intact": (_old_entry_intact, False),
          "garbage_manifest": (_garbage_manifest, True)}

_BUILD_AND_LOAD = """
import json, sys
from pathlib import Path
from cablemodels import mechanisms
info = mechanisms.build(Path(sys.argv[1]), Path(sys.argv[2]))
import neuron
assert neuron.load_mechanisms(str(info.build_dir), warn_if_already_loaded=False)
from neuron import h
h("create s")
h("s insert cm_accum")
print(json.dumps({"compiled": info.compiled, "library": str(info.library)}))
"""


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_damaged_entry_is_rebuilt_and_loads(fault, small_build, tmp_path):
    mod_dir, pristine = small_build
    root = _copy(pristine, tmp_path)
    damage, recompiles = FAULTS[fault]
    damage(mechanisms._library_in(_entry(root)) or _entry(root) / "x86_64" / "libnrnmech.so")
    proc = subprocess.run([sys.executable, "-c", _BUILD_AND_LOAD, str(mod_dir), str(root)],
                          cwd=tmp_path, env=_env(root), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"{fault}: exit {proc.returncode}\n{proc.stderr[-2000:]}"
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["compiled"] is recompiles, fault
    manifest = json.loads((_entry(root) / mechanisms.MANIFEST).read_text())
    assert manifest["sha256"] == mechanisms.file_sha256(Path(out["library"]))
    assert not list(root.glob("nrn-*/.building-*")) and not list(root.glob("nrn-*/.broken-*"))


@pytest.mark.slow
def test_truncated_package_library_heals_doctor_with_a_logged_compile(full_build, tmp_path):
    """The issue's crash: a truncated libnrnmech.so killed ``doctor`` with SIGBUS.
    Now doctor rebuilds it (the CLI shows the compile and its duration) and passes."""
    root = _copy(full_build, tmp_path)
    _truncate(mechanisms._library_in(_entry(root)))
    proc = _cli("doctor", root=root, cwd=tmp_path)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr[-2000:]}"
    assert "rebuilding it" in proc.stderr and "does not match the checksum" in proc.stderr
    assert f"compiling {len(mechanisms.mod_files())} mechanisms with nrnivmodl" in proc.stderr
    assert re.search(r"compiled \d+ mechanisms in \d+\.\d s", proc.stderr), proc.stderr
    again = _cli("build", root=root, cwd=tmp_path)
    assert again.returncode == 0 and Path(again.stdout.strip()).is_file()
    assert "compiling" not in again.stderr, "a healed cache was compiled again"


def test_damaged_x86_64_in_cwd_is_named_not_a_crash(full_build, small_build, tmp_path):
    """NEURON auto-loads ./x86_64 at import; a truncated library there gave SIGBUS."""
    root = _copy(full_build, tmp_path)
    _, small = small_build
    work = tmp_path / "work"
    (work / "x86_64").mkdir(parents=True)
    lib = work / "x86_64" / "libnrnmech.so"
    shutil.copy(mechanisms._library_in(_entry(small)), lib)
    _truncate(lib)
    doctor = _cli("doctor", root=root, cwd=work)
    assert doctor.returncode == 1, f"exit {doctor.returncode}\n{doctor.stderr[-2000:]}"
    assert "PROBLEM" in doctor.stdout and str(work / "x86_64") in doctor.stdout
    assert "rm -r" in doctor.stdout
    demo = _cli("demo", root=root, cwd=work)
    assert demo.returncode == 2, f"exit {demo.returncode}\n{demo.stderr[-2000:]}"
    assert demo.stderr.strip().splitlines()[-1].startswith("cablemodels: error:")
    assert str(work / "x86_64") in demo.stderr and "Traceback" not in demo.stderr


def test_build_that_does_not_load_is_an_error_not_a_cached_success(tmp_path):
    """A .mod that compiles but cannot be loaded (it redefines NEURON's own ``pas``):
    before, ``build`` cached it and printed its path; now it is refused, nothing cached."""
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "clash.mod").write_text(textwrap.dedent("""
        NEURON { SUFFIX pas  NONSPECIFIC_CURRENT i  RANGE g }
        UNITS { (mA) = (milliamp)  (mV) = (millivolt) }
        PARAMETER { g = 0.001 (siemens/cm2) }
        ASSIGNED { v (mV)  i (mA/cm2) }
        BREAKPOINT { i = g * v * (0.001) }
    """))
    root = tmp_path / "cache"
    proc = _python(f"""
        from pathlib import Path
        from cablemodels import mechanisms
        try:
            mechanisms.build(Path({str(mod)!r}), Path({str(root)!r}))
        except mechanisms.MechanismBuildError as err:
            print("REFUSED", err)
        """, root, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("REFUSED") and "child process failed" in proc.stdout
    assert not [p for p in root.glob("nrn-*/*")], "a broken build was left in the cache"


def _processes_in(folder: Path) -> list[int]:
    """Ids of processes whose working directory is inside ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            state = next(ln for ln in (entry / "status").read_text().splitlines()
                         if ln.startswith("State:"))
        except (OSError, StopIteration):
            continue
        if cwd.startswith(str(folder)) and " Z " not in state + " ":
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs Linux /proc")
def test_killed_build_leaves_no_compiler_and_its_staging_is_removed(small_build, tmp_path):
    """SIGKILL the process that runs nrnivmodl: nrnivmodl, make and the compiler go
    with it (before: orphans kept compiling), and the next build removes the
    ``.building-*`` folder it left."""
    mod = tmp_path / "mod"
    shutil.copytree(REPO / "mod", mod)  # the whole set: compiling it takes long enough
    root = tmp_path / "cache"
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        from pathlib import Path
        from cablemodels import mechanisms
        mechanisms.build(Path({str(mod)!r}), Path({str(root)!r}))
        """)], cwd=tmp_path, env=_env(root), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    staging: list[Path] = []
    while time.time() < deadline:
        staging = list(root.glob("nrn-*/.building-*"))
        if staging and len(_processes_in(staging[0])) >= 2:
            break
        assert proc.poll() is None, "the build ended before it could be killed"
        time.sleep(0.05)
    assert staging, "no build started"
    time.sleep(1.0)  # let make start the compiler
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and _processes_in(staging[0]):
        time.sleep(0.1)
    assert not _processes_in(staging[0]), "nrnivmodl/make/compiler survived their caller"
    assert staging[0].exists()  # SIGKILL leaves it; the next build removes it
    mod_dir, _ = small_build
    info = mechanisms.build(mod_dir, root)
    assert info.compiled and not staging[0].exists()


def test_staging_of_a_live_build_is_kept(small_build, tmp_path):
    mod_dir, pristine = small_build
    root = _copy(pristine, tmp_path)
    host = __import__("socket").gethostname()
    live = root / _entry(root).parent.name / f".building-{host}-{os.getpid()}-abc"
    dead = root / _entry(root).parent.name / f".building-{host}-999999999-abc"
    live.mkdir()
    dead.mkdir()
    shutil.rmtree(_entry(root))  # force a build
    mechanisms.build(mod_dir, root)
    assert live.exists() and not dead.exists()


def test_unwritable_cache_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = _cli("build", root=blocker / "cache", cwd=tmp_path, timeout=120)
    assert proc.returncode == 2, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("cablemodels: error: the mechanism cache") and "not writable" in last
    assert mechanisms.CACHE_ENV in last and "Traceback" not in proc.stderr


def _read_only_copy(pristine: Path, mod_dir: Path) -> Path:
    """A copy of a cache (and the sources) that the test's reader cannot write.

    Root ignores file permissions, so as root the reader is user ``nobody``
    (``setpriv``) and the copy lives in a folder ``nobody`` may traverse."""
    base = Path(tempfile.mkdtemp(prefix="cablemodels-ro-"))
    base.chmod(0o755)
    shutil.copytree(pristine, base / "cache")
    shutil.copytree(mod_dir, base / "mod")
    for path in [base / "cache", *(base / "cache").rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222 | (0o555 if path.is_dir() else 0o444))
    return base


def _as_reader(code: str, base: Path):
    prefix = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("as root a read-only cache needs setpriv to drop privileges")
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        probe = subprocess.run([*prefix, sys.executable, "-c", "import neuron"], cwd=base,
                               capture_output=True, text=True, timeout=120)
        if probe.returncode != 0:
            # e.g. a pyenv interpreter under /root whose libpython user nobody cannot read
            pytest.skip("this Python cannot run as user nobody (needed to test a read-only "
                        f"cache as root): {probe.stderr.strip().splitlines()[-1:]}")
    return subprocess.run([*prefix, sys.executable, "-c", textwrap.dedent(code)], cwd=base,
                          env=_env(base / "cache"), capture_output=True, text=True, timeout=300)


_BUILD_READ_ONLY = """
from pathlib import Path
from cablemodels import mechanisms
try:
    info = mechanisms.build(Path("mod"), Path("cache"))
    print("BUILT", info.compiled, info.library)
except mechanisms.MechanismBuildError as err:
    print("ERROR", err)
"""


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_complete_read_only_cache_is_used(small_build):
    mod_dir, pristine = small_build
    base = _read_only_copy(pristine, mod_dir)
    try:
        proc = _as_reader(_BUILD_READ_ONLY, base)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert proc.stdout.startswith("BUILT False"), proc.stdout + proc.stderr
    finally:
        for path in [base, *base.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        shutil.rmtree(base)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_damaged_read_only_cache_is_a_clear_error(small_build):
    mod_dir, pristine = small_build
    base = _read_only_copy(pristine, mod_dir)
    try:
        lib = mechanisms._library_in(_entry(base / "cache"))
        lib.chmod(0o644)
        _truncate(lib)
        lib.chmod(0o444)
        proc = _as_reader(_BUILD_READ_ONLY, base)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert proc.stdout.startswith("ERROR the mechanism cache"), proc.stdout + proc.stderr
        assert "not writable" in proc.stdout and mechanisms.CACHE_ENV in proc.stdout
        assert "does not match the checksum" in proc.stderr  # the warning says why
    finally:
        for path in [base, *base.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        shutil.rmtree(base)
