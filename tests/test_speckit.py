"""The spec-kit extension in ``integrations/spec-kit``: installed with the real ``specify`` CLI
into a throwaway project, its commands and hooks land where spec-kit puts them; and the
designlint invocations its commands tell the agent to run are ones designlint accepts."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from projects import ROOT

from designlint.cli import main

EXTENSION = ROOT / "integrations" / "spec-kit"
SPECIFY = Path(sys.executable).with_name("specify")
COMMANDS = ("speckit.designlint.design", "speckit.designlint.check")


def specify(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(SPECIFY), *args], cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.mark.slow
def test_specify_installs_the_commands_and_hooks_where_spec_kit_puts_them(tmp_path):
    if not SPECIFY.exists():
        pytest.skip("specify-cli is not installed in this environment (pip install specify-cli; Python 3.11+)")
    yaml = pytest.importorskip("yaml")  # a dependency of specify-cli
    specify(
        "init",
        "--here",
        "--force",
        "--non-interactive",
        "--integration",
        "claude",
        "--ignore-agent-tools",
        cwd=tmp_path,
    )
    specify("extension", "add", "--dev", str(EXTENSION), cwd=tmp_path)

    config = yaml.safe_load((tmp_path / ".specify" / "extensions.yml").read_text(encoding="utf-8"))
    assert "designlint" in config["installed"]
    hooks = {
        event: [(entry["command"], entry["optional"]) for entry in entries if entry["extension"] == "designlint"]
        for event, entries in config["hooks"].items()
    }
    assert hooks == {
        "after_plan": [("speckit.designlint.design", True)],
        "after_tasks": [("speckit.designlint.check", False)],
        "after_implement": [("speckit.designlint.check", False)],
    }
    # Claude gets each command as a skill, its invocations of spec-kit's own commands rendered.
    for command in COMMANDS:
        skill = tmp_path / ".claude" / "skills" / command.replace(".", "-") / "SKILL.md"
        text = skill.read_text(encoding="utf-8")
        assert text.startswith(f"---\nname: {command.replace('.', '-')}\n")
        assert "__SPECKIT_COMMAND_" not in text
    design_skill = (tmp_path / ".claude" / "skills" / "speckit-designlint-design" / "SKILL.md").read_text(
        encoding="utf-8"
    )
    assert "`/speckit-plan`" in design_skill and "designlint init --output" in design_skill


def test_the_manifest_names_each_command_file_it_ships():
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load((EXTENSION / "extension.yml").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == "1.0" and manifest["extension"]["id"] == "designlint"
    provided = {command["name"]: command["file"] for command in manifest["provides"]["commands"]}
    assert sorted(provided) == sorted(COMMANDS)
    for name, file in provided.items():
        assert (EXTENSION / file).read_text(encoding="utf-8").startswith("---\ndescription: "), name
    assert {hook["command"] for hook in manifest["hooks"].values()} <= set(provided)


def invocations() -> list[list[str]]:
    """The ``designlint ...`` commands in the extension's command files' code spans."""
    found = []
    for path in sorted((EXTENSION / "commands").glob("*.md")):
        for span in re.findall(r"`(designlint [^`]+)`", path.read_text(encoding="utf-8")):
            found.append(shlex.split(span.replace("$", "")))
    return found


def test_every_designlint_invocation_the_commands_name_exists():
    checked = 0
    for words in invocations():
        command: click.Command | None = main
        arguments = words[1:]
        while isinstance(command, click.Group) and arguments and not arguments[0].startswith("-"):
            command, arguments = command.commands.get(arguments[0]), arguments[1:]
        if command is None:
            assert words[1] == "design", f"designlint has no command {' '.join(words[1:])}"
            continue  # `design check`: on the branch of the design reader, not (yet) on this one
        flags = {opt for param in command.params for opt in getattr(param, "opts", ())}
        for word in arguments:
            if word.startswith("-"):
                assert word in flags, f"{' '.join(words)}: no {word}"
        checked += 1
    assert checked >= 3  # init (twice) and check
