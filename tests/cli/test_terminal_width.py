"""What a terminal shows fits its width: lines wrap at word boundaries (as
`list` does), nothing is cut or lost, wide characters keep their columns on
a stream that cannot write them, and TERM=dumb still has the real width."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from rich.cells import cell_len

from tests.support.inprocess import InProcess, timezone
from todo_cli.cli import main
from todo_cli.environment import Environment

LONG = "A rather long title that goes on and on past the edge of a narrow terminal"
WIDE = "买牛奶和面包买牛奶和面包买牛奶和面包"


@pytest.fixture
def narrow(todo: InProcess) -> InProcess:
    todo.env.update(TZ="UTC", NO_COLOR="1")
    todo.clock = lambda: datetime(2026, 11, 25, 9, tzinfo=UTC)
    todo.ok("add", LONG, "-d", "tomorrow", "-t", "work", "--note", "a short note")
    todo.ok("add", WIDE)
    todo.ok("add", "Pay rent")
    todo.ok("done", "2", "3")
    return todo


def _fits(screen: str, width: int) -> list[str]:
    lines = screen.splitlines()
    assert all(cell_len(line) <= width for line in lines), "\n".join(lines)
    return lines


def _words_whole(screen: str, text: str) -> None:
    """Every word of text is on the screen whole, in order."""
    tokens = screen.split()
    for word in text.split():
        assert word in tokens, (word, screen)


@pytest.mark.parametrize("width", [40, 50])
def test_log_wraps_at_words_and_loses_nothing(narrow: InProcess, width: int) -> None:
    _, screen = narrow.tty("log", env={"COLUMNS": str(width)})
    _fits(screen, width)
    _words_whole(screen, LONG)
    # The add of 2 names it; the done of 2 and 3 does not.
    assert "".join(c for c in screen if "\u4e00" <= c <= "\u9fff") == WIDE


@pytest.mark.parametrize("width", [40, 50])
def test_show_wraps_values_under_themselves(narrow: InProcess, width: int) -> None:
    _, screen = narrow.tty("show", "1", env={"COLUMNS": str(width)})
    lines = _fits(screen, width)
    _words_whole(screen, LONG)
    assert "(tomorrow)" in screen.split()
    # A value's next line starts under the value, not under the key.
    title = next(i for i, line in enumerate(lines) if line.startswith("title"))
    assert lines[title + 1].startswith(" " * 11)
    assert lines[title + 1].strip()


def test_stats_fits_and_keeps_its_bars_whole(narrow: InProcess) -> None:
    _, screen = narrow.tty("stats", env={"COLUMNS": "40"})
    lines = _fits(screen, 40)
    (bar,) = [line for line in lines if line.startswith("  2026-") and "█" in line]
    assert bar.startswith("  2026-11-23  █")
    assert bar.endswith("█ 2")
    _words_whole(screen, LONG)
    _words_whole(screen, "Open todos, last 30 days: 0 -> 1 (min 0, max 1)")


def test_plain_output_never_wraps(narrow: InProcess) -> None:
    assert narrow.ok("show", "1", env={"COLUMNS": "40"}).splitlines()[1] == f"title      {LONG}"


def _terminal(todo: InProcess, *args: str, encoding: str, **environ: str) -> str:
    """args on a terminal whose stream writes `encoding` (PYTHONIOENCODING)."""
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding=encoding, errors="replace")
    env = Environment(
        io.StringIO(),
        stdout,
        stdout,
        stdout_isatty=True,
        stderr_isatty=True,
        environ={**todo.env, **environ},
        cwd=todo.cwd,
        terminal=lambda: (100, 30),
        clock=todo.clock or (lambda: datetime.now(UTC)),
    )
    with timezone(todo.env.get("TZ")):
        assert main(list(args), env) == 0
    stdout.flush()
    return raw.getvalue().decode(encoding)


def test_a_stream_that_cannot_write_wide_characters_keeps_the_columns(
    narrow: InProcess,
) -> None:
    narrow.ok("reopen", "2", "3")
    screen = _terminal(narrow, "list", "--sort", "number", encoding="ascii")
    head, *lines = screen.splitlines()
    rows = [line for line in lines if line.lstrip()[:1].isdigit()]
    assert "?" * (2 * len(WIDE)) in rows[1]
    column = head.index("Created")
    assert [row.index("2026-11-25") for row in rows] == [column] * 3, screen


def test_term_dumb_has_the_real_width(narrow: InProcess) -> None:
    screen = _terminal(narrow, "list", encoding="utf-8", TERM="dumb")
    # The long title takes what the terminal has: 100 columns, not 80.
    assert max(cell_len(line) for line in screen.splitlines()) > 90, screen
