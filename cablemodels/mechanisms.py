"""Compile, cache and load cablemodels' NMODL mechanisms.

This module is the only place that runs ``nrnivmodl`` or loads a mechanism
library. The ``.mod`` sources ship inside the package; on first use they are
compiled into a cache folder keyed by the NEURON version and a hash of the
sources, so a second process (or a second session) reuses the build and an
edited source triggers a new one.

The build happens in a temporary folder next to its destination and is renamed
into place. A rename within one file system is atomic, so two processes that
start together on an empty cache both succeed: the first rename wins and the
second process discards its own build and uses the winner's.

A cache entry is trusted only when its library matches the SHA-256 recorded
(in ``verified.json``) after the freshly built library loaded in a child
process: a truncated, emptied or missing library is detected without mapping
it (which would kill the process with SIGBUS), the entry is removed and
rebuilt. nrnivmodl runs under a guard process that kills it, make and the
compiler when the caller dies; staging folders of dead builds are removed.
Compiles are logged (INFO) with their duration.

NEURON auto-loads ``x86_64/`` (or another architecture folder) from the working
directory when it is imported. :func:`load` detects when such a folder already
defined one of our mechanism names and says which folder to remove, instead of
letting NEURON fail with "The user defined name already exists"; before NEURON
is imported, such a folder is first imported in a child process, so a damaged
one is named instead of crashing the caller.

Nothing here runs at import time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

#: Every cablemodels mechanism name starts with this prefix.
PREFIX = "cm_"

#: Environment variable that overrides the cache folder.
CACHE_ENV = "CABLEMODELS_CACHE_DIR"

#: Folder names NEURON's ``nrnivmodl`` writes, one per architecture.
ARCH_FOLDERS = ("x86_64", "aarch64", "arm64", "i686", "umac", "powerpc")

_SUFFIX_RE = re.compile(r"^\s*(?:SUFFIX|POINT_PROCESS|ARTIFICIAL_CELL)\s+(\w+)", re.M)


class MechanismBuildError(RuntimeError):
    """nrnivmodl failed, or its library could not be found or loaded."""


class MechanismClashError(RuntimeError):
    """NEURON already defines one of our mechanism names (usually from a stale ``x86_64/``)."""


@dataclass(frozen=True)
class BuildInfo:
    """Where a compiled mechanism library lives and how it got there.

    Attributes
    ----------
    library : Path
        Absolute path of ``libnrnmech.so``; hoc users pass it to
        ``nrniv -dll`` or ``nrn_load_dll()``.
    build_dir : Path
        The cache folder holding the build (``mod/`` sources, arch folder, log).
    source_hash : str
        SHA-256 over the names and contents of the ``.mod`` files.
    neuron_version : str
        NEURON version the library was built for.
    compiled : bool
        True when this call ran nrnivmodl; False when the cache was hit.
    seconds : float
        Wall time of this call.
    """

    library: Path
    build_dir: Path
    source_hash: str
    neuron_version: str
    compiled: bool
    seconds: float

    @property
    def log_path(self) -> Path:
        """nrnivmodl's combined output for this build."""
        return self.build_dir / "nrnivmodl.log"


