"""The gates of the state-machine rules (``designlint.rules.states``)."""

from __future__ import annotations

from typing import ClassVar

from designlint.gates import AnyOf, Gate
from designlint.tables.states import StateMachinesOptions


class MachineGate(Gate):
    """A file that names no declared machine's field or enum holds none of its states."""

    codes: ClassVar[tuple[str, ...]] = ("DL801", "DL802", "DL803")
    prefilter: AnyOf | None = AnyOf()  # no machine declared: no file to look at

    def __init__(self, config):
        super().__init__(config)
        self.declared = config.options(StateMachinesOptions).machines
        if self.declared:
            words = {field for machine in self.declared for field in machine.fields}
            words |= {machine.states.rpartition(".")[2] for machine in self.declared}
            self.prefilter = AnyOf(*(rf"\b{word}\b" for word in sorted(words)))


class MachineDriftGate(MachineGate):
    """A machine in code is built from a state-machine library's names, whatever the field."""

    codes = ("DL804",)

    def __init__(self, config):
        super().__init__(config)
        if self.declared:
            # ``Machine`` also ends the name of each of its extensions (``GraphMachine``, ``AsyncMachine``).
            self.prefilter = AnyOf(r"Machine\b", r"add_transitions?\b", r"\bStateChart\b")

    def could_fire(self, file) -> bool:
        imports = file.imports
        return imports is None or any(m.split(".")[0] in ("transitions", "statemachine") for m in imports)
