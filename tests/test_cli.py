"""``designlint check`` through click's runner: formats, exit codes, output file, summary,
statistics, standard input, selection flags and excludes. Each behaviour is also checked
through the Python API where the API offers it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import CLEAN_PY, LEGACY_PY, TOOLS_PY, check, configured_project, write_tree

from designlint import Config, ConfigError, Options, lint_paths, lint_source
from designlint.cli import main
from designlint.config import top_level_keys
from designlint.rules import REGISTRY
from designlint.rules.errors import RawStringErrorCode

LEGACY_FINDINGS = [
    'app/legacy.py:6:20: DL501 raw error code "UPSTREAM_TIMEOUT": use ErrorCode.UPSTREAM_TIMEOUT',
    'app/legacy.py:7:25: DL501 raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED',
]
TOP_KEYS = ", ".join(top_level_keys(REGISTRY))  # every family's table: the list grows with the registry
TOOLS_FINDING = 'app/tools.py:10:25: DL501 [*] raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED'
ALL_FINDINGS = [*LEGACY_FINDINGS, TOOLS_FINDING]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    configured_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- output formats ---------------------------------------------------------------------


def test_concise_is_the_default_sorted_by_path_row_column(project):
    result = check()
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ALL_FINDINGS


def test_full_shows_the_line_and_a_caret(project):
    result = check("--output-format", "full", "app/tools.py")
    assert result.stdout.splitlines() == [
        TOOLS_FINDING,
        '10 |         raise ToolError("RATE_LIMITED")',
        "   |                         ^^^^^^^^^^^^^^",
        "  = help: Replace with ErrorCode.RATE_LIMITED",
    ]


def test_full_quotes_the_line_in_the_files_own_encoding(tmp_path, monkeypatch):
    write_tree(
        tmp_path,
        {"legacy.py": '# -*- coding: latin-1 -*-\n\nraise ToolError("RATE_LIMITED")  # café\n'.encode("latin-1")},
    )
    monkeypatch.chdir(tmp_path)
    result = check("--isolated", "--output-format", "full", "legacy.py")
    assert result.stdout.splitlines()[1] == '3 | raise ToolError("RATE_LIMITED")  # café'
    piped = check(
        "--isolated",
        "--output-format",
        "full",
        "-",
        "--stdin-filename",
        "x.py",
        input='# -*- coding: latin-1 -*-\nraise ToolError("RATE_LIMITED")  # café\n'.encode("latin-1"),
    )
    assert piped.stdout.splitlines()[1] == '2 | raise ToolError("RATE_LIMITED")  # café'


def test_json_has_ruffs_fields_with_absolute_filenames(project):
    result = check("--output-format", "json")
    records = json.loads(result.stdout)
    assert [(Path(r["filename"]), r["location"]["row"], r["code"]) for r in records] == [
        (project / "app" / "legacy.py", 6, "DL501"),
        (project / "app" / "legacy.py", 7, "DL501"),
        (project / "app" / "tools.py", 10, "DL501"),
    ]
    tools = records[2]
    assert set(tools) == {
        "code",
        "name",
        "message",
        "filename",
        "location",
        "end_location",
        "fix",
        "noqa_row",
        "severity",
        "url",
    }
    assert tools["location"] == {"row": 10, "column": 25} and tools["end_location"] == {"row": 10, "column": 39}
    assert tools["fix"] == {
        "applicability": "safe",
        "message": "Replace with ErrorCode.RATE_LIMITED",
        "edits": [
            {
                "content": "ErrorCode.RATE_LIMITED",
                "location": {"row": 10, "column": 25},
                "end_location": {"row": 10, "column": 39},
            }
        ],
    }
    assert records[0]["fix"]["applicability"] == "unsafe"
    assert tools["noqa_row"] == 10 and tools["severity"] == "error" and tools["url"].endswith("DL501.md")


def test_json_lines_is_the_json_records_one_per_line(project):
    lines = check("--output-format", "json-lines").stdout.splitlines()
    assert [json.loads(line) for line in lines] == json.loads(check("--output-format", "json").stdout)


def test_github_annotations(project):
    lines = check("--output-format", "github").stdout.splitlines()
    assert lines[2] == (
        "::error file=app/tools.py,line=10,col=25,endLine=10,endColumn=39,title=designlint (DL501 raw-string-error-code)"
        '::DL501 raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED'
    )
    assert len(lines) == 3


def test_sarif_through_the_cli(project):
    log = json.loads(check("--output-format", "sarif").stdout)
    results = log["runs"][0]["results"]
    assert [
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    ] == [
        ("app/legacy.py", 6),
        ("app/legacy.py", 7),
        ("app/tools.py", 10),
    ]


@pytest.mark.parametrize("output_format", ["concise", "full", "json", "json-lines", "github", "gitlab", "sarif"])
def test_every_format_on_a_clean_project(tmp_path, monkeypatch, output_format):
    write_tree(tmp_path, {"ok.py": CLEAN_PY})
    monkeypatch.chdir(tmp_path)
    result = check("--output-format", output_format)
    assert result.exit_code == 0
    assert result.stderr == "All checks passed!\n"
    if output_format == "sarif":
        assert json.loads(result.stdout)["runs"][0]["results"] == []
    elif output_format in ("json", "gitlab"):
        assert json.loads(result.stdout) == []
    else:
        assert result.stdout == ""


# --- exit codes, summary, output file, statistics ------------------------------------------


def test_exit_codes_and_summary(project):
    findings = check()
    assert findings.exit_code == 1
    assert findings.stderr == (
        "Found 3 problems in 2 files.\n[*] 1 fixable with --fix (2 hidden fixes can be enabled with --unsafe-fixes).\n"
    )

    one = check("app/tools.py")
    assert one.stderr == "Found 1 problem in 1 file.\n[*] 1 fixable with --fix.\n"

    clean = check("app/errors.py")
    assert (clean.exit_code, clean.stdout, clean.stderr) == (0, "", "All checks passed!\n")

    zero = check("--exit-zero")
    assert zero.exit_code == 0
    assert zero.stdout.splitlines() == ALL_FINDINGS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing_dir"], "designlint: error: no such file or directory: missing_dir\n"),
        (["--output-format", "xml"], None),
        (["--select", "DL99"], None),
        (["--per-file-ignores", "app/*.py"], None),
        (["--no-such-flag"], None),
        (["app", "--stdin-filename", "app/x.py"], None),
    ],
)
def test_usage_errors_exit_2(project, args, message):
    result = check(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    if message:
        assert result.stderr == message
    else:
        assert result.stderr.startswith("designlint: error: ")


def test_usage_error_messages_name_the_flag_and_the_expectation(project):
    assert (
        "Invalid value for '--select': unknown rule code or prefix 'DL99' (run `designlint rules` for the list)"
        in check("--select", "DL99").stderr
    )
    assert (
        "Invalid value for '--ignore': expected a rule code or prefix such as \"DL5\" or \"DL501\", got 'dl5'"
        in check("--ignore", "dl5").stderr
    )
    assert (
        "Invalid value for '--per-file-ignores': expected GLOB:CODES such as 'tests/*:DL501', got 'app/*.py'"
        in check("--per-file-ignores", "app/*.py").stderr
    )
    assert (
        "designlint: error: --stdin-filename names what '-' (standard input) stands for: pass '-' as the only path"
        in check("--stdin-filename", "app/x.py").stderr
    )


def test_internal_error_is_reported_as_dl002_and_exits_2(project, monkeypatch):
    def crash(self, node):
        raise RuntimeError("boom")

    monkeypatch.setattr(RawStringErrorCode, "visit_Call", crash)
    result = check("app/tools.py")
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        "app/tools.py:1:1: DL002 internal error in rule DL501 (raw-string-error-code): RuntimeError: boom; please report this as a bug"
    ]
    assert check("app/tools.py", "--exit-zero").exit_code == 2, "--exit-zero does not hide a bug"
    verbose = CliRunner().invoke(main, ["check", "-j", "1", "app/tools.py", "--verbose"])
    assert verbose.exit_code == 2
    assert "Traceback (most recent call last)" in verbose.stderr and "RuntimeError: boom" in verbose.stderr


def test_output_file_gets_the_report_and_stderr_the_summary(project):
    result = check("--output-format", "json", "-o", "report.json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Found 3 problems in 2 files.\n")
    assert len(json.loads((project / "report.json").read_text(encoding="utf-8"))) == 3
    long_form = check("--output-file", "report.txt")
    assert (project / "report.txt").read_text(encoding="utf-8").splitlines() == ALL_FINDINGS
    assert long_form.stdout == ""


def test_output_file_that_cannot_be_written_exits_2(project):
    result = check("-o", "no/such/dir/report.txt")
    assert result.exit_code == 2
    assert (
        result.stderr.splitlines()[0]
        == "designlint: error: --output-file: cannot write no/such/dir/report.txt: No such file or directory"
    )


def test_statistics_text_and_json(project):
    text = check("--statistics")
    assert text.exit_code == 1
    assert text.stdout == "3\tDL501\t[*] raw-string-error-code\n"  # [*]: --fix fixes some of them
    assert json.loads(check("--statistics", "--output-format", "json").stdout) == [
        {"code": "DL501", "name": "raw-string-error-code", "count": 3, "fixable": 1}
    ]
    assert [
        json.loads(line) for line in check("--statistics", "--output-format", "json-lines").stdout.splitlines()
    ] == [{"code": "DL501", "name": "raw-string-error-code", "count": 3, "fixable": 1}]
    assert check("--statistics", "app/legacy.py").stdout == "2\tDL501\traw-string-error-code\n", (
        "only unsafe fixes: no [*]"
    )
    assert check("--statistics", "app/errors.py").stdout == ""


# --- standard input -------------------------------------------------------------------


@pytest.fixture
def nested(project) -> Path:
    """``quiet/`` has its own designlint.toml that ignores DL501."""
    write_tree(project, {"quiet/designlint.toml": 'ignore = ["DL501"]\n'})
    return project


def test_stdin_filename_decides_the_reported_name_and_the_config(nested):
    named = check("-", "--stdin-filename", "app/legacy.py", input=LEGACY_PY)
    assert named.exit_code == 1
    assert named.stdout.splitlines() == LEGACY_FINDINGS  # errors.codes from the project's pyproject
    assert check("-", "--stdin-filename", "quiet/legacy.py", input=LEGACY_PY).exit_code == 0
    anonymous = check("-", input=LEGACY_PY)
    assert anonymous.stdout.splitlines()[0].startswith('-:6:20: DL501 raw error code "UPSTREAM_TIMEOUT"')


def test_stdin_filename_decides_per_file_ignores(project):
    write_tree(
        project,
        {
            "pyproject.toml": (project / "pyproject.toml")
            .read_text()
            .replace('select = ["DL"]', 'select = ["DL"]\nper-file-ignores = { "legacy/**" = ["DL501"] }')
        },
    )
    assert check("-", "--stdin-filename", "legacy/old.py", input=LEGACY_PY).exit_code == 0
    assert check("-", "--stdin-filename", "app/legacy.py", input=LEGACY_PY).exit_code == 1
    assert (
        check("-", "--stdin-filename", "app/legacy.py", "--per-file-ignores", "app/*.py:DL5", input=LEGACY_PY).exit_code
        == 0
    )


def test_stdin_with_force_exclude_and_an_excluded_name_reports_nothing(project):
    result = check(
        "-",
        "--stdin-filename",
        "app/legacy.py",
        "--extend-exclude",
        "app/legacy.py",
        "--force-exclude",
        input=LEGACY_PY,
    )
    assert (result.exit_code, result.stdout) == (0, "")
    assert (
        check("-", "--stdin-filename", "app/legacy.py", "--extend-exclude", "app/legacy.py", input=LEGACY_PY).exit_code
        == 1
    )


def test_stdin_fix_prints_the_fixed_source(project):
    result = check("-", "--stdin-filename", "app/tools.py", "--fix", input=TOOLS_PY)
    assert result.exit_code == 0
    assert result.stdout == TOOLS_PY.replace('ToolError("RATE_LIMITED")', "ToolError(ErrorCode.RATE_LIMITED)")
    assert result.stderr == "All checks passed! (1 fixed)\n"
    assert (project / "app" / "tools.py").read_text() == TOOLS_PY, "standard input is never written back"


def test_stdin_through_the_api(nested):
    from designlint.runner import lint_stdin

    result = lint_stdin(LEGACY_PY.encode(), "app/legacy.py", Options(jobs=1))
    assert [(d.path, d.start.row) for d in result.diagnostics] == [("app/legacy.py", 6), ("app/legacy.py", 7)]
    assert lint_stdin(LEGACY_PY.encode(), "quiet/legacy.py").diagnostics == []


# --- selection: codes and prefixes ------------------------------------------------------


@pytest.mark.parametrize("selector", ["DL", "DL5", "DL50", "DL501"])
def test_select_accepts_codes_and_prefixes(project, selector):
    assert check("--select", selector).stdout.splitlines() == ALL_FINDINGS
    assert check("--ignore", selector).exit_code == 0
    assert lint_source(LEGACY_PY, "legacy.py", Config(select=(selector,))) != []
    assert lint_source(LEGACY_PY, "legacy.py", Config(ignore=(selector,))) == []


def test_select_all(project):
    assert check("--select", "ALL").stdout.splitlines() == ALL_FINDINGS
    assert lint_source(LEGACY_PY, "legacy.py", Config(select=("ALL",))) != []


def test_select_replaces_and_extend_select_adds(project):
    assert check("--select", "DL001").exit_code == 0
    assert check("--select", "DL001", "--extend-select", "DL501").stdout.splitlines() == ALL_FINDINGS
    assert check("--select", "DL001,DL501").stdout.splitlines() == ALL_FINDINGS
    write_tree(
        project,
        {"pyproject.toml": (project / "pyproject.toml").read_text().replace('select = ["DL"]', 'select = ["DL001"]')},
    )
    assert check().exit_code == 0
    assert check("--extend-select", "DL5").exit_code == 1


def test_the_most_specific_selector_wins(project):
    assert check("--ignore", "DL5", "--extend-select", "DL501").exit_code == 1
    assert check("--select", "DL501", "--ignore", "DL501").exit_code == 0, "ignore wins a tie"
    assert lint_source(LEGACY_PY, "x.py", Config(ignore=("DL5",), extend_select=("DL501",))) != []


def test_per_file_ignores_flag_and_config(project):
    assert check("--per-file-ignores", "app/legacy.py:DL501").stdout.splitlines() == [TOOLS_FINDING]
    assert check("--per-file-ignores", "app/*:DL5", "--per-file-ignores", "other/*:DL501").exit_code == 0
    config = Config(root=project, per_file_ignores=(("app/legacy.py", ("DL501",)),))
    assert lint_source(LEGACY_PY, str(project / "app" / "legacy.py"), config) == []
    assert lint_source(LEGACY_PY, str(project / "app" / "other.py"), config) != []


def test_exclude_replaces_and_extend_exclude_adds(project):
    write_tree(
        project,
        {
            "pyproject.toml": (project / "pyproject.toml")
            .read_text()
            .replace('select = ["DL"]', 'select = ["DL"]\nexclude = ["app/tools.py"]')
        },
    )
    assert check().stdout.splitlines() == LEGACY_FINDINGS
    assert check("--exclude", "app/legacy.py").stdout.splitlines() == [TOOLS_FINDING]
    assert check("--extend-exclude", "legacy.py").exit_code == 0, "a glob without / matches any path component"


def test_globs_are_relative_to_the_config_file_not_the_working_directory(project, monkeypatch):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'select = ["DL"]',
            'select = ["DL"]\nper-file-ignores = { "app/legacy.py" = ["DL501"] }\nextend-exclude = ["app/tools.py"]',
        )
    )
    monkeypatch.chdir(project / "app")
    assert check().exit_code == 0
    assert check("legacy.py", "tools.py").stdout.splitlines() == [TOOLS_FINDING.replace("app/", "", 1)]
    assert check("legacy.py", "tools.py", "--force-exclude").exit_code == 0


def test_explicit_files_are_linted_unless_force_exclude(project):
    assert check("app/legacy.py", "--extend-exclude", "app/legacy.py").stdout.splitlines() == LEGACY_FINDINGS
    forced = check("app/legacy.py", "--extend-exclude", "app/legacy.py", "--force-exclude")
    assert (forced.exit_code, forced.stdout) == (0, "")


def test_selection_through_the_api(project):
    everything = lint_paths(["."], Options(jobs=1)).diagnostics
    assert len(everything) == 3
    assert lint_paths(["."], Options(jobs=1, overrides={"ignore": ("DL5",)})).diagnostics == []
    assert len(lint_paths(["."], Options(jobs=1, overrides={"extend_exclude": ("app/tools.py",)})).diagnostics) == 2
    assert (
        lint_paths(["app/tools.py"], Options(jobs=1, force_exclude=True, overrides={"exclude": ("app/*",)})).diagnostics
        == []
    )


# --- configuration: --config, --isolated, discovery -----------------------------------------


def test_config_flag_uses_exactly_that_file(project):
    write_tree(
        project,
        {
            "strict/designlint.toml": 'select = ["DL001"]\n',
            "app/sub/designlint.toml": 'select = ["DL"]\n',
            "app/sub/more.py": LEGACY_PY,
        },
    )
    assert check("--config", "strict/designlint.toml").exit_code == 0
    result = lint_paths(["."], Options(jobs=1, config_path=Path("strict/designlint.toml")))
    assert result.diagnostics == []


def test_isolated_ignores_every_config_file(project):
    write_tree(project, {"app/sub/designlint.toml": "this is not toml", "app/sub/x.py": CLEAN_PY})
    assert check().exit_code == 2
    isolated = check("--isolated")
    assert isolated.exit_code == 1
    # No errors.codes: the messages cannot name the member, and no fix is offered.
    assert isolated.stdout.splitlines() == [
        'app/legacy.py:6:20: DL501 raw error code "UPSTREAM_TIMEOUT": use a member of the error-code enum (name it in [tool.designlint.errors] codes)',
        'app/legacy.py:7:25: DL501 raw error code "RATE_LIMITED": use a member of the error-code enum (name it in [tool.designlint.errors] codes)',
        'app/tools.py:10:25: DL501 raw error code "RATE_LIMITED": use a member of the error-code enum (name it in [tool.designlint.errors] codes)',
    ]
    assert len(lint_paths(["."], Options(jobs=1, isolated=True)).diagnostics) == 3


def test_nearest_config_wins(project):
    write_tree(project, {"app/quiet/designlint.toml": 'ignore = ["DL501"]\n', "app/quiet/x.py": LEGACY_PY})
    assert check().stdout.splitlines() == ALL_FINDINGS
    assert check("app/quiet/x.py").exit_code == 0


def test_pyproject_without_a_designlint_table_is_passed_over(project):
    write_tree(project, {"app/pkg/pyproject.toml": '[project]\nname = "pkg"\n', "app/pkg/x.py": LEGACY_PY})
    # The project's config (with errors.codes) applies: the message names the member.
    assert (
        check("app/pkg/x.py").stdout.splitlines()[0]
        == 'app/pkg/x.py:6:20: DL501 raw error code "UPSTREAM_TIMEOUT": use ErrorCode.UPSTREAM_TIMEOUT'
    )


def test_designlint_toml_has_its_keys_at_top_level_and_wins_over_pyproject(project):
    write_tree(project, {"designlint.toml": 'select = ["DL001"]\n'})
    assert check().exit_code == 0
    write_tree(project, {"designlint.toml": '[tool.designlint]\nselect = ["DL001"]\n'})
    result = check()
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"designlint: error: {project / 'designlint.toml'}:1: `tool`: unknown key (designlint.toml holds the keys at the top level, without [tool.designlint]; expected one of: {TOP_KEYS})\n"
    )
    write_tree(project, {"designlint.toml": '[tool.other]\nselect = ["DL001"]\n'})  # no hint: not ours misplaced
    assert "holds the keys at the top level" not in check().stderr


def test_a_hidden_designlint_toml_is_read_and_wins_in_its_directory(project):
    write_tree(project, {".designlint.toml": 'select = ["DL001"]\n'})
    assert check().exit_code == 0  # the pyproject's DL findings are not selected
    write_tree(project, {"designlint.toml": 'select = ["DL"]\n'})
    assert check().exit_code == 0  # .designlint.toml first, as ruff reads .ruff.toml before ruff.toml
    (project / ".designlint.toml").write_text('select = ["DL99"]\n')
    result = check()
    assert result.exit_code == 2 and f"{project / '.designlint.toml'}:1: `select`: unknown rule code" in result.stderr


# --- configuration errors -----------------------------------------------------------------


CONFIG_ERRORS = [
    ("pyproject.toml", "[tool.designlint]\nselect = [DL]\n", ":2: invalid TOML: Invalid value"),
    (
        "pyproject.toml",
        '[tool.designlint]\nselekt = ["DL"]\n',
        f":2: `tool.designlint.selekt`: unknown key (expected one of: {TOP_KEYS})",
    ),
    (
        "pyproject.toml",
        '[tool.designlint]\nselect = "DL"\n',
        ":2: `tool.designlint.select`: expected a list of strings, got a string 'DL'",
    ),
    (
        "pyproject.toml",
        '[tool.designlint]\nselect = ["DL99"]\n',
        ":2: `tool.designlint.select`: unknown rule code or prefix 'DL99' (run `designlint rules` for the list)",
    ),
    (
        "pyproject.toml",
        '[tool.designlint]\nignore = ["DL5O1"]\n',
        ':2: `tool.designlint.ignore`: expected a rule code or prefix such as "DL5" or "DL501", got \'DL5O1\'',
    ),
    (
        "pyproject.toml",
        '[tool.designlint]\nextend-select = ["XX"]\n',
        ":2: `tool.designlint.extend-select`: unknown rule code or prefix 'XX' (run `designlint rules` for the list)",
    ),
    (
        "pyproject.toml",
        '[tool.designlint]\nselect = ["DL"]\n\n[tool.designlint.trusts]\nsanitizers = []\n',
        f":4: `tool.designlint.trusts`: unknown key (expected one of: {TOP_KEYS})",
    ),
    (
        "pyproject.toml",
        '[tool.designlint]\nselect = ["DL"]\nper-file-ignores = { "tests/**" = "DL501" }\n',
        ":3: `tool.designlint.per-file-ignores.tests/**`: expected a list of strings, got a string 'DL501'",
    ),
    (
        "pyproject.toml",
        '[tool.designlint.per-file-ignores]\n"tests/*" = ["DL99"]\n',
        ":2: `tool.designlint.per-file-ignores.tests/*`: unknown rule code or prefix 'DL99' (run `designlint rules` for the list)",
    ),
    (
        "pyproject.toml",
        '[tool.designlint.errors]\ncodez = "a.b"\n',
        ":2: `tool.designlint.errors.codez`: unknown option (expected one of: codes, contract)",
    ),
    (
        "pyproject.toml",
        "[tool.designlint.errors]\ncodes = 3\n",
        ':2: `tool.designlint.errors.codes`: expected a dotted name such as "app.errors.ErrorCode", got an integer 3',
    ),
    (
        "pyproject.toml",
        '[tool.designlint]\n\n[tool.designlint.errors]\ncodes = "nowhere.errors.ErrorCode"\n',
        ":4: `tool.designlint.errors.codes`: module 'nowhere.errors' not found under the project root (looked for nowhere/errors.py, also under src/)",
    ),
    (
        "pyproject.toml",
        '[tool.designlint.errors]\ncodes = "app.errors.Missing"\n',
        ":2: `tool.designlint.errors.codes`: class 'Missing' not found in module 'app.errors'",
    ),
    ("designlint.toml", "exclude = 3\n", ":1: `exclude`: expected a list of strings, got an integer 3"),
    (
        "designlint.toml",
        '[errors]\ncodes = "app.errors.ErrorCod"\n',
        ":2: `errors.codes`: class 'ErrorCod' not found in module 'app.errors'",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "expected"), CONFIG_ERRORS, ids=[e[2].split(":", 3)[2][:40] for e in CONFIG_ERRORS]
)
def test_config_error_is_one_line_naming_file_line_key_and_expectation(project, name, text, expected):
    write_tree(project, {name: text})
    result = check()
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"designlint: error: {project / name}{expected}\n"
    with pytest.raises(ConfigError) as raised:
        lint_paths(["."], Options(jobs=1))
    assert str(raised.value) == f"{project / name}{expected}"


def test_config_error_names_the_file_given_to_config(project):
    write_tree(project, {"conf/designlint.toml": 'select = ["DL99"]\n'})
    result = check("--config", "conf/designlint.toml")
    assert (
        result.stderr
        == "designlint: error: conf/designlint.toml:1: `select`: unknown rule code or prefix 'DL99' (run `designlint rules` for the list)\n"
    )


# --- discovery and files that cannot be read as Python ---------------------------------------


def test_discovery_skips_tool_and_virtualenv_directories(tmp_path, monkeypatch):
    bad = 'raise ToolError("RATE_LIMITED")\n'
    skipped = [
        ".git/hooks/x.py",
        "build/x.py",
        "dist/x.py",
        "__pycache__/x.py",
        "node_modules/x.py",
        ".tox/py/x.py",
        ".venv/x.py",
        "env/lib/x.py",
    ]
    write_tree(
        tmp_path,
        {
            "src/a.py": bad,
            "src/stubs.pyi": bad,
            "src/notes.txt": bad,
            "env/pyvenv.cfg": "home = /usr\n",
            **{name: bad for name in skipped},
        },
    )
    monkeypatch.chdir(tmp_path)
    result = check()
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["src/a.py", "src/stubs.pyi"]
    assert [d.path for d in lint_paths(["."], Options(jobs=1)).diagnostics] == ["src/a.py", "src/stubs.pyi"]


def test_a_file_that_cannot_be_parsed_or_decoded_is_dl001_and_the_rest_is_linted(tmp_path, monkeypatch):
    write_tree(
        tmp_path,
        {
            "a_broken.py": "def dispatch(call)\n    return call.run()\n",
            "b_bytes.py": b"x = '\xff'\n",
            "c_ok.py": 'raise ToolError("RATE_LIMITED")\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    result = check()
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "a_broken.py:1:19: DL001 cannot parse: expected ':'",
        "b_bytes.py:1:6: DL001 cannot decode the file as utf-8: invalid start byte at byte 5",
        'c_ok.py:1:17: DL501 raw error code "RATE_LIMITED": use a member of the error-code enum (name it in [tool.designlint.errors] codes)',
    ]


# --- nothing to lint ---------------------------------------------------------------------


def test_no_python_files_is_a_warning_not_a_pass(tmp_path, monkeypatch):
    write_tree(tmp_path, {"empty/notes.txt": "", "excluded/x.py": LEGACY_PY})
    monkeypatch.chdir(tmp_path)
    for args in (("empty",), ("--extend-exclude", "excluded", "excluded")):
        result = check("--isolated", *args)
        assert result.exit_code == 0
        assert result.stdout == ""
        assert result.stderr == f"designlint: warning: no Python files found to lint in {args[-1]}\n"
    assert check("--isolated", "excluded").exit_code == 1


def test_a_file_given_explicitly_that_is_not_python_is_skipped_with_a_warning(project):
    result = check("pyproject.toml", "app/legacy.py")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == LEGACY_FINDINGS  # no DL001 for the TOML
    assert result.stderr.startswith("designlint: warning: pyproject.toml is not a Python file (.py, .pyi): skipped\n")
    assert "Found 2 problems in 1 file." in result.stderr
    alone = check("pyproject.toml")
    assert alone.exit_code == 0 and "no Python files found to lint in pyproject.toml" in alone.stderr
    assert "All checks passed!" not in alone.stderr


def test_a_script_with_a_python_shebang_is_linted(project):
    write_tree(project, {"bin/tool": "#!/usr/bin/env python3\n" + LEGACY_PY})
    result = check("bin/tool")
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["bin/tool", "bin/tool"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--bogus"], "No such option '--bogus'"),
        (["check", "--jobs", "0"], "Invalid value for '-j' / '--jobs': 0 is not in the range x>=1."),
        (["check", "--output-format", "xml"], "Invalid value for '--output-format': 'xml' is not one of"),
        (["nope"], "No such command 'nope'."),
        (["rule"], "Missing argument 'CODE'."),
    ],
)
def test_usage_errors_have_the_one_error_style(args, message):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"designlint: error: {message}")
    assert len(result.stderr.splitlines()) == 1 and "Usage:" not in result.stderr
    assert result.stderr.rstrip().endswith("--help')")


def test_help_and_version_exit_0(tmp_path):
    assert CliRunner().invoke(main, ["--version"]).exit_code == 0
    shown = CliRunner().invoke(main, ["check", "--help"], prog_name="designlint")
    assert shown.exit_code == 0 and shown.stdout.startswith("Usage: designlint check")
