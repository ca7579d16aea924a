"""Expected findings written as comments on the lines where they must appear.

``# expect: DL501`` (or ``# expect: DL501, DL201``) on a line means those findings, and
no others, are reported on that line. ``# expect[configured]: ...`` counts only when the
fixture is linted with its own configuration, ``# expect[isolated]: ...`` only when it is
linted with none (``--isolated``).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

EXPECT = re.compile(r"#\s*expect(?:\[(?P<mode>configured|isolated)\])?:\s*(?P<codes>DL\d+(?:\s*,\s*DL\d+)*)")


def expected_findings(root: Path, mode: str) -> Counter:
    found: Counter = Counter()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in EXPECT.finditer(line):
                if match.group("mode") in (None, mode):
                    for code in re.split(r"\s*,\s*", match.group("codes")):
                        found[(relative, row, code)] += 1
    return found


def has_config(root: Path) -> bool:
    pyproject = root / "pyproject.toml"
    return (root / "designlint.toml").exists() or (pyproject.exists() and "[tool.designlint" in pyproject.read_text())
