"""The rule registry: every family module of this package, its rules and its option tables.

A family is a module here (``egress.py``): its ``Rule`` subclasses with a ``code`` are its
rules, its ``GATE_CASES`` the code its gates must see through, its ``CONFIG_ERRORS`` the
configurations of its options that must be refused. Its ``[tool.designlint.<table>]`` tables are ``options_table`` classes in the module of
the same name in ``designlint.tables`` (``tables/egress.py``), which imports neither the rules
nor LibCST: the configuration is read on every run, a warm one included. Adding the modules is
all it takes to register them.

Three views, each built on first use:

- ``REGISTRY``, the rule classes (importing every family, and with them LibCST), for the tests
  and whatever needs every rule;
- ``GATES``, each family's gates (``designlint.gates``), declared without the family: the engine
  imports a family (``family_rules``) only for a file where one of its gates passes;
- ``SCHEMA``, what a configuration or a flag may name, the codes (from the rule pages, the
  catalogue, which ``tests/test_catalogue.py`` holds to the registry) and the option tables,
  for everything that does not lint: the CLI's flags, the configuration, a warm run; and
  ``CODES``, its codes alone, for the engine's ``# noqa`` checks (without importing the tables).
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import TYPE_CHECKING

import designlint.gates
import designlint.tables
from designlint.catalogue import load_catalogue
from designlint.options import table_name

if TYPE_CHECKING:
    from designlint.gates import Gate as Gates
    from designlint.rules.base import Rule
    from designlint.rules.cases import BadConfig, Gate

# Findings the engine itself produces; always on, never selectable away.
PARSE_ERROR = ("DL001", "parse-error")
INTERNAL_ERROR = ("DL002", "internal-error")
ENGINE_CODES: tuple[tuple[str, str], ...] = (PARSE_ERROR, INTERNAL_ERROR)

_CODE = re.compile(r"DL[0-9]{3}")  # DL001 and DL002 are the engine's (ENGINE_CODES)
_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_NOT_FAMILIES = frozenset({"base", "cases"})  # what the families are built from


class RegistryError(Exception):
    """Two rules or tables that cannot both be registered, or a malformed code or name."""


@dataclass(frozen=True)
class Family:
    """One family module: its rules, by code, its option tables, its gate cases and its
    configuration errors."""

    name: str  # the module's last part: "egress"
    rules: tuple[type[Rule], ...]
    option_tables: tuple[type, ...]
    gate_cases: tuple[Gate, ...] = ()  # the module's ``GATE_CASES``
    config_errors: tuple[BadConfig, ...] = ()  # the module's ``CONFIG_ERRORS``


@dataclass(frozen=True)
class Registry:
    families: tuple[Family, ...]
    rules: tuple[type[Rule], ...] = field(init=False)  # every family's, by code
    option_tables: Mapping[str, type] = field(init=False)  # table name -> ``options_table`` class

    def __post_init__(self) -> None:
        rules = sorted((rule for family in self.families for rule in family.rules), key=lambda rule: rule.code)
        codes: dict[str, type[Rule]] = {}
        names: dict[str, str] = {name: code for code, name in ENGINE_CODES}
        for rule in rules:
            where = f"{rule.__module__}.{rule.__qualname__}"
            if not isinstance(rule.code, str) or not _CODE.fullmatch(rule.code) or rule.code in dict(ENGINE_CODES):
                raise RegistryError(f"{where}: a rule code is DL and three digits, not the engine's, got {rule.code!r}")
            if not isinstance(getattr(rule, "name", None), str) or not _NAME.fullmatch(rule.name):
                raise RegistryError(f"{where}: a rule name is lower-case words joined by '-'")
            if rule.code in codes:
                raise RegistryError(f"{where}: code {rule.code} is taken (by {codes[rule.code].__qualname__})")
            if rule.name in names:
                raise RegistryError(f"{where}: name {rule.name!r} is taken (by {names[rule.name]})")
            codes[rule.code], names[rule.name] = rule, rule.code
        tables: dict[str, type] = {}
        for family in self.families:
            for table in family.option_tables:
                name = table_name(table)
                if name in tables:
                    raise RegistryError(f"option table [{name}] is declared twice ({tables[name]} and {table})")
                tables[name] = table
        object.__setattr__(self, "rules", tuple(rules))
        object.__setattr__(self, "option_tables", dict(sorted(tables.items())))

    @classmethod
    def of_modules(cls, modules: Iterable[ModuleType]) -> Registry:
        """The families these modules declare (each class counted in the module defining it)."""
        return cls(tuple(_family(module) for module in modules))

    @property
    def codes(self) -> tuple[str, ...]:
        """Every code a finding may have: the engine's, then the rules'."""
        return (*(code for code, _ in ENGINE_CODES), *(rule.code for rule in self.rules))

    @property
    def names(self) -> dict[str, str]:
        """Code -> name, the engine's codes included."""
        return {**dict(ENGINE_CODES), **{rule.code: rule.name for rule in self.rules}}


def _own_classes(module: ModuleType) -> list[type]:
    return [value for value in vars(module).values() if isinstance(value, type) and value.__module__ == module.__name__]


