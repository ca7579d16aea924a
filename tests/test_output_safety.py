"""What ``designlint check`` prints when the linted code and its file names are hostile:
string literals and names holding terminal escapes, line breaks, bidi overrides, GitHub
workflow commands and bytes that are not UTF-8. Every format, to standard output and to
``-o FILE``; the report file written whole or not at all; warnings, errors and tracebacks."""

from __future__ import annotations

import errno
import json
import os
import stat
import threading
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest
from click.testing import CliRunner
from projects import check, configured_project, write_tree

from designlint.cli import OUTPUT_FORMATS, main
from designlint.rules.errors import RawStringErrorCode

# DL202 quotes the source of the dynamic URL: a literal spanning lines, raw control characters.
HOSTILE_SOURCE = (
    "import requests\n\n\n"
    "def fetch(lookup):\n"
    '    requests.get(lookup("""\n::error title=pwned::fake"""), timeout=5)\n'
    '    requests.get(lookup("\x1b]0;pwned\x07\x1b[2J"), timeout=5)\n'
    '    requests.get(lookup("\u2028\u2029\u202e\x7f\x9b##[error]x"), timeout=5)\n'
)
DL501_SOURCE = 'class HandlerError(Exception):\n    pass\n\n\nraise HandlerError("RATE_LIMITED")\n'
# File names: a line break starting a workflow command, ESC and BEL, bytes that are not UTF-8,
# CR, a command at the start of the line, a bidi override that shows "py.txt" as "txt.py".
HOSTILE_NAMES = [
    b"nl\n::error title=pwned::x.py",
    b"esc\x1b]0;pwned\x07.py",
    b"bad\xff\xfe.py",
    b"cr\rname.py",
    b"::error title=lead::x.py",
    b" ::warning::y.py",
    b"bidi\xe2\x80\xaeyp.txt.py",
]
RAW_CONTROLS = "\x1b\x07\r\u2028\u2029\u202e\x7f\x9b\ufffd"


@pytest.fixture
def hostile(tmp_path, monkeypatch) -> Path:
    write_tree(tmp_path, {"hostile.py": HOSTILE_SOURCE})
    for name in HOSTILE_NAMES:
        (tmp_path / os.fsdecode(name)).write_bytes(DL501_SOURCE.encode())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def assert_safe_to_print(output: bytes, *, commands: int = 0) -> list[str]:
    """Valid UTF-8, no character a terminal acts on, no workflow command beyond the expected."""
    text = output.decode("utf-8")
    assert [char for char in RAW_CONTROLS if char in text] == []
    assert "##[" not in text
    lines = text.split("\n")
    assert len([line for line in lines if line.lstrip().startswith("::")]) == commands
    return lines


@pytest.mark.parametrize("output_format", OUTPUT_FORMATS)
def test_every_format_prints_hostile_code_and_names_safely_to_stdout_and_file(hostile, output_format):
    result = check("--isolated", "--output-format", output_format)
    assert result.exit_code == 1, result.stderr
    findings = 3 + len(HOSTILE_NAMES)
    assert result.stderr.startswith(f"Found {findings} problems in {1 + len(HOSTILE_NAMES)} files.")
    lines = assert_safe_to_print(result.stdout_bytes, commands=findings if output_format == "github" else 0)
    if output_format in ("concise", "github"):
        assert len(lines) == findings + 1 and lines[-1] == "", "one line per finding"
    to_file = check("--isolated", "--output-format", output_format, "-o", "report")
    assert to_file.exit_code == 1 and to_file.stdout_bytes == b""
    assert (hostile / "report").read_bytes() == result.stdout_bytes


def test_concise_shows_hostile_text_escaped_and_readable(hostile):
    lines = check("--isolated").stdout.splitlines()
    assert "nl\\n::error title=pwned::x.py:5:20: DL501" in lines[-1]
    assert [line.split(":5:")[0] for line in lines[:7]] == [
        " \\x3a:warning::y.py",
        "\\x3a:error title=lead::x.py",
        "bad\\xff\\xfe.py",
        "bidi\\u202eyp.txt.py",
        "cr\\rname.py",
        "esc\\x1b]0;pwned\\x07.py",
        "hostile.py",
    ]
    assert '`lookup("""\\n::error title=pwned::fake""")`' in lines[6]
    assert '`lookup("\\u2028\\u2029\\u202e\\x7f\\x9b##\\x5berror]x")`' in check("--isolated").stdout


def test_json_and_sarif_keep_the_names_and_messages(hostile):
    names = {str(hostile / os.fsdecode(name)) for name in [*HOSTILE_NAMES, b"hostile.py"]}
    records = json.loads(check("--isolated", "--output-format", "json").stdout_bytes)
    assert {record["filename"] for record in records} == names
    assert any(
        record["message"].startswith('outbound HTTP to a dynamic URL from `lookup("""\n::') for record in records
    )
    sarif = json.loads(check("--isolated", "--output-format", "sarif").stdout_bytes)
    uris = [
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in sarif["runs"][0]["results"]
    ]
    assert {os.fsdecode(hostile / os.fsdecode(unquote_to_bytes(uri))) for uri in uris} == names


# --- the report file -------------------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    configured_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_failed_write_leaves_the_previous_report_whole(project, monkeypatch):
    (project / "report.json").write_text("previous report\n")

    def disk_full(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("designlint.cli.os.fsync", disk_full)
    result = check("--no-cache", "--output-format", "json", "-o", "report.json")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "designlint: error: --output-file: cannot write report.json: No space left on device"
    )
    assert (project / "report.json").read_text() == "previous report\n"
    assert sorted(p.name for p in project.iterdir()) == ["app", "pyproject.toml", "report.json"], "no temporary file"


