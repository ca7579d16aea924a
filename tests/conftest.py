from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


# tests/data holds projects to lint, not tests: some (booby_trapped) must never be imported.
collect_ignore = ["data"]
