"""The contract an engineering design document states (docs/engineering-design-format.md): the
values of the option tables the rule families declare, each with the file and line it came
from, the data kept for families not built yet, and what could not be read (DL012).

The option tables come in as a mapping (the registry's), so nothing here imports a rule."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from designlint.config import key_line
from designlint.design.markdown import Document, Item, Problem, Section, Table, read_document
from designlint.options import BadValue, display_key, parse_options, table_name, whole_option


@dataclass(frozen=True)
class Category:
    name: str
    words: tuple[str, ...]  # a heading containing one of them is the category's section


CATEGORIES = (
    Category("error codes", ("error code", "error-code")),
    Category("state machines", ("state machine", "state diagram", "lifecycle")),
    Category("execution order", ("execution order", "cross-cutting")),
    Category("authorization", ("authorization", "authorisation", "authz")),
    Category("failure modes", ("failure mode", "failure-mode", "timeout")),
    Category("trust", ("trust", "prompt injection", "prompt-injection")),
    Category("egress", ("egress", "network")),
    Category("observability", ("observability", "telemetry")),
    Category("audit", ("audit",)),
    Category("adapters", ("adapter",)),
    Category("alternatives", ("alternative",)),
    Category("rollout", ("rollout", "roll-out")),
    Category("risks", ("risk",)),
    Category("anti-patterns", ("anti-pattern", "antipattern")),
)
CATEGORY = {category.name: category for category in CATEGORIES}

# Column -> the header names that stand for it.
COLUMNS = {
    "code": ("code", "error code", "error-code"),
    "host": ("host", "hostname", "host name", "domain"),
    "framework": ("framework", "package", "sdk"),
    "adapter": ("adapter", "adapter module", "adapter modules", "module", "modules"),
    "sanitizer": ("sanitizer", "sanitiser", "sanitizer function"),
    "operation": ("operation", "call", "dependency"),
    "timeout": ("timeout", "deadline"),
    "idempotency key": ("idempotency key", "idempotency"),
    "span": ("span", "span name"),
    "required attributes": ("required attributes", "attributes"),
    "metric": ("metric", "metric name"),
    "unit": ("unit",),
    "labels": ("labels",),
    "field": ("field", "audit field"),
    "required": ("required",),
    "risk": ("risk",),
    "mitigation": ("mitigation",),
    "owner": ("owner",),
    "trigger": ("trigger",),
    "alternative": ("alternative", "option"),
    "rejected because": ("rejected because", "why rejected", "reason rejected", "reason"),
}
_NOT_APPLICABLE = re.compile(r"\bnot applicable\s*[:—–-]\s*(\S?)", re.IGNORECASE)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?)", re.I)
_UNIT_SECONDS = {"ms": 0.001, "mi": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class Where:
    """A line of a file: of a design document, or of the code (``init``'s inventory, the path
    relative to the project root, with "/")."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Setting:
    """One option the documents fill: its TOML value, and where it (each item of a list) came from."""

    table: str
    key: str
    value: Any  # a list of strings, or a number or string
    sources: tuple[Where, ...]

    @property
    def dotted(self) -> str:
        return f"{self.table}.{self.key}"


@dataclass(frozen=True)
class Datum:
    """A contract read that fills no option: a transition of a diagram no ``[[state-machines]]``
    entry binds to an enum."""

    kind: str  # "order.stages", "state-machines", "telemetry.spans"...
    name: str
    details: tuple[str, ...]
    where: Where


@dataclass(frozen=True)
class Contract:
    documents: tuple[Document, ...] = ()
    settings: tuple[Setting, ...] = ()
    data: tuple[Datum, ...] = ()
    problems: tuple[Problem, ...] = ()  # DL012
    digest: str = ""  # of the documents' text: what the results cache keys on

    def setting(self, dotted: str) -> Setting | None:
        return next((s for s in self.settings if s.dotted == dotted), None)


def section_for(document: Document, category: Category) -> Section | None:
    """The category's section: the first heading that contains one of its words."""
    return next(
        (s for s in document.sections() if any(word in s.heading.key for word in category.words)),
        None,
    )


