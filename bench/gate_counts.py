"""How far a rule's gates spare work on a corpus tier: the files LibCST parses, and the files
each of the given rules runs on (and reports on), counted in one process.

usage: .venv/bin/python bench/gate_counts.py TIER_DIR [CODE ...]     # default: DL401

Lints as ``designlint check --isolated --no-cache -j 1`` would, with the engine's parse and
analysis wrapped to count (in this script only: the product has no such hook). Runs with any
checkout's interpreter, so a branch and main can be compared on the same tier.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

from designlint import engine
from designlint.runner import Options, lint_paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tier", type=Path)
    parser.add_argument("codes", nargs="*", default=["DL401"])
    args = parser.parse_args()
    counts: collections.Counter[str] = collections.Counter()
    parse, analyse = engine.parse_module, engine.Linter._analyse

    def counted_parse(*a, **k):
        counts["parsed"] += 1
        return parse(*a, **k)

    def counted_analyse(self, module, facts, rules, result):
        out = analyse(self, module, facts, rules, result)
        for code in args.codes:
            if any(rule.code == code for rule in rules):
                counts[f"{code} runs"] += 1
                counts[f"{code} reports"] += any(d.code == code for d in out.diagnostics)
        return out

    engine.parse_module = counted_parse
    engine.Linter._analyse = counted_analyse
    result = lint_paths([args.tier], Options(isolated=True, jobs=1))
    files = sum(1 for outcome in result.outcomes if outcome.path.endswith((".py", ".pyi")))
    print(f"files {files}  LibCST-parsed {counts['parsed']}", end="")
    for code in args.codes:
        print(f"  {code}: runs on {counts[f'{code} runs']}, reports in {counts[f'{code} reports']}", end="")
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
