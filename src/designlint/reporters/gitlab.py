"""GitLab Code Quality: a JSON array of issues for ``artifacts:reports:codequality``.

The fingerprint is the baseline's (rule, path, enclosing definitions, the span's text, an
occurrence index), so the merge request widget tells a moved finding from a new one.
"""

from __future__ import annotations

from designlint.baseline import entries_for
from designlint.diagnostics import Diagnostic
from designlint.reporters import ReportContext
from designlint.reporters.escape import dumps_json

# GitLab's scale is info, minor, major, critical, blocker; a design violation ranks as major.
_SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    issues = [
        {
            "description": f"{d.code} {d.message}",
            "check_name": f"{d.code} {d.name}",
            "fingerprint": entry.stable_id,
            "severity": _SEVERITIES.get(d.severity, "major"),
            "location": {"path": entry.path, "lines": {"begin": d.start.row, "end": d.end.row}},
        }
        for d, entry in zip(diagnostics, entries_for(diagnostics, context.display_path))
    ]
    return dumps_json(issues, indent=2) + "\n"
