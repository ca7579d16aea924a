"""The gates of DL003 (``designlint.rules.noqa``)."""

from __future__ import annotations

from designlint.gates import Gate


class UnusedNoqaGate(Gate):
    codes = ("DL003",)

    def could_fire(self, file) -> bool:
        return False  # no visitor: the engine reports it once the other rules' findings are known
