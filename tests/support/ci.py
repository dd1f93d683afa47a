"""Under CI=true a skip is a failure: CI installs everything the suite
needs and runs as root, so a test that skips there hides a gap (a missing
package, a lost privilege) instead of proving anything. Each skip site
fails by itself under CI; this is the net under all of them."""

from __future__ import annotations

import pytest


def skip_fails_in_ci(report: pytest.TestReport, *, in_ci: bool) -> None:
    """Turn a skipped report into a failure, under CI only. An expected
    failure (xfail) is reported as skipped too, and stays as it is."""
    if not (in_ci and report.skipped) or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"CI=true but the test skipped: {reason}"
