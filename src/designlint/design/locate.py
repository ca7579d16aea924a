"""Where a project's engineering design documents are: the ``design`` key, else the usual
places in the project root, else the active spec-kit feature's (or every feature's)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from designlint.reading import MAX_CONFIG_SIZE, TooLarge, read_regular_file

DOCUMENT_NAME = "engineering-design.md"
DEFAULT_PLACES = (DOCUMENT_NAME, f"docs/{DOCUMENT_NAME}", f"design/{DOCUMENT_NAME}")
FEATURE_ENV = "SPECIFY_FEATURE_DIRECTORY"


def locate_documents(
    root: Path, configured: tuple[Path, ...] | None, environ: Mapping[str, str] | None = None
) -> tuple[Path, ...]:
    """The documents in play: ``configured`` (the ``design`` key, already made absolute) when
    set, else the first default place that holds one, else the spec-kit feature's."""
    if configured is not None:
        return configured
    for place in DEFAULT_PLACES:
        if (root / place).is_file():
            return (root / place,)
    if not (root / ".specify").is_dir():
        return ()
    feature = _active_feature(root, os.environ if environ is None else environ)
    if feature is not None:
        document = feature / DOCUMENT_NAME
        return (document,) if document.is_file() else ()
    specs = root / "specs"
    try:
        features = sorted(entry for entry in specs.iterdir() if (entry / DOCUMENT_NAME).is_file())
    except OSError:
        return ()
    return tuple(feature / DOCUMENT_NAME for feature in features)


def _active_feature(root: Path, environ: Mapping[str, str]) -> Path | None:
    """``$SPECIFY_FEATURE_DIRECTORY``, else ``feature_directory`` of ``.specify/feature.json``;
    relative to the root. A directory outside the root, or a file that cannot be read, is none."""
    named = environ.get(FEATURE_ENV) or _feature_json(root / ".specify" / "feature.json")
    if not named:
        return None
    directory = (root / named).resolve()
    return directory if directory.is_relative_to(root.resolve()) and directory.is_dir() else None


def _feature_json(path: Path) -> str | None:
    try:
        value = json.loads(read_regular_file(path, MAX_CONFIG_SIZE))
    except (OSError, TooLarge, ValueError):
        return None
    directory = value.get("feature_directory") if isinstance(value, dict) else None
    return directory if isinstance(directory, str) else None
