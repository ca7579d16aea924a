"""--fix never loses a line: the result parses, a second --fix changes nothing, only reported
spans change, encoding, BOM, newline style and mode are kept, and a killed run leaves every
file whole (old or new)."""

from __future__ import annotations

import difflib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import libcst as cst
import pytest
from click.testing import CliRunner
from fuzzing import FIXTURES, fixture_mutants, linters
from hypothesis import HealthCheck, given, settings

from designlint.cli import main
from designlint.fixes import fix_text
from designlint.runner import FixMode, Options, lint_paths
from designlint.source import decode, line_starts, offset_of

PROJECTS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
DISPATCHER = FIXTURES / "dispatcher"
DISPATCHER_LINTER = linters()[1]


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.py"))}


def fixable_spans(root: Path) -> dict[str, list[tuple[int, int]]]:
    """Character spans (in each file's decoded text) that the fixes of a check run touch."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for d in lint_paths(["."], Options(jobs=1)).diagnostics:
        if d.fix is None:
            continue
        text = decode(Path(d.path).read_bytes()).text
        starts = line_starts(text) + [len(text) + 1]
        relative = Path(os.path.relpath(d.path, root)).as_posix()
        for edit in d.fix.edits:
            spans.setdefault(relative, []).append(
                (offset_of(starts, edit.start.row, edit.start.column), offset_of(starts, edit.end.row, edit.end.column))
            )
    return spans


def assert_only_spans_changed(before: str, after: str, spans: list[tuple[int, int]]) -> None:
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag != "equal":
            assert any(begin <= i1 and i2 <= end for begin, end in spans), (
                f"changed {before[i1:i2]!r} at {i1} outside the fixes' spans {spans}"
            )


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_fix_on_every_fixture(project: Path, tmp_path: Path, monkeypatch):
    root = tmp_path / project.name
    shutil.copytree(project, root)
    monkeypatch.chdir(root)
    before = snapshot(root)
    spans = fixable_spans(root)
    result = lint_paths(["."], Options(jobs=1, fix_mode=FixMode.FIX, unsafe_fixes=True))
    after = snapshot(root)
    assert sum(o.fixed for o in result.outcomes) == sum(len(s) for s in spans.values()) or not spans
    for name, data in after.items():
        cst.parse_module(data.decode("utf-8"))
        if data != before[name]:
            assert_only_spans_changed(before[name].decode(), data.decode(), spans.get(name, []))
    again = lint_paths(["."], Options(jobs=1, fix_mode=FixMode.FIX, unsafe_fixes=True))
    assert sum(o.fixed for o in again.outcomes) == 0
    assert snapshot(root) == after


def test_the_dispatcher_fixture_has_fixes_to_apply():
    """Control for the test above: it would prove little on a fixture with nothing to fix."""
    assert sum(1 for d in lint_paths([DISPATCHER], Options(jobs=1)).diagnostics if d.fix) >= 3


VARIANTS = {
    "crlf": lambda data: data.replace(b"\n", b"\r\n"),
    "lone-cr": lambda data: data.replace(b"\n", b"\r"),
    "bom": lambda data: b"\xef\xbb\xbf" + data,
    "latin-1": lambda data: b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + data,
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_fix_keeps_encoding_bom_newlines_and_mode(variant: str, tmp_path: Path, monkeypatch):
    root = tmp_path / "dispatcher"
    shutil.copytree(DISPATCHER, root)
    monkeypatch.chdir(root)
    target = root / "src" / "toolhub" / "dispatcher.py"
    original = VARIANTS[variant](target.read_bytes())
    target.write_bytes(original)
    target.chmod(0o751)
    result = lint_paths([str(target)], Options(jobs=1, fix_mode=FixMode.FIX, unsafe_fixes=True))
    assert result.outcomes[0].fixed >= 3
    fixed = target.read_bytes()
    assert fixed != original
    assert (target.stat().st_mode & 0o7777) == 0o751
    assert fixed.startswith(b"\xef\xbb\xbf") == original.startswith(b"\xef\xbb\xbf")
    if variant == "crlf":
        assert fixed.count(b"\n") == fixed.count(b"\r\n")
    if variant == "lone-cr":
        assert b"\n" not in fixed
    if variant == "latin-1":
        assert fixed.startswith(b"# -*- coding: latin-1 -*-\n# caf\xe9\n")
    decoded = decode(fixed)
    cst.parse_module(decoded.text)
    assert len(decoded.text.splitlines()) == len(decode(original).text.splitlines())  # no line lost or added
    assert not list(root.rglob("*.designlint-tmp"))


@settings(max_examples=25, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(source=fixture_mutants())
def test_fix_on_generated_inputs(source: str):
    """In memory, with the dispatcher's configuration: a fix never yields code that does
    not parse, and fixing the fixed text changes nothing."""
    linter = DISPATCHER_LINTER
    lint = lambda text: linter.lint(text, str(DISPATCHER / "src" / "toolhub" / "dispatcher.py")).diagnostics  # noqa: E731
    fixed, applied, _ = fix_text(source, lint, unsafe=True)
    if applied:
        cst.parse_module(fixed)
        assert fix_text(fixed, lint, unsafe=True)[:2] == (fixed, 0)
    else:
        assert fixed == source


# -- a fix run killed while writing ----------------------------------------------------

SLOW_WRITER = """
import os, sys, time
import designlint.fixes as fixes

