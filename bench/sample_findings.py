"""Draw a reproducible random sample of findings per rule from a corpus, for judging precision.

usage: python bench/sample_findings.py [--corpus DIR] [--rules DL101,DL201] [--n 20] [--seed 0]

Lints the corpus with zero configuration (``--isolated``), prints the count of findings per
rule, then for each rule a sample of N findings (all, if fewer) drawn with a fixed seed, each
with the lines around it, so a person can mark each one real or false.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from pathlib import Path

from designlint.runner import Options, lint_paths
from designlint.source import split_lines

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / ".bench-corpus" / "large"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rules", default="", help="comma-separated codes or prefixes (default: all)")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--context", type=int, default=3, help="lines shown before and after")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}: run bench/fetch-corpus.sh first", file=sys.stderr)
        return 2
    selectors = tuple(c for c in args.rules.split(",") if c)
    overrides = {"select": selectors} if selectors else {}
    result = lint_paths([args.corpus], Options(isolated=True, overrides=overrides))
    by_code = defaultdict(list)
    for diagnostic in result.diagnostics:
        if diagnostic.code not in ("DL001", "DL002"):
            by_code[diagnostic.code].append(diagnostic)
    print("findings per rule:")
    for code in sorted(by_code):
        print(f"  {code}: {len(by_code[code])}")
    for code in sorted(by_code):
        findings = by_code[code]
        sample = findings if len(findings) <= args.n else random.Random(args.seed).sample(findings, args.n)
        print(f"\n=== {code}: {len(sample)} of {len(findings)} (seed {args.seed})")
        for index, d in enumerate(sorted(sample, key=lambda d: d.sort_key()), start=1):
            lines = split_lines(Path(d.path).read_text(encoding="utf-8", errors="replace"))
            print(
                f"\n[{code}-{index}] {Path(d.path).relative_to(args.corpus)}:{d.start.row}:{d.start.column}: {d.message}"
            )
            for row in range(max(1, d.start.row - args.context), min(len(lines), d.start.row + args.context) + 1):
                print(f"{'>' if row == d.start.row else ' '} {row:5} | {lines[row - 1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
