"""A rule's own examples, Fixit style: ``VALID`` and ``INVALID`` cases declared on the rule class.

One generic test (``tests/test_rule_cases.py``) lints each case through the real engine: a
``Valid`` case must give no finding of the rule, an ``Invalid`` one exactly one, at its range,
with its message fragment and its fix. The ``python bad``/``python good`` examples of the rule's
page in ``rules/`` must each be one of these cases. A family module's ``GATE_CASES`` (``Gate``
cases) are code its gates must see through, checked by ``tests/test_gates.py``. Plain data:
nothing here runs a linter.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Generic, TypeVar, cast


def _source(text: str) -> str:
    """A case's code as written inside a triple-quoted string: dedented, without the newline
    after the opening quotes or the indentation before the closing ones."""
    return textwrap.dedent(text.removeprefix("\n"))


T = TypeVar("T")
_NO_DEFAULT = object()


class _Code(Generic[T]):
    """A field of code written inside a triple-quoted string, read as ``_source`` gives it, worked
    out on first reading: a family's cases are built whenever the family is imported, a lint
    included, and read only by the tests and the catalogue's checks."""

    def __init__(self, default: object = _NO_DEFAULT):
        self.default = default

    def __set_name__(self, owner: type, name: str) -> None:
        self.written, self.read = f"_{name}_written", f"_{name}_read"

    def __get__(self, case: _Case | None, owner: type | None = None) -> T:
        if case is None:  # the dataclass asking for the field's default
            if self.default is _NO_DEFAULT:
                raise AttributeError("no default")
            return cast(T, self.default)
        found = case.__dict__
        if self.read not in found:
            written = found[self.written]
            found[self.read] = _source(written) if isinstance(written, str) else written
        return cast(T, found[self.read])

    def __set__(self, case: _Case, value: T) -> None:
        case.__dict__[self.written] = value  # set once, by the frozen dataclass's __init__


@dataclass(frozen=True)
class _Case:
    code: _Code[str] = _Code()
    _: KW_ONLY
    path: str = "example.py"  # the file the code stands for, relative to the project root
    # ``[tool.designlint]`` keys: a TOML snippet (``'[errors]\\ncodes = "app.errors.ErrorCode"'``)
    # or the table itself; read by the real config parser.
    config: _Code[str | Mapping[str, Any]] = _Code("")
    # Other modules of the project the rule may read (the error-code enum's), path -> source.
    files: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.files:
            object.__setattr__(self, "files", {path: _source(text) for path, text in self.files.items()})

    def config_table(self) -> dict[str, Any]:
        """The ``[tool.designlint]`` table, for ``config.parse_table``."""
        # Imported here: a family's cases are built on every lint, read only by the tests.
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - exercised on 3.10 only
            import tomli as tomllib
        return tomllib.loads(self.config) if isinstance(self.config, str) else dict(self.config)


@dataclass(frozen=True)
class Valid(_Case):
    """Code on which the rule must stay silent."""


@dataclass(frozen=True)
class Gate(_Case):
    """Code written one of the ways a family's gates (``prefilter``, ``could_fire``) must see
    through, declared in the family module's ``GATE_CASES``: its findings with the gates switched
    off must be the same as with them. It makes one of the family's rules fire unless ``fires``
    is false (code that must not fool the gates into a finding either)."""

    _: KW_ONLY
    fires: bool = True


@dataclass(frozen=True)
class Invalid(_Case):
    """Code on which the rule must report exactly once: at ``line``/``column`` (1-based, columns
    in characters; the end too when given), with ``message`` somewhere in its message."""

    _: KW_ONLY
    line: int
    column: int
    message: str
    end_line: int | None = None
    end_column: int | None = None
    # The code after applying the finding's fix; None: the finding must have no fix.
    expected_fix: _Code[str | None] = _Code(None)
    unsafe_fix: bool = False  # the fix is applied only with --unsafe-fixes


@dataclass(frozen=True)
class BadConfig:
    """A configuration of the family's options that must be refused, declared in the family
    module's ``CONFIG_ERRORS`` and run by ``tests/test_bad_config.py``: ``check`` exits 2 with
    the one line ``message`` (``{toml}``: the config file's path), before linting anything.
    ``config`` is the ``designlint.toml`` text, taken as written (its lines are counted);
    ``files``, modules of the project it names."""

    config: str
    message: str
    files: Mapping[str, str] = field(default_factory=dict)
