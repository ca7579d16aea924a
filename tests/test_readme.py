"""README's shell blocks run as written on a fresh checkout: each ```sh block (and the ``$ ``
lines of a ```console block) is run with bash
in a copy of the files a clone would have (tracked, or new and not ignored), with this
virtualenv as the checkout's ``.venv`` and on ``PATH``. A block is run unless the HTML comment
on the line before it says ``<!-- not run: REASON -->`` (the network, minutes of work, the
suite itself); ``<!-- run: exit N -->`` expects that exit status instead of 0."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from projects import ROOT

MARKER = re.compile(r"<!-- (?:not run: (?P<reason>\S.*?)|run: exit (?P<status>\d+)) -->")


@dataclass(frozen=True)
class ShellBlock:
    line: int  # of the opening fence, 1-based
    script: str
    marker: str  # the comment before the fence, or ""

    @property
    def run(self) -> bool:
        return not self.marker.startswith("<!-- not run:")

    @property
    def expected_status(self) -> int:
        match = MARKER.fullmatch(self.marker)
        return int(match["status"]) if match and match["status"] else 0


def shell_blocks(text: str) -> list[ShellBlock]:
    blocks, lines = [], text.split("\n")
    index = 0
    while index < len(lines):
        fence = re.fullmatch(r"```(sh|bash|shell|console)\s*", lines[index])
        if fence:
            end = lines.index("```", index + 1)
            body = lines[index + 1 : end]
            if fence[1] == "console":  # a transcript: the commands are the prompted lines
                body = [line[2:] for line in body if line.startswith("$ ")]
            before = lines[index - 1].strip() if index else ""
            marker = before if before.startswith("<!--") else ""
            blocks.append(ShellBlock(index + 1, "\n".join(body) + "\n", marker))
            index = end
        index += 1
    return blocks


BLOCKS = shell_blocks((ROOT / "README.md").read_text(encoding="utf-8"))


def test_every_marker_says_run_or_why_not():
    for block in BLOCKS:
        assert not block.marker or MARKER.fullmatch(block.marker), f"README.md:{block.line}: {block.marker}"


def test_the_parser_reads_markers_fences_and_scripts():
    text = (
        "a\n<!-- run: exit 1 -->\n```sh\nx --y\n```\n\n<!-- not run: the network -->\n```sh\npip install z\n```\n"
        "```console\n$ ok\nAll checks passed!\n```\n```python\nprint()\n```\n"
    )
    blocks = shell_blocks(text)
    assert [(b.line, b.script, b.run, b.expected_status) for b in blocks] == [
        (3, "x --y\n", True, 1),
        (8, "pip install z\n", False, 0),
        (11, "ok\n", True, 0),
    ]


@pytest.fixture(scope="module")
def fresh_checkout(tmp_path_factory) -> Path:
    """The files a clone (with this work's changes committed) would have, and this virtualenv."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout: which files a clone has is unknown")
    copy = tmp_path_factory.mktemp("fresh-checkout")
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():  # not a file deleted in the work tree but still in the index
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name, follow_symlinks=False)
    (copy / ".venv").symlink_to(sys.prefix)
    return copy


@pytest.mark.slow  # runs designlint, flake8 and friends as commands
@pytest.mark.parametrize("block", [b for b in BLOCKS if b.run], ids=lambda b: f"README.md:{b.line}")
def test_a_readme_block_runs_as_written(block: ShellBlock, fresh_checkout: Path, tmp_path: Path):
    env = {
        **os.environ,
        "PATH": f"{fresh_checkout / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),  # nothing of the user's own (caches, configs) is read or written
        "NO_COLOR": "1",
    }
    result = subprocess.run(
        ["bash", "-e", "-c", block.script], cwd=fresh_checkout, env=env, capture_output=True, text=True, timeout=600
    )
    output = result.stdout + result.stderr
    assert result.returncode == block.expected_status, f"README.md:{block.line}:\n{block.script}\n{output[-3000:]}"
    assert "Traceback" not in output and "designlint: error:" not in output, output[-3000:]
