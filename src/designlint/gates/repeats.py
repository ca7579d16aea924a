"""The gates of the rules on repeated work (``designlint.rules.repeats``): the text ones; each
rule narrows them with the imports and calls it looks for, which its analysis knows."""

from __future__ import annotations

from designlint.gates import AnyOf, Gate


class IdempotencyKeyGate(Gate):
    codes = ("DL602",)
    prefilter = AnyOf(r"[Ii]dempoten", r"IDEMPOTEN", r"[Dd]edup", r"DEDUP")


class AgentLoopGate(Gate):
    codes = ("DL604",)
    prefilter = AnyOf(r"while\b", r"count\(")
