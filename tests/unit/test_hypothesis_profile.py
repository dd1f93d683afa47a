"""The Hypothesis profile tests/conftest.py loads: derandomized under
CI=true, so a CI run tries the same examples each time."""

from __future__ import annotations

from hypothesis import settings

from tests.support import IN_CI


def test_the_ci_profile_is_derandomized_and_prints_the_blob() -> None:
    ci = settings.get_profile("ci")
    assert (ci.derandomize, ci.print_blob, ci.database) == (True, True, None)


def test_the_loaded_profile_follows_ci() -> None:
    loaded = settings.default
    assert loaded is not None
    assert (loaded.derandomize, loaded.print_blob) == (IN_CI, IN_CI)
    # A test's own @settings inherit what they leave out.
    assert settings(max_examples=5).derandomize is IN_CI
