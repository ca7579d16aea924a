"""Configuration: discovery, parsing and validation into one frozen ``Config``.

Sources, nearest first: ``designlint.toml`` (keys at top level) or ``pyproject.toml``
(keys under ``[tool.designlint]``; a pyproject without that table is passed over).
Every problem is a ``ConfigError`` naming the file, the key and what was expected.
"""

from __future__ import annotations

import errno
import itertools
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from designlint.globs import GlobError, compile_glob
from designlint.reading import MAX_CONFIG_SIZE, TooLarge, read_regular_file

CONFIG_FILES = ("designlint.toml", "pyproject.toml")


class ConfigError(Exception):
    """A user error in configuration or flags; the CLI prints it and exits 2."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None, line: int | None = None):
        self.path, self.key, self.line = path, key, line
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{where}{'`' + key + '`: ' if key else ''}{message}")


@dataclass(frozen=True)
class ErrorsOptions:
    codes: str | None = None  # dotted path of the error-code enum, e.g. "app.errors.ErrorCode"


@dataclass(frozen=True)
class EgressOptions:
    allow: tuple[str, ...] | None = None  # None: no allowlist configured
    guards: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdaptersOptions:
    modules: tuple[str, ...] = ()
    frameworks: tuple[str, ...] | None = None  # None: the built-in list
    extend_frameworks: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrustOptions:
    sanitizers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    sinks: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuthzOptions:
    tenant_names: tuple[str, ...] = ()
    role_names: tuple[str, ...] = ()
    superuser_names: tuple[str, ...] = ()


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
    errors: ErrorsOptions = ErrorsOptions()
    egress: EgressOptions = EgressOptions()
    adapters: AdaptersOptions = AdaptersOptions()
    trust: TrustOptions = TrustOptions()
    authz: AuthzOptions = AuthzOptions()
    baseline: Path | None = None  # findings recorded to be left unreported (relative paths: to the config file)

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

_TABLES: dict[str, type] = {
    "errors": ErrorsOptions,
    "egress": EgressOptions,
    "adapters": AdaptersOptions,
    "trust": TrustOptions,
    "authz": AuthzOptions,
}
_LIST_KEYS = ("select", "ignore", "extend-select", "exclude", "extend-exclude")
_TOP_KEYS = _LIST_KEYS + ("per-file-ignores", "baseline") + tuple(_TABLES)


def find_config_file(start: Path, known: dict[Path, Path | None] | None = None) -> Path | None:
    """The nearest ``designlint.toml``, or ``pyproject.toml`` with ``[tool.designlint]``, from
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
    return re.search(r"^\s*\[\s*tool\s*\.\s*designlint\s*[.\]]", text, re.MULTILINE) is not None


