"""The rule registry: the family modules of ``designlint.rules`` found by themselves, their rules
and option tables collected, and codes, names and tables that cannot coexist refused."""

from __future__ import annotations

import pkgutil
import re
import types
from dataclasses import dataclass

import pytest

import designlint.rules
import designlint.tables
from designlint.options import WORD, ListOf, option, options_table
from designlint.rules import REGISTRY, SCHEMA, Family, Registry, RegistryError, registry_of
from designlint.rules.base import Rule
from designlint.rules.egress import EgressOptions


def _module(name: str, *classes: type) -> types.ModuleType:
    """A family module holding ``classes`` (as if they had been defined in it)."""
    module = types.ModuleType(f"designlint.rules.{name}")
    for cls in classes:
        cls.__module__ = module.__name__
        setattr(module, cls.__name__, cls)
    return module


def _rule(code: str, name: str) -> type[Rule]:
    return type(f"Rule_{code}_{name}", (Rule,), {"code": code, "name": name})


def test_every_module_of_the_package_is_a_family_with_rules():
    modules = {info.name for info in pkgutil.iter_modules(designlint.rules.__path__)} - {"base", "cases"}
    assert {family.name for family in REGISTRY.families} == modules
    assert all(family.rules for family in REGISTRY.families)
    assert [rule.code for rule in REGISTRY.rules] == sorted(rule.code for rule in REGISTRY.rules)
    assert REGISTRY.codes[:2] == ("DL001", "DL002")
    assert REGISTRY.names["DL201"] == "egress-host-not-allowed"
    assert REGISTRY.option_tables["egress"] is EgressOptions


def test_a_family_is_its_rules_with_codes_and_its_own_tables():
    class _Base(Rule):  # an abstract base: no code, not a rule
        pass

    @options_table("words")
    @dataclass(frozen=True)
    class WordsOptions:
        words: tuple[str, ...] = option(ListOf(WORD), default=())

    concrete = type("Concrete", (_Base,), {"code": "DL951", "name": "concrete"})
    module = _module("words", _Base, concrete, WordsOptions)
    module.EgressOptions = EgressOptions  # imported from another family: not this one's
    (family,) = Registry.of_modules([module]).families
    assert family == Family("words", (concrete,), (WordsOptions,))


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ((_rule("DL95", "short"),), "a rule code is DL and three digits, not the engine's, got 'DL95'"),
        ((_rule("DL001", "parse-error-too"),), "a rule code is DL and three digits, not the engine's, got 'DL001'"),
        ((_rule("XX951", "other"),), "got 'XX951'"),
        ((_rule("DL951", "Not_Kebab"),), "a rule name is lower-case words joined by '-'"),
        ((_rule("DL951", "one"), _rule("DL951", "two")), "code DL951 is taken"),
        ((_rule("DL951", "same"), _rule("DL952", "same")), "name 'same' is taken (by DL951)"),
        ((_rule("DL951", "parse-error"),), "name 'parse-error' is taken (by DL001)"),
    ],
)
def test_codes_and_names_must_be_well_formed_and_unique(rules, problem):
    with pytest.raises(RegistryError, match=re.escape(problem)):
        Registry.of_modules([_module("a", *rules)])


def test_an_option_table_is_declared_by_one_family_only():
    @options_table("egress")
    @dataclass(frozen=True)
    class OtherEgress:
        allow: tuple[str, ...] = option(ListOf(WORD), default=())

    with pytest.raises(RegistryError, match=r"option table \[egress\] is declared twice"):
        Registry((*REGISTRY.families, Family("other", (), (OtherEgress,))))


def _tables_module(name: str, *tables: type) -> types.ModuleType:
    module = types.ModuleType(f"designlint.tables.{name}")
    for table in tables:
        table.__module__ = module.__name__
        setattr(module, table.__name__, table)
    return module


@options_table("words")
@dataclass(frozen=True)
class _WordsOptions:
    words: tuple[str, ...] = option(ListOf(WORD), default=())


def test_a_familys_tables_come_from_its_module_in_designlint_tables():
    words, plain = _rule("DL951", "words-rule"), _rule("DL952", "plain")
    registry = registry_of([_module("words", words), _module("plain", plain)], [_tables_module("words", _WordsOptions)])
    assert registry.families == (Family("words", (words,), (_WordsOptions,)), Family("plain", (plain,), ()))


def test_tables_declared_among_the_rules_are_refused():
    """The configuration reads designlint.tables without importing a rule: a table declared in
    the family module would be unknown to it."""
    with pytest.raises(RegistryError, match=re.escape("move them to designlint/tables/words.py")):
        registry_of([_module("words", _rule("DL951", "words-rule"), _WordsOptions)], [])


def test_a_tables_module_without_a_family_is_refused():
    with pytest.raises(RegistryError, match=re.escape("designlint/tables/words.py is the tables module of no family")):
        registry_of([], [_tables_module("words", _WordsOptions)])


def test_the_schema_names_what_the_registry_holds():
    """SCHEMA (the catalogue's codes, designlint.tables) is what flags and configuration are
    checked against without importing a rule; it must agree with the rules themselves."""
    assert SCHEMA.codes == REGISTRY.codes
    assert dict(SCHEMA.option_tables) == dict(REGISTRY.option_tables)
    tables_modules = {info.name for info in pkgutil.iter_modules(designlint.tables.__path__)}
    assert tables_modules <= {family.name for family in REGISTRY.families}
