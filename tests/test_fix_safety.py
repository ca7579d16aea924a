"""--fix never loses a line: the result parses, a second --fix changes nothing, only reported
spans change, encoding, BOM, newline style and mode are kept, and a killed run leaves every
file whole (old or new)."""

from __future__ import annotations

import difflib
import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import libcst as cst
import pytest
from click.testing import CliRunner
from fuzzing import FIXTURES, fixture_mutants, linters
from hypothesis import HealthCheck, given, settings
from projects import TOOLS_FIXED, TOOLS_PY, check, configured_project

from designlint.cli import main
from designlint.engine import Linter
from designlint.fixes import TEMPORARY_SUFFIX, fix_text
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
    assert not list(root.rglob(f"*{TEMPORARY_SUFFIX}"))


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
from designlint.engine import Linter
main(["check", "--fix", "--unsafe-fixes", "-j", "1", "."], prog_name="designlint")
"""


@pytest.mark.slow  # a process of its own
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


# -- the file written is the file that was read ----------------------------------------

TOOLS_FINDING = 'app/tools.py:10:25: DL501 [*] raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED'
CHANGED = "it changed after it was read (left as it is: run --fix again)"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """``app/tools.py`` has one safe fix; ``app/legacy.py`` two unsafe ones (left alone by ``--fix``)."""
    root = tmp_path / "project"
    configured_project(root)
    monkeypatch.chdir(root)
    return root


def assert_not_written(result, name: str, why: str) -> None:
    """The file is reported as not written, its findings still stand, and no run says it fixed anything."""
    lines = result.stdout.splitlines()
    assert f"{name}:1:1: DL001 cannot write the fixed file: {why}" in lines, result.stdout
    assert result.exit_code == 1
    assert "fixed)" not in result.stderr
    assert not list(Path.cwd().rglob(f"*{TEMPORARY_SUFFIX}")), "a temporary file was left behind"


def edit_while_linting(monkeypatch, edit: Callable[[], None]) -> None:
    """Run ``edit`` once, after the file was read and linted, before any fix is written."""
    real_lint = Linter.lint
    edits_left = [edit]

    def lint_then_edit(self, source, path):
        result = real_lint(self, source, path)
        while edits_left:
            edits_left.pop()()
        return result

    monkeypatch.setattr(Linter, "lint", lint_then_edit)


def append(path: Path) -> bytes:
    with open(path, "ab") as handle:
        handle.write(b"# typed in an editor meanwhile\n")
    return path.read_bytes()


def truncate(path: Path) -> bytes:
    os.truncate(path, 40)
    return path.read_bytes()


def replace_with_new_inode(path: Path) -> bytes:
    fresh = path.with_name("fresh.txt")
    fresh.write_bytes(path.read_bytes().replace(b"raise", b"return"))
    os.replace(fresh, path)
    return path.read_bytes()


def rewrite_keeping_size_and_mtime(path: Path) -> bytes:
    """Same length, same mtime: only the bytes tell."""
    status = path.stat()
    path.write_bytes(path.read_bytes().replace(b"RATE_LIMITED", b"RATE_LIMITER"))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    return path.read_bytes()


@pytest.mark.parametrize("edit", [append, truncate, replace_with_new_inode, rewrite_keeping_size_and_mtime])
def test_an_edit_made_while_linting_is_kept(edit, project: Path, monkeypatch):
    tools = project / "app" / "tools.py"
    edited: list[bytes] = []
    edit_while_linting(monkeypatch, lambda: edited.append(edit(tools)))
    result = check("--fix", "app/tools.py")
    assert tools.read_bytes() == edited[0] != TOOLS_PY.encode()
    assert_not_written(result, "app/tools.py", CHANGED)
    assert TOOLS_FINDING in result.stdout.splitlines(), "the finding that was not fixed is still reported"


@pytest.mark.parametrize(
    "edit",
    [append, lambda path: path.chmod(0o444), lambda path: os.link(path, path.with_name("tools.backup"))],
    ids=["appended", "made-read-only", "hard-linked"],
)
def test_a_change_made_while_the_fixed_file_is_written_is_kept(edit, project: Path, monkeypatch):
    """The last check comes after the temporary file is written, just before the rename; it
    sees the file's identity (mode, links) as well as its bytes."""
    tools = project / "app" / "tools.py"
    real_fsync = os.fsync
    edits_left = [edit]

    def fsync_then_edit(descriptor: int) -> None:
        real_fsync(descriptor)
        while edits_left:
            edits_left.pop()(tools)

    monkeypatch.setattr(os, "fsync", fsync_then_edit)
    result = check("--fix", "--no-cache", "app/tools.py")
    assert not edits_left
    assert_not_written(result, "app/tools.py", CHANGED)
    assert tools.read_bytes().startswith(TOOLS_PY.encode())


