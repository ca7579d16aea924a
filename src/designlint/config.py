"""Configuration: discovery, parsing and validation into one frozen ``Config``.

Sources, nearest first: ``.designlint.toml`` or ``designlint.toml`` (keys at top level; the
hidden name first, as ruff reads ``.ruff.toml``) or ``pyproject.toml`` (keys under
``[tool.designlint]``; a pyproject without that table is passed over).
Every problem is a ``ConfigError`` naming the file, the line, the key and what was expected.
The option tables (``[tool.designlint.egress]``...) are declared by the rule families
(``designlint.options``) and come in through a ``Schema``: nothing here knows one.
"""

from __future__ import annotations

import errno
import itertools
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from designlint.globs import GlobError, compile_glob
from designlint.options import (
    BadValue,
    Key,
    Reference,
    describe,
    display_key,
    parse_options,
    references,
    table_name,
    whole_option,
)
from designlint.reading import MAX_CONFIG_SIZE, TooLarge, read_regular_file

T = TypeVar("T")

CONFIG_FILES = (".designlint.toml", "designlint.toml", "pyproject.toml")  # in one directory, the first wins


class ConfigError(Exception):
    """A user error in configuration or flags; the CLI prints it and exits 2."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None, line: int | None = None):
        self.path, self.key, self.line = path, key, line
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{where}{'`' + key + '`: ' if key else ''}{message}")


@dataclass(frozen=True)
class Config:
    """The effective configuration for the files under ``root``."""

    root: Path = field(default_factory=Path.cwd)
    path: Path | None = None  # the file it came from; None for defaults
    select: tuple[str, ...] = ("DL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    baseline: Path | None = None  # findings recorded to be left unreported (relative paths: to the config file)
    respect_gitignore: bool = True  # discovery skips what git ignores (.gitignore, info/exclude, core.excludesFile)
    # The engineering design documents named by ``design`` (absolute); None: look in the usual places.
    design: tuple[Path, ...] | None = None
    # The option keys the config file sets (``egress.allow``): a design document fills only the others.
    # Left out of ``repr``, which the cache's fingerprint is made of: a set's order changes with each
    # process's hash seed, and what the keys decided is in ``tables`` already.
    configured: frozenset[str] = field(default=frozenset(), repr=False)
    # The hash of the design documents whose contract filled ``tables``: a changed document re-lints.
    design_digest: str = ""
    # The option tables that differ from their defaults (``options_table`` instances), by name.
    tables: tuple[object, ...] = ()

    def __post_init__(self) -> None:
        by_name: dict[str, object] = {}
        for options in self.tables:
            name = table_name(type(options))
            if name in by_name:
                raise ValueError(f"two [{name}] option tables in one Config")
            by_name[name] = options
        explicit = tuple(by_name[name] for name in sorted(by_name) if by_name[name] != type(by_name[name])())
        object.__setattr__(self, "tables", explicit)  # a canonical form: equal configs, equal reprs

    def options(self, table: type[T]) -> T:
        """The ``options_table`` ``table`` as configured, or its defaults."""
        for options in self.tables:
            if type(options) is table:
                return options
        return table()

    def project_references(self) -> list[Reference]:
        """The configured names of objects in the project, which must resolve."""
        return [reference for options in self.tables for reference in references(options)]

    def is_enabled(self, code: str) -> bool:
        return code_enabled(code, self.select + self.extend_select, self.ignore)

    @property
    def all_excludes(self) -> tuple[str, ...]:
        return self.exclude + self.extend_exclude


def code_enabled(code: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    """ruff's rule: the most specific matching selector wins; ``ignore`` wins a tie."""
    best_select = max((_specificity(s) for s in select if _selects(s, code)), default=-1)
    best_ignore = max((_specificity(s) for s in ignore if _selects(s, code)), default=-1)
    return best_select >= 0 and best_select > best_ignore


