"""The gates of the rules on repeated work (``designlint.rules.repeats``): the text ones; each
rule narrows them with the imports and calls it looks for, which its analysis knows."""

from __future__ import annotations

from designlint.gates import AnyOf, Gate, Spelt


class IdempotencyKeyGate(Gate):
    codes = ("DL602",)
    # In any case, as the rule reads a key (``"IdEmPoTeNcY-Key"``), also as a string spells it
    # (``"idem" "potency_key"``).
    prefilter = Spelt(r"idempoten|dedup", ignore_case=True)


class AgentLoopGate(Gate):
    codes = ("DL604",)
    # A ``while`` loop, or a ``for`` over ``itertools.count()``: the module is named where it is
    # imported, however the call is spelt after (``count ()``, ``(count)()``, ``import ... as c``).
    prefilter = AnyOf(r"while\b", r"itertools")
