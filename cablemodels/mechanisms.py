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

NEURON auto-loads ``x86_64/`` (or another architecture folder) from the working
directory when it is imported. :func:`load` detects when such a folder already
defined one of our mechanism names and says which folder to remove, instead of
letting NEURON fail with "The user defined name already exists".

Nothing here runs at import time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
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


def build(mod_dir: Path | None = None, root: Path | None = None) -> BuildInfo:
    """Compile the mechanisms unless the cache already holds this build.

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
        nrnivmodl is missing or failed; the message carries its error lines.
    """
    start = time.perf_counter()
    sources = mod_files(mod_dir)
    digest = source_hash(mod_dir)
    version = neuron_version()
    final = build_dir_for(digest, version, root)
    library = _library_in(final)
    if library is not None:
        return BuildInfo(library, final, digest, version, False, time.perf_counter() - start)

    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=final.parent))
    try:
        (staging / "mod").mkdir()
        for src in sources:
            shutil.copy2(src, staging / "mod" / src.name)
        log.info("compiling %d mechanisms with nrnivmodl into %s", len(sources), final)
        proc = subprocess.run(
            [str(find_nrnivmodl()), "mod"],
            cwd=staging,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        (staging / "nrnivmodl.log").write_text(proc.stdout)
        if proc.returncode != 0 or _library_in(staging) is None:
            lines = [ln for ln in proc.stdout.splitlines() if re.search(r"error|Error|ERROR", ln)]
            detail = "\n".join(lines[-20:]) or "\n".join(proc.stdout.splitlines()[-20:])
            raise MechanismBuildError(
                f"nrnivmodl failed (exit {proc.returncode}) on {len(sources)} .mod files "
                f"from {sources[0].parent}:\n{detail}"
            )
        try:
            os.rename(staging, final)
        except OSError:
            # Another process finished first; its build is identical (same hash and version).
            if _library_in(final) is None:
                raise
            log.info("another process built %s first; using its library", final)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    library = _library_in(final)
    if library is None:
        raise MechanismBuildError(f"nrnivmodl produced no libnrnmech in {final}")
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
    log.info("loaded %s", info.library)
    return info