def _selects(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def _specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


# --- parsing ---------------------------------------------------------------------------


class Schema(Protocol):
    """What a config may name besides its fixed keys (the rule registry is one)."""

    @property
    def codes(self) -> tuple[str, ...]: ...  # the rule codes ``select`` and ``ignore`` may name

    @property
    def option_tables(self) -> Mapping[str, type]: ...  # table name -> ``options_table`` class


# The keys every config has; the rest are the option tables of the rule families.
_FIXED_KEYS = (
    "select",
    "ignore",
    "extend-select",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "baseline",
    "respect-gitignore",
    "design",
)


def find_config_file(start: Path, known: dict[Path, Path | None] | None = None) -> Path | None:
    """The nearest ``(.)designlint.toml``, or ``pyproject.toml`` with ``[tool.designlint]``, from
    ``start`` up. ``known`` (directory -> its answer) is read and filled in: with it, each
    directory of a deep tree is looked at once, not once for every directory below it."""
    known = {} if known is None else known
    directory = start if os.path.isdir(start) else start.parent
    unknown: list[Path] = []
    found = None
    for candidate_dir in itertools.chain((directory,), directory.parents):  # lazily: deep trees
        if candidate_dir in known:
            found = known[candidate_dir]
            break
        unknown.append(candidate_dir)
        found = _config_file_in(candidate_dir)
        if found is not None:
            break
    known.update(dict.fromkeys(unknown, found))
    return found


def foreign_owner(path: Path) -> int | None:
    """The owner of ``path`` when it is another user (not root): whoever can write a config file
    decides what designlint checks, so using one found up the tree that someone else owns is said
    (as git's safe.directory does). None on systems without owners."""
    try:
        owner = os.stat(path).st_uid
    except OSError:
        return None
    return owner if hasattr(os, "geteuid") and owner not in (os.geteuid(), 0) else None


def _config_file_in(directory: Path) -> Path | None:
    for name in CONFIG_FILES:
        candidate = directory / name
        if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_designlint_table(candidate)):
            return candidate
    return None


def _has_designlint_table(pyproject: Path) -> bool:
    try:
        text = read_regular_file(pyproject, MAX_CONFIG_SIZE).decode("utf-8", errors="replace")
    except TooLarge:
        return True  # not passed over in silence: loading it says why it cannot be used
    except OSError:
        return False
    return re.search(r"^\s*\[\[?\s*tool\s*\.\s*designlint\s*[.\]]", text, re.MULTILINE) is not None


def load_config(path: Path, schema: Schema) -> Config:
    """Read and validate one config file. Raises ``ConfigError``."""
    display = str(path)
    try:
        raw = read_regular_file(path, MAX_CONFIG_SIZE)  # a device such as /dev/zero would be read forever
    except TooLarge as exc:
        raise ConfigError(f"the config file is too large ({exc})", path=display) from None
    except OSError as exc:
        if exc.errno == errno.EINVAL:
            raise ConfigError("the config file is not a regular file", path=display) from None
        raise ConfigError(f"cannot read the config file: {exc.strerror or exc}", path=display) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError("the config file is not valid UTF-8", path=display, line=line) from None
    if sys.version_info >= (3, 11):  # imported for a config file only: --isolated, or none found, needs none
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        document = tomllib.loads(text)
    except RecursionError:  # tomllib recurses once per level of nested arrays and inline tables
        deep_line, key = _deep_nesting(text)
        raise ConfigError(
            "invalid TOML: arrays or inline tables nested too deeply",
            path=display,
            key=display_key((*_key_prefix(path), *key.split("."))) if key else None,
            line=deep_line,
        ) from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(
            f"invalid TOML: {message}", path=display, line=int(match.group(1)) if match else None
        ) from None
    prefix = _key_prefix(path)
    table = document.get("tool", {}).get("designlint", {}) if prefix else document
    return parse_table(table, path.parent.resolve(), schema, source=display, prefix=prefix, text=text, config_path=path)


_DEEP_NESTING = 100  # far more than any real config; tomllib overflows Python's stack some way beyond


def _deep_nesting(text: str) -> tuple[int | None, str | None]:
    """Where brackets first nest ``_DEEP_NESTING`` deep (outside strings and comments): the line,
    and the key assigned on the line that opened the value, if one was."""
    depth, quote = 0, ""
    for position, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                quote = '"\\'  # the next character is escaped
            elif quote == '"\\':
                quote = '"'
        elif char in "\"'":
            quote = char
        elif char == "#":
            quote = "\n"  # a comment, to the end of the line
        elif char in "[{":
            depth += 1
            if depth == _DEEP_NESTING:
                assignments = re.finditer(r'^[ \t]*["\']?([\w.-]+)["\']?[ \t]*=', text[:position], re.MULTILINE)
                last = next(reversed(list(assignments)), None)
                return text.count("\n", 0, position) + 1, last.group(1) if last else None
        elif char in "]}":
            depth -= 1
    return None, None


