"""UCUM units as OpenTelemetry writes them, for the telemetry rules and their ``[telemetry]``
table (which the configuration reads without LibCST: this module imports nothing of it)."""

from __future__ import annotations

import re

# An optional prefix and an atom, ``1``, ``%``, or a ``{annotation}``, combined with ``/`` and
# ``.`` (``By/s``, ``{token}``, ``ms``).
_UCUM_ATOM = r"(?:[kMGTPmunp]|Ki|Mi|Gi|Ti)?(?:s|min|h|d|By|bit|Hz|W|J|A|V|Cel|K|m|g|l|L)"
_UCUM_TERM = rf"(?:{_UCUM_ATOM}(?:[0-9]+)?|1|%|\{{[^{{}}]+\}}|{_UCUM_ATOM}\{{[^{{}}]+\}})"
UCUM_UNIT = re.compile(rf"{_UCUM_TERM}(?:[./]{_UCUM_TERM})*")


def is_ucum(unit: str) -> bool:
    return UCUM_UNIT.fullmatch(unit) is not None
