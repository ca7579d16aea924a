"""``--show-settings`` and ``--show-files``: what a run would use, printed rather than applied."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from designlint.config import Config
from designlint.globs import glob_matches
from designlint.rules import REGISTRY


def describe_settings(path: Path, config: Config) -> str:
    """The effective configuration for ``path``, in the config file's own spelling, with the
    file it came from and the rules that run on ``path``."""
    source = str(config.path) if config.path is not None else "none (the defaults)"
    lines = [f"Settings for: {path}", f"Configuration file: {source}", f"root = {_toml(str(config.root))}"]
    for item in fields(config):
        if item.name in ("root", "path", "tables", "configured", "design_digest"):
            continue  # the tables are shown below, the document's share of them by `designlint design show`
        value = getattr(config, item.name)
        if item.name == "design" and value is not None:
            value = tuple(str(document) for document in value)
        if item.name == "per_file_ignores":
            pairs = ", ".join(f"{json.dumps(pattern)} = {_toml(codes)}" for pattern, codes in value)
            lines.append(f"per-file-ignores = {{ {pairs} }}" if pairs else "per-file-ignores = {}")
        else:
            lines.append(_assignment(item.name, value))
    for name, table_class in REGISTRY.option_tables.items():
        table: Any = config.options(table_class)
        lines.append(f"\n[{name}]")
        lines.extend(_assignment(option.name, _plain(getattr(table, option.name))) for option in fields(table))
    relative = _relative(path, config.root)
    ignored = [code for pattern, codes in config.per_file_ignores if glob_matches(pattern, relative) for code in codes]
    enabled = [
        code
        for code in sorted(REGISTRY.codes)
        if config.is_enabled(code) and not any(code.startswith(c) or c == "ALL" for c in ignored)
    ]
    lines.append(f"\n# Rules that run on {relative}: {', '.join(enabled) or 'none'}")
    return "\n".join(lines) + "\n"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _key(name: str) -> str:
    return name.replace("_", "-")


def _assignment(name: str, value: Any) -> str:
    return f"# {_key(name)}: not set (the default)" if value is None else f"{_key(name)} = {_toml(value)}"


def _plain(value: Any) -> Any:
    """An option's value as TOML would spell it: nested records (frozen dataclasses) as tables."""
    if is_dataclass(value) and not isinstance(value, type):
        return {_key(f.name): _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def _toml(value: Any) -> str:
    if isinstance(value, Path):
        return json.dumps(str(value))
    if isinstance(value, tuple):
        return json.dumps(list(value))
    return json.dumps(value)
