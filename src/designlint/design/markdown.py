"""An engineering design document as markdown-it-py parses it (CommonMark with GitHub's tables):
its headings, tables (cells by column name), list items, fenced blocks, paragraphs and links,
each with the 1-based line it starts on. Nothing here knows what a contract is."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.rules_block.table import escapedSplit
from markdown_it.token import Token

from designlint.reading import TooLarge, read_regular_file

MAX_DOCUMENT_SIZE = 2**20  # a design document is prose and tables: 1 MB is far beyond one
_NO_VALUE = frozenset({"", "-", "—", "–", "n/a"})


@dataclass(frozen=True)
class Problem:
    """Something in a document that cannot be read as written (DL012), or is wrong (other rules)."""

    path: str
    line: int
    message: str


@dataclass(frozen=True)
class Cell:
    text: str  # the plain text, markup dropped
    spans: tuple[str, ...]  # its code spans, in order

    @property
    def values(self) -> tuple[str, ...]:
        """The code spans, else the text; nothing for an empty cell or a dash."""
        if self.spans:
            return self.spans
        return () if self.text.strip().lower() in _NO_VALUE else (self.text.strip(),)


@dataclass(frozen=True)
class Row:
    line: int
    cells: tuple[Cell, ...]  # one per header column
    extra_cells: int  # written beyond the header's columns (positive) or missing (negative)


@dataclass(frozen=True)
class Table:
    line: int
    headers: tuple[str, ...]  # normalised: lower case, markup dropped, spaces collapsed
    rows: tuple[Row, ...]

    def column(self, names: tuple[str, ...]) -> int | None:
        """The index of the first column whose header is one of ``names``."""
        for index, header in enumerate(self.headers):
            if header in names:
                return index
        return None


@dataclass(frozen=True)
class Item:
    """A list item (its first paragraph) or a paragraph, with its inline content."""

    line: int
    text: str
    spans: tuple[str, ...]
    ordered: bool = False
    list_line: int = 0  # the line of the list it is in; 0 for a paragraph


@dataclass(frozen=True)
class Fence:
    line: int  # of the opening fence
    info: str  # the info string, e.g. "mermaid" or "toml designlint"
    content: str
    closed: bool  # False: the block runs to the end of the document


@dataclass(frozen=True)
class Link:
    line: int
    target: str


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    text: str  # plain text, as written
    anchor: str  # GitHub's anchor for it, repeats numbered

    @property
    def key(self) -> str:
        """The text compared with section names: lower case, numbering and ``§`` dropped."""
        return _NUMBERING.sub("", self.text.strip()).strip().lower()


_NUMBERING = re.compile(r"^(?:§\s*)?(?:\d+(?:\.\d+)*)?[.)]?(?=\s|$)|^§\s*")


@dataclass(frozen=True)
class Section:
    heading: Heading
    end_line: int  # the line of the next heading of the same or a higher level (exclusive)
    document: Document = field(repr=False, compare=False)

    def _inside(self, line: int) -> bool:
        return self.heading.line < line < self.end_line

    @property
    def last_line(self) -> int:
        """Its last line that is not blank (the heading's, for an empty section)."""
        lines = self.document.text.splitlines()
        return next(
            (at for at in range(min(self.end_line - 1, len(lines)), self.heading.line, -1) if lines[at - 1].strip()),
            self.heading.line,
        )

    @property
    def tables(self) -> list[Table]:
        return [table for table in self.document.tables if self._inside(table.line)]

    @property
    def items(self) -> list[Item]:
        return [item for item in self.document.items if self._inside(item.line)]

    @property
    def fences(self) -> list[Fence]:
        return [fence for fence in self.document.fences if self._inside(fence.line)]


@dataclass(frozen=True)
class Document:
    path: str
    text: str
    headings: tuple[Heading, ...]
    tables: tuple[Table, ...]
    items: tuple[Item, ...]  # list items and paragraphs, in document order
    fences: tuple[Fence, ...]
    links: tuple[Link, ...]

    def sections(self) -> list[Section]:
        found = []
        for index, heading in enumerate(self.headings):
            following = (h.line for h in self.headings[index + 1 :] if h.level <= heading.level)
            found.append(Section(heading, next(following, self.line_count + 1), self))
        return found

    @property
    def line_count(self) -> int:
        return self.text.count("\n") + 1

    @property
    def anchors(self) -> frozenset[str]:
        return frozenset(heading.anchor for heading in self.headings)


_PARSER = MarkdownIt("commonmark").enable("table")


def read_document(
    path: Path, display: str, unsaved: Mapping[Path, str] | None = None
) -> tuple[Document | None, list[Problem]]:
    """The document at ``path`` (the editor's text, when ``unsaved`` holds its resolved path),
    or None and why it cannot be read."""
    text = (unsaved or {}).get(path.resolve())
    if text is not None:
        if len(text.encode("utf-8", "surrogatepass")) > MAX_DOCUMENT_SIZE:
            return None, [Problem(display, 1, "the design document is too large; the limit is 1 MB")]
        return parse_document(text, display), []
    try:
        raw = read_regular_file(path, MAX_DOCUMENT_SIZE)
    except TooLarge as exc:
        return None, [Problem(display, 1, f"the design document is too large ({exc}); the limit is 1 MB")]
    except OSError as exc:
        return None, [Problem(display, 1, f"cannot read the design document: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(display, line, "the design document is not valid UTF-8")]
    return parse_document(text, display), []


def parse_document(text: str, path: str) -> Document:
    lines = text.splitlines()
    tokens = _PARSER.parse(text)
    headings: list[Heading] = []
    tables: list[Table] = []
    items: list[Item] = []
    fences: list[Fence] = []
    links: list[Link] = []
    seen_anchors: dict[str, int] = {}
    lists: list[tuple[bool, int]] = []  # the lists the walk is in: (ordered, line)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        line = token.map[0] + 1 if token.map else 0
        if token.type == "inline":
            links.extend(Link(line, href) for href in _hrefs(token))
        if token.type == "heading_open":
            text_, _ = _inline(tokens[index + 1])
            headings.append(Heading(line, int(token.tag[1]), text_, _anchor(text_, seen_anchors)))
            index += 3
            continue
        if token.type == "table_open":
            table, index = _table(tokens, index, lines)
            tables.append(table)
            continue
        if token.type in ("ordered_list_open", "bullet_list_open"):
            lists.append((token.type == "ordered_list_open", line))
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            ordered, list_line = lists[-1]
            paragraph = tokens[index + 2] if tokens[index + 1].type == "paragraph_open" else None
            if paragraph is not None:
                plain, spans = _inline(paragraph)
                items.append(Item(line, plain, spans, ordered, list_line))
                links.extend(Link(line, href) for href in _hrefs(paragraph))
                index += 4  # list_item_open, paragraph_open, inline, paragraph_close
                continue
        elif token.type == "paragraph_open":
            plain, spans = _inline(tokens[index + 1])
            items.append(Item(line, plain, spans))
        elif token.type == "fence" and token.map:
            fences.append(Fence(line, token.info.strip(), token.content, _closed(token, lines)))
        index += 1
    return Document(path, text, tuple(headings), tuple(tables), tuple(items), tuple(fences), tuple(links))


def _inline(token: Token) -> tuple[str, tuple[str, ...]]:
    """An inline token's plain text and its code spans."""
    parts, spans = [], []
    for child in token.children or ():
        if child.type == "code_inline":
            spans.append(child.content)
            parts.append(child.content)
        elif child.type in ("text", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split()), tuple(spans)


def _hrefs(token: Token) -> list[str]:
    return [str(child.attrs["href"]) for child in token.children or () if child.type == "link_open"]


def _table(tokens: list[Token], index: int, lines: list[str]) -> tuple[Table, int]:
    """The table opening at ``tokens[index]``, and the index after its end."""
    opening = tokens[index].map
    start = opening[0] + 1 if opening else 0
    headers: list[str] = []
    rows: list[Row] = []
    cells: list[Cell] = []
    row_line = 0
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            cells, row_line = [], (token.map[0] + 1 if token.map else 0)
        elif token.type == "inline":
            plain, spans = _inline(token)
            cells.append(Cell(plain, spans))
        elif token.type == "tr_close":
            if not headers:
                headers = [" ".join(cell.text.lower().split()) for cell in cells]
            else:
                written = _written_cells(lines[row_line - 1]) if 0 < row_line <= len(lines) else len(cells)
                rows.append(Row(row_line, tuple(cells), written - len(headers)))
        index += 1
    return Table(start, tuple(headers), tuple(rows)), index + 1


def _written_cells(line: str) -> int:
    """How many cells a table row's line holds, split as markdown-it's table rule splits it."""
    stripped = line.strip()
    cells = escapedSplit(stripped)
    if stripped.startswith("|"):
        cells = cells[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|") and cells:
        cells = cells[:-1]
    return len(cells)


def _closed(token: Token, lines: list[str]) -> bool:
    """Whether a fence has its closing line (markdown-it runs an unclosed one to the end)."""
    assert token.map is not None
    last = token.map[1] - 1
    if last <= token.map[0] or last >= len(lines):
        return False
    closing = lines[last].strip()
    return closing.startswith(token.markup) and not closing.strip(token.markup[0])


def _anchor(text: str, seen: dict[str, int]) -> str:
    """GitHub's anchor for a heading: lower case, punctuation but ``-`` and ``_`` dropped, each
    space a ``-``; a repeated one gets ``-1``, ``-2``..."""
    slug = "".join(char for char in text.strip().lower() if char.isalnum() or char in "-_ ").replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return f"{slug}-{count}" if count else slug
