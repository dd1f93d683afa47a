"""Output: Rich tables on a terminal, plain lines in a pipe, JSON on request.

Data goes to stdout; messages and errors go to stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from todo_cli.shapes import dumps

if TYPE_CHECKING:
    from rich.console import Console

    from todo_cli.todo import Todo


def emit_json(data: Any) -> None:
    sys.stdout.write(dumps(data) + "\n")


def screenful() -> int:
    """How many todos fit on the screen (a pipe counts as 50 lines, or $LINES)."""
    import shutil

    return max(5, shutil.get_terminal_size(fallback=(80, 50)).lines - 3)


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def err(kind: str, message: str) -> None:
    sys.stderr.write(f"todo: {kind}: {message}\n")


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def color_disabled() -> bool:
    return bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"


def _console() -> Console:
    from rich.console import Console

    # NO_COLOR users want plain text: drop bold and dim too, not only colour.
    return Console(color_system=None if color_disabled() else "auto", highlight=False)


def _local_date(value: datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d")


_PRIORITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}


def todo_list(todos: Sequence[Todo], *, show_status: bool) -> None:
    """A table on a terminal; otherwise one todo per line: number<TAB>status<TAB>title."""
    if not stdout_is_tty():
        for t in todos:
            out(f"{t.number}\t{'done' if t.done else 'open'}\t{t.title}")
        return
    from rich.table import Table

    from todo_cli.dates import relative

    has = {
        "priority": any(t.priority for t in todos),
        "due": any(t.due for t in todos),
        "tags": any(t.tags for t in todos),
    }
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right", style="cyan", no_wrap=True)
    if show_status:
        table.add_column("", no_wrap=True)
    if has["priority"]:
        table.add_column("Pri", no_wrap=True)
    # Only the title wraps: the narrow columns keep their width at 80 columns.
    table.add_column("Title", overflow="fold", min_width=16)
    if has["due"]:
        table.add_column("Due", no_wrap=True)
    if has["tags"]:
        table.add_column("Tags", no_wrap=True, style="blue", overflow="ellipsis", max_width=20)
    table.add_column("Created", no_wrap=True, style="dim")
    for t in todos:
        cells = [str(t.number)]
        if show_status:
            cells.append("[green]✓[/]" if t.done else "·")
        if has["priority"]:
            p = t.priority
            cells.append(f"[{_PRIORITY_STYLE[p]}]{p[0].upper()}[/]" if p else "")
        cells.append(_escape(t.title))
        if has["due"]:
            text = relative(t.due) if t.due else ""
            late = t.due is not None and not t.done and text.startswith("overdue")
            cells.append(f"[red]{text}[/]" if late else text)
        if has["tags"]:
            cells.append(_escape(" ".join(t.tags)))
        cells.append(_local_date(t.created_at))
        table.add_row(*cells)
    _console().print(table)


def todo_detail(t: Todo) -> None:
    """One todo in full, for `todo show`."""
    from todo_cli.dates import relative

    def when(value: datetime | None) -> str:
        return value.astimezone().strftime("%Y-%m-%d %H:%M %Z") if value else ""

    rows = [
        ("number", str(t.number)),
        ("title", t.title),
        ("status", "done" if t.done else "open"),
        ("priority", t.priority or ""),
        ("due", f"{when(t.due)} ({relative(t.due)})" if t.due else ""),
        ("tags", " ".join(t.tags)),
        ("created", when(t.created_at)),
        ("updated", when(t.updated_at)),
        ("completed", when(t.completed_at)),
    ]
    key_values(rows)
    if t.note:
        out("note")
        for line in t.note.splitlines():
            out(f"  {line}")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def key_values(rows: Sequence[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        out(f"{key.ljust(width)}  {value}")


def history_table(rows: Sequence[tuple[str, str, str, str, str]]) -> None:
    """`todo log` on a terminal: #, when, change, todos, undone."""
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right", style="cyan", no_wrap=True)
    table.add_column("When", no_wrap=True, style="dim")
    table.add_column("Change", no_wrap=True)
    table.add_column("Todos", overflow="fold", min_width=16)
    undone = any(r[4] for r in rows)
    if undone:
        table.add_column("", no_wrap=True, style="dim")
    for number, when, change, todos, mark in rows:
        table.add_row(number, when, change, _escape(todos), *([mark] if undone else []))
    _console().print(table)
