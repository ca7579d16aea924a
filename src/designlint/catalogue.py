"""The rule catalogue: one Markdown file per rule under ``rules/`` (shipped in the wheel as
``designlint/catalogue``), with a TOML front matter block and the rule's documentation.

Fenced examples marked ``python bad``/``python good`` (``markdown bad``/``markdown good`` for
the rules on the design document) are the rule's own ``INVALID``/``VALID`` cases (``designlint.rules.cases``), which the tests check. A fence may name the file the example
stands for (``python bad path=app/adapters/llm.py``) when the rule depends on where the code
lives; the default is ``example.py``, as for a case.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from designlint import pages

# Compiled on first use (re's cache): only the tests and the docs read the examples.
_EXAMPLE = r"^```(?:python|markdown) (?P<kind>bad|good)(?: path=(?P<path>\S+))?\n(?P<code>.*?)^```"


@dataclass(frozen=True)
class Example:
    kind: str  # "bad" or "good"
    code: str
    path: str = "example.py"  # the file the example stands for


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    category: str
    summary: str
    fix: str  # "always", "sometimes" or "none"
    options: tuple[str, ...]
    body: str  # Markdown

    @property
    def url(self) -> str:
        return pages.DOCS_URL.format(code=self.code)

    @property
    def examples(self) -> tuple[Example, ...]:
        return tuple(
            Example(m.group("kind"), m.group("code"), m.group("path") or "example.py")
            for m in re.finditer(_EXAMPLE, self.body, re.DOTALL | re.MULTILINE)
        )

    def section(self, title: str) -> str:
        match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", self.body, re.DOTALL | re.MULTILINE)
        return match.group(1).strip() if match else ""


def catalogue_dir() -> Path:
    return Path(pages.catalogue_dir())


def parse_rule_doc(text: str) -> RuleDoc:
    split = pages.split_page(text)
    if split is None:
        raise ValueError("a catalogue entry must start with a +++ TOML front matter block")
    toml, body = split
    # Every check reads the catalogue (the codes a flag or a configuration may name): the pages'
    # simple form needs no TOML parser, which reads what the simple reader declines.
    meta: dict[str, Any] | None = pages.simple_front_matter(toml)
    if meta is None:
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib
        meta = tomllib.loads(toml)
    return RuleDoc(
        meta["code"],
        meta["name"],
        meta["category"],
        meta["summary"],
        meta.get("fix", "none"),
        tuple(meta.get("options", ())),
        body.strip() + "\n",
    )


_PAGE_NAME = re.compile(r"DL[0-9]{3}")


def load_rule_doc(code: str) -> RuleDoc | None:
    """One rule's page, read alone (``designlint rule CODE``); None when there is none."""
    if not _PAGE_NAME.fullmatch(code):
        return None
    try:
        return parse_rule_doc((catalogue_dir() / f"{code}.md").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


@lru_cache(maxsize=1)
def load_catalogue() -> dict[str, RuleDoc]:
    docs = {}
    for path in sorted(catalogue_dir().glob("DL*.md")):
        doc = parse_rule_doc(path.read_text(encoding="utf-8"))
        docs[doc.code] = doc
    return docs
