"""A deterministic bound on what one rule's analyses may spend on one file.

designlint lints untrusted code: a small file can be written to make an analysis take hours
(loops nested 18 deep, hundreds of requests in one function). Every analysis counts its steps
against the rule's ``Budget`` for the file; the count, never the wall time, decides, so the
findings do not depend on the machine's speed. An analysis that cannot finish raises
``GaveUp``: the engine reports it (DL001, naming the rule and the statement) and the rule
stops on that file while the other rules go on.
"""

from __future__ import annotations

# Steps a rule may spend on a file: a base for any file and more for each line of it. Real
# code spends far less (see README, "Hostile input").
BASE_STEPS = 2_000_000
STEPS_PER_LINE = 500


class GaveUp(Exception):
    """An analysis stopped on this file; the message says why."""


class Budget:
    """Analysis steps left to one rule on one file."""

    __slots__ = ("left", "total")

    def __init__(self, total: int):
        self.total = total
        self.left = total

    @classmethod
    def for_text(cls, text: str) -> Budget:
        return cls(BASE_STEPS + STEPS_PER_LINE * text.count("\n"))

    def spend(self, analysis: str, steps: int = 1) -> None:
        self.left -= steps
        if self.left < 0:
            raise GaveUp(
                f"{analysis} would not finish in reasonable time (it spent its budget of {self.total:,} steps)"
            )

    @property
    def spent(self) -> int:
        return self.total - self.left
