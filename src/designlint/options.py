"""Option tables: how a rule family declares its ``[tool.designlint.<table>]`` next to its rules.

A table is a frozen dataclass decorated with ``@options_table("name")``, each field declared
with ``option(shape, default=...)``. The shape validates the TOML value and makes it hashable
(lists become tuples, tables tuples of pairs, nested tables dataclasses), so ``Config`` stays
frozen, hashable and its ``repr`` complete. config.py parses any declared table the same way;
nothing here knows a particular family. A string option may name an object in the linted
project (``resolves=``): the runner asks that fact provider before linting, so a name that
does not resolve is a config error.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from designlint.project import FactProvider

T = TypeVar("T")
# A key inside the configuration: table and option names, and an index into an array of tables.
Key = tuple[str | int, ...]
_TABLE_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_OPTION = "designlint.option"  # the dataclass field metadata key


def display_key(key: Key) -> str:
    """``("state-machines", 0, "states")`` -> ``state-machines[0].states``."""
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


class BadValue(Exception):
    """A value that does not fit its shape; config.py adds the file, the line and the prefix."""

    def __init__(self, key: Key, message: str):
        super().__init__(message)
        self.key, self.message = key, message


@dataclass(frozen=True)
class Reference:
    """A configured name of an object in the linted project, and the provider that finds it."""

    key: Key
    provider: FactProvider
    name: str


def describe(value: object) -> str:
    """How a wrong TOML value is shown in an error: its kind, and the value when it is short."""
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a table"}
    if isinstance(value, (list, dict)):
        return kind[type(value)]
    return f"{kind.get(type(value), type(value).__name__)} {value!r}"


# --- string entries ----------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A kind of string entry: the pattern it must match (after a leading ``*.`` with
    ``wildcard``) and what to call it in an error."""

    pattern: str
    expected: str
    wildcard: bool = False
    port: bool = False  # may end in ``:port``, from 1 to 65535

    def problem(self, entry: str) -> str | None:
        checked = entry[2:] if self.wildcard and entry.startswith("*.") else entry
        if not re.fullmatch(self.pattern, checked):
            return f"expected {self.expected}, got {entry!r}"
        if self.port and ":" in entry and not 1 <= int(entry.rpartition(":")[2]) <= 65535:
            return f"expected a port from 1 to 65535, got {entry!r}"
        return None


_LABEL = r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
HOST = Item(
    rf"(?=.{{1,253}}\Z){_LABEL}(\.{_LABEL})*(:\d{{1,5}})?",
    'a host name ("api.example.com") or a wildcard ("*.example.com")',
    wildcard=True,
    port=True,
)
DOTTED_NAME = Item(
    r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", 'a function name or a dotted name such as "app.net.require_allowed"'
)
QUALIFIED_NAME = Item(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", 'a dotted name such as "app.errors.ErrorCode"')
MODULE_GLOB = Item(
    r"[A-Za-z_*?][\w*?]*(\.[A-Za-z_*?][\w*?]*)*", 'a dotted module name or glob such as "app.adapters.*"'
)
WORD = Item(r"[A-Za-z_]\w*", "an identifier-like word")


# --- shapes: what a value may be, and the hashable value it becomes ----------------------


class Shape:
    def parse(self, value: object, key: Key) -> object:
        """The validated, hashable value; raises ``BadValue``."""
        raise NotImplementedError

    def references(self, value: Any, key: Key) -> Iterator[Reference]:
        """The names of project objects in a parsed value."""
        return iter(())


@dataclass(frozen=True)
class Text(Shape):
    """One string, such as ``codes = "app.errors.ErrorCode"``."""

    item: Item
    resolves: FactProvider | None = None

    def parse(self, value: object, key: Key) -> str:
        if not isinstance(value, str):
            raise BadValue(key, f"expected {self.item.expected}, got {describe(value)}")
        problem = self.item.problem(value)
        if problem:
            raise BadValue(key, problem)
        return value

    def references(self, value: str | None, key: Key) -> Iterator[Reference]:
        if self.resolves is not None and value is not None:
            yield Reference(key, self.resolves, value)


@dataclass(frozen=True)
class ListOf(Shape):
    """A list of strings, each an ``item``: ``allow = ["api.example.com"]``."""

    item: Item
    resolves: FactProvider | None = None

    def parse(self, value: object, key: Key) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
            raise BadValue(key, f"expected a list of strings, got {describe(value)}")
        for entry in value:
            problem = self.item.problem(entry)
            if problem:
                raise BadValue(key, problem)
        return tuple(value)

    def references(self, value: tuple[str, ...] | None, key: Key) -> Iterator[Reference]:
        if self.resolves is not None and value is not None:
            for name in value:
                yield Reference(key, self.resolves, name)


@dataclass(frozen=True)
class Number(Shape):
    """A number in a range: ``Number(gt=0)`` for ``budget = 30.0``; ``integer`` refuses fractions."""

    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    integer: bool = False

    @property
    def expected(self) -> str:
        bounds = ((">", self.gt), (">=", self.ge), ("<", self.lt), ("<=", self.le))
        limits = " and ".join(f"{sign} {bound:g}" for sign, bound in bounds if bound is not None)
        return ("an integer" if self.integer else "a number") + (f" {limits}" if limits else "")

    def parse(self, value: object, key: Key) -> float | int:
        kinds = (int,) if self.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):  # TOML's true is no number
            raise BadValue(key, f"expected {self.expected}, got {describe(value)}")
        if not math.isfinite(value) or not self._within(value):
            raise BadValue(key, f"expected {self.expected}, got {value!r}")
        return value if self.integer else float(value)

    def _within(self, number: float) -> bool:
        return (
            (self.gt is None or number > self.gt)
            and (self.ge is None or number >= self.ge)
            and (self.lt is None or number < self.lt)
            and (self.le is None or number <= self.le)
        )