def not_applicable(section: Section) -> Item | None:
    """The paragraph or item saying why the section does not apply, if it says so."""
    return next((item for item in section.items if _NOT_APPLICABLE.search(item.text)), None)


def gives_reason(item: Item) -> bool:
    match = _NOT_APPLICABLE.search(item.text)
    return match is not None and bool(match.group(1))


class _Reader:
    """Reads one document: settings by (table, key) with their sources, data and problems."""

    def __init__(self, document: Document, option_tables: Mapping[str, type]):
        self.document = document
        self.option_tables = option_tables
        self.values: dict[tuple[str, str], tuple[Any, list[Where]]] = {}
        self.data: list[Datum] = []
        self.problems: list[Problem] = []
        self.diagrams: list[tuple[int, dict[str, int]]] = []  # (fence line, {"A -> B": line})
        self.bound: set[int] = set()  # the diagrams a [[state-machines]] entry names

    def where(self, line: int) -> Where:
        return Where(self.document.path, line)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.document.path, line, message))

    def add(self, table: str, key: str, item: Any, line: int) -> None:
        """One value for a list option, validated by the option's own shape."""
        if not self._valid(table, key, [item], line):
            return
        items, sources = self.values.setdefault((table, key), ([], []))
        if item not in items:
            items.append(item)
            sources.append(self.where(line))

    def set(self, table: str, key: str, value: Any, line: int, lines: list[int] | None = None) -> None:
        """A whole value (a number, a table), with the lines it was read from (default: ``line``)."""
        if self._valid(table, key, value, line):
            self.values[(table, key)] = (value, [self.where(at) for at in lines or [line]])

    def _valid(self, table: str, key: str, value: Any, line: int, others: Mapping[str, Any] | None = None) -> bool:
        """Whether the option takes the value (with ``others`` of its table it depends on)."""
        options = self.option_tables[table]
        try:
            parse_options(options, value if whole_option(options) else {**(others or {}), key: value})
        except BadValue as exc:
            self.problem(line, f"`{display_key(exc.key)}`: {exc.message}")
            return False
        return True

    def read(self) -> None:
        for fence in self.document.fences:
            if not fence.closed:
                self.problem(
                    fence.line, "this fenced block is never closed: the rest of the document is read as its code"
                )
        for category in CATEGORIES:
            section = section_for(self.document, category)
            reader = _SECTION_READERS.get(category.name)
            if section is not None and reader is not None and not_applicable(section) is None:
                reader(self, section)
        for fence in self.document.fences:
            if fence.info.split()[:2] == ["toml", "designlint"] and fence.closed:
                self._block(fence.content, fence.line)
        for number, (_, transitions) in enumerate(self.diagrams, 1):
            if number not in self.bound:  # shown, checked by nothing: no enum to hold the states to
                self.data.extend(
                    Datum(f"state-machines.{number}", transition, ("unbound",), self.where(line))
                    for transition, line in transitions.items()
                )

    # -- tables ----------------------------------------------------------------------------

    def table_with(self, section: Section, *columns: str, what: str) -> Table | None:
        """The section's first table with all of ``columns``; a DL012 when none has them."""
        for table in section.tables:
            if all(table.column(COLUMNS[c]) is not None for c in columns):
                self._check_ragged(table)
                return table
        where = section.tables[0].line if section.tables else section.heading.line
        named = " and ".join(f"`{c}`" for c in columns)
        self.problem(where, f"the {what} section has no table with a {named} column (missing required column)")
        return None

    def _check_ragged(self, table: Table) -> None:
        for row in table.rows:
            if row.extra_cells:
                count = len(table.headers) + row.extra_cells
                self.problem(row.line, f"this row has {count} cells, the table's header {len(table.headers)}")

    # -- the sections ---------------------------------------------------------------------

    def error_codes(self, section: Section) -> None:
        table = self.table_with(section, "code", what="error-code")
        if table is None:
            return
        column = table.column(COLUMNS["code"])
        seen: dict[str, int] = {}
        for row in table.rows:
            for code in row.cells[column].values:  # type: ignore[index]
                if code in seen:
                    self.problem(row.line, f"error code {code} is listed twice (first on line {seen[code]})")
                else:
                    seen[code] = row.line
                    self.add("errors", "contract", code, row.line)

    def egress(self, section: Section) -> None:
        has_table = any(table.column(COLUMNS["host"]) is not None for table in section.tables)
        if not has_table and any(item.spans for item in section.items):
            for item in section.items:
                for host in item.spans:
                    self.add("egress", "allow", host, item.line)
            return
        table = self.table_with(section, "host", what="egress")
        if table is not None:
            self._column_values(table, "host", "egress", "allow")

    def adapters(self, section: Section) -> None:
        table = self.table_with(section, "framework", "adapter", what="adapter")
        if table is not None:
            self._column_values(table, "framework", "adapters", "extend-frameworks")
            self._column_values(table, "adapter", "adapters", "modules")

    def trust(self, section: Section) -> None:
        table = self.table_with(section, "sanitizer", what="trust")
        if table is not None:
            self._column_values(table, "sanitizer", "trust", "sanitizers")

    def failure_modes(self, section: Section) -> None:
        table = self.table_with(section, "operation", "timeout", what="failure-mode")
        if table is None:
            return
        timeout, key = table.column(COLUMNS["timeout"]), table.column(COLUMNS["idempotency key"])
        longest: tuple[float, int] | None = None
        for row in table.rows:
            for text in row.cells[timeout].values:  # type: ignore[index]
                seconds = duration(text)
                if seconds is None:
                    if text.lower() != "none":
                        self.problem(row.line, f'expected a timeout such as "30 s" or "2 min", got {text!r}')
                elif longest is None or seconds > longest[0]:
                    longest = (seconds, row.line)
            for name in row.cells[key].spans if key is not None else ():
                self.add("idempotency", "derive-from", name, row.line)
        if longest is not None:
            self.set("timeouts", "budget", longest[0], longest[1])

    def authorization(self, section: Section) -> None:
        labels = (("tenant", "tenant-names"), ("role", "role-names"), ("superuser", "superuser-names"))
        for item in section.items:
            label, colon, _ = item.text.partition(":")
            label = label.strip().lower()
            if not colon or not item.spans:
                continue
            if label.startswith("deny"):
                if item.spans[1:]:
                    self.problem(item.line, "the deny reasons are one enum: name it in one code span")
                else:
                    self.set("authz", "deny-reasons", item.spans[0], item.line)
                continue
            key = next((key for word, key in labels if label.startswith(word)), None)
            if key is None and label.startswith("admin"):
                key = "superuser-names"
            for word in item.spans if key else ():
                self.add("authz", key, word, item.line)  # type: ignore[arg-type]

    def execution_order(self, section: Section) -> None:
        ordered = [item for item in section.items if item.ordered]
        if not ordered:
            self.problem(section.heading.line, "the execution-order section has no ordered list of stages")
            return
        first_list = ordered[0].list_line
        stages: list[str] = []
        lines: list[int] = []
        calls: dict[str, list[str]] = {}
        for item in ordered:
            if item.list_line != first_list:
                continue
            words = item.text.split()
            name = item.spans[0] if item.spans else (words[0] if words else "")
            if not name:
                self.problem(item.line, "a stage needs a name (its first code span or word)")
                continue
            stages.append(name)
            lines.append(item.line)
            if item.spans[1:]:
                calls[name] = list(item.spans[1:])
        if len(stages) < 2:
            self.problem(
                first_list, "the execution order needs at least two stages, the last of them the tool's execution"
            )
            return
        # The stages and their calls are checked together: a stage with calls must be listed.
        if self._valid("order", "stages", stages, first_list, {"calls": calls}):
            self.values[("order", "stages")] = (stages, [self.where(at) for at in lines])
            if calls:
                at = [line for name, line in zip(stages, lines) if name in calls]
                self.values[("order", "calls")] = (calls, [self.where(line) for line in at])

    def state_machines(self, section: Section) -> None:
        """The section's diagrams, numbered from 1: bound to an enum by a ``[[state-machines]]``
        entry of a ``toml designlint`` block (read after the sections), they fill that option."""
        diagrams = [f for f in section.fences if f.info.split()[:1] == ["mermaid"] and f.closed]
        for fence in diagrams:
            lines = fence.content.splitlines()
            if not lines or lines[0].strip() not in ("stateDiagram-v2", "stateDiagram"):
                continue
            transitions: dict[str, int] = {}
            for offset, transition, problem in read_state_diagram(lines[1:]):
                line = fence.line + 2 + offset
                if problem:
                    self.problem(line, problem)
                else:
                    source, target, _event = transition
                    transitions.setdefault(f"{source} -> {target}", line)
            self.diagrams.append((fence.line, transitions))
        if not self.diagrams and all(fence.closed for fence in section.fences):  # an unclosed one is reported already
            self.problem(section.heading.line, "the state-machine section has no mermaid stateDiagram-v2 block")

    def _machines(self, entries: Any, line_of: Callable[..., int]) -> None:
        """``[[state-machines]]`` entries of a block: ``diagram = N`` (default: the entry's place)
        gives the entry the transitions of the section's N-th diagram; the name defaults to the enum's."""
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            self.problem(
                line_of("state-machines"), "`state-machines`: expected an array of tables `[[state-machines]]`"
            )
            return
        machines: list[dict[str, Any]] = []
        lines: list[int] = []
        for index, written in enumerate(entries):
            entry = dict(written)
            number = entry.pop("diagram", index + 1 if "transitions" not in entry else None)
            at = line_of("state-machines", index)
            if number is not None:
                if not isinstance(number, int) or not 1 <= number <= len(self.diagrams):
                    self.problem(
                        at,
                        f"`state-machines[{index}].diagram`: expected the number of one of the section's "
                        f"{len(self.diagrams)} stateDiagram-v2 blocks (from 1), got {number!r}",
                    )
                    continue
                fence_line, transitions = self.diagrams[number - 1]
                self.bound.add(number)
                entry.setdefault("transitions", list(transitions))
                at = fence_line
            if isinstance(entry.get("states"), str):
                entry.setdefault("name", entry["states"].rpartition(".")[2])
            machines.append(entry)
            lines.append(at)
        if machines and self._valid("state-machines", "machines", machines, lines[0]):
            self.values[("state-machines", "machines")] = (machines, [self.where(at) for at in lines])

    def observability(self, section: Section) -> None:
        spans = [t for t in section.tables if t.column(COLUMNS["span"]) is not None]
        metrics = [t for t in section.tables if t.column(COLUMNS["metric"]) is not None]
        if not spans and not metrics:
            where = section.tables[0].line if section.tables else section.heading.line
            self.problem(where, "the observability section has no table with a `span` or `metric` column")
        attributes: dict[str, list[str]] = {}
        attribute_lines: list[int] = []
        for table in spans:
            self._check_ragged(table)
            name_at, extra_at = table.column(COLUMNS["span"]), table.column(COLUMNS["required attributes"])
            for row in table.rows:
                for name in row.cells[name_at].values:  # type: ignore[index]
                    self.add("telemetry", "spans", name, row.line)
                    if extra_at is not None and row.cells[extra_at].spans:
                        attributes[name] = list(row.cells[extra_at].spans)
                        attribute_lines.append(row.line)
        if attributes:
            self.set("telemetry", "required-attributes", attributes, attribute_lines[0], attribute_lines)
        declared: dict[str, dict[str, Any]] = {}
        metric_lines: list[int] = []
        for table in metrics:
            self._check_ragged(table)
            name_at, unit_at, labels_at = (table.column(COLUMNS[c]) for c in ("metric", "unit", "labels"))
            for row in table.rows:
                entry: dict[str, Any] = {}
                if unit_at is not None and row.cells[unit_at].values:
                    entry["unit"] = row.cells[unit_at].values[0]
                if labels_at is not None and row.cells[labels_at].spans:
                    entry["labels"] = list(row.cells[labels_at].spans)
                for name in row.cells[name_at].values:  # type: ignore[index]
                    if self._valid("telemetry", "metrics", {name: entry}, row.line):
                        declared[name] = entry
                        metric_lines.append(row.line)
        if declared:
            self.values[("telemetry", "metrics")] = (declared, [self.where(line) for line in metric_lines])

    def audit(self, section: Section) -> None:
        table = next((t for t in section.tables if t.column(COLUMNS["field"]) is not None), None)
        if table is None:
            spans = [(span, item.line) for item in section.items for span in item.spans]
            if not spans:
                self.table_with(section, "field", what="audit")  # says what is missing
            for span, line in spans:
                self.add("audit", "required", span, line)
            return
        self._check_ragged(table)
        name_at, required_at = table.column(COLUMNS["field"]), table.column(COLUMNS["required"])
        for row in table.rows:
            required = required_at is None or row.cells[required_at].text.strip().lower() in (
                "yes",
                "y",
                "true",
                "required",
            )
            for name in row.cells[name_at].values if required else ():  # type: ignore[index]
                self.add("audit", "required", name, row.line)

    def _column_values(self, table: Table, column: str, option_table: str, key: str) -> None:
        at = table.column(COLUMNS[column])
        for row in table.rows:
            for value in row.cells[at].values:  # type: ignore[index]
                self.add(option_table, key, value, row.line)

    # -- toml designlint blocks -------------------------------------------------------------

    def _block(self, content: str, line: int) -> None:
        try:
            keys = tomllib.loads(content)
        except tomllib.TOMLDecodeError as exc:
            at = re.search(r"at line (\d+)", str(exc))
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            self.problem(
                line + (int(at.group(1)) if at else 1), f"invalid TOML in the `toml designlint` block: {message}"
            )
            return
        except RecursionError:
            self.problem(line, "invalid TOML in the `toml designlint` block: nested too deeply")
            return
        prefix: tuple[str, ...] = ()
        if isinstance(keys.get("tool"), dict) and isinstance(keys["tool"].get("designlint"), dict) and len(keys) == 1:
            keys, prefix = keys["tool"]["designlint"], ("tool", "designlint")

        def line_of(*key: str | int) -> int:
            return line + (key_line(content, (*prefix, *key)) or 0)

        for name, value in keys.items():
            if name == "state-machines":
                self._machines(value, line_of)
            elif name not in self.option_tables:
                known = ", ".join(self.option_tables)
                self.problem(line_of(name), f"`{name}` cannot be set by a design document (expected one of: {known})")
            else:
                try:
                    parse_options(self.option_tables[name], value)
                except BadValue as exc:
                    self.problem(line_of(*exc.key), f"`{display_key(exc.key)}`: {exc.message}")
                    continue
                for key, item in value.items():
                    self.values[(name, key)] = (item, [self.where(line_of(name, key))])


