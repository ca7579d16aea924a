"""Findings of a corpus tier, normalised, to compare two versions of designlint.

usage: .venv/bin/python bench/snapshot.py TIER_DIR -o FILE      # write a snapshot
       .venv/bin/python bench/snapshot.py TIER_DIR --against FILE  # compare with one

Runs ``designlint check --isolated --no-cache --output-format json`` on the tier (zero
configuration, as the precision tables are measured) and keeps, for each finding, the path
relative to the tier, the code, the start and end, the message and whether it has a fix. A
restructuring that must not change behaviour compares equal; the first differences are
printed otherwise. Not part of the test suite (a tier takes tens of seconds).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path


def snapshot(tier: Path, jobs: int | None = None) -> list[list]:
    command = [sys.executable, "-m", "designlint", "check", "--isolated", "--no-cache", "--exit-zero"]
    command += ["--output-format", "json", *(["-j", str(jobs)] if jobs else []), "."]
    done = subprocess.run(command, cwd=tier, capture_output=True, check=False)
    if done.returncode not in (0, 2):
        sys.exit(f"snapshot.py: designlint failed ({done.returncode}):\n{done.stderr.decode(errors='replace')}")
    rows = []
    for finding in json.loads(done.stdout):
        path = Path(finding["filename"]).resolve().relative_to(tier.resolve()).as_posix()
        start, end = finding["location"], finding["end_location"]
        rows.append(
            [
                path,
                finding["code"],
                start["row"],
                start["column"],
                end["row"],
                end["column"],
                finding["message"],
                finding["fix"] is not None,
            ]
        )
    return sorted(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tier", type=Path)
    parser.add_argument("-o", "--output", type=Path, help="write the snapshot here")
    parser.add_argument("--against", type=Path, help="compare with this snapshot")
    parser.add_argument("-j", "--jobs", type=int)
    args = parser.parse_args()
    rows = snapshot(args.tier, args.jobs)
    print(f"{len(rows)} findings in {args.tier}")
    if args.output:
        args.output.write_text(json.dumps(rows, indent=0))
    if args.against:
        before = [list(r) for r in json.loads(args.against.read_text())]
        if before == rows:
            print(f"identical to {args.against}")
            return 0
        gone = [r for r in before if r not in rows]
        new = [r for r in rows if r not in before]
        print(f"differs from {args.against}: {len(gone)} gone, {len(new)} new")
        for label, items in (("gone", gone), ("new", new)):
            for row in items[:15]:
                print(f"  {label}: {row}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
