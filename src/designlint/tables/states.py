"""The state machines' table, ``[[tool.designlint.state-machines]]`` (rules/states.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import cast

from designlint.analysis.enums import ENUM_CLASSES, ENUM_MEMBERS
from designlint.analysis.transitions import START, Transition
from designlint.options import (
    MODULE_GLOB,
    QUALIFIED_NAME,
    WORD,
    ArrayOfTables,
    BadValue,
    Item,
    Key,
    ListOf,
    Reference,
    Text,
    option,
    options_table,
)

_STATE = r"(?:\[\*\]|[A-Za-z_]\w*)"
TRANSITION = Item(
    rf"\s*{_STATE}\s*-{{1,2}}>\s*{_STATE}\s*",
    'a transition "SOURCE -> TARGET" between members of the states enum ("[*] -> PENDING" from the start)',
)
OWNER = Item(
    MODULE_GLOB.pattern,
    'a dotted function name such as "app.approvals.service.approve" or a module glob such as "app.approvals.*"',
)
MACHINE_NAME = Item(r"\S(?:.*\S)?", "a non-empty name")
DEFAULT_FIELDS = ("status", "state")


@dataclass(frozen=True)
class MachineOptions:
    """One ``[[tool.designlint.state-machines]]`` table."""

    name: str = option(Text(MACHINE_NAME))
    states: str = option(Text(QUALIFIED_NAME, resolves=ENUM_CLASSES))  # "app.approvals.ApprovalState"
    field: str | None = option(Text(WORD), default=None)  # the attribute holding the state
    transitions: tuple[str, ...] = option(ListOf(TRANSITION), default=())
    owners: tuple[str, ...] = option(ListOf(OWNER), default=())  # who alone may write the field

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field,) if self.field else DEFAULT_FIELDS

    @cached_property
    def pairs(self) -> tuple[Transition, ...]:
        """``("[*]", "PENDING")`` for ``"[*] -> PENDING"``, in the order written."""
        split = (entry.replace("-->", "->").split("->") for entry in self.transitions)
        return tuple((source.strip(), target.strip()) for source, target in split)


class _Machines(ArrayOfTables):
    """The machines: each name once, no ``[*] -> [*]``, and every state a transition names a
    member of the machine's enum (a reference into the project, checked before linting)."""

    def parse(self, value: object, key: Key) -> tuple[object, ...]:
        machines = super().parse(value, key)
        names: set[str] = set()
        for index, machine in enumerate(cast("tuple[MachineOptions, ...]", machines)):
            if machine.name in names:
                raise BadValue((*key, index, "name"), f"expected each machine's name once, got {machine.name!r} twice")
            names.add(machine.name)
            if (START, START) in machine.pairs:
                raise BadValue((*key, index, "transitions"), f"expected a member on one side, got '{START} -> {START}'")
        return machines

    def references(self, value: tuple[object, ...] | None, key: Key) -> Iterator[Reference]:
        yield from super().references(value, key)
        for index, machine in enumerate(cast("tuple[MachineOptions, ...]", value or ())):
            states = dict.fromkeys(state for pair in machine.pairs for state in pair if state != START)
            for state in states:
                yield Reference((*key, index, "transitions"), ENUM_MEMBERS, f"{machine.states}.{state}")


@options_table("state-machines", whole="machines")
@dataclass(frozen=True)
class StateMachinesOptions:
    machines: tuple[MachineOptions, ...] = option(_Machines(MachineOptions), default=())