@dataclass(frozen=True)
class Choice(Shape):
    """One of a few strings: ``unit = "seconds"``."""

    choices: tuple[str, ...]

    def parse(self, value: object, key: Key) -> str:
        if not isinstance(value, str) or value not in self.choices:
            shown = repr(value) if isinstance(value, str) else describe(value)
            raise BadValue(key, f"expected one of {', '.join(map(repr, self.choices))}, got {shown}")
        return value


@dataclass(frozen=True)
class Record(Shape):
    """A table whose keys are the options of ``table`` (a frozen dataclass of ``option`` fields)."""

    table: type

    def __post_init__(self) -> None:
        _declared(self.table)  # a field without an option() is the declaring module's bug: fail at import

    def parse(self, value: object, key: Key) -> object:
        if not isinstance(value, dict):
            raise BadValue(key, f"expected a table, got {describe(value)}")
        declared = _declared(self.table)
        parsed = {}
        for name, option_value in value.items():
            if name not in declared:
                raise BadValue((*key, name), f"unknown option (expected one of: {', '.join(declared)})")
            field = declared[name]
            parsed[field.name] = _shape(field).parse(option_value, (*key, name))
        for name, field in declared.items():
            if _required(field) and field.name not in parsed:
                raise BadValue((*key, name), "required option missing")
        return self.table(**parsed)

    def references(self, value: object, key: Key) -> Iterator[Reference]:
        for name, field in _declared(self.table).items():
            yield from _shape(field).references(getattr(value, field.name), (*key, name))


@dataclass(frozen=True)
class TableOf(Shape):
    """A table of names, each to a ``value`` (``[order.calls] fetch = ["a.b"]``); parsed to
    ``(name, value)`` pairs in the file's order."""

    value: Shape
    keys: Item = WORD

    def parse(self, value: object, key: Key) -> tuple[tuple[str, object], ...]:
        if not isinstance(value, dict):
            raise BadValue(key, f"expected a table, got {describe(value)}")
        pairs = []
        for name, entry in value.items():
            problem = self.keys.problem(name)
            if problem:
                raise BadValue((*key, name), problem)
            pairs.append((name, self.value.parse(entry, (*key, name))))
        return tuple(pairs)

    def references(self, value: tuple[tuple[str, object], ...] | None, key: Key) -> Iterator[Reference]:
        for name, entry in value or ():
            yield from self.value.references(entry, (*key, name))


