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
from importlib import resources
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DOCS_URL = "https://github.com/designlint/designlint/blob/main/rules/{code}.md"
_FRONT_MATTER = re.compile(r"\A\+\+\+\n(?P<toml>.*?)\n\+\+\+\n(?P<body>.*)\Z", re.DOTALL)
_EXAMPLE = re.compile(
    r"^```(?:python|markdown) (?P<kind>bad|good)(?: path=(?P<path>\S+))?\n(?P<code>.*?)^```", re.DOTALL | re.MULTILINE
)


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
        return DOCS_URL.format(code=self.code)

    @property
    def examples(self) -> tuple[Example, ...]:
        return tuple(
            Example(m.group("kind"), m.group("code"), m.group("path") or "example.py")
            for m in _EXAMPLE.finditer(self.body)
        )

    def section(self, title: str) -> str:
        match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", self.body, re.DOTALL | re.MULTILINE)
        return match.group(1).strip() if match else ""


def catalogue_dir() -> Path:
    packaged = resources.files("designlint") / "catalogue"
    if packaged.is_dir():
        return Path(str(packaged))
    # An editable install from a checkout: the catalogue is the repository's rules/.
    return Path(__file__).resolve().parents[2] / "rules"


def parse_rule_doc(text: str) -> RuleDoc:
    match = _FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not match:
        raise ValueError("a catalogue entry must start with a +++ TOML front matter block")
    meta = tomllib.loads(match.group("toml"))
    return RuleDoc(
        meta["code"],
        meta["name"],
        meta["category"],
        meta["summary"],
        meta.get("fix", "none"),
        tuple(meta.get("options", ())),
        match.group("body").strip() + "\n",
    )


@lru_cache(maxsize=1)
def load_catalogue() -> dict[str, RuleDoc]:
    docs = {}
    for path in sorted(catalogue_dir().glob("DL*.md")):
        doc = parse_rule_doc(path.read_text(encoding="utf-8"))
        docs[doc.code] = doc
    return docs
