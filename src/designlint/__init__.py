"""designlint: lint LLM agent tool-dispatcher code against its engineering design."""

__version__ = "0.1.0"

from designlint.config import Config, ConfigError  # noqa: E402
from designlint.diagnostics import Diagnostic, Edit, Fix, Position  # noqa: E402
from designlint.engine import Linter, lint_source  # noqa: E402
from designlint.project import Project  # noqa: E402
from designlint.runner import Options, lint_paths  # noqa: E402

__all__ = ["Config", "ConfigError", "Diagnostic", "Edit", "Fix", "Linter", "Options", "Position", "Project", "__version__", "lint_paths", "lint_source"]