def _key_prefix(path: Path) -> Key:
    """Where designlint's keys sit in a config file: under ``[tool.designlint]`` in pyproject.toml."""
    return ("tool", "designlint") if path.name == "pyproject.toml" else ()


def key_error(config: Config, key: Key, message: str) -> ConfigError:
    """A ``ConfigError`` about ``key`` of the file ``config`` came from, found after loading it
    (a name that does not resolve): file, full key and line, as parsing reports its errors."""
    if config.path is None:
        return ConfigError(message, key=display_key(key))
    try:
        text = read_regular_file(config.path, MAX_CONFIG_SIZE).decode("utf-8")
    except (OSError, TooLarge, UnicodeDecodeError):
        text = ""
    return _Checker(str(config.path), _key_prefix(config.path), text).error(key, message)


def top_level_keys(schema: Schema) -> tuple[str, ...]:
    """The keys ``[tool.designlint]`` may hold: the fixed ones, then each family's option table."""
    return (*_FIXED_KEYS, *sorted(schema.option_tables))


def parse_table(
    table: dict[str, Any],
    root: Path,
    schema: Schema,
    *,
    source: str = "<config>",
    prefix: Key = (),
    text: str = "",
    config_path: Path | None = None,
) -> Config:
    known = tuple(schema.codes)
    option_tables = schema.option_tables
    top_keys = top_level_keys(schema)
    check = _Checker(source, prefix, text)
    if not isinstance(table, dict):
        raise check.error((), "expected a table")
    values: dict[str, Any] = {"root": root, "path": config_path}
    tables: list[object] = []
    configured: set[str] = set()
    for key, value in table.items():
        if key not in top_keys:
            hint = ""
            if key == "tool" and not prefix and isinstance(value, dict) and "designlint" in value:
                hint = f"{Path(source).name} holds the keys at the top level, without [tool.designlint]; "
            raise check.error((key,), f"unknown key ({hint}expected one of: {', '.join(top_keys)})")
        attr = key.replace("-", "_")
        if key in ("select", "ignore", "extend-select"):
            values[attr] = check.codes((key,), value, known)
        elif key in ("exclude", "extend-exclude"):
            values[attr] = check.globs((key,), value)
        elif key == "per-file-ignores":
            values[attr] = check.per_file_ignores(key, value, known)
        elif key == "baseline":
            if not isinstance(value, str) or not value:
                raise check.error(
                    (key,),
                    f'expected the path of a baseline file such as "designlint-baseline.json", got {describe(value)}',
                )
            values[attr] = root / value
        elif key == "respect-gitignore":
            if not isinstance(value, bool):
                raise check.error((key,), f"expected true or false, got {describe(value)}")
            values[attr] = value
        elif key == "design":
            values[attr] = check.documents(key, value, root)
        else:
            try:
                tables.append(parse_options(option_tables[key], value))
            except BadValue as exc:
                raise check.error(exc.key, exc.message) from None
            whole = whole_option(option_tables[key])
            if whole is not None:  # the table is one option: set as a whole, or not at all
                configured.add(f"{key}.{whole.replace('_', '-')}")
            elif isinstance(value, dict):
                configured.update(f"{key}.{option}" for option in value)
    return Config(**values, tables=tuple(tables), configured=frozenset(configured))


