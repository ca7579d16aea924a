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

    def __init__(self, *patterns: tuple[str, ...]):
        # The execute stage's, alone, each in turn (a receiver's opens with a literal re scans
        # ahead for): the others are compiled as one.
        super().__init__(*patterns[-1])
        # The other stages' patterns start with ``\b``, not a literal Python's re scans ahead
        # for: one alternation of them is searched in a third of the time of the four in turn.
        self.another = re.compile("|".join(f"(?:{p})" for parts in patterns[:-1] for p in parts) or r"(?!)")

    def search(self, text: str) -> bool:
        return super().search(text) and bool(self.another.search(text))


def _stage_pattern(names: StageNames) -> tuple[str, ...]:
    """Regexes for the text any of the stage's calls must show: each entry's last part, and
    ``tool.run`` for a method of a receiver named like ``*tool``."""
    words = {_word(entry.rpartition(".")[2]) for entry in names.names}
    patterns = [r"\b(?:" + "|".join(sorted(words)) + r")\b"] if words else []
    for receiver in names.methods:
        # The receiver's name ends with what follows its last ``*`` (``my_tool``: no ``\b``
        # before it); brackets, spaces and a backslash joining lines may stand before the dot
        # and after it, or a comment (inside brackets: the search passes at its ``#``).
        suffix = _word(receiver.receiver.rpartition("*")[2])
        methods = "|".join(sorted(_word(method) for method in receiver.methods))
        if suffix:
            patterns.append(suffix + r"[\s\\)]*(?:#|\.[\s\\]*(?:#|(?:" + methods + r")\b))")
        else:
            patterns.append(r"\.[\s\\]*(?:" + methods + r")\b")
    return tuple(patterns) or (r"(?!)",)


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
