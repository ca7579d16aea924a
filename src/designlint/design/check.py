"""DL011-DL015 on the engineering design documents in play for a configuration: findings on
the Markdown files' lines, suppressed by ``<!-- designlint: noqa: DL014 -->`` on the line or
the line above it, and by ``per-file-ignores``."""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from designlint.analysis.constants import STRING_CONSTANTS
from designlint.analysis.enums import ENUM_CLASSES, EnumInfo
from designlint.analysis.modules import module_name_for
from designlint.config import Config
from designlint.design.contract import display_path
from designlint.design.markdown import MAX_DOCUMENT_SIZE, Document, Problem, read_document
from designlint.diagnostics import Diagnostic, Position, span_fingerprint
from designlint.globs import glob_matches
from designlint.project import LookupFailed, Project
from designlint.reading import MAX_SOURCE_SIZE, TooLarge, read_regular_file
from designlint.resolution import design_documents, read_design
from designlint.rules import INTERNAL_ERROR, REGISTRY
from designlint.rules.design import DesignDrift, DesignInPlay, DocumentRule
from designlint.rules.errors import ErrorsOptions

DOCUMENT_RULES = tuple(rule for rule in REGISTRY.rules if issubclass(rule, DocumentRule))
_NOQA = re.compile(r"<!--\s*designlint:\s*noqa(?::\s*(?P<codes>[A-Z0-9,\s]*?))?\s*-->")


def design_diagnostics(
    config: Config,
    python_files: Callable[[], Iterable[Path]],
    cwd: Path | None = None,
    unsaved: Mapping[Path, str] | None = None,
) -> tuple[list[Diagnostic], list[str]]:
    """The document rules' findings on the documents in play for ``config`` (and the Markdown
    beside them), with paths as seen from ``cwd``; and the tracebacks of rules that crashed.
    ``unsaved``: the editor's text of Markdown files, by resolved path, read in place of the files."""
    unsaved = unsaved or {}
    rules = [rule(config) for rule in DOCUMENT_RULES if config.is_enabled(rule.code)]
    documents = design_documents(config)
    if not rules or not documents:
        return [], []
    contract = read_design(config, unsaved)
    drift = config.is_enabled(DesignDrift.code)
    paths = list(python_files()) if drift else []
    design = DesignInPlay(
        contract,
        config.root,
        _neighbours(documents, config.root, unsaved),
        _python_texts(paths) if drift else None,
        _error_enum(config),
        _constant_strings(config.root, paths),
    )
    found: list[Diagnostic] = []
    crashes: list[str] = []
    texts: dict[str, list[str]] = {}
    cwd = cwd or Path.cwd()
    for rule in rules:
        try:
            problems = list(rule.check(design))
        except Exception as exc:  # a bug of designlint's: said, and the other rules go on
            crashes.append(traceback.format_exc())
            message = f"internal error in rule {rule.code} ({rule.name}): {type(exc).__name__}: {exc}; please report this as a bug"
            shown = _shown(config.root, contract.documents[0].path if contract.documents else documents[0].name, cwd)
            found.append(Diagnostic(shown, *INTERNAL_ERROR, message, Position(1, 1), Position(1, 1)))
            continue
        for problem in problems:
            lines = texts.get(problem.path)
            if lines is None:
                lines = texts[problem.path] = _lines(config.root / problem.path, unsaved)
            if _suppressed(rule.code, problem.line, lines) or _ignored(rule.code, problem.path, config):
                continue
            found.append(_diagnostic(rule, problem, lines, _shown(config.root, problem.path, cwd)))
    return sorted(set(found), key=Diagnostic.sort_key), crashes


def _diagnostic(rule: DocumentRule, problem: Problem, lines: list[str], shown: str) -> Diagnostic:
    text = lines[problem.line - 1] if 0 < problem.line <= len(lines) else ""
    return Diagnostic(
        shown,
        rule.code,
        rule.name,
        problem.message,
        Position(problem.line, 1),
        Position(problem.line, len(text) + 1),
        noqa_row=problem.line,
        fingerprint=span_fingerprint(rule.code, (), f"{text}\0{problem.message}"),
    )


def _suppressed(code: str, line: int, lines: list[str]) -> bool:
    for row in (line, line - 1):
        if 0 < row <= len(lines):
            match = _NOQA.search(lines[row - 1])
            if match and (
                not match.group("codes")
                or any(code.startswith(c) for c in re.split(r"[\s,]+", match.group("codes")) if c)
            ):
                return True
    return False


def _ignored(code: str, path: str, config: Config) -> bool:
    return any(
        glob_matches(pattern, path) and any(code.startswith(c) or c == "ALL" for c in codes)
        for pattern, codes in config.per_file_ignores
    )


def _shown(root: Path, path: str, cwd: Path) -> str:
    absolute = root / path
    relative = os.path.relpath(absolute, cwd)
    return absolute.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def _lines(path: Path, unsaved: Mapping[Path, str]) -> list[str]:
    if path.resolve() in unsaved:
        return unsaved[path.resolve()].splitlines()
    try:
        return read_regular_file(path, MAX_DOCUMENT_SIZE).decode("utf-8", errors="replace").splitlines()
    except (OSError, TooLarge):
        return []


def _neighbours(documents: tuple[Path, ...], root: Path, unsaved: Mapping[Path, str]) -> tuple[Document, ...]:
    """The Markdown files beside the documents (``tasks.md``, ``plan.md``), which link into them."""
    own = {document.resolve() for document in documents}
    found: list[Document] = []
    for directory in sorted({document.parent for document in documents}):
        try:
            candidates = sorted(entry for entry in directory.iterdir() if entry.suffix == ".md" and entry.is_file())
        except OSError:
            continue
        for candidate in candidates:
            if candidate.resolve() not in own:
                document, _ = read_document(candidate, display_path(candidate, root), unsaved)
                if document is not None:
                    found.append(document)
    return tuple(found)


def _python_texts(paths: Iterable[Path]) -> tuple[str, ...]:
    texts = []
    for path in paths:
        try:
            texts.append(read_regular_file(path, MAX_SOURCE_SIZE).decode("utf-8", errors="replace"))
        except (OSError, TooLarge):
            continue
    return tuple(texts)


def _constant_strings(root: Path, paths: Iterable[Path]) -> frozenset[str]:
    """The values of the modules' string constants, as the code rules resolve them
    (``NAME = f"{PREFIX}.requests"``): the names a text search of the files does not see."""
    project = Project.from_root(root)
    found: set[str] = set()
    for path in paths:
        module = project.module_name_of(str(path)) or module_name_for(display_path(path, root))
        if module is None:
            continue
        try:
            found.update(project.fact(STRING_CONSTANTS, module).values())
        except LookupFailed:
            continue
    return frozenset(found)


def _error_enum(config: Config) -> EnumInfo | None:
    name = config.options(ErrorsOptions).codes
    if name is None:
        return None
    try:
        return Project.from_root(config.root).fact(ENUM_CLASSES, name)
    except LookupFailed:
        return None
