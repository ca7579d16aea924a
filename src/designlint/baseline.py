"""Baselines: today's findings recorded, so that a run reports only the new ones.

A finding is known by its rule, its file (relative to the baseline file's directory), its
fingerprint and an occurrence index. The fingerprint hashes the rule, the enclosing functions
and classes and the text of the finding's span with its white space collapsed: no line numbers
(which break on any edit above), so code inserted above, reindented or moved within its file
keeps matching. The occurrence index counts the findings of the file with the same fingerprint
in order, so a second identical finding in the same function is new (semgrep's
``match_based_id`` and GitHub's ``primaryLocationLineHash`` work the same way).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from designlint.config import ConfigError
from designlint.diagnostics import Diagnostic, span_fingerprint
from designlint.rules import INTERNAL_ERROR

FORMAT_VERSION = 1


@dataclass(frozen=True, order=True)
class Entry:
    path: str  # posix, relative to the baseline file's directory
    code: str
    fingerprint: str
    occurrence: int
    message: str = field(default="", compare=False)  # for the people reading the file

    @property
    def stable_id(self) -> str:
        """One string for the whole identity (SARIF's ``partialFingerprints``, GitLab's ``fingerprint``)."""
        return hashlib.sha256(f"{self.path}\0{self.code}\0{self.fingerprint}\0{self.occurrence}".encode()).hexdigest()


def entries_for(diagnostics: list[Diagnostic], relative: Callable[[str], str]) -> list[Entry]:
    """The entry of each finding, in the order given; ``relative`` turns a finding's path into
    the path the entry records. Occurrences are counted in source order."""
    out: list[Entry | None] = [None] * len(diagnostics)
    seen: Counter[tuple[str, str, str]] = Counter()
    for index in sorted(range(len(diagnostics)), key=lambda i: diagnostics[i].sort_key()):
        d = diagnostics[index]
        # A finding with no span (an unreadable file) is known by its message.
        fingerprint = d.fingerprint or span_fingerprint(d.code, (), d.message)
        key = (relative(d.path), d.code, fingerprint)
        out[index] = Entry(*key, seen[key], d.message)
        seen[key] += 1
    return out  # type: ignore[return-value]


def relative_to(directory: Path) -> Callable[[str], str]:
    def relative(path: str) -> str:
        if path in ("-", "<stdin>"):
            return path
        return Path(os.path.relpath(os.path.abspath(path), directory)).as_posix()

    return relative


def _recordable(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """An internal error is designlint's bug, never a finding to live with."""
    return [d for d in diagnostics if d.code != INTERNAL_ERROR[0]]


@dataclass(frozen=True)
class Baseline:
    path: Path
    entries: frozenset[Entry]

    @property
    def directory(self) -> Path:
        return self.path.absolute().parent


@dataclass(frozen=True)
class Applied:
    new: list[Diagnostic]  # what the run reports
    baselined: int
    stale: list[Entry]  # recorded, but no longer found (fixed since)


def apply_baseline(baseline: Baseline, diagnostics: list[Diagnostic], linted: Iterable[str]) -> Applied:
    """Split this run's findings into new and baselined. An entry is stale when its file was
    linted in this run (or no longer exists) and nothing matched it."""
    relative = relative_to(baseline.directory)
    kept = _recordable(diagnostics)
    entries = entries_for(kept, relative)
    matched = {entry for entry in entries if entry in baseline.entries}
    new = [d for d in diagnostics if d.code == INTERNAL_ERROR[0]]
    new += [d for d, entry in zip(kept, entries) if entry not in matched]
    linted_files = {relative(path) for path in linted}
    stale = sorted(
        entry
        for entry in baseline.entries - matched
        if entry.path in linted_files or not (baseline.directory / entry.path).exists()
    )
    return Applied(sorted(new, key=Diagnostic.sort_key), len(matched), stale)


def write_baseline(path: Path, diagnostics: list[Diagnostic]) -> int:
    """Record ``diagnostics`` in ``path`` (written atomically); returns how many."""
    kept = _recordable(diagnostics)
    entries = sorted(entries_for(kept, relative_to(path.absolute().parent)))
    _write_entries(path, entries)
    return len(entries)


def prune_baseline(baseline: Baseline, stale: list[Entry]) -> None:
    _write_entries(baseline.path, sorted(baseline.entries - set(stale)))


def _write_entries(path: Path, entries: list[Entry]) -> None:
    document = {
        "tool": "designlint",
        "version": FORMAT_VERSION,
        "findings": [
            {
                "path": e.path,
                "code": e.code,
                "fingerprint": e.fingerprint,
                "occurrence": e.occurrence,
                "message": e.message,
            }
            for e in entries
        ],
    }
    data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    directory = path.absolute().parent
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=".", suffix=".designlint-tmp", dir=directory)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        raise ConfigError(f"cannot write the baseline file: {exc.strerror or exc}", path=str(path)) from None


_EXPECTED = (
    'expected a designlint baseline: {"version": 1, "findings": [{"path", "code", "fingerprint", "occurrence"}, ...]}'
)


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file. Raises ``ConfigError`` naming the file and what was expected."""
    display = str(path)
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError(f"no such baseline file (create it with --write-baseline {path})", path=display) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the baseline file: {exc.strerror or exc}", path=display) from None
    except ValueError as exc:  # not UTF-8, or not JSON
        raise ConfigError(f"not valid JSON ({exc}); {_EXPECTED}", path=display) from None
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise ConfigError(_EXPECTED, path=display)
    if document.get("version") != FORMAT_VERSION:
        raise ConfigError(
            f"baseline format version {document.get('version')!r} is not supported (expected {FORMAT_VERSION}); "
            "write it again with --write-baseline",
            path=display,
        )
    entries = set()
    for number, item in enumerate(document["findings"], start=1):
        try:
            entry = Entry(item["path"], item["code"], item["fingerprint"], item["occurrence"], item.get("message", ""))
        except (KeyError, TypeError):
            entry = None
        if entry is None or not all(isinstance(v, str) for v in (entry.path, entry.code, entry.fingerprint)):
            raise ConfigError(f"finding {number} is malformed; {_EXPECTED}", path=display)
        if type(entry.occurrence) is not int:
            raise ConfigError(f"finding {number}: `occurrence` must be an integer; {_EXPECTED}", path=display)
        entries.add(entry)
    return Baseline(path, frozenset(entries))