@pytest.mark.parametrize(
    "touch",
    [
        lambda path: os.utime(path, (0, 0)),
        lambda path: path.write_bytes(path.read_bytes()),  # saved again, unchanged
        lambda path: (
            path.with_name("copy.txt").write_bytes(path.read_bytes()),
            os.replace(path.with_name("copy.txt"), path),
        ),
    ],
    ids=["mtime", "same-bytes-in-place", "same-bytes-new-inode"],
)
def test_a_file_touched_but_not_changed_is_fixed(touch, project: Path, monkeypatch):
    tools = project / "app" / "tools.py"
    edit_while_linting(monkeypatch, lambda: touch(tools))
    result = check("--fix", "app/tools.py")
    assert (result.exit_code, result.stderr) == (0, "All checks passed! (1 fixed)\n")
    assert tools.read_text(encoding="utf-8") == TOOLS_FIXED


def test_a_file_not_written_is_not_cached_as_such(project: Path):
    """The next run without --fix reports the findings of the content, not the failed write."""
    (project / "app" / "tools.py").chmod(0o444)
    assert_not_written(check("--fix", "app/tools.py"), "app/tools.py", "it is read-only")
    again = check("app/tools.py")
    assert again.stdout.splitlines() == [TOOLS_FINDING]


def test_the_api_says_why_a_file_was_not_written(project: Path):
    (project / "app" / "tools.py").chmod(0o444)
    result = lint_paths(["app/tools.py"], Options(jobs=1, fix_mode=FixMode.FIX))
    (outcome,) = result.outcomes
    assert (outcome.fixed, outcome.not_written) == (0, "it is read-only")
    assert sorted(d.code for d in outcome.diagnostics) == ["DL001", "DL501"]


# -- the file's identity: links, owner, permissions, name --------------------------------


@pytest.mark.parametrize("hops", [1, 3])
def test_a_symlink_is_written_through_to_its_target(hops: int, project: Path):
    tools = project / "app" / "tools.py"
    link = tools
    for hop in range(hops):  # a chain: link_2 -> link_1 -> link_0 -> tools.py
        (project / "app" / f"link_{hop}.py").symlink_to(link.name)
        link = project / "app" / f"link_{hop}.py"
    pointed_at = os.readlink(link)
    result = check("--fix", f"app/{link.name}")
    assert (result.exit_code, result.stderr) == (0, "All checks passed! (1 fixed)\n")
    assert link.is_symlink() and os.readlink(link) == pointed_at
    assert tools.read_text(encoding="utf-8") == TOOLS_FIXED
    assert not tools.is_symlink()


def test_a_symlink_into_another_directory_of_the_project_writes_there(project: Path):
    (project / "lib").mkdir()
    shared = project / "lib" / "shared.py"
    shared.write_text(TOOLS_PY, encoding="utf-8")
    (project / "app" / "shared.py").symlink_to("../lib/shared.py")
    assert check("--fix", "app/shared.py").exit_code == 0
    assert shared.read_text(encoding="utf-8") == TOOLS_FIXED
    assert not list(project.rglob(f"*{TEMPORARY_SUFFIX}"))