def load_config(path: Path, known_codes: Iterable[str]) -> Config:
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
    try:
        document = tomllib.loads(text)
    except RecursionError:  # tomllib recurses once per level of nested arrays and inline tables
        deep_line, key = _deep_nesting(text)
        raise ConfigError(
            "invalid TOML: arrays or inline tables nested too deeply",
            path=display,
            key=key and _key_prefix(path) + key,
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
    return parse_table(
        table, path.parent.resolve(), known_codes, source=display, prefix=prefix, text=text, config_path=path
    )


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


def _key_prefix(path: Path) -> str:
    """Where designlint's keys sit in a config file: under ``[tool.designlint]`` in pyproject.toml."""
    return "tool.designlint." if path.name == "pyproject.toml" else ""


def key_error(config: Config, key: str, message: str) -> ConfigError:
    """A ``ConfigError`` about ``key`` of the file ``config`` came from, found after loading it
    (a name that does not resolve): file, full key and line, as parsing reports its errors."""
    if config.path is None:
        return ConfigError(message, key=key)
    try:
        text = read_regular_file(config.path, MAX_CONFIG_SIZE).decode("utf-8")
    except (OSError, TooLarge, UnicodeDecodeError):
        text = ""
    return _Checker(str(config.path), _key_prefix(config.path), text).error(key, message)


def parse_table(
    table: dict[str, Any],
    root: Path,
    known_codes: Iterable[str],
    *,
    source: str = "<config>",
    prefix: str = "",
    text: str = "",
    config_path: Path | None = None,
) -> Config:
    known = tuple(known_codes)
    check = _Checker(source, prefix, text)
    if not isinstance(table, dict):
        raise check.error(prefix.rstrip("."), "expected a table")
    values: dict[str, Any] = {"root": root, "path": config_path}
    for key, value in table.items():
        if key not in _TOP_KEYS:
            raise check.error(key, f"unknown key (expected one of: {', '.join(_TOP_KEYS)})")
        attr = key.replace("-", "_")
        if key in ("select", "ignore", "extend-select"):
            values[attr] = check.codes(key, value, known)
        elif key in ("exclude", "extend-exclude"):
            values[attr] = check.globs(key, value)
        elif key == "per-file-ignores":
            values[attr] = check.per_file_ignores(key, value, known)
        elif key == "baseline":
            if not isinstance(value, str) or not value:
                raise check.error(
                    key,
                    f'expected the path of a baseline file such as "designlint-baseline.json", got {_describe(value)}',
                )
            values[attr] = root / value
        else:
            values[attr] = check.options_table(key, value, _TABLES[key])
    return Config(**values)


class _Checker:
    """Validates values; each failure names the file, the line where it can be found, and the key."""

    def __init__(self, source: str, prefix: str, text: str):
        self.source, self.prefix, self.text = source, prefix, text

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(message, path=self.source, key=self.prefix + key, line=key_line(self.text, key))

    def string_list(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"expected a list of strings, got {_describe(value)}")
        return tuple(value)

    def codes(self, key: str, value: Any, known: tuple[str, ...]) -> tuple[str, ...]:
        codes = self.string_list(key, value)
        for code in codes:
            check_selector(code, known, lambda message: self.error(key, message))
        return codes

    def globs(self, key: str, value: Any) -> tuple[str, ...]:
        patterns = self.string_list(key, value)
        for pattern in patterns:
            try:
                compile_glob(pattern)
            except GlobError as exc:
                raise self.error(key, str(exc)) from None
        return patterns

    def per_file_ignores(self, key: str, value: Any, known: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table of glob = [codes], got {_describe(value)}")
        out = []
        for pattern, codes in value.items():
            self.globs(f"{key}.{pattern}", [pattern])
            out.append((pattern, self.codes(f"{key}.{pattern}", codes, known)))
        return tuple(out)

    def options_table(self, key: str, value: Any, cls: type) -> Any:
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table, got {_describe(value)}")
        names = {f.name.replace("_", "-"): f for f in fields(cls)}
        parsed: dict[str, Any] = {}
        for option, option_value in value.items():
            full = f"{key}.{option}"
            if option not in names:
                raise self.error(full, f"unknown option (expected one of: {', '.join(names)})")
            if names[option].type in ("str | None",):
                if not isinstance(option_value, str) or not option_value:
                    raise self.error(
                        full, f'expected a dotted name such as "app.errors.ErrorCode", got {_describe(option_value)}'
                    )
                if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", option_value):
                    raise self.error(
                        full, f'expected a dotted name such as "app.errors.ErrorCode", got {option_value!r}'
                    )
                parsed[names[option].name] = option_value
            else:
                items = self.string_list(full, option_value)
                validate = _ITEM_VALIDATORS.get(full)
                for item in items:
                    problem = validate(item) if validate else None
                    if problem:
                        raise self.error(full, problem)
                parsed[names[option].name] = items
        return cls(**parsed)


def key_line(text: str, key: str) -> int | None:
    """The line of a config text where ``key`` (its last dotted part) is assigned, if found."""
    # A per-file-ignores key is a glob that may hold dots itself.
    last = re.escape(
        key.removeprefix("per-file-ignores.") if key.startswith("per-file-ignores.") else key.rsplit(".", 1)[-1]
    )
    # Blanks within the line only: ``\s`` would span the lines before the key, which puts the
    # match on the wrong line and takes time quadratic in their number.
    match = re.search(rf'^[ \t]*["\']?{last}["\']?[ \t]*=', text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def check_selector(selector: str, known: tuple[str, ...], fail: Callable[[str], Exception]) -> None:
    if selector == "ALL":
        return
    if not re.fullmatch(r"[A-Z]+[0-9]*", selector):
        raise fail(f'expected a rule code or prefix such as "DL5" or "DL501", got {selector!r}')
    if not any(code.startswith(selector) for code in known):
        raise fail(f"unknown rule code or prefix {selector!r} (run `designlint rules` for the list)")


def _must_match(pattern: str, expected: str, *, wildcard: bool = False) -> Callable[[str], str | None]:
    """An item validator: the problem with an entry that ``pattern`` does not match (with
    ``wildcard``, after a leading ``*.``), or None."""
    regex = re.compile(pattern)

    def problem(entry: str) -> str | None:
        checked = entry[2:] if wildcard and entry.startswith("*.") else entry
        return None if regex.fullmatch(checked) else f"expected {expected}, got {entry!r}"

    return problem


_host_name_problem = _must_match(
    r"(?=.{1,253}\Z)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*(:\d{1,5})?",
    'a host name ("api.example.com") or a wildcard ("*.example.com")',
    wildcard=True,
)


def _host_problem(entry: str) -> str | None:
    """A host name or wildcard, and its port, if it has one, a real one."""
    problem = _host_name_problem(entry)
    if problem is None and ":" in entry and not 1 <= int(entry.rpartition(":")[2]) <= 65535:
        return f"expected a port from 1 to 65535, got {entry!r}"
    return problem


_dotted_problem = _must_match(
    r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", 'a function name or a dotted name such as "app.net.require_allowed"'
)
_module_glob_problem = _must_match(
    r"[A-Za-z_*?][\w*?]*(\.[A-Za-z_*?][\w*?]*)*", 'a dotted module name or glob such as "app.adapters.*"'
)
_word_problem = _must_match(r"[A-Za-z_]\w*", "an identifier-like word")


_ITEM_VALIDATORS: dict[str, Callable[[str], str | None]] = {
    "egress.allow": _host_problem,
    "egress.guards": _dotted_problem,
    "adapters.modules": _module_glob_problem,
    "adapters.frameworks": _dotted_problem,
    "adapters.extend-frameworks": _dotted_problem,
    "trust.sanitizers": _dotted_problem,
    "trust.sources": _dotted_problem,
    "trust.sinks": _dotted_problem,
    "authz.tenant-names": _word_problem,
    "authz.role-names": _word_problem,
    "authz.superuser-names": _word_problem,
}


def _describe(value: Any) -> str:
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a table"}
    return (
        f"{kind.get(type(value), type(value).__name__)} {value!r}"
        if not isinstance(value, (list, dict))
        else kind[type(value)]
    )
