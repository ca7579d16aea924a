from __future__ import annotations

import pytest

# tests/data holds projects to lint, not tests: some (booby_trapped) must never be imported.
collect_ignore = ["data"]


@pytest.fixture(autouse=True)
def private_results_cache(tmp_path_factory, monkeypatch):
    """Every test's CLI runs get a cache of their own: no entries left in the repository,
    none carried from one test (or one monkeypatched rule) to the next."""
    monkeypatch.setenv("DESIGNLINT_CACHE_DIR", str(tmp_path_factory.mktemp("designlint-cache")))