_SECTION_READERS: dict[str, Callable[[_Reader, Section], None]] = {
    "error codes": _Reader.error_codes,
    "egress": _Reader.egress,
    "adapters": _Reader.adapters,
    "trust": _Reader.trust,
    "failure modes": _Reader.failure_modes,
    "authorization": _Reader.authorization,
    "execution order": _Reader.execution_order,
    "state machines": _Reader.state_machines,
    "observability": _Reader.observability,
    "audit": _Reader.audit,
}


def duration(text: str) -> float | None:
    """Seconds in ``30 s``, ``1.5 s``, ``500 ms``, ``2 min``; None for anything else."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        return None
    unit = match.group(2).lower()
    scale = _UNIT_SECONDS["ms"] if unit.startswith(("ms", "milli")) else _UNIT_SECONDS[unit[0]]
    return float(match.group(1)) * scale


_TRANSITION = re.compile(r"(\[\*\]|[\w.]+)\s*-->\s*(\[\*\]|[\w.]+)\s*(?::\s*(.*))?")
_SKIPPED = re.compile(r"(%%|direction\s|classDef\s|class\s|--$|\}$|state\s|[\w.]+\s*:)")


def read_state_diagram(lines: Iterable[str]) -> Iterable[tuple[int, tuple[str, str, str], str]]:
    """(offset, (source, target, event), problem) for each transition or unreadable line of a
    mermaid ``stateDiagram-v2`` body (the lines after its first)."""
    in_note = False
    for offset, raw in enumerate(lines):
        text = raw.strip()
        if in_note:
            in_note = text != "end note"
            continue
        if not text:
            continue
        if text.startswith("note "):
            in_note = ":" not in text
            continue
        match = _TRANSITION.fullmatch(text)
        if match:
            yield offset, (match.group(1), match.group(2), (match.group(3) or "").strip()), ""
        elif not _SKIPPED.match(text):
            yield offset, ("", "", ""), f"cannot read this line of the state diagram: {text[:60]!r}"


def read_contract(
    paths: Iterable[Path], root: Path, option_tables: Mapping[str, type], unsaved: Mapping[Path, str] | None = None
) -> Contract:
    """The contract of the documents at ``paths`` (shown relative to ``root``; an editor's
    ``unsaved`` text, by resolved path, in place of the file), merged in order: lists are
    united, and a single value two documents give differently is a DL012."""
    documents: list[Document] = []
    settings: dict[tuple[str, str], Setting] = {}
    data: list[Datum] = []
    problems: list[Problem] = []
    digest = hashlib.sha256()
    for path in paths:
        display = display_path(path, root)
        document, unreadable = read_document(path, display, unsaved)
        problems.extend(unreadable)
        digest.update(f"{display}\0".encode(errors="surrogateescape"))
        if document is None:
            continue
        digest.update(document.text.encode(errors="surrogatepass"))
        documents.append(document)
        reader = _Reader(document, option_tables)
        reader.read()
        problems.extend(reader.problems)
        data.extend(reader.data)
        for (table, key), (value, sources) in reader.values.items():
            before = settings.get((table, key))
            if before is None:
                settings[(table, key)] = Setting(table, key, value, tuple(sources))
            elif isinstance(value, list) and isinstance(before.value, list):
                merged = [*before.value, *(v for v in value if v not in before.value)]
                added = [s for v, s in zip(value, sources) if v not in before.value]
                settings[(table, key)] = Setting(table, key, merged, (*before.sources, *added))
            elif value != before.value:
                problems.append(
                    Problem(
                        sources[0].path,
                        sources[0].line,
                        f"`{table}.{key}` is {value!r} here but {before.value!r} in {before.sources[0]}: the documents disagree",
                    )
                )
    hashed = digest.hexdigest() if documents or problems else ""  # no document: the config is as without one
    return Contract(tuple(documents), tuple(settings.values()), tuple(data), tuple(problems), hashed)


def display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def apply_settings(
    tables: tuple[object, ...],
    configured: frozenset[str],
    settings: Iterable[Setting],
    option_tables: Mapping[str, type],
) -> tuple[object, ...]:
    """The option tables with ``settings`` filled in where the config set no value itself."""
    by_name = {table_name(type(options)): options for options in tables}
    filled: dict[str, dict[str, Any]] = {}
    for setting in settings:
        if setting.dotted not in configured:
            filled.setdefault(setting.table, {})[setting.key] = setting.value
    for name, values in filled.items():
        table = option_tables[name]
        whole = whole_option(table)
        from_document: Any = parse_options(table, values[whole.replace("_", "-")] if whole else values)
        current: Any = by_name.get(name, table())
        changes = {
            f.name: getattr(from_document, f.name)
            for f in dataclasses.fields(table)
            if f.name.replace("_", "-") in values
        }
        by_name[name] = dataclasses.replace(current, **changes)
    return tuple(by_name.values())
