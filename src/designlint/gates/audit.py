"""The gates of DL904 (``designlint.rules.audit``)."""

from __future__ import annotations

import re

from designlint.gates import Gate, Spelt
from designlint.tables.audit import AuditOptions


class AuditEventGate(Gate):
    codes = ("DL904",)

    def __init__(self, config):
        super().__init__(config)
        emitters = config.options(AuditOptions).emitters
        # Also as a string spells them: ``logging.getLogger("Au" "dit.tools")``.
        if emitters is not None:  # their names, as called
            self.prefilter = Spelt("|".join(re.escape(name.rpartition(".")[2]) for name in emitters))
        else:
            self.prefilter = Spelt(r"[Aa]udit|AUDIT")
