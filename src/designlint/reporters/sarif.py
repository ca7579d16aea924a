"""SARIF 2.1.0: one run, the rules described from the catalogue, results with relative URIs.

URIs of files below the working directory are relative to ``%SRCROOT%`` (the working
directory, given in ``originalUriBaseIds``), which is what code-scanning services expect;
files elsewhere get absolute ``file:`` URIs. A URI percent-encodes the bytes of the file name,
UTF-8 or not (``os.fsencode``). Regions are 1-based, columns count characters
(``columnKind: unicodeCodePoints``) and end columns are exclusive, as SARIF defines them.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from designlint._version import __version__
from designlint.baseline import Entry, entries_for
from designlint.catalogue import RuleDoc
from designlint.diagnostics import Diagnostic, Edit, Fix, Position
from designlint.reporters import ReportContext
from designlint.reporters.escape import dumps_json

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/designlint/designlint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "designlintFingerprint/v1"
# designlint severities to SARIF levels.
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    docs = sorted(context.catalogue().values(), key=lambda doc: doc.code)
    index = {doc.code: i for i, doc in enumerate(docs)}
    run = {
        "tool": {
            "driver": {
                "name": "designlint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(doc) for doc in docs],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": context.cwd.absolute().as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(d, entry, index, context)
            for d, entry in zip(diagnostics, entries_for(diagnostics, context.display_path))
        ],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return dumps_json(log, indent=2) + "\n"


def _rule(doc: RuleDoc) -> dict:
    what_it_does = doc.section("What it does") or doc.summary
    how_to_fix = doc.section("How to fix") or doc.summary
    return {
        "id": doc.code,
        "name": doc.name,
        "shortDescription": {"text": doc.summary + "."},
        "fullDescription": {"text": what_it_does, "markdown": what_it_does},
        "help": {"text": how_to_fix, "markdown": doc.body},
        "helpUri": doc.url,
        "defaultConfiguration": {"level": "error"},
        "properties": {"category": doc.category, "fix": doc.fix, "tags": [doc.category]},
    }


def _result(d: Diagnostic, entry: Entry, index: dict[str, int], context: ReportContext) -> dict:
    artifact = _artifact_location(d.path, context)
    result: dict[str, object] = {"ruleId": d.code}
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    result.update(
        {
            "level": _LEVELS.get(d.severity, "error"),
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": _region(d.start, d.end)}}],
            # The baseline's fingerprint: code scanning matches results across runs by it, not by line.
            "partialFingerprints": {FINGERPRINT_KEY: f"{entry.fingerprint}:{entry.occurrence}"},
        }
    )
    if d.fix is not None:
        result["fixes"] = [_fix(d.fix, artifact)]
    return result


def _artifact_location(path: str, context: ReportContext) -> dict:
    if path in ("-", "<stdin>"):
        return {"uri": "stdin"}
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(context.cwd.absolute())
    except ValueError:
        return {"uri": absolute.as_uri()}
    # The bytes the file system holds, percent-encoded: a name need not be UTF-8.
    return {"uri": quote(os.fsencode(relative.as_posix())), "uriBaseId": SRCROOT}


def _region(start: Position, end: Position) -> dict:
    return {"startLine": start.row, "startColumn": start.column, "endLine": end.row, "endColumn": end.column}


def _fix(fix: Fix, artifact: dict) -> dict:
    return {
        "description": {"text": fix.message},
        "artifactChanges": [{"artifactLocation": artifact, "replacements": [_replacement(edit) for edit in fix.edits]}],
        "properties": {"applicability": fix.applicability.value},
    }


def _replacement(edit: Edit) -> dict:
    return {"deletedRegion": _region(edit.start, edit.end), "insertedContent": {"text": edit.content}}