def test_a_report_that_fails_to_render_touches_no_file(project, monkeypatch):
    (project / "report.sarif").write_text("previous report\n")

    def broken(diagnostics, context):
        raise UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed")

    # Where the CLI imports it from when it renders.
    monkeypatch.setattr("designlint.reporters.reporter", {"sarif": broken}.get)
    result = check("--output-format", "sarif", "-o", "report.sarif")
    assert result.exit_code == 2
    assert result.stderr.startswith("designlint: error: internal error: UnicodeEncodeError: ")
    assert "\udcff" not in result.stderr and "\\udcff" in result.stderr
    assert (project / "report.sarif").read_text() == "previous report\n"


def test_a_new_report_gets_the_umask_mode_and_a_replaced_one_keeps_its_mode(project):
    previous = os.umask(0o027)
    try:
        check("-o", "new.txt")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((project / "new.txt").stat().st_mode) == 0o640
    (project / "private.txt").write_text("")
    (project / "private.txt").chmod(0o600)
    check("-o", "private.txt")
    assert stat.S_IMODE((project / "private.txt").stat().st_mode) == 0o600
    assert (project / "private.txt").read_text().count("DL501") == 3


def test_a_symlinked_report_is_written_through_the_link(project):
    (project / "reports").mkdir()
    (project / "report.txt").symlink_to("reports/latest.txt")
    assert check("-o", "report.txt").exit_code == 1
    assert (project / "report.txt").is_symlink()
    assert (project / "reports" / "latest.txt").read_text().count("DL501") == 3


def test_a_report_to_a_fifo_is_written_into_it(project):
    os.mkfifo(project / "pipe")
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append((project / "pipe").read_bytes()), daemon=True)
    reader.start()
    assert check("-o", "pipe").exit_code == 1
    reader.join(timeout=30)
    assert received and received[0].decode().count("DL501") == 3
    assert stat.S_ISFIFO((project / "pipe").stat().st_mode), "not replaced by a regular file"


# --- what else is printed: warnings, errors, tracebacks, rules ---------------------------


def test_a_warning_naming_a_hostile_cache_directory_is_printable(project, monkeypatch):
    (project / "file").write_text("not a directory")
    monkeypatch.setenv("DESIGNLINT_CACHE_DIR", str(project / "file" / "cache\x1b]0;pwned\x07\n::error title=pwned::x"))
    result = check()
    assert result.exit_code == 1
    (warning,) = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warning.startswith("designlint: warning: cache disabled: cannot create ")
    assert "cache\\x1b]0;pwned\\x07\\n::error title=pwned::x" in warning
    assert_safe_to_print(result.stderr_bytes)


def test_a_config_error_naming_a_hostile_file_and_key_is_one_printable_line(project):
    config = project / "conf\x1b[2J\n::error::x.toml"
    config.write_text('"\\u001b]0;pwned\\u0007\\n##[error]x" = 1\n')
    result = check("--config", str(config))
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("designlint: error: ") and "conf\\x1b[2J\\n::error::x.toml: `" in line
    assert "\\x1b]0;pwned\\x07\\n##\\x5berror]x" in line
    assert_safe_to_print(result.stderr_bytes)


def test_a_verbose_traceback_quoting_hostile_text_is_printable(project, monkeypatch):
    def crash(self, node):
        raise RuntimeError("boom\n::error title=pwned::fake\x1b[2J")

    monkeypatch.setattr(RawStringErrorCode, "visit_Call", crash)
    result = CliRunner().invoke(main, ["check", "-j", "1", "--verbose", "app/tools.py"])
    assert result.exit_code == 2
    assert "RuntimeError: boom" in result.stderr and "\\x3a:error title=pwned::fake\\x1b[2J" in result.stderr
    assert_safe_to_print(result.stderr_bytes)
    assert_safe_to_print(result.stdout_bytes)


def test_rule_with_a_hostile_code_says_so_printably():
    result = CliRunner().invoke(main, ["rule", "##[error]pwned\x1b]0;t\x07"])
    assert result.exit_code == 2
    assert result.stderr.startswith("designlint: error: unknown rule code '##\\x5berror]pwned\\x1b]0;t\\x07'")
    assert_safe_to_print(result.stderr_bytes)


HOSTILE_CONTEXT = 'x = "\x1b]0;pwned\x07##[error]x\u202e"\ny = 1  # noqa: DL201\n'  # DL003 fixes line 2


def test_a_diff_quoting_hostile_lines_is_printable_on_stdout_and_exact_in_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.py").write_bytes(HOSTILE_CONTEXT.encode())
    shown = CliRunner().invoke(main, ["check", "--isolated", "--no-cache", "--diff", "a.py"])
    assert shown.exit_code == 1
    lines = assert_safe_to_print(shown.stdout_bytes)
    assert ' x = "\\x1b]0;pwned\\x07##\\x5berror]x\\u202e"' in lines and "+y = 1" in lines
    assert shown.stderr.startswith("designlint: warning: 1 line of the diff shown with escapes")
    written = CliRunner().invoke(main, ["check", "--isolated", "--no-cache", "--diff", "-o", "fix.patch", "a.py"])
    assert written.exit_code == 1 and "warning" not in written.stderr
    patch = Path("fix.patch").read_bytes().decode()
    assert ' x = "\x1b]0;pwned\x07##[error]x\u202e"\n' in patch, "the file holds the patch as it applies"
    assert Path("a.py").read_bytes() == HOSTILE_CONTEXT.encode(), "--diff writes nothing"
