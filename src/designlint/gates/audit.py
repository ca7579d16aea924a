"""The gates of DL904 (``designlint.rules.audit``)."""

from __future__ import annotations

import re

from designlint.gates import AnyOf, Gate
from designlint.tables.audit import AuditOptions


class AuditEventGate(Gate):
    codes = ("DL904",)

    def __init__(self, config):
        super().__init__(config)
        emitters = config.options(AuditOptions).emitters
        if emitters is not None:  # their names, as called
            self.prefilter = AnyOf("|".join(re.escape(name.rpartition(".")[2]) for name in emitters))
        else:
            self.prefilter = AnyOf(r"[Aa]udit|AUDIT")
