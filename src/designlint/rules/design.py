"""DL011-DL015: the engineering design document itself (docs/engineering-design-format.md).

These rules read Markdown, not Python: the engine never runs them on a Python file, and
``designlint.design.check`` runs them on the documents in play. The reading is shared, in
``designlint.design``; each rule here says what is wrong."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from designlint.analysis.enums import EnumInfo
from designlint.design.contract import (
    CATEGORIES,
    CATEGORY,
    COLUMNS,
    Category,
    Contract,
    gives_reason,
    not_applicable,
    section_for,
)
from designlint.design.markdown import Document, Problem, Section, Table
from designlint.gates.design import DocumentGate
from designlint.rules.base import Rule
from designlint.rules.cases import Invalid, Valid

DOCUMENT = "docs/engineering-design.md"  # where the cases' document is


@dataclass(frozen=True)
class DesignInPlay:
    """What the document rules see: the contract read, the project's root, and the facts of
    the code they compare it with."""

    contract: Contract
    root: Path
    neighbours: tuple[Document, ...] = ()  # the other Markdown files beside the documents (tasks.md)
    python_texts: tuple[str, ...] | None = None  # the project's Python files; None: not read
    error_enum: EnumInfo | None = None  # the configured error-code enum, when it resolves
    constant_strings: frozenset[str] = frozenset()  # the modules' string constants, resolved across modules

    def names(self, text: str) -> bool:
        """Whether a Python file of the project has ``text`` in its source or in the value of
        a string constant (one built from others: ``f"{PREFIX}.requests"``)."""
        return text in self._texts or any(text in value for value in self.constant_strings)

    @cached_property
    def _texts(self) -> str:
        return "\n".join(self.python_texts or ())


class DocumentRule(DocumentGate, Rule):
    """A rule on the design document: never run on a Python file."""

    def check(self, design: DesignInPlay) -> Iterator[Problem]:
        raise NotImplementedError


def _document(sections: str, *, skip: str = "") -> str:
    """A complete design document in spec-kit style, with ``sections`` (Markdown) replacing
    the section whose heading contains ``skip``."""
    parts = {
        "error-code": "## 1. Error-code contract\n\n| Code | Trigger |\n| --- | --- |\n| `RATE_LIMITED` | quota |\n",
        "state": "## 2. State machine\n\nNot applicable: the dispatcher keeps no state.\n",
        "order": "## 3. Execution order\n\n1. `authorize` — `app.auth.verify`\n2. `execute`\n",
        "authorization": "## 4. Authorization\n\n- Tenant scope: `org_id`\n",
        "failure": "## 5. Failure modes\n\n| Operation | Timeout |\n| --- | --- |\n| model call | 30 s |\n",
        "trust": "## 6. Trust labels\n\n| Sanitizer |\n| --- |\n| `app.prompting.tag_untrusted` |\n",
        "egress": "## 7. Egress allowlist\n\n- `api.example.com`\n",
        "observability": "## 8. Observability\n\n| Span |\n| --- |\n| `tool.dispatch` |\n",
        "audit": "## 9. Audit\n\n| Field |\n| --- |\n| `actor` |\n",
        "adapter": "## 10. Adapters\n\n| Framework | Adapter |\n| --- | --- |\n| `openai` | `app.adapters.*` |\n",
        "alternative": "## 11. Alternatives\n\n| Alternative | Rejected because |\n| --- | --- |\n| a queue | latency |\n",
        "rollout": "## 12. Rollout\n\nFlag first; rollback: turn the flag off.\n",
        "risk": "## 13. Risks\n\n| Risk | Mitigation | Owner | Trigger |\n| --- | --- | --- | --- |\n| leak | scoping | @ops | audit hit |\n",
        "anti-pattern": "## 14. Anti-patterns\n\nNot applicable: a new service.\n",
    }
    body = "\n".join(sections if name == skip else text for name, text in parts.items())
    return f"# Engineering design: triage\n\n{body}"


# The rules' page examples: short documents of a billing service.
_DUPLICATED_CODE = """
# Engineering design: billing

