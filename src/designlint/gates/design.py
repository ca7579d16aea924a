"""The gates of the design document's rules (``designlint.rules.design``)."""

from __future__ import annotations

from designlint.gates import Gate


class DocumentGate(Gate):
    """The document rules read the design document, never a Python file: the engine does not
    run them on one (``design.check`` runs them on the document)."""

    codes = ("DL011", "DL012", "DL013", "DL014", "DL015")

    def could_fire(self, file) -> bool:
        return False
