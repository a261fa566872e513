"""CLI errors (issue 19 item 6, issue 18's CLI items): every user error is one line
``cablemodels: error: ...`` on stderr, exit status 2, no traceback and no file left
behind; the same ``--jobs`` rule for every command; ``-v`` after the subcommand."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cablemodels import cli


def _run(*args, cwd: Path, timeout: float = 300):
    return subprocess.run([sys.executable, "-m", "cablemodels.cli", *args], cwd=cwd,
                          env=dict(os.environ, NEURON_MODULE_OPTIONS="-nogui"),
                          capture_output=True, text=True, timeout=timeout)


def _files(folder: Path) -> set:
    return {p.relative_to(folder) for p in folder.rglob("*")}


def _error_line(proc) -> str:
    assert proc.returncode == 2, f"exit {proc.returncode}: {proc.stdout}{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("out, words", [
    ("/nonexistent/x.hoc", "folder /nonexistent does not exist"),
    ("{tmp}", "exists and is not a regular file"),
    ("{tmp}/sub/", "is not a file name"),
    ("{tmp}/fifo", "exists and is not a regular file"),  # stands for a device: never
    # name a real one here (/dev/null): code without this guard replaces it with a file
    ("{tmp}/a_file/x.hoc", "does not exist"),
])
def test_export_hoc_bad_out_paths(out, words, tmp_path):
    (tmp_path / "a_file").write_text("a file, not a folder")
    os.mkfifo(tmp_path / "fifo")
    before = _files(tmp_path)
    proc = _run("export-hoc", "squid-axon", "--out", out.format(tmp=tmp_path), cwd=tmp_path)
    line = _error_line(proc)
    assert line.startswith("cablemodels: error: ") and words in line, line
    assert _files(tmp_path) == before, "a file was left behind"


@pytest.mark.parametrize("name, words", [
    ("proc", "hoc keyword or a name hoc already defines"),
    ("run", "hoc keyword or a name hoc already defines"),  # stdrun.hoc's run()
    ("Vector", "hoc keyword or a name hoc already defines"),
    ("cm_leak", "hoc keyword or a name hoc already defines"),  # our mechanism
    ("1cell", "is not a hoc identifier"),
    ("my-cell", "is not a hoc identifier"),
])
def test_export_hoc_refuses_template_names_nrniv_cannot_define(name, words, tmp_path, capsys):
    code = cli.main(["export-hoc", "squid-axon", "--template", name,
                     "--out", str(tmp_path / "x.hoc")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("cablemodels: error: ") and words in err, err
    assert not list(tmp_path.iterdir())


def test_export_hoc_cell_name_and_swc_together(tmp_path, capsys):
    """Before: the cell name was silently ignored."""
    code = cli.main(["export-hoc", "squid-axon", "--swc", "ball_and_stick",
                     "--out", str(tmp_path / "x.hoc")])
    assert code == 2 and "not both" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_export_hoc_good_template_still_written(tmp_path, capsys, h):
    code = cli.main(["export-hoc", "squid-axon", "--template", "SquidAxon", "--no-rest",
                     "--out", str(tmp_path / "x.hoc")])
    assert code == 0, capsys.readouterr().err
    assert "begintemplate SquidAxon" in (tmp_path / "x.hoc").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.hoc"]


@pytest.mark.parametrize("argv", [
    ["reproduce", "--jobs", "0"], ["reproduce", "--jobs", "-2"], ["reproduce", "--jobs", "two"],
    ["sweep", "spec.json", "--out", "o", "--jobs", "0"],
])
def test_jobs_must_be_at_least_one_everywhere(argv, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    assert "argument --jobs: must be an integer >= 1" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_verbose_after_the_subcommand(tmp_path, h):
    """``cablemodels build -v`` failed with 'unrecognized arguments'."""
    proc = _run("build", "-v", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).is_file()
    assert "NEURON" in proc.stderr  # the -v summary line


def test_demo_help_states_the_temperature_it_runs_at():
    text = cli.make_parser()._subparsers._group_actions[0].choices["demo"].format_help()
    from cablemodels import demo

    assert demo.demo_params().temperature_degC == 18.5
    assert "18.5 degC" in text and "6.3" not in text


@pytest.mark.parametrize("setup, argv, words", [
    (None, ["sweep", "{tmp}/missing.json", "--out", "{tmp}/o"], "cannot read sweep spec"),
    ("spec", ["sweep", "{tmp}/spec.json", "--out", "{tmp}/a_file"], "a_file"),
    ("bad", ["sweep", "{tmp}/spec.json", "--out", "{tmp}/o"], "cannot read sweep spec"),
])
def test_sweep_file_errors(setup, argv, words, tmp_path):
    (tmp_path / "a_file").write_text("x")
    if setup == "spec":
        (tmp_path / "spec.json").write_text(
            '{"protocol": "unmyelinated_ap", "grid": {"diameter_um": [2.0]}}')
    elif setup == "bad":
        (tmp_path / "spec.json").write_bytes(b'{"protocol": \xff')
    before = _files(tmp_path)
    proc = _run(*[a.format(tmp=tmp_path) for a in argv], cwd=tmp_path)
    line = _error_line(proc)
    assert line.startswith("cablemodels: error: ") and words in line, line
    assert _files(tmp_path) == before
