"""On how many files of a corpus tier each rule runs, and how many files LibCST parses: what the
gates spare, counted.

usage: .venv/bin/python bench/gate_counts.py TIER_DIR [--rules DL101,DL102] [--list DL101]

Lints the tier in this process, zero-config as ``snapshot.py`` does (``--isolated``), with the
engine's ``_could_fire`` and ``parse_module`` wrapped to count; the findings are counted too.
Not part of the test suite, nor of the product: the counting lives here only.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
from pathlib import Path

from designlint import engine
from designlint.discovery import discover
from designlint.pool import LinterPool
from designlint.resolution import ConfigResolver


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tier", type=Path)
    parser.add_argument("--rules", default="", help="comma-separated codes to report (default: all that ran)")
    parser.add_argument("--list", default="", help="print the files this code runs on")
    args = parser.parse_args()

    runs: collections.Counter[str] = collections.Counter()
    listed: list[str] = []
    parsed = [0]
    current = [""]
    could_fire, parse_module = engine._could_fire, engine.parse_module

    def counted_could_fire(rule, facts, result):
        answer = could_fire(rule, facts, result)
        if answer:
            runs[rule.code] += 1
            if rule.code == args.list:
                listed.append(current[0])
        return answer

    def counted_parse(text):
        parsed[0] += 1
        return parse_module(text)

    engine._could_fire = counted_could_fire
    engine.parse_module = counted_parse
    resolver = ConfigResolver(isolated=True)
    pool = LinterPool()
    findings: collections.Counter[str] = collections.Counter()
    files = 0
    os.chdir(args.tier)  # as snapshot.py runs: paths relative to the tier
    for path, config, error in discover([Path(".")], resolver):
        if error is not None:
            continue
        files += 1
        current[0] = str(path)
        linter = pool.linter_for(config)
        for diagnostic in linter.lint(path.read_bytes(), str(path)).diagnostics:
            findings[diagnostic.code] += 1
    codes = [c for c in args.rules.split(",") if c] or sorted(runs)
    print(f"{files} files, {parsed[0]} parsed by LibCST")
    for code in codes:
        print(f"{code}: runs on {runs[code]} files, {findings[code]} findings")
    for path in listed:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