## 3. Error-code contract

| Code | Trigger | HTTP |
| --- | --- | --- |
| `CARD_DECLINED` | the issuer refuses | 402 |
| `CARD_DECLINED` | the card expired | 402 |
"""
_CITATION_GONE = """
# Engineering design: billing

## 14. Anti-patterns

- Retries without a budget, as in `billing/retry.py:10-20`.
"""
_ANCHOR_KEPT = """
# Engineering design: billing

## 3. Error-code contract

| Code |
| --- |
| `CARD_DECLINED` |

## 14. Anti-patterns

- Codes as raw strings: see [the contract](#3-error-code-contract).
"""
_EGRESS = """
# Engineering design: billing

## 7. Egress allowlist

- `api.stripe.com`
- `hooks.slack.com`
"""
_STRIPE_ONLY = {"billing/charge.py": 'STRIPE = "https://api.stripe.com/v1"\n'}
_RISK = """
# Engineering design: billing

## 13. Risk register

| Risk | Mitigation | Owner | Trigger |
| --- | --- | --- | --- |
| double charge | idempotency keys | @payments | {trigger} |
"""


class DesignSectionMissing(DocumentRule):
    """A category of the design with no section in the document, or with a section that holds
    nothing; a section saying ``Not applicable: <reason>`` is a deliberate absence."""

    code = "DL011"
    name = "design-section-missing"

    VALID = (
        Valid(_document(""), path=DOCUMENT),
        Valid(
            _document("## §10 Adapter pattern\n\nNot applicable: no LLM framework is used.\n", skip="adapter"),
            path=DOCUMENT,
        ),
    )
    INVALID = (
        # Where a reader would add it: after the section before it in the template's order.
        Invalid(
            _document("", skip="audit"),
            path=DOCUMENT,
            line=42,
            column=1,
            message="no section for audit: add one under a heading containing 'audit'",
        ),
        Invalid(
            _document("", skip="state"),
            path=DOCUMENT,
            line=7,
            column=1,
            message="no section for state machines: add one under a heading containing 'state machine' or 'state diagram' or 'lifecycle'",
        ),
        # Nothing before it in the template: on the title.
        Invalid(
            _document("", skip="error-code"), path=DOCUMENT, line=1, column=1, message="no section for error codes"
        ),
        Invalid(
            _document("## 9. Audit\n\nNot applicable:\n", skip="audit"),
            path=DOCUMENT,
            line=46,
            column=1,
            message="says it does not apply but not why",
        ),
        Invalid(_document("## 9. Audit\n", skip="audit"), path=DOCUMENT, line=44, column=1, message="is empty"),
    )

    def check(self, design: DesignInPlay) -> Iterator[Problem]:
        for document in design.contract.documents:
            present: dict[str, Section] = {}
            for category in CATEGORIES:
                section = section_for(document, category)
                if section is None:
                    words = " or ".join(repr(word) for word in category.words)
                    yield Problem(
                        document.path,
                        _where_to_add(document, category, present),
                        f"no section for {category.name}: add one under a heading containing {words}, "
                        "or say `Not applicable: <why>` there",
                    )
                    continue
                present[category.name] = section
                absent = not_applicable(section)
                if absent is not None and not gives_reason(absent):
                    yield Problem(
                        document.path, absent.line, f"the {category.name} section says it does not apply but not why"
                    )
                elif absent is None and not (section.items or section.tables or section.fences):
                    yield Problem(document.path, section.heading.line, f"the {category.name} section is empty")


def _where_to_add(document: Document, category: Category, present: dict[str, Section]) -> int:
    """Where a reader would add the category's section, in the template's order: after the
    section of the nearest category before it that the document has, else on the title."""
    previous = next(
        (present[c.name] for c in reversed(CATEGORIES[: CATEGORIES.index(category)]) if c.name in present), None
    )
    if previous is not None:
        return previous.last_line
    return document.headings[0].line if document.headings else 1


class DesignContractUnreadable(DocumentRule):
    """A contract of the document that cannot be read as written: a missing required column, a
    ragged row, a value of the wrong shape (a host that is not one), a duplicated error code, a
    diagram that does not parse or never closes, bad TOML in a ``toml designlint`` block, two
    documents disagreeing, a document that is not UTF-8. What can be read still is."""

    code = "DL012"
    name = "design-contract-unreadable"

    VALID = (
        Valid(_document(""), path=DOCUMENT),
        Valid(_DUPLICATED_CODE.replace("`CARD_DECLINED` | the card", "`CARD_EXPIRED` | the card"), path=DOCUMENT),
    )
    INVALID = (
        Invalid(
            _DUPLICATED_CODE,
            path=DOCUMENT,
            line=8,
            column=1,
            message="error code CARD_DECLINED is listed twice (first on line 7)",
        ),
        Invalid(
            _document(
                "## 7. Egress\n\n| Host | Why |\n| --- | --- |\n| `https://api.example.com/v1` | API |\n", skip="egress"
            ),
            path=DOCUMENT,
            line=38,
            column=1,
            message="`egress.allow`: expected",
        ),
        Invalid(
            _document("## 1. Error codes\n\n| Name | Trigger |\n| --- | --- |\n| `A_B` | x |\n", skip="error-code"),
            path=DOCUMENT,
            line=5,
            column=1,
            message="missing required column",
        ),
        Invalid(
            _document(
                "## 5. Failure modes\n\n| Operation | Timeout |\n| --- | --- |\n| model | 30 s | 3 |\n", skip="failure"
            ),
            path=DOCUMENT,
            line=26,
            column=1,
            message="this row has 3 cells, the table's header 2",
        ),
    )

    def check(self, design: DesignInPlay) -> Iterator[Problem]:
        yield from design.contract.problems


# ``path/to/file.py:40`` or ``path/to/file.py:40-52``: a file of the project and its lines.
_CITATION = re.compile(r"(?P<path>[\w.-]+(?:/[\w.-]+)*\.\w+):(?P<start>\d+)(?:-(?P<end>\d+))?")


class DesignReferenceBroken(DocumentRule):
    """A link to an anchor of the design that no heading has (from ``tasks.md`` or any Markdown
    beside the document, or the document itself), or a citation ``path/file.py:40-52`` naming
    a file that does not exist or lines past its end."""

    code = "DL013"
    name = "design-reference-broken"

    VALID = (
        Valid(_ANCHOR_KEPT, path=DOCUMENT),
        Valid(
            _document("## 14. Anti-patterns\n\n- Raw codes: `app/tools.py:1-2`.\n", skip="anti-pattern"),
            path=DOCUMENT,
            files={
                "app/tools.py": "def run():\n    return 1\n",
                "docs/tasks.md": "- T1 see [codes](engineering-design.md#1-error-code-contract)\n",
            },
        ),
    )
    INVALID = (
        Invalid(_CITATION_GONE, path=DOCUMENT, line=5, column=1, message="billing/retry.py does not exist"),
        Invalid(
            _ANCHOR_KEPT.replace("(#3-error-code-contract)", "(#3-error-codes)"),
            path=DOCUMENT,
            line=11,
            column=1,
            message="no heading of docs/engineering-design.md has the anchor #3-error-codes",
        ),
        Invalid(
            "# Tasks\n\n- T1 see [codes](engineering-design.md#3-error-codes)\n",
            path="docs/tasks.md",
            files={DOCUMENT: _document("")},
            line=3,
            column=1,
            message="no heading of docs/engineering-design.md has the anchor #3-error-codes",
        ),
        Invalid(
            _document("## 14. Anti-patterns\n\n- Raw codes: `app/tools.py:1-9`.\n", skip="anti-pattern"),
            path=DOCUMENT,
            files={"app/tools.py": "def run():\n    return 1\n"},
            line=74,
            column=1,
            message="app/tools.py has 2 lines, the citation names 1-9",
        ),
        Invalid(
            _document("## 14. Anti-patterns\n\n- Raw codes: `app/gone.py:3`.\n", skip="anti-pattern"),
            path=DOCUMENT,
            line=74,
            column=1,
            message="app/gone.py does not exist",
        ),
    )

    def check(self, design: DesignInPlay) -> Iterator[Problem]:
        by_path = {document.path: document for document in design.contract.documents}
        for document in (*design.contract.documents, *design.neighbours):
            base = Path(document.path).parent
            for link in document.links:
                target, _, anchor = link.target.partition("#")
                if not anchor or "://" in target:
                    continue
                linked = by_path.get((base / target).as_posix() if target else document.path)
                if linked is not None and anchor not in linked.anchors:
                    yield Problem(document.path, link.line, f"no heading of {linked.path} has the anchor #{anchor}")
        for document in design.contract.documents:
            for line, citation in _citations(document):
                problem = _cited(design.root, citation)
                if problem:
                    yield Problem(document.path, line, problem)


def _citations(document: Document) -> Iterator[tuple[int, re.Match[str]]]:
    spans = [(item.line, span) for item in document.items for span in item.spans]
    spans += [
        (row.line, span) for table in document.tables for row in table.rows for cell in row.cells for span in cell.spans
    ]
    spans += [(link.line, link.target) for link in document.links]
    for line, text in spans:
        match = _CITATION.fullmatch(text.strip())
        if match:
            yield line, match


def _cited(root: Path, citation: re.Match[str]) -> str:
    path = citation.group("path")
    file = root / path
    if not file.is_file():
        return f"the citation {citation.group(0)}: {path} does not exist"
    try:
        with open(file, "rb") as handle:
            lines = sum(1 for _ in handle)
    except OSError as exc:
        return f"the citation {citation.group(0)}: cannot read {path}: {exc.strerror or exc}"
    start, end = int(citation.group("start")), int(citation.group("end") or citation.group("start"))
    if end < start or end > lines or start < 1:
        shown = f"{start}-{end}" if citation.group("end") else str(start)
        return f"the citation {citation.group(0)}: {path} has {lines} lines, the citation names {shown}"
    return ""


class DesignDrift(DocumentRule):
    """The document and the code disagree where no code rule says so: an error code of the
    table that no Python file of the project mentions, a member of the configured error-code
    enum the table lacks (and a code of the table the enum lacks), an allowed host, a span or
    a metric that no Python file names, in its text or in the value of a module's string
    constant (``analysis.constants``: ``NAME = f"{PREFIX}.requests"``)."""

    code = "DL014"
    name = "design-drift"

    VALID = (
        Valid(
            _EGRESS, path=DOCUMENT, files={**_STRIPE_ONLY, "billing/notify.py": 'HOOK = "https://hooks.slack.com/T0"\n'}
        ),
        Valid(
            _document(""),
            path=DOCUMENT,
            files={
                "app/tools.py": 'HOST = "https://api.example.com"\nraise ToolError("RATE_LIMITED")\ntracer.start_span("tool.dispatch")\n'
            },
        ),
        Valid(_EGRESS, path=DOCUMENT),  # a project with no Python file yet: nothing to compare
        # The span's name is a constant built from another: no file's text holds it whole.
        Valid(
            _document(""),
            path=DOCUMENT,
            files={
                "app/__init__.py": "",
                "app/names.py": 'PREFIX = "tool"\nDISPATCH = f"{PREFIX}.dispatch"\n',
                "app/tools.py": (
                    "from app.names import DISPATCH\n\n"
                    'HOST = "https://api.example.com"\nraise ToolError("RATE_LIMITED")\ntracer.start_span(DISPATCH)\n'
                ),
            },
        ),
    )
    INVALID = (
        Invalid(
            _document(""),
            path=DOCUMENT,
            files={
                "app/tools.py": 'HOST = "https://api.example.com"\nraise ToolError("RATE_LIMITED")\ntracer.start_span("tool.run")\n'
            },
            line=42,
            column=1,
            message="the span tool.dispatch is declared but no Python file of the project names it",
        ),
        Invalid(
            _EGRESS,
            path=DOCUMENT,
            files=_STRIPE_ONLY,
            line=6,
            column=1,
            message="hooks.slack.com is allowed but no Python file of the project names it",
        ),
        Invalid(
            _document(""),
            path=DOCUMENT,
            files={"app/tools.py": 'HOST = "https://api.example.com"\nSPAN = "tool.dispatch"\n'},
            line=7,
            column=1,
            message="error code RATE_LIMITED is in the contract but no Python file of the project uses it",
        ),
        Invalid(
            _document(""),
            path=DOCUMENT,
            files={"app/tools.py": 'raise ToolError("RATE_LIMITED")\nSPAN = "tool.dispatch"\n'},
            line=36,
            column=1,
            message="api.example.com is allowed but no Python file of the project names it",
        ),
        Invalid(
            _document(
                "## 1. Error-code contract\n\n| Code |\n| --- |\n| `RATE_LIMITED` |\n\n"
                '~~~toml designlint\n[errors]\ncodes = "app.errors.ErrorCode"\n~~~\n',
                skip="error-code",
            ),
            path=DOCUMENT,
            files={
                "app/errors.py": 'from enum import Enum\n\n\nclass ErrorCode(str, Enum):\n    RATE_LIMITED = "RATE_LIMITED"\n    GONE = "GONE"\n',
                "app/tools.py": 'HOST = "https://api.example.com"\nSPAN = "tool.dispatch"\n',
            },
            line=3,
            column=1,
            message="ErrorCode.GONE (app.errors.ErrorCode) is not in the error-code table",
        ),
    )

    def check(self, design: DesignInPlay) -> Iterator[Problem]:
        if design.python_texts is None or not design.python_texts:
            return
        texts = "\n".join(design.python_texts)
        codes = design.contract.setting("errors.contract")
        for code, where in zip(codes.value, codes.sources) if codes else ():
            if design.error_enum is not None and design.error_enum.member_for(code) is None:
                enum = design.error_enum
                yield Problem(
                    where.path,
                    where.line,
                    f"error code {code} is in the table but not in {enum.class_name} ({enum.qualname})",
                )
            elif (
                design.error_enum is None
                and not re.search(rf"\b{re.escape(code)}\b", texts)
                and code not in design.constant_strings
            ):
                yield Problem(
                    where.path,
                    where.line,
                    f"error code {code} is in the contract but no Python file of the project uses it",
                )
        if codes and design.error_enum is not None:
            listed = set(codes.value)
            heading = _section_line(design.contract, codes.sources[0].path, "error codes")
            for member, value in design.error_enum.members:
                if member not in listed and value not in listed:
                    enum = design.error_enum
                    yield Problem(
                        codes.sources[0].path,
                        heading,
                        f"{enum.class_name}.{member} ({enum.qualname}) is not in the error-code table",
                    )
        for kind, dotted in (("span", "telemetry.spans"), ("metric", "telemetry.metrics")):
            declared = design.contract.setting(dotted)
            for name, where in zip(declared.value, declared.sources) if declared else ():
                if not design.names(name.split("{")[0].strip()):  # a {...} part is filled in at run time
                    yield Problem(
                        where.path,
                        where.line,
                        f"the {kind} {name} is declared but no Python file of the project names it",
                    )
        hosts = design.contract.setting("egress.allow")
        for host, where in zip(hosts.value, hosts.sources) if hosts else ():
            named = host.split(":")[0].removeprefix("*.")
            if named.lower() not in texts.lower() and not any(
                named.lower() in v.lower() for v in design.constant_strings
            ):
                yield Problem(
                    where.path,
                    where.line,
                    f"{host} is allowed but no Python file of the project names it: remove it, or say what contacts it",
                )


def _section_line(contract: Contract, path: str, category: str) -> int:
    document = next(d for d in contract.documents if d.path == path)
    section = section_for(document, CATEGORY[category])
    return section.heading.line if section else 1


class DesignEntryIncomplete(DocumentRule):
    """An entry of the design that leaves out what makes it useful: a risk without a
    mitigation, an owner or a trigger; a rollout that says nothing of rolling back; an
    alternative without the reason it was rejected."""

    code = "DL015"
    name = "design-entry-incomplete"

    VALID = (Valid(_document(""), path=DOCUMENT), Valid(_RISK.format(trigger="refunds above 1%"), path=DOCUMENT))
    INVALID = (
        Invalid(
            _RISK.format(trigger="-"),
            path=DOCUMENT,
            line=7,
            column=1,
            message="the risk 'double charge' has no trigger",
        ),
        Invalid(
            _document(
                "## 13. Risk register\n\n| Risk | Mitigation | Owner | Trigger |\n| --- | --- | --- | --- |\n| leak | scoping | | audit hit |\n",
                skip="risk",
            ),
            path=DOCUMENT,
            line=70,
            column=1,
            message="the risk 'leak' has no owner",
        ),
        Invalid(
            _document("## 12. Rollout\n\nFlag first, then everyone.\n", skip="rollout"),
            path=DOCUMENT,
            line=62,
            column=1,
            message="the rollout says nothing of rolling back",
        ),
        Invalid(
            _document(
                "## 11. Alternatives\n\n| Alternative | Rejected because |\n| --- | --- |\n| a queue | - |\n",
                skip="alternative",
            ),
            path=DOCUMENT,
            line=60,
            column=1,
            message="the alternative 'a queue' does not say why it was rejected",
        ),
    )

    def check(self, design: DesignInPlay) -> Iterator[Problem]:
        for document in design.contract.documents:
            risks = section_for(document, CATEGORY["risks"])
            for table in _tables_with(risks.tables if risks else [], "risk"):
                yield from _missing(document, table, "risk", ("mitigation", "owner", "trigger"), "has no {column}")
            alternatives = section_for(document, CATEGORY["alternatives"])
            for table in _tables_with(alternatives.tables if alternatives else [], "alternative"):
                yield from _missing(
                    document, table, "alternative", ("rejected because",), "does not say why it was rejected"
                )
            rollout = section_for(document, CATEGORY["rollout"])
            if rollout is not None and not_applicable(rollout) is None:
                words = [item.text for item in rollout.items]
                for table in rollout.tables:
                    words += [*table.headers, *(cell.text for row in table.rows for cell in row.cells)]
                text = " ".join(words).lower()
                if not re.search(r"roll[\s-]?back", text):
                    yield Problem(
                        document.path,
                        rollout.heading.line,
                        "the rollout says nothing of rolling back (a rollback path)",
                    )


def _tables_with(tables: list[Table], column: str) -> list[Table]:
    return [table for table in tables if table.column(COLUMNS[column]) is not None]


def _missing(document: Document, table: Table, kind: str, columns: tuple[str, ...], says: str) -> Iterator[Problem]:
    name_at = table.column(COLUMNS[kind])
    for row in table.rows:
        name = row.cells[name_at].text if name_at is not None else ""
        for column in columns:
            at = table.column(COLUMNS[column])
            if at is None or not row.cells[at].values:
                yield Problem(document.path, row.line, f"the {kind} {name!r} {says.format(column=column)}")
