"""Module names from file paths, relative to the project root (``src/`` layouts understood)."""

from __future__ import annotations

from pathlib import PurePosixPath


def module_name_for(relpath: str) -> str | None:
    """``src/app/adapters/openai_adapter.py`` -> ``app.adapters.openai_adapter``."""
    path = PurePosixPath(relpath)
    if path.suffix not in (".py", ".pyi"):
        return None
    parts = list(path.with_suffix("").parts)
    if parts and parts[0] in ("src", "lib") and len(parts) > 1:
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)
