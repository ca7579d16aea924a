"""``designlint init``, then ``design check`` and ``check``, on each project of a corpus tier.

usage: .venv/bin/python bench/init_corpus.py TIER_DIR [--keep DIR]

Each project is copied to a temporary directory first (init writes the document and the
config; the corpus stays as it was). Prints, per project: what the inventory found (the
document's rows per section), and the findings per code of ``designlint check`` before (with
zero configuration) and after, and of ``designlint design check`` (when this designlint has it). ``--keep DIR`` leaves the copies
there to read the documents. Not part of the test suite (the apps tier takes minutes).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

DOCUMENT = Path("docs/engineering-design.md")


def designlint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "designlint", *args], cwd=cwd, capture_output=True, text=True)


def table_rows(document: str) -> dict[str, int]:
    """Body rows of the tables under each ``## `` heading (the TODO rows included)."""
    counts: dict[str, int] = {}
    for section in document.split("\n## ")[1:]:
        heading, _, body = section.partition("\n")
        lines = [line for line in body.splitlines() if line.startswith("|")]
        headers = sum(1 for line in lines if line.startswith("| ---"))
        counts[heading] = len(lines) - 2 * headers
    return counts


def findings(*args: str, cwd: Path) -> Counter | str:
    done = designlint(*args, "--exit-zero", "--output-format", "json", cwd=cwd)
    if done.returncode != 0:
        return f"exit {done.returncode}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''}"
    return Counter(finding["code"] for finding in json.loads(done.stdout))


def run(project: Path, copy: Path) -> None:
    shutil.copytree(project, copy, symlinks=True)
    before = findings("check", "--isolated", "--no-cache", cwd=copy)
    done = designlint("init", cwd=copy)
    print(f"== {project.name}: init exit {done.returncode}")
    print("   " + done.stderr.strip().replace("\n", "\n   "))
    if done.returncode != 0:
        return
    rows = table_rows((copy / DOCUMENT).read_text(encoding="utf-8"))
    print("   rows: " + ", ".join(f"{heading.split('. ', 1)[-1]} {n}" for heading, n in rows.items() if n))
    has_design = designlint("design", "--help", cwd=copy).returncode == 0
    if has_design:
        print(f"   design check: {_shown(findings('design', 'check', cwd=copy))}")
    print(f"   check before init (zero config): {_shown(before)}")
    print(f"   check after init: {_shown(findings('check', '--no-cache', cwd=copy))}")


def _shown(result: Counter | str) -> str:
    return result if isinstance(result, str) else str(dict(sorted(result.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tier", type=Path)
    parser.add_argument("--keep", type=Path, help="leave the initialised copies here")
    options = parser.parse_args()
    projects = sorted(path for path in options.tier.iterdir() if path.is_dir())
    with tempfile.TemporaryDirectory() as scratch:
        base = options.keep or Path(scratch)
        for project in projects:
            run(project, base / project.name)


if __name__ == "__main__":
    main()