@dataclass(frozen=True)
class ArrayOfTables(Shape):
    """``[[state-machines]]``: an array of tables, each the options of ``table``."""

    table: type

    def __post_init__(self) -> None:
        _declared(self.table)

    def parse(self, value: object, key: Key) -> tuple[object, ...]:
        record = Record(self.table)
        if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
            raise BadValue(key, f"expected an array of tables, got {describe(value)}")
        return tuple(record.parse(entry, (*key, index)) for index, entry in enumerate(value))

    def references(self, value: tuple[object, ...] | None, key: Key) -> Iterator[Reference]:
        record = Record(self.table)
        for index, entry in enumerate(value or ()):
            yield from record.references(entry, (*key, index))


# --- declaring a table -------------------------------------------------------------------


def option(shape: Shape, *, default: Any = dataclasses.MISSING) -> Any:
    """A field of an options dataclass: its shape, and its default (none: the option is required)."""
    return dataclasses.field(default=default, metadata={_OPTION: shape})


def options_table(name: str, *, whole: str | None = None):
    """Declare a frozen dataclass of ``option`` fields as ``[tool.designlint.<name>]``. With
    ``whole``, the key's value is not a table of options but that one field's value (an
    array of tables, ``[[tool.designlint.<name>]]``, or a table of names to entries)."""
    if not _TABLE_NAME.fullmatch(name):
        raise ValueError(f"an options table name is lower-case words joined by '-', got {name!r}")

    def declare(table: type[T]) -> type[T]:
        declared = _declared(table)
        required = [f.name for f in declared.values() if _required(f)]
        if required:  # an absent table means its defaults
            raise TypeError(f"{table.__qualname__}: every option of a table needs a default, not {required[0]}")
        if whole is not None and [f.name for f in declared.values()] != [whole]:
            raise TypeError(f"{table.__qualname__}: with whole={whole!r}, that is its only field")
        table.__options_table__ = name  # type: ignore[attr-defined]
        table.__options_whole__ = whole  # type: ignore[attr-defined]
        return table

    return declare


def table_name(table: type) -> str:
    """The ``[tool.designlint.<name>]`` an ``options_table`` class stands for."""
    name = getattr(table, "__options_table__", None)
    if name is None:
        raise TypeError(f"{table.__qualname__} is not declared with @options_table")
    return name


def option_keys(table: type) -> tuple[str, ...]:
    """``("egress.allow", "egress.guards")``: the table's keys as the rule docs list them."""
    name = table_name(table)
    if whole_option(table) is not None:
        return (name,)
    return tuple(f"{name}.{option_name}" for option_name in _declared(table))


def parse_options(table: type[T], value: object) -> T:
    """The options a TOML value gives; raises ``BadValue`` with the key from the table's name on."""
    key: Key = (table_name(table),)
    whole = whole_option(table)
    if whole is None:
        return Record(table).parse(value, key)  # type: ignore[return-value]
    return table(**{whole: _shape(_field(table, whole)).parse(value, key)})


def references(options: object) -> Iterator[Reference]:
    """The names of project objects the options hold, each with its full key."""
    table = type(options)
    key: Key = (table_name(table),)
    whole = whole_option(table)
    if whole is None:
        return Record(table).references(options, key)
    return _shape(_field(table, whole)).references(getattr(options, whole), key)


def whole_option(table: type) -> str | None:
    """The one field a ``whole=`` table's value is, else None."""
    return table.__options_whole__  # type: ignore[attr-defined]


def _declared(table: type) -> dict[str, dataclasses.Field]:
    """The TOML name of each option (``extend-frameworks``) -> its dataclass field."""
    params = getattr(table, "__dataclass_params__", None)
    if params is None or not params.frozen:
        raise TypeError(f"{table.__qualname__}: an options table is a frozen dataclass")
    declared = {}
    for field in dataclasses.fields(table):
        if not isinstance(field.metadata.get(_OPTION), Shape):
            raise TypeError(f"{table.__qualname__}.{field.name}: declare it with option(shape, default=...)")
        declared[field.name.replace("_", "-")] = field
    return declared


def _shape(field: dataclasses.Field) -> Shape:
    return field.metadata[_OPTION]


def _field(table: type, name: str) -> dataclasses.Field:
    return next(field for field in dataclasses.fields(table) if field.name == name)


def _required(field: dataclasses.Field) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