def package_mod_dir() -> Path:
    """Folder of the ``.mod`` sources shipped with the package.

    In an installed wheel they sit in ``cablemodels/mod``; in a source checkout
    (editable install) in the repository's top-level ``mod/``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "mod", here.parent / "mod"):
        if any(candidate.glob("*.mod")):
            return candidate
    raise MechanismBuildError(f"no .mod sources found in {here / 'mod'} or {here.parent / 'mod'}")


def mod_files(mod_dir: Path | None = None) -> list[Path]:
    """The ``.mod`` files of ``mod_dir`` (default: the package's), sorted by name."""
    folder = Path(mod_dir) if mod_dir is not None else package_mod_dir()
    files = sorted(folder.glob("*.mod"))
    if not files:
        raise MechanismBuildError(f"no .mod files in {folder}")
    return files


def source_hash(mod_dir: Path | None = None) -> str:
    """SHA-256 (hex) over the file names and contents of the ``.mod`` sources."""
    digest = hashlib.sha256()
    for path in mod_files(mod_dir):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def mechanism_names(mod_dir: Path | None = None) -> list[str]:
    """Mechanism names (SUFFIX / POINT_PROCESS) defined by the ``.mod`` sources."""
    names = []
    for path in mod_files(mod_dir):
        names.extend(_SUFFIX_RE.findall(path.read_text()))
    return names


def neuron_version() -> str:
    """Installed NEURON version, read without importing NEURON."""
    for dist in ("neuron", "NEURON", "neuron-nightly"):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    raise MechanismBuildError("NEURON is not installed (pip install 'neuron>=9')")


def cache_root() -> Path:
    """Root of the build cache: ``$CABLEMODELS_CACHE_DIR`` or the user's cache folder."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_cache_dir("cablemodels")).resolve()


def find_nrnivmodl() -> Path:
    """The ``nrnivmodl`` of the running interpreter's environment, else the one on PATH."""
    beside = shutil.which("nrnivmodl", path=str(Path(sys.executable).parent))
    found = beside or shutil.which("nrnivmodl")
    if not found:
        raise MechanismBuildError(
            "nrnivmodl not found next to the Python interpreter or on PATH; "
            "install NEURON in this environment (pip install 'neuron>=9')"
        )
    return Path(found)


def find_compiler() -> str | None:
    """Path of the C++ compiler nrnivmodl will use, or None."""
    for name in (os.environ.get("CXX"), "c++", "g++", "clang++"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _library_in(build_dir: Path) -> Path | None:
    for arch in (platform.machine(), *ARCH_FOLDERS):
        for rel in ("libnrnmech.so", ".libs/libnrnmech.so", "libnrnmech.dylib"):
            candidate = build_dir / arch / rel
            if candidate.is_file():
                return candidate
    return None


def build_dir_for(digest: str, version: str, root: Path | None = None) -> Path:
    """Cache folder for sources with hash ``digest`` built by NEURON ``version``."""
    root = Path(root) if root is not None else cache_root()
    return root / f"nrn-{version}" / digest[:20]


#: Written into a cache entry once its library has loaded in a child process.
MANIFEST = "verified.json"
#: Staging folders whose creator is gone, or older than this, are removed.
STALE_STAGING_S = 6 * 3600.0
#: Longest a check of a library in a child process may take.
VERIFY_TIMEOUT_S = 300.0


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_VERIFY_CODE = """
import sys
from neuron import h
if not h.nrn_load_dll(sys.argv[1]):
    sys.exit("nrn_load_dll failed")
have = set()
name = h.ref("")
for kind in (0, 1):
    mt = h.MechanismType(kind)
    for i in range(int(mt.count())):
        mt.select(i)
        mt.selected(name)
        have.add(name[0])
missing = sorted(set(sys.argv[2:]) - have)
if missing:
    sys.exit("library lacks " + ", ".join(missing))
"""


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def verify_library(library: Path, names: list[str]) -> str | None:
    """Load ``library`` into a fresh NEURON in a child process.

    A damaged library (truncated, empty, wrong architecture) can kill the process
    that maps it (SIGBUS, SIGSEGV); the child takes that risk instead of the caller.
    The child runs in a temporary folder so that no ``x86_64/`` of the caller's
    working directory is auto-loaded beside it.

    Returns
    -------
    str or None
        None when the library loaded and defines every name in ``names``;
        otherwise what went wrong.
    """
    env = dict(os.environ, NEURON_MODULE_OPTIONS="-nogui")
    with tempfile.TemporaryDirectory(prefix="cablemodels-verify-") as cwd:
        try:
            proc = subprocess.run([sys.executable, "-c", _VERIFY_CODE, str(library), *names],
                                  cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=VERIFY_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return f"loading it did not finish within {VERIFY_TIMEOUT_S:.0f} s"
    if proc.returncode == 0:
        return None
    tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
    return f"loading it in a child process failed ({_describe_exit(proc.returncode)})" + (
        f": {tail}" if tail else "")


def _write_manifest(build_dir: Path, library: Path) -> None:
    data = {"library": str(library.relative_to(build_dir)), "sha256": file_sha256(library),
            "size": library.stat().st_size}
    tmp = build_dir / f".{MANIFEST}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, build_dir / MANIFEST)


def _check_entry(build_dir: Path, names: list[str]) -> tuple[Path | None, str]:
    """The verified library of a cache entry, or None and why the entry is unusable.

    An entry is good when its library matches the checksum recorded at build time
    (in :data:`MANIFEST`). An entry without a manifest (written by an older
    cablemodels) is checked in a child process and, if it loads, gets a manifest
    (when the cache is writable).
    """
    if not build_dir.exists():
        return None, "absent"
    library = _library_in(build_dir)
    manifest = build_dir / MANIFEST
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text())
            recorded = build_dir / data["library"]
            sha = data["sha256"]
        except (OSError, ValueError, KeyError, TypeError) as err:
            return None, f"its manifest {manifest} is unreadable ({err})"
        if not recorded.is_file():
            return None, f"its library {recorded} is missing"
        if recorded.stat().st_size != data.get("size") or file_sha256(recorded) != sha:
            return None, (f"its library {recorded} does not match the checksum recorded at "
                          "build time (truncated or overwritten)")
        return recorded, ""
    if library is None:
        return None, f"it holds no libnrnmech (incomplete entry {build_dir})"
    problem = verify_library(library, names)
    if problem:
        return None, f"its library {library} is damaged: {problem}"
    try:
        _write_manifest(build_dir, library)
    except OSError:
        pass  # a read-only cache: the child-process check above stands for this process
    return library, ""


_STAGING_RE = re.compile(r"^\.building-(?P<host>.+)-(?P<pid>\d+)-[^-]*$")


def _remove_stale_staging(parent: Path) -> None:
    """Remove ``.building-*`` / ``.broken-*`` folders whose creator is gone."""
    host = socket.gethostname()
    now = time.time()
    for folder in list(parent.glob(".building-*")) + list(parent.glob(".broken-*")):
        match = _STAGING_RE.match(folder.name)
        alive = True
        if match and match["host"] == host:
            try:
                os.kill(int(match["pid"]), 0)
            except ProcessLookupError:
                alive = False
            except OSError:
                pass
        try:
            old = now - folder.stat().st_mtime > STALE_STAGING_S
        except OSError:
            continue
        if not alive or old or folder.name.startswith(".broken-"):
            log.info("removing stale build folder %s", folder)
            shutil.rmtree(folder, ignore_errors=True)


def _discard_entry(final: Path) -> None:
    """Move a damaged cache entry aside (atomic) and delete it."""
    aside = final.parent / f".broken-{socket.gethostname()}-{os.getpid()}-{final.name}"
    try:
        os.rename(final, aside)
    except FileNotFoundError:
        return  # another process discarded it first
    shutil.rmtree(aside, ignore_errors=True)


def _not_writable(root: Path, err: OSError) -> MechanismBuildError:
    return MechanismBuildError(
        f"the mechanism cache {root} is not writable ({err.strerror or err}); compile into "
        f"another folder by setting {CACHE_ENV}=/a/writable/folder")


# Runs as the parent of nrnivmodl: kills nrnivmodl and everything it started (make,
# the compiler) when the process that asked for the build is gone.
_GUARD_CODE = """
import os, signal, subprocess, sys, time
parent = int(sys.argv[1])
child = subprocess.Popen(sys.argv[2:])
while child.poll() is None:
    if os.getppid() != parent:
        os.killpg(0, signal.SIGKILL)
    time.sleep(0.2)
sys.exit(child.returncode)
"""


def _run_nrnivmodl(staging: Path) -> subprocess.CompletedProcess:
    """nrnivmodl in ``staging``, in a process group that dies with the caller.

    The group is led by a small guard process that kills it if the caller dies
    (even by SIGKILL); if the caller is interrupted (Ctrl-C, SIGTERM while this
    runs), the caller kills the group itself before re-raising.
    """
    cmd = [sys.executable, "-c", _GUARD_CODE, str(os.getpid()), str(find_nrnivmodl()), "mod"]
    proc = subprocess.Popen(cmd, cwd=staging, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    previous = None
    if threading.current_thread() is threading.main_thread():
        def on_term(signum, frame):
            raise KeyboardInterrupt(f"interrupted by {signal.Signals(signum).name}")

        previous = signal.signal(signal.SIGTERM, on_term)
    try:
        out, _ = proc.communicate()
    except BaseException:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, None)


def build(mod_dir: Path | None = None, root: Path | None = None) -> BuildInfo:
    """Compile the mechanisms unless the cache already holds a good build.

    A cache entry is used only after its library matched the checksum recorded
    when it was built (or, for entries without one, loaded in a child process);
    a damaged or incomplete entry is removed and rebuilt. A new build is checked
    the same way before it is moved into the cache. Staging folders left by
    killed builds are removed. A complete, valid cache may be read-only.

    Parameters
    ----------
    mod_dir : Path, optional
        Folder of ``.mod`` sources (default: the package's own).
    root : Path, optional
        Cache root (default: :func:`cache_root`).

    Returns
    -------
    BuildInfo

    Raises
    ------
    MechanismBuildError
        nrnivmodl is missing or failed (the message carries its error lines), the
        library it built does not load, or the cache cannot be written.
    """
    start = time.perf_counter()
    sources = mod_files(mod_dir)
    digest = source_hash(mod_dir)
    version = neuron_version()
    names = mechanism_names(mod_dir)
    final = build_dir_for(digest, version, root)
    library, problem = _check_entry(final, names)
    if library is not None:
        return BuildInfo(library, final, digest, version, False, time.perf_counter() - start)
    if problem != "absent":
        log.warning("cache entry %s is unusable (%s); rebuilding it", final, problem)

    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(final.parent)
        if final.exists():
            # Another process may have rebuilt it since the check above: look again
            # before discarding, so that its good build is not thrown away.
            library, problem = _check_entry(final, names)
            if library is not None:
                return BuildInfo(library, final, digest, version, False,
                                 time.perf_counter() - start)
            _discard_entry(final)
        staging = Path(tempfile.mkdtemp(
            prefix=f".building-{socket.gethostname()}-{os.getpid()}-", dir=final.parent))
    except OSError as err:
        raise _not_writable(final.parent, err) from None
    try:
        (staging / "mod").mkdir()
        for src in sources:
            shutil.copy2(src, staging / "mod" / src.name)
        log.info("compiling %d mechanisms with nrnivmodl into %s (once per "
                 "source change and NEURON version; up to a minute)",
                 len(sources), final)
        compile_start = time.perf_counter()
        proc = _run_nrnivmodl(staging)
        (staging / "nrnivmodl.log").write_text(proc.stdout)
        built = _library_in(staging)
        if proc.returncode != 0 or built is None:
            lines = [ln for ln in proc.stdout.splitlines() if re.search(r"error|Error|ERROR", ln)]
            detail = "\n".join(lines[-20:]) or "\n".join(proc.stdout.splitlines()[-20:])
            raise MechanismBuildError(
                f"nrnivmodl failed ({_describe_exit(proc.returncode)}) on {len(sources)} .mod "
                f"files from {sources[0].parent}:\n{detail}"
            )
        problem = verify_library(built, names)
        if problem:
            raise MechanismBuildError(f"nrnivmodl built {built.name}, but {problem}")
        _write_manifest(staging, built)
        log.info("compiled %d mechanisms in %.1f s", len(sources),
                 time.perf_counter() - compile_start)
        try:
            os.rename(staging, final)
        except OSError:
            # Another process finished first; its build is identical (same hash and version).
            if _check_entry(final, names)[0] is None:
                raise
            log.info("another process built %s first; using its library", final)
    except OSError as err:
        raise MechanismBuildError(f"could not build into {final}: {err}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    library, problem = _check_entry(final, names)
    if library is None:
        raise MechanismBuildError(f"the build in {final} is unusable: {problem}")
    return BuildInfo(library, final, digest, version, True, time.perf_counter() - start)


def neuron_mechanism_names() -> set[str]:
    """Names of every density mechanism and point process NEURON knows right now."""
    from neuron import h

    names: set[str] = set()
    name = h.ref("")
    for kind in (0, 1):
        mt = h.MechanismType(kind)
        for i in range(int(mt.count())):
            mt.select(i)
            mt.selected(name)
            names.add(name[0])
    return names


def arch_folders(directory: Path | None = None) -> list[Path]:
    """Compiled-mechanism folders (``x86_64/`` etc.) in ``directory`` (default: cwd)."""
    directory = Path(directory) if directory is not None else Path.cwd()
    return [
        directory / arch
        for arch in ARCH_FOLDERS
        if any((directory / arch / rel).is_file() for rel in ("libnrnmech.so", ".libs/libnrnmech.so"))
    ]


def _check_cwd_arch_folders() -> None:
    """Refuse to import NEURON over a compiled-mechanism folder that crashes it.

    NEURON loads ``x86_64/`` (etc.) from the working directory when it is imported,
    and a damaged library there kills the process (SIGBUS). Each such folder is
    first imported in a child process; if that child dies, the folder is named.
    """
    folders = arch_folders()
    if not folders:
        return
    env = dict(os.environ, NEURON_MODULE_OPTIONS="-nogui")
    try:
        proc = subprocess.run([sys.executable, "-c", "import neuron"], cwd=Path.cwd(), env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=VERIFY_TIMEOUT_S)
        code = proc.returncode
        tail = "\n".join(proc.stderr.strip().splitlines()[-3:])
    except subprocess.TimeoutExpired:
        code, tail = None, f"no answer within {VERIFY_TIMEOUT_S:.0f} s"
    if code == 0:
        return
    where = ", ".join(str(f) for f in folders)
    what = _describe_exit(code) if code is not None else "it hung"
    raise MechanismBuildError(
        f"NEURON auto-loads the compiled mechanisms in {where} from the working directory, "
        f"and importing NEURON there fails ({what}{': ' + tail if tail else ''}); the "
        f"library is damaged. Remove that folder (rm -r {where}) or run from another "
        "directory; cablemodels compiles and loads its own copy.")


_loaded: BuildInfo | None = None


def loaded() -> BuildInfo | None:
    """The build loaded into this process, or None if none was loaded yet."""
    return _loaded


def load() -> BuildInfo:
    """Build if needed, then load our mechanisms into this process (once).

    Returns
    -------
    BuildInfo
        Of the library that is loaded.

    Raises
    ------
    MechanismClashError
        NEURON already defines one of our names before we loaded ours, typically
        because it auto-loaded an ``x86_64/`` folder from the working directory
        that was compiled from cablemodels' sources. The message names the folder.
    MechanismBuildError
        Compilation or loading failed.
    """
    global _loaded
    if _loaded is not None:
        return _loaded
    os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
    info = build()
    if "neuron" not in sys.modules:
        _check_cwd_arch_folders()
    import neuron

    ours = mechanism_names()
    clash = sorted(set(ours) & neuron_mechanism_names())
    if clash:
        folders = arch_folders()
        if folders:
            where = ", ".join(str(f) for f in folders)
            hint = (
                f"NEURON auto-loaded the compiled mechanisms in {where} from the working "
                f"directory, and they define {', '.join(clash)}. Remove that folder "
                f"(rm -r {where}) or run from another directory; cablemodels compiles and "
                "loads its own copy."
            )
        else:
            hint = (
                f"NEURON already defines {', '.join(clash)}: another library with "
                "cablemodels' mechanisms was loaded into this process (nrn_load_dll or "
                "neuron.load_mechanisms). Load them only through cablemodels.mechanisms.load()."
            )
        raise MechanismClashError(hint)
    if not neuron.load_mechanisms(str(info.build_dir), warn_if_already_loaded=False):
        raise MechanismBuildError(f"NEURON could not load {info.library}")
    missing = sorted(set(ours) - neuron_mechanism_names())
    if missing:
        raise MechanismBuildError(f"{info.library} loaded but lacks {', '.join(missing)}")
    _loaded = info
    log.debug("loaded %s", info.library)
    return info