class _Checker:
    """Validates values; each failure names the file, the line where it can be found, and the key."""

    def __init__(self, source: str, prefix: Key, text: str):
        self.source, self.prefix, self.text = source, prefix, text

    def error(self, key: Key, message: str) -> ConfigError:
        full = (*self.prefix, *key)
        return ConfigError(message, path=self.source, key=display_key(full), line=key_line(self.text, full))

    def string_list(self, key: Key, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"expected a list of strings, got {describe(value)}")
        return tuple(value)

    def codes(self, key: Key, value: Any, known: tuple[str, ...]) -> tuple[str, ...]:
        codes = self.string_list(key, value)
        for code in codes:
            check_selector(code, known, lambda message: self.error(key, message))
        return codes

    def documents(self, key: str, value: Any, root: Path) -> tuple[Path, ...]:
        """The design documents ``design`` names: one path or a list (resolution checks that they exist)."""
        paths = [value] if isinstance(value, str) else value
        if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
            raise self.error(
                (key,),
                f'expected the path of the design document such as "docs/engineering-design.md", or a list of them, got {describe(value)}',
            )
        return tuple(root / path for path in paths)

    def globs(self, key: Key, value: Any) -> tuple[str, ...]:
        patterns = self.string_list(key, value)
        for pattern in patterns:
            try:
                compile_glob(pattern)
            except GlobError as exc:
                raise self.error(key, str(exc)) from None
        return patterns

    def per_file_ignores(self, key: str, value: Any, known: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if not isinstance(value, dict):
            raise self.error((key,), f"expected a table of glob = [codes], got {describe(value)}")
        out = []
        for pattern, codes in value.items():
            self.globs((key, pattern), [pattern])
            out.append((pattern, self.codes((key, pattern), codes, known)))
        return tuple(out)


# A table header (``[a.b]``, ``[[a]]``) or the key of an assignment (``a.b =``, ``"x.y" =``).
# Compiled on first use (re's cache), by an error's report: a valid configuration never needs them.
_HEADER = r"\s*(\[\[?)([^\]]*)\]"
_ASSIGNED = r"\s*((?:[\w-]+|\"(?:[^\"\\]|\\.)*\"|'[^']*')(?:\s*\.\s*(?:[\w-]+|\"(?:[^\"\\]|\\.)*\"|'[^']*'))*)\s*="
_KEY_PART = r"[\w-]+|\"((?:[^\"\\]|\\.)*)\"|'([^']*)'"


def key_line(text: str, key: Key) -> int | None:
    """The line of a config text where ``key`` (from the document's root) is assigned. Table
    headers are followed, so a key is found in its own table and array element. A key that is
    not written out (it sits in an inline table, or is missing) gets the line of the nearest
    table or assignment that holds it; a table only implied by a deeper header, that header's."""
    table: Key = ()
    elements: dict[Key, int] = {}  # array of tables -> index of its latest element
    holder = implied = None
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(_HEADER, line)
        assigned = None if header else re.match(_ASSIGNED, line)
        if header:
            parts = _key_parts(header.group(2))
            if header.group(1) == "[[":
                array = (*_in_elements(parts[:-1], elements), parts[-1])
                elements[array] = elements.get(array, -1) + 1
                table = (*array, elements[array])
            else:
                table = _in_elements(parts, elements)
            candidate = table
        elif assigned:
            candidate = (*table, *_key_parts(assigned.group(1)))
        else:
            continue
        if candidate == key:
            return number
        if key[: len(candidate)] == candidate and (holder is None or len(candidate) > holder[0]):
            holder = (len(candidate), number)
        elif implied is None and candidate[: len(key)] == key:
            implied = number
    return holder[1] if holder else implied


def _in_elements(parts: Key, elements: dict[Key, int]) -> Key:
    """A header's path with the index of the latest element of each array of tables it passes
    through: ``[a.b]`` after a second ``[[a]]`` is ``("a", 1, "b")``."""
    resolved: list[str | int] = []
    for part in parts:
        resolved.append(part)
        index = elements.get(tuple(resolved))
        if index is not None:
            resolved.append(index)
    return tuple(resolved)


def _key_parts(dotted: str) -> Key:
    return tuple(
        m.group(1) if m.group(1) is not None else m.group(2) or m.group(0) for m in re.finditer(_KEY_PART, dotted)
    )


def check_selector(selector: str, known: tuple[str, ...], fail: Callable[[str], Exception]) -> None:
    if selector == "ALL":
        return
    if not re.fullmatch(r"[A-Z]+[0-9]*", selector):
        raise fail(f'expected a rule code or prefix such as "DL5" or "DL501", got {selector!r}')
    if not any(code.startswith(selector) for code in known):
        raise fail(f"unknown rule code or prefix {selector!r} (run `designlint rules` for the list)")
