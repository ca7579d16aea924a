"""Reading a design document: sections by heading text, cells by column name, GitHub's anchors."""

from __future__ import annotations

import pytest

from designlint.design.contract import CATEGORY, duration, section_for
from designlint.design.markdown import parse_document

SPEC_KIT_STYLE = """\
# Engineering design: ticket triage

## 3. Error-code contract

| HTTP | Error code | Trigger |
| --- | --- | --- |
| 429 | `RATE_LIMITED` | over quota |
| 504 | UPSTREAM_TIMEOUT | - |

### 3.1 Error codes we retired

## §7 Egress / network

## Egress

- `api.example.com`
"""


@pytest.mark.parametrize(
    ("heading", "category"),
    [
        ("## 3. Error-code contract", "error codes"),
        ("### §3 Error codes", "error codes"),
        ("# ERROR CODES (v2)", "error codes"),
        ("## 5) Failure modes and timeouts", "failure modes"),
        ("## 12.3 Roll-out plan", "rollout"),
        ("## Trust labels & prompt-injection mitigation", "trust"),
    ],
)
def test_a_section_is_found_by_its_heading_text_whatever_the_numbering(heading, category):
    document = parse_document(f"# Design\n\n{heading}\n\nNot applicable: nothing here.\n", "d.md")
    section = section_for(document, CATEGORY[category])
    assert section is not None and section.heading.line == 3


def test_the_first_matching_heading_is_the_section_and_it_holds_its_subsections():
    document = parse_document(SPEC_KIT_STYLE, "d.md")
    codes = section_for(document, CATEGORY["error codes"])
    assert codes is not None and (codes.heading.line, codes.end_line) == (3, 12)
    egress = section_for(document, CATEGORY["egress"])
    assert egress is not None and egress.heading.text == "§7 Egress / network"


def test_cells_are_read_by_column_name_in_any_order():
    [table] = parse_document(SPEC_KIT_STYLE, "d.md").tables
    column = table.column(("code", "error code"))
    assert column == 1
    assert [row.cells[column].values for row in table.rows] == [("RATE_LIMITED",), ("UPSTREAM_TIMEOUT",)]
    assert [row.cells[2].values for row in table.rows] == [("over quota",), ()]  # a dash is no value
    assert [row.line for row in table.rows] == [7, 8]


def test_anchors_are_githubs_with_repeats_numbered():
    document = parse_document(SPEC_KIT_STYLE, "d.md")
    assert [h.anchor for h in document.headings] == [
        "engineering-design-ticket-triage",
        "3-error-code-contract",
        "31-error-codes-we-retired",
        "7-egress--network",
        "egress",
    ]
    repeated = parse_document("## Egress\n\n## Egress\n\n## Egress\n", "d.md")
    assert [h.anchor for h in repeated.headings] == ["egress", "egress-1", "egress-2"]


def test_a_fence_inside_a_list_and_one_left_open():
    text = "# D\n\n- item\n\n  ```mermaid\n  stateDiagram-v2\n  ```\n\n```toml designlint\n[errors]\n"
    fences = parse_document(text, "d.md").fences
    assert [(f.line, f.info, f.closed) for f in fences] == [(5, "mermaid", True), (9, "toml designlint", False)]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30 s", 30.0),
        ("1.5 s", 1.5),
        ("500 ms", 0.5),
        ("2 min", 120.0),
        ("2 minutes", 120.0),
        ("1 h", 3600.0),
        ("10", None),
        ("soon", None),
    ],
)
def test_timeouts_are_a_number_and_a_unit(text, seconds):
    assert duration(text) == seconds