def _own_tables(module: ModuleType) -> tuple[type, ...]:
    return tuple(c for c in _own_classes(module) if hasattr(c, "__options_table__"))


def _family(module: ModuleType) -> Family:
    from designlint.rules.base import Rule  # with LibCST: only the rule classes need it

    return Family(
        module.__name__.rpartition(".")[2],
        tuple(c for c in _own_classes(module) if issubclass(c, Rule) and hasattr(c, "code")),  # not the abstract bases
        _own_tables(module),
        tuple(getattr(module, "GATE_CASES", ())),
        tuple(getattr(module, "CONFIG_ERRORS", ())),
    )


def _module_names(package: ModuleType) -> list[str]:
    """The modules of a package of plain ``.py`` files, sorted, read from its directory (as
    ``pkgutil.iter_modules`` would, without importing ``pkgutil`` and ``importlib.util``)."""
    return sorted(
        {
            entry.name.removesuffix(".py")
            for directory in package.__path__
            for entry in os.scandir(directory)
            if entry.name.endswith(".py") and entry.name != "__init__.py" and entry.is_file()
        }
    )


def _modules(package: ModuleType, skip: frozenset[str] = frozenset()) -> list[ModuleType]:
    return [
        importlib.import_module(f"{package.__name__}.{name}") for name in _module_names(package) if name not in skip
    ]


def _tables_by_family(table_modules: Iterable[ModuleType]) -> dict[str, tuple[type, ...]]:
    return {module.__name__.rpartition(".")[2]: _own_tables(module) for module in table_modules}


def registry_of(rule_modules: Iterable[ModuleType], table_modules: Iterable[ModuleType]) -> Registry:
    """The families of ``rules/<family>.py`` modules, each with the tables of its ``tables/<family>.py``."""
    tables = _tables_by_family(table_modules)
    families = []
    for family in Registry.of_modules(rule_modules).families:
        if family.option_tables:  # the configuration would not know them without importing the rules
            raise RegistryError(
                f"the family {family.name} declares option tables among its rules: move them to"
                f" designlint/tables/{family.name}.py, which the configuration reads without LibCST"
            )
        families.append(replace(family, option_tables=tables.pop(family.name, ())))
    if tables:
        raise RegistryError(f"designlint/tables/{next(iter(tables))}.py is the tables module of no family")
    return Registry(tuple(families))


def _discover() -> Registry:
    return registry_of(_modules(sys.modules[__name__], _NOT_FAMILIES), _modules(designlint.tables))


def family_names() -> tuple[str, ...]:
    """The families, without importing one."""
    return tuple(name for name in _module_names(sys.modules[__name__]) if name not in _NOT_FAMILIES)


@functools.cache
def family_rules(name: str) -> Mapping[str, type[Rule]]:
    """The rules of one family, by code: its module is imported, the others are not."""
    return {rule.code: rule for rule in _family(importlib.import_module(f"{__name__}.{name}")).rules}


def import_families() -> Registry:
    """Every family imported now (before worker processes fork, say, so that they share them)."""
    registry: Registry = sys.modules[__name__].REGISTRY  # built on first use
    return registry


@dataclass(frozen=True)
class FamilyGates:
    """The gate classes of ``gates/<family>.py``, each with the codes of its rules."""

    family: str
    gates: tuple[type[Gates], ...]


def _gates() -> Mapping[str, FamilyGates]:
    """family name -> its declared gates; a family without a gates module is not listed (its
    rules' gates need the family: the engine imports it for every file)."""
    found = {}
    for module in _modules(designlint.gates):
        family = module.__name__.rpartition(".")[2]
        gates = [c for c in _own_classes(module) if getattr(c, "codes", ())]
        found[family] = FamilyGates(family, tuple(gates))
    return found


@dataclass(frozen=True)
class Schema:
    """What a configuration or a flag may name (``config.Schema``), known without importing a rule."""

    codes: tuple[str, ...]  # every code a finding may have, as ``Registry.codes``
    option_tables: Mapping[str, type]


def _codes() -> tuple[str, ...]:
    return tuple(sorted(load_catalogue()))


def _schema() -> Schema:
    tables = [table for module in _modules(designlint.tables) for table in _own_tables(module)]
    return Schema(
        sys.modules[__name__].CODES,
        dict(sorted((table_name(table), table) for table in tables)),
    )


# Declared, not assigned: the first lookup of each goes to ``__getattr__``, which builds it.
REGISTRY: Registry
SCHEMA: Schema
CODES: tuple[str, ...]  # ``SCHEMA.codes``, without the option tables: what a ``# noqa`` may name
GATES: Mapping[str, FamilyGates]
_BUILT_ON_FIRST_USE: dict[str, Callable[[], object]] = {
    "REGISTRY": _discover,
    "SCHEMA": _schema,
    "CODES": _codes,
    "GATES": _gates,
}


def __getattr__(name: str) -> object:
    if name not in _BUILT_ON_FIRST_USE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = _BUILT_ON_FIRST_USE[name]()
    return value
