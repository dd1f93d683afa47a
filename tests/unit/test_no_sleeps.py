"""No test sleeps to wait for something to happen: tests wait on the event
itself (a held burst, a line printed, a lock waiter), or poll for a state
with a deadline. The only sleeps allowed are the pauses between two polls,
each marked so on its line."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SLEEP = re.compile(r"\b(?:time\.)?sleep\(")
MARK = "# between polls"


def _sleeps() -> list[tuple[str, str]]:
    return [
        (f"{path.relative_to(TESTS.parent)}:{n}", line.strip())
        for path in sorted(TESTS.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SLEEP.search(line.split("#", 1)[0])
    ]


def test_every_sleep_in_the_tests_is_a_pause_between_polls() -> None:
    unmarked = [f"{where}: {line}" for where, line in _sleeps() if MARK not in line]
    assert unmarked == []


def test_the_scan_sees_the_sleeps() -> None:
    """Positive control: the polls of tests/support are found."""
    assert any(where.startswith("tests/support/locks.py:") for where, _ in _sleeps())
