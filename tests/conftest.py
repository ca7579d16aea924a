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
