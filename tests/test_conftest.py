"""The cleanup fixture itself (tests/conftest.py ``no_leaked_sections``), run on a
small suite of its own in a subprocess: a passing test that leaks a section fails
with the leak; a failing test that leaks reports its own failure once, and the
leak as a warning instead of a second ERROR; both leave no section behind."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

LEAKY_TESTS = '''
from neuron import h


def test_passes_but_leaks():
    KEEP.append(h.Section(name="left_by_passing"))


def test_fails_and_leaks():
    KEEP.append(h.Section(name="left_by_failing"))
    assert 1 == 2, "the real failure"


def test_after_them_finds_no_section():
    assert [s.name() for s in h.allsec()] == []


KEEP = []
'''


def test_a_failing_test_s_leak_is_reported_once_not_as_a_second_error(tmp_path):
    shutil.copy(Path(__file__).with_name("conftest.py"), tmp_path / "conftest.py")
    (tmp_path / "test_leaky.py").write_text(textwrap.dedent(LEAKY_TESTS))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-o", "addopts=", "-W", "default", str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    out = proc.stdout + proc.stderr
    summary = out.strip().splitlines()[-1]
    assert re.match(r"1 failed, 2 passed, (1 warning, )?1 error in", summary), out
    assert "ERROR at teardown of test_passes_but_leaks" in out, out
    assert "ERROR at teardown of test_fails_and_leaks" not in out, out
    assert "the real failure" in out, out
    assert out.count("FAILED test_leaky.py::test_fails_and_leaks") == 1, out
    assert "ERROR test_leaky.py::test_fails_and_leaks" not in out, out
    assert "left_by_failing" in out and "deleted (not reported as an error" in out, out
