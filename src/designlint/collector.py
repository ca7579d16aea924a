"""The cyclic garbage collector's setting for every process that lints (``check``, a pool
worker, the language server): importing LibCST and the rules, and parsing, make hundreds of
thousands of objects and few cycles, and at the default threshold the collector scans them over
and over (about a tenth of a run)."""

from __future__ import annotations

import gc


def collect_less_often() -> None:
    gc.set_threshold(50_000, 20, 100)
