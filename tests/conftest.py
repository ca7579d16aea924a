from __future__ import annotations

from pathlib import Path

import pytest

# tests/data holds projects to lint, not tests: some (booby_trapped) must never be imported.
collect_ignore = ["data"]


@pytest.fixture(scope="session")
def key_file(tmp_path_factory) -> Path:
    """Where the test run's secret for signing cache entries is kept (not the user's own)."""
    return tmp_path_factory.mktemp("designlint-key") / "key"


@pytest.fixture(autouse=True)
def private_results_cache(tmp_path_factory, monkeypatch, key_file):
    """Every test's CLI runs get a cache of their own: no entries left in the repository,
    none carried from one test (or one monkeypatched rule) to the next."""
    monkeypatch.setenv("DESIGNLINT_CACHE_DIR", str(tmp_path_factory.mktemp("designlint-cache")))
    monkeypatch.setenv("DESIGNLINT_KEY_FILE", str(key_file))


# Modules whose tests drive external processes (a language server over stdio, pre-commit
# building virtualenvs, flake8 and designlint run as commands): `pytest -m "not slow"` leaves
# them out of the inner loop; CI runs everything.
SLOW_MODULES = frozenset({"test_lsp", "test_pre_commit", "test_flake8_plugin", "test_commands"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module is not None and item.module.__name__.rpartition(".")[2] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
