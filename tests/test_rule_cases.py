"""Every rule's VALID and INVALID cases, linted through the real engine.

A Valid case must give no finding of its rule; an Invalid one exactly one, at its range, with its
message fragment and the fix it declares (or none). A failure shows the case's code with line
numbers, what the rule reported, and for a fix a unified diff of expected and actual.
"""

from __future__ import annotations

import difflib

import pytest
from rule_cases import RULE_CASES, case_config, case_project, document_findings

from designlint import lint_source
from designlint.diagnostics import Applicability, Diagnostic
from designlint.fixes import apply_edits
from designlint.rules import REGISTRY
from designlint.rules.base import Rule
from designlint.rules.cases import Invalid, Valid
from designlint.rules.design import DocumentRule


def lint_case(rule: type[Rule], case: Valid | Invalid) -> list[Diagnostic]:
    """The rule's findings on the case; a case that does not even parse fails here."""
    if issubclass(rule, DocumentRule):
        return document_findings(rule, case)
    diagnostics = lint_source(case.code, case.path, case_config(rule, case), case_project(rule, case))
    broken = [d for d in diagnostics if d.code in ("DL001", "DL002")]
    if broken:
        pytest.fail(f"a {rule.code} case cannot be linted:\n{_numbered(case.code)}\n{_found(broken)}", pytrace=False)
    return [d for d in diagnostics if d.code == rule.code]


def _numbered(code: str) -> str:
    return "\n".join(f"{row:4} | {line}" for row, line in enumerate(code.splitlines(), start=1))


def _found(diagnostics: list[Diagnostic]) -> str:
    shown = [f"  {d.start.row}:{d.start.column}-{d.end.row}:{d.end.column} {d.message}" for d in diagnostics]
    return "\n".join(shown) or "  nothing"


def _expected(case: Invalid) -> str:
    """What an Invalid case's single finding must be, as ``row:column[-row:column] ...fragment...``."""
    end = f"-{case.end_line}:{case.end_column}" if case.end_line is not None else ""
    return f"{case.line}:{case.column}{end} ...{case.message}..."


def _holds(case: Invalid, finding: Diagnostic) -> bool:
    return (
        (finding.start.row, finding.start.column) == (case.line, case.column)
        and (case.end_line is None or finding.end.row == case.end_line)
        and (case.end_column is None or finding.end.column == case.end_column)
        and case.message in finding.message
    )


@pytest.mark.parametrize(("rule", "case"), RULE_CASES)
def test_rule_case(rule: type[Rule], case: Valid | Invalid):
    found = lint_case(rule, case)
    where = f"{rule.code} at {case.path}:\n{_numbered(case.code)}\n"
    if isinstance(case, Valid):
        if found:
            pytest.fail(f"{where}must not be reported, but {rule.code} reported:\n{_found(found)}", pytrace=False)
        return
    if len(found) != 1 or not _holds(case, found[0]):
        pytest.fail(f"{where}expected exactly one finding, {_expected(case)}; got:\n{_found(found)}", pytrace=False)
    fix = found[0].fix
    if case.expected_fix is None:
        if fix is not None:
            fixed = apply_edits(case.code, list(fix.edits))
            pytest.fail(f"{where}expected no fix, got {fix.message!r}:\n{fixed}", pytrace=False)
        return
    if fix is None:
        pytest.fail(f"{where}expected a fix, got none", pytrace=False)
    fixed = apply_edits(case.code, list(fix.edits))
    if fixed != case.expected_fix:
        diff = difflib.unified_diff(
            case.expected_fix.splitlines(keepends=True), fixed.splitlines(keepends=True), "expected", "fixed"
        )
        pytest.fail(f"{where}the fix gives another result:\n{''.join(diff)}", pytrace=False)
    expected = Applicability.UNSAFE if case.unsafe_fix else Applicability.SAFE
    if fix.applicability is not expected:
        pytest.fail(f"{where}expected a {expected.value} fix, got a {fix.applicability.value} one", pytrace=False)


@pytest.mark.parametrize("rule", REGISTRY.rules, ids=[rule.code for rule in REGISTRY.rules])
def test_every_rule_has_a_docstring_and_cases_of_both_kinds(rule: type[Rule]):
    assert rule.__doc__ and rule.__doc__.strip(), f"{rule.code} has no docstring"
    assert rule.VALID and rule.INVALID, f"{rule.code} needs VALID and INVALID cases"
    assert all(isinstance(case, Valid) for case in rule.VALID)
    assert all(isinstance(case, Invalid) for case in rule.INVALID)


# -- the generic test fails on a case that does not hold ------------------------------------

RAISED = 'class ToolError(Exception):\n    pass\n\nraise ToolError("RATE_LIMITED")\n'
ENUM = {"app/errors.py": "from enum import Enum\n\nclass ErrorCode(str, Enum):\n    RATE_LIMITED = 'RATE_LIMITED'\n"}
CONFIGURED = {"config": '[errors]\ncodes = "app.errors.ErrorCode"', "files": ENUM}


@pytest.mark.parametrize(
    ("case", "complaint"),
    [
        (Valid(RAISED), "must not be reported"),
        (Invalid(RAISED, line=4, column=1, message="raw error code"), "expected exactly one finding, 4:1"),
        (Invalid(RAISED, line=4, column=17, end_column=20, message="raw"), "expected exactly one finding"),
        (Invalid(RAISED, line=4, column=17, message="no such words"), "expected exactly one finding"),
        (
            Invalid(RAISED + 'raise ToolError("UPSTREAM_TIMEOUT")\n', line=4, column=17, message="raw"),
            "got:\n  4:17-4:31",
        ),
        (Invalid("x = 1\n", line=1, column=1, message="raw"), "got:\n  nothing"),
        (Invalid(RAISED, line=4, column=17, message="raw", expected_fix=RAISED), "expected a fix, got none"),
        (Invalid(RAISED, line=4, column=17, message="raw", **CONFIGURED), "expected no fix"),
        (
            Invalid(RAISED, line=4, column=17, message="raw", expected_fix=RAISED, unsafe_fix=True, **CONFIGURED),
            "+raise ToolError(ErrorCode.RATE_LIMITED)",
        ),
        (
            Invalid(
                RAISED,
                line=4,
                column=17,
                message="raw",
                expected_fix="from app.errors import ErrorCode\n\n\n"
                + RAISED.replace('"RATE_LIMITED"', "ErrorCode.RATE_LIMITED"),
                **CONFIGURED,
            ),
            "expected a safe fix, got a unsafe one",
        ),
    ],
)
def test_a_case_that_does_not_hold_fails_saying_why(case, complaint):
    from designlint.rules.errors import RawStringErrorCode

    with pytest.raises(pytest.fail.Exception) as failure:
        test_rule_case(RawStringErrorCode, case)
    assert complaint in str(failure.value)
    assert '   4 | raise ToolError("RATE_LIMITED")' in str(failure.value) or case.code == "x = 1\n"


def test_a_case_that_holds_passes():
    from designlint.rules.errors import RawStringErrorCode

    fixed = "from app.errors import ErrorCode\n\n\n" + RAISED.replace('"RATE_LIMITED"', "ErrorCode.RATE_LIMITED")
    test_rule_case(RawStringErrorCode, Valid("x = 1\n"))
    test_rule_case(RawStringErrorCode, Invalid(RAISED, line=4, column=17, end_line=4, end_column=31, message="raw"))
    test_rule_case(
        RawStringErrorCode,
        Invalid(RAISED, line=4, column=17, message="raw", expected_fix=fixed, unsafe_fix=True, **CONFIGURED),
    )
