"""The gates of the execution-order rules (``designlint.rules.order``): the text must show a
call of the execute stage and one of another stage."""

from __future__ import annotations

import re
from functools import lru_cache

from designlint.analysis.stage_names import BUILTIN_STAGE_NAMES, StageNames
from designlint.gates import AnyOf, Gate
from designlint.tables.order import OrderOptions


def stage_names(options: OrderOptions) -> dict[str, StageNames]:
    """Each stage's calls: the configured list where one is given, else the built-in one."""
    configured = dict(options.calls)
    return {
        stage: StageNames(configured[stage]) if stage in configured else BUILTIN_STAGE_NAMES.get(stage, StageNames(()))
        for stage in options.stages
    }


class _ExecuteAndAnother(AnyOf):
    """A prefilter needing the words of the execute stage (the last pattern) and of another stage."""

    def __init__(self, *patterns: str):
        super().__init__(patterns[-1])  # the execute stage's, alone: the others are compiled as one
        # The other stages' patterns start with ``\b``, not a literal Python's re scans ahead
        # for: one alternation of them is searched in a third of the time of the four in turn.
        self.another = re.compile("|".join(f"(?:{pattern})" for pattern in patterns[:-1]) or r"(?!)")

    def search(self, text: str) -> bool:
        return bool(self.patterns[0].search(text)) and bool(self.another.search(text))


def _stage_pattern(names: StageNames) -> str:
    """A regex for the text any of the stage's calls must show: each entry's last part, and
    ``tool.run`` for a method of a receiver named like ``*tool``."""
    words = {_word(entry.rpartition(".")[2]) for entry in names.names}
    words.update(
        _word(receiver.receiver.rpartition("*")[2]) + r"\s*\.\s*" + _word(method)
        for receiver in names.methods
        for method in receiver.methods
    )
    return r"\b(?:" + "|".join(sorted(words)) + r")\b" if words else r"(?!)"


def _word(glob: str) -> str:
    return re.escape(glob).replace(r"\*", r"\w*").replace(r"\?", r"\w")


@lru_cache(maxsize=8)
def _prefilter(options: OrderOptions) -> _ExecuteAndAnother:
    return _ExecuteAndAnother(*(_stage_pattern(names) for names in stage_names(options).values()))


class OrderGate(Gate):
    codes = ("DL701", "DL702", "DL703")

    def __init__(self, config):
        super().__init__(config)
        # One object for the three rules: the engine searches it once.
        self.prefilter = _prefilter(config.options(OrderOptions))
