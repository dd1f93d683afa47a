"""Under CI=true a skipped test is a failure; elsewhere it stays a skip,
and an expected failure (xfail) stays what it is in both."""

from __future__ import annotations

import pytest

from tests.support.ci import skip_fails_in_ci


def skipped(reason: str, **extra: str) -> pytest.TestReport:
    report = pytest.TestReport(
        "tests/unit/test_ci_skips.py::test_x", ("tests/unit/test_ci_skips.py", 1, "test_x"), {}, "skipped",
        ("tests/unit/test_ci_skips.py", 2, f"Skipped: {reason}"), "setup",
    )  # fmt: skip
    for name, value in extra.items():
        setattr(report, name, value)
    return report


def test_a_skip_under_ci_is_a_failure_that_says_why() -> None:
    report = skipped("pgbouncer is not installed")
    skip_fails_in_ci(report, in_ci=True)
    assert (report.outcome, report.longrepr) == (
        "failed",
        "CI=true but the test skipped: Skipped: pgbouncer is not installed",
    )


def test_a_skip_elsewhere_stays_a_skip() -> None:
    report = skipped("needs root")
    skip_fails_in_ci(report, in_ci=False)
    assert report.outcome == "skipped"


def test_an_expected_failure_stays_one_under_ci() -> None:
    report = skipped("", wasxfail="reason: render.py must change")
    skip_fails_in_ci(report, in_ci=True)
    assert report.outcome == "skipped"


def test_the_conftest_hook_applies_it_to_every_report(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import conftest

    monkeypatch.setattr(conftest, "IN_CI", True)
    report = skipped("faketime is not installed")

    class Outcome:
        def get_result(self) -> pytest.TestReport:
            return report

    wrapper = conftest.pytest_runtest_makereport()
    next(wrapper)
    with pytest.raises(StopIteration):
        wrapper.send(Outcome())
    assert report.outcome == "failed"
