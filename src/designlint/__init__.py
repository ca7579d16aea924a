"""designlint: lint LLM agent tool-dispatcher code against its engineering design."""

import os as _os
import sys as _sys

# `python -m designlint` puts the current directory first on sys.path, so in a checkout of
# untrusted code its `tomllib.py` or `click.py` would be imported (executed) instead of ours.
if _sys.argv[:1] == ["-m"] and _sys.path and _sys.path[0] in ("", _os.getcwd()):
    del _sys.path[0]

from designlint._version import __version__
from designlint.config import Config, ConfigError
from designlint.diagnostics import Diagnostic, Edit, Fix, Position
from designlint.engine import Linter, lint_source
from designlint.project import Project
from designlint.runner import Options, lint_paths

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