@pytest.mark.parametrize("through", ["file", "directory"])
def test_a_symlink_out_of_the_project_is_not_written(through: str, project: Path, tmp_path: Path):
    """A repository under review could point a link anywhere (~/.bashrc.py): --fix stays inside it."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outside = elsewhere / "tools.py"
    outside.write_text(TOOLS_PY, encoding="utf-8")
    if through == "file":
        (project / "app" / "outside.py").symlink_to(outside)
        name = "app/outside.py"
    else:
        (project / "app" / "vendored").symlink_to(elsewhere, target_is_directory=True)
        name = "app/vendored/tools.py"
    result = check("--fix", name)
    assert_not_written(result, name, f"it leads through a symlink to {outside}, outside the project")
    assert outside.read_text(encoding="utf-8") == TOOLS_PY
    assert [p.name for p in elsewhere.iterdir()] == ["tools.py"], "nothing was created beside the target"


def test_a_file_outside_the_project_given_by_its_own_path_is_fixed(project: Path, tmp_path: Path):
    """No symlink, no surprise: the user named that file."""
    outside = tmp_path / "scratch.py"
    outside.write_text("from app.errors import ErrorCode\n" + TOOLS_PY, encoding="utf-8")
    result = check("--fix", "--config", "pyproject.toml", str(outside))
    assert (result.exit_code, result.stderr) == (0, "All checks passed! (1 fixed)\n"), result.stdout
    assert outside.read_text(encoding="utf-8") == "from app.errors import ErrorCode\n" + TOOLS_FIXED


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
def test_a_read_only_file_is_not_written(mode: int, project: Path):
    tools = project / "app" / "tools.py"
    tools.chmod(mode)
    result = check("--fix")
    assert_not_written(result, "app/tools.py", "it is read-only")
    assert TOOLS_FINDING in result.stdout.splitlines()
    assert tools.read_text(encoding="utf-8") == TOOLS_PY
    assert tools.stat().st_mode & 0o7777 == mode


def test_a_file_this_user_may_not_write_is_not_written(project: Path, monkeypatch):
    """Root may write any file: here, as another user would, the file is someone else's 0o644."""
    tools = project / "app" / "tools.py"
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode, **kwargs: mode != os.W_OK and real_access(path, mode, **kwargs)
    )
    result = check("--fix", "app/tools.py")
    assert_not_written(result, "app/tools.py", "this user may not write it")
    assert tools.read_text(encoding="utf-8") == TOOLS_PY


def test_a_hard_linked_file_is_not_split(project: Path):
    tools = project / "app" / "tools.py"
    backup = project / "tools.backup"
    os.link(tools, backup)
    result = check("--fix", "app/tools.py")
    assert_not_written(result, "app/tools.py", "it has 2 hard links, which a rewrite would split")
    assert tools.read_text(encoding="utf-8") == backup.read_text(encoding="utf-8") == TOOLS_PY
    assert tools.stat().st_ino == backup.stat().st_ino


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")


@needs_root
def test_the_owner_and_group_are_kept(project: Path):
    tools = project / "app" / "tools.py"
    os.chown(tools, 4321, 8765)
    tools.chmod(0o2664)  # set-gid: a chown after chmod would clear it
    assert check("--fix", "app/tools.py").exit_code == 0
    status = tools.stat()
    assert tools.read_text(encoding="utf-8") == TOOLS_FIXED
    assert (status.st_uid, status.st_gid, status.st_mode & 0o7777) == (4321, 8765, 0o2664)


@needs_root
def test_a_file_whose_owner_cannot_be_kept_is_not_written(project: Path, monkeypatch):
    """As any user but root, a file of another user's (in a writable directory) cannot keep its owner."""
    tools = project / "app" / "tools.py"
    os.chown(tools, 4321, 8765)

    def refuse(*args):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", refuse)
    result = check("--fix", "app/tools.py")
    assert_not_written(
        result, "app/tools.py", "its owner and group (4321:8765) cannot be kept: Operation not permitted"
    )
    assert tools.read_text(encoding="utf-8") == TOOLS_PY


@pytest.mark.parametrize(
    "name",
    ["t" * 197 + ".py", "t" * 232 + ".py", "t" * 252 + ".py", "é" * 126 + ".py"],
    ids=["200", "235", "255", "255-bytes-of-utf-8"],
)
def test_a_long_file_name_is_fixed(name: str, project: Path):
    """Names up to NAME_MAX (255 bytes): the temporary file's name is short whatever the file's."""
    (project / "app" / name).write_text(TOOLS_PY, encoding="utf-8")
    result = check("--fix", f"app/{name}")
    assert (result.exit_code, result.stderr) == (0, "All checks passed! (1 fixed)\n"), result.stdout
    assert (project / "app" / name).read_text(encoding="utf-8") == TOOLS_FIXED
