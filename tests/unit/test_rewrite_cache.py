"""tests/conftest.py lets pytest cache its rewritten test modules, even
under PYTHONDONTWRITEBYTECODE: the suite's workers then read them instead
of each rewriting every assert (README: Development)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest


def test_this_module_was_cached_as_pytest_rewrote_it() -> None:
    here = Path(__file__)
    tag = sys.implementation.cache_tag
    cached = here.parent / "__pycache__" / f"{here.stem}.{tag}-pytest-{pytest.__version__}.pyc"
    assert cached.exists(), sorted(p.name for p in cached.parent.glob("*.pyc"))


def test_a_passing_tests_folder_goes_at_its_teardown(request: pytest.FixtureRequest) -> None:
    """pyproject.toml: each worker deletes its passing tests' tmp_path as it
    goes, not pytest's exit a whole run's folders, alone, three runs later."""
    assert request.config.getini("tmp_path_retention_policy") == "failed"
