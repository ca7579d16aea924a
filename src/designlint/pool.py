"""A ``Linter`` per configuration, built once for a run (the CLI's, in each worker process), a
flake8 process or a language-server session, and shared by all the files linted with it."""

from __future__ import annotations

from designlint.config import Config
from designlint.engine import Linter
from designlint.project import FactStore, Project


class LinterPool:
    """Each ``Linter`` has its own ``Project``, which reads other modules of the project (the
    error enum) once and keeps them: a pool lives no longer than those modules may be taken
    as unchanged. A new run, or an editor that saw a module saved, starts a new pool."""

    def __init__(self, facts: FactStore | None = None, *, noqa: bool = True, keep_parses: int = 0):
        self._facts = facts  # where the projects keep facts across runs (the results cache)
        self._noqa = noqa  # False: the host (flake8) reads the noqa comments itself
        self._keep_parses = keep_parses  # the last modules of this many paths, for an editor's next lint
        self._linters: dict[Config, Linter] = {}

    def linter_for(self, config: Config) -> Linter:
        linter = self._linters.get(config)
        if linter is None:
            project = Project.from_root(config.root, self._facts)
            linter = self._linters[config] = Linter(
                config, project=project, noqa=self._noqa, keep_parses=self._keep_parses
            )
        return linter