real_fdopen = os.fdopen


class SlowHandle:
    def __init__(self, handle):
        self.handle = handle

    def write(self, data):
        half = len(data) // 2
        self.handle.write(data[:half])
        self.handle.flush()
        time.sleep(0.02)  # the kill may land here, with half a file written
        return self.handle.write(data[half:])

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self.handle.__exit__(*exc)


fixes.os = type(sys)("slow_os")
fixes.os.__dict__.update(os.__dict__)
fixes.os.fdopen = lambda *a, **k: SlowHandle(real_fdopen(*a, **k))
from designlint.cli import main
main(["check", "--fix", "--unsafe-fixes", "-j", "1", "."], prog_name="designlint")
"""


def test_killed_fix_run_leaves_every_file_old_or_new(tmp_path: Path):
    template = (DISPATCHER / "src" / "toolhub" / "dispatcher.py").read_bytes()
    expected_root = tmp_path / "expected"
    shutil.copytree(DISPATCHER, expected_root)
    subprocess.run(
        [sys.executable, "-m", "designlint", "check", "--fix", "--unsafe-fixes", "-j", "1", "--exit-zero", "."],
        cwd=expected_root,
        check=True,
        capture_output=True,
    )
    new = (expected_root / "src" / "toolhub" / "dispatcher.py").read_bytes()
    assert new != template
    rng = random.Random(6)
    caught_midway = 0
    for trial in range(4):
        root = tmp_path / f"trial{trial}"
        shutil.copytree(DISPATCHER, root)
        package = root / "src" / "toolhub"
        for index in range(30):
            (package / f"copy_{index:02}.py").write_bytes(template)
        process = subprocess.Popen(
            [sys.executable, "-c", SLOW_WRITER], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # Once the first file is written, the run is writing: kill it a moment later.
        deadline = time.monotonic() + 60
        while (
            not any((package / f"copy_{index:02}.py").read_bytes() == new for index in range(30))
            and time.monotonic() < deadline
        ):
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.3))
        process.send_signal(signal.SIGKILL)
        process.wait()
        states = [(package / f"copy_{index:02}.py").read_bytes() for index in range(30)]
        assert all(state in (template, new) for state in states), "a file was left half-written"
        caught_midway += template in states and new in states
    assert caught_midway, "no kill landed during the run: the test proved nothing"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # A BOM and CRLF survive a run where the only fix is unsafe (nothing applied).
        (b'\xef\xbb\xbffrom toolhub.errors import ToolError\r\nraise ToolError("RATE_LIMITED")\r\n', None),
        # A latin-1 file comes back in latin-1, fixed.
        (
            b'# -*- coding: latin-1 -*-\n# caf\xe9\nfrom toolhub.errors import ErrorCode, ToolError\nraise ToolError("RATE_LIMITED")\n',
            b"# -*- coding: latin-1 -*-\n# caf\xe9\nfrom toolhub.errors import ErrorCode, ToolError\nraise ToolError(ErrorCode.RATE_LIMITED)\n",
        ),
    ],
    ids=["bom-crlf-unchanged", "latin-1-fixed"],
)
def test_fix_of_standard_input_keeps_its_encoding(source: bytes, expected: bytes | None, monkeypatch):
    monkeypatch.chdir(DISPATCHER)
    result = CliRunner().invoke(main, ["check", "--fix", "--stdin-filename", "src/toolhub/piped.py", "-"], input=source)
    assert result.stdout_bytes == (source if expected is None else expected)
