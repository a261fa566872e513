"""Mechanism build, cache and load (issue 2).

These tests compile small subsets of our .mod files into temporary caches so
that each compile takes seconds, and run NEURON in subprocesses wherever the
behaviour under test happens at NEURON start-up (auto-loading of ``x86_64/``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cablemodels import mechanisms

REPO = Path(__file__).resolve().parent.parent
SMALL_MOD = "cm_accum.mod"


def _run_python(code: str, cwd: Path, env_extra: dict | None = None, timeout: float = 300):
    env = dict(os.environ, NEURON_MODULE_OPTIONS="-nogui", **(env_extra or {}))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture
def small_mod_dir(tmp_path):
    folder = tmp_path / "mod"
    folder.mkdir()
    shutil.copy(REPO / "mod" / SMALL_MOD, folder)
    return folder


def test_import_touches_nothing(tmp_path):
    """`import cablemodels` (and its CLI module) neither imports NEURON nor compiles."""
    out = _run_python(
        """
        import sys, cablemodels, cablemodels.cli, cablemodels.mechanisms as m
        assert "neuron" not in sys.modules, "importing cablemodels imported NEURON"
        assert m.loaded() is None
        print("ok")
        """,
        cwd=tmp_path, env_extra={mechanisms.CACHE_ENV: str(tmp_path / "cache")},
    )
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "cache").exists(), "import created the cache folder"


def test_every_mechanism_is_prefixed():
    names = mechanisms.mechanism_names()
    assert len(names) == len(mechanisms.mod_files())
    assert all(n.startswith(mechanisms.PREFIX) for n in names), names


def test_cache_hit_then_rebuild_on_edit(small_mod_dir, tmp_path):
    root = tmp_path / "cache"
    first = mechanisms.build(small_mod_dir, root)
    assert first.compiled and first.library.is_file()
    again = mechanisms.build(small_mod_dir, root)
    assert not again.compiled, "second use recompiled"
    assert again.library == first.library
    assert first.library.stat().st_mtime == again.library.stat().st_mtime

    src = small_mod_dir / SMALL_MOD
    src.write_text(src.read_text() + "\n: edited\n")
    edited = mechanisms.build(small_mod_dir, root)
    assert edited.compiled, "editing a .mod source did not trigger a rebuild"
    assert edited.build_dir != first.build_dir
    assert edited.source_hash != first.source_hash


def test_two_processes_on_a_cold_cache(small_mod_dir, tmp_path):
    """Both succeed and agree on the library; no staging folder is left behind."""
    root = tmp_path / "cache"
    code = f"""
        from pathlib import Path
        from cablemodels import mechanisms
        info = mechanisms.build(Path({str(small_mod_dir)!r}), Path({str(root)!r}))
        print(info.library)
        """
    env = dict(os.environ, NEURON_MODULE_OPTIONS="-nogui")
    procs = [
        subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, results):
        assert p.returncode == 0, err
    libs = {out.strip() for out, _ in results}
    assert len(libs) == 1 and Path(libs.pop()).is_file()
    leftovers = [p for p in root.rglob(".building-*")]
    assert not leftovers, leftovers


def test_compile_failure_carries_nrnivmodl_errors(tmp_path):
    folder = tmp_path / "mod"
    folder.mkdir()
    (folder / "cm_broken.mod").write_text(
        "NEURON { SUFFIX cm_broken }\nBREAKPOINT { undefined_thing = 1 }\n")
    with pytest.raises(mechanisms.MechanismBuildError) as err:
        mechanisms.build(folder, tmp_path / "cache")
    message = str(err.value)
    assert "nrnivmodl failed" in message
    assert "undefined_thing" in message, message
    assert not list((tmp_path / "cache").rglob("libnrnmech.so"))


FOREIGN_MOD = """
NEURON { SUFFIX foo_pas NONSPECIFIC_CURRENT i RANGE g, e }
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) }
PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) }
ASSIGNED { v (mV) i (mA/cm2) }
BREAKPOINT { i = g*(v - e) }
"""


def _compile_here(folder: Path, files: dict[str, str]) -> None:
    (folder / "src").mkdir(parents=True)
    for name, text in files.items():
        (folder / "src" / name).write_text(text)
    proc = subprocess.run([str(mechanisms.find_nrnivmodl()), "src"], cwd=folder,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_foreign_x86_64_in_cwd_loads_beside_ours(tmp_path, h):
    """A working-directory library with none of our names: both sets are usable."""
    _compile_here(tmp_path, {"foo_pas.mod": FOREIGN_MOD})
    out = _run_python(
        """
        from cablemodels import mechanisms
        mechanisms.load()
        from neuron import h
        s = h.Section(name="s")
        s.insert("foo_pas"); s.insert("cm_leak")
        print("ok", s(0.5).foo_pas.g)
        """,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "ok 0.001" in out.stdout


def test_clashing_x86_64_in_cwd_names_the_folder(tmp_path, h):
    """A working-directory library compiled from our sources: a clear error naming it."""
    _compile_here(tmp_path, {SMALL_MOD: (REPO / "mod" / SMALL_MOD).read_text()})
    out = _run_python(
        """
        from cablemodels import mechanisms
        try:
            mechanisms.load()
        except mechanisms.MechanismClashError as err:
            print("CLASH:", err)
        """,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "CLASH:" in out.stdout
    assert str(tmp_path / "x86_64") in out.stdout
    assert "cm_accum" in out.stdout and "Remove that folder" in out.stdout


@pytest.mark.parametrize("mod", sorted(p.name for p in (REPO / "mod").glob("*.mod")))
def test_modlunit_passes(mod, tmp_path):
    modlunit = shutil.which("modlunit", path=str(Path(sys.executable).parent)) or shutil.which("modlunit")
    assert modlunit, "modlunit not found beside the interpreter"
    shutil.copy(REPO / "mod" / mod, tmp_path)
    proc = subprocess.run([modlunit, mod], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    output = (proc.stdout + proc.stderr).replace(f"Checking units of {mod}", "").strip()
    assert proc.returncode == 0 and not output, output


def test_package_mechanisms_compile_without_warnings(h):
    info = mechanisms.loaded()
    text = info.log_path.read_text()
    warnings = [ln for ln in text.splitlines() if "warning" in ln.lower()]
    assert not warnings, warnings


def test_cli_build_prints_the_library(h):
    out = subprocess.run([sys.executable, "-m", "cablemodels.cli", "build"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    lib = Path(out.stdout.strip())
    assert lib.is_absolute() and lib.is_file() and lib == mechanisms.loaded().library


def test_cli_doctor_ok_and_problem(tmp_path, h):
    ok = subprocess.run([sys.executable, "-m", "cablemodels.cli", "doctor"], cwd=tmp_path,
                        capture_output=True, text=True, timeout=600)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "PROBLEM" not in ok.stdout and ok.stdout.count("OK") >= 5
    _compile_here(tmp_path, {SMALL_MOD: (REPO / "mod" / SMALL_MOD).read_text()})
    bad = subprocess.run([sys.executable, "-m", "cablemodels.cli", "doctor"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert bad.returncode == 1
    assert "PROBLEM working directory" in bad.stdout and "x86_64" in bad.stdout


@pytest.mark.slow
def test_wheel_ships_sources_and_works_in_a_fresh_venv(tmp_path):
    """Build a wheel, check its contents, install it in a new venv, load from elsewhere."""
    import zipfile

    wheels = tmp_path / "wheels"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(wheels),
                           str(REPO)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheel = next(wheels.glob("cablemodels-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for pattern, sub in (("mod/*.mod", "mod"), ("morphologies/*.swc", "morphologies")):
        for path in REPO.glob(pattern):
            assert f"cablemodels/{sub}/{path.name}" in names, f"{path.name} missing from wheel"

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                          str(wheel)], capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, NEURON_MODULE_OPTIONS="-nogui",
               **{mechanisms.CACHE_ENV: str(tmp_path / "cache")})
    code = """
        from cablemodels import mechanisms
        info = mechanisms.load()
        assert "site-packages" in str(mechanisms.package_mod_dir()), mechanisms.package_mod_dir()
        from neuron import h
        s = h.Section(name="s")
        for name in mechanisms.mechanism_names():
            s.insert(name)
        print("loaded", info.library)
        """
    out = subprocess.run([str(venv / "bin" / "python"), "-c", textwrap.dedent(code)],
                         cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "loaded" in out.stdout
