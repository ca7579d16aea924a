"""designlint: lint LLM agent tool-dispatcher code against its engineering design."""

import os as _os
import sys as _sys

# `python -m designlint` puts the current directory first on sys.path, so in a checkout of
# untrusted code its `tomllib.py` or `click.py` would be imported (executed) instead of ours.
if _sys.argv[:1] == ["-m"] and _sys.path and _sys.path[0] in ("", _os.getcwd()):
    del _sys.path[0]

from designlint._version import __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (a third of the interpreter's start-up)

if TYPE_CHECKING:  # what __getattr__ below gives, for type checkers
    from designlint.config import Config, ConfigError
    from designlint.diagnostics import Diagnostic, Edit, Fix, Position
    from designlint.engine import Linter, lint_source
    from designlint.project import Project
    from designlint.runner import Options, lint_paths

# The public API, imported on first use: the CLI imports this package on every start, and
# `--version`, `rules` or a warm run need none of the linter (LibCST, the rules).
_API = {
    "Config": "designlint.config",
    "ConfigError": "designlint.config",
    "Diagnostic": "designlint.diagnostics",
    "Edit": "designlint.diagnostics",
    "Fix": "designlint.diagnostics",
    "Position": "designlint.diagnostics",
    "Linter": "designlint.engine",
    "lint_source": "designlint.engine",
    "Project": "designlint.project",
    "Options": "designlint.runner",
    "lint_paths": "designlint.runner",
}

__all__ = [
    "Config",
    "ConfigError",
    "Diagnostic",
    "Edit",
    "Fix",
    "Linter",
    "Options",
    "Position",
    "Project",
    "__version__",
    "lint_paths",
    "lint_source",
]


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'designlint' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
