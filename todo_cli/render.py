"""How each kind of result looks: JSON when asked (shapes.py), a Rich table
on a terminal, plain lines in a pipe. Commands hand their data to these
functions with the invocation's Output, which has chosen the form once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from todo_cli import shapes
from todo_cli.output import Output
from todo_cli.safetext import clean, clean_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from rich.table import Table

    from todo_cli.todo import Event, Todo

_PRIORITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}
_UNDID = {
    "add": "removed",
    "import": "removed",
    "rm": "restored",
    "done": "open again",
    "reopen": "done again",
    "edit": "as before",
}


def _escape(text: str) -> str:
    """A database string for a Rich cell: cleaned, then markup escaped."""
    from rich.markup import escape

    return escape(clean(text))


def _local_date(value: datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d")


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M %Z") if value else ""


# --- todos ---------------------------------------------------------------------------


def todos(
    out: Output,
    items: Sequence[Todo],
    *,
    show_status: bool,
    now: datetime,
    me: str | None = None,
) -> None:
    """A list of todos: one per line in a pipe (number<TAB>status<TAB>title),
    a todo shared with me numbered alice/3."""
    if out.form == "json":
        out.json_array(items)
    elif out.form == "plain":
        out.lines(f"{ref(t, me)}\t{'done' if t.done else 'open'}\t{clean(t.title)}" for t in items)
    else:
        columns, _ = out.env.size()
        out.print(_todo_table(items, show_status=show_status, now=now, width=columns, me=me))


_TITLE_MIN = 16  # narrower, and the other columns give way first
_GAP = 2  # spaces between the columns of a table without borders


def _columns(
    items: Sequence[Todo], *, show_status: bool, now: datetime, width: int, me: str | None = None
) -> tuple[set[str], int]:
    """The columns that fit beside the number and the title, which always
    show, and the title's least width: on a narrow terminal the others go,
    least needed first, and then the title gets what is left."""
    from todo_cli.dates import relative

    wanted = {
        "status": 1 if show_status else 0,
        "priority": 3 if any(t.priority for t in items) else 0,
        "due": max([len(relative(t.due, now=now)) for t in items if t.due] or [0]),
        "tags": min(20, max([len(clean(" ".join(t.tags))) for t in items] or [0])),
        "waits": max(
            [len(relative(t.wait, now=now)) for t in items if t.wait and _waiting(t, now)] or [0]
        ),
        "created": 10,
    }
    shown = {name: max(w, len(name) if name != "status" else 1) for name, w in wanted.items() if w}
    number = max(1, *(len(ref(t, me)) for t in items))

    def rest() -> int:
        return number + _GAP + sum(w + _GAP for w in shown.values())

    for drop in ("created", "waits", "tags", "priority", "due", "status"):
        if rest() + _TITLE_MIN <= width:
            break
        shown.pop(drop, None)
    return set(shown), max(1, min(_TITLE_MIN, width - rest()))


def _waiting(t: Todo, now: datetime) -> bool:
    return t.wait is not None and not t.done and t.wait > now


def _todo_table(
    items: Sequence[Todo], *, show_status: bool, now: datetime, width: int, me: str | None = None
) -> Table:
    from rich.table import Table

    from todo_cli.dates import relative

    shown, title_min = _columns(items, show_status=show_status, now=now, width=width, me=me)
    show_status = "status" in shown
    has = {name: name in shown for name in ("priority", "due", "tags", "waits", "created")}
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right", style="cyan", no_wrap=True)
    if show_status:
        table.add_column("", no_wrap=True)
    if has["priority"]:
        table.add_column("Pri", no_wrap=True)
    # Only the title wraps: the narrow columns keep their width at 80 columns.
    table.add_column("Title", overflow="fold", min_width=title_min)
    if has["due"]:
        table.add_column("Due", no_wrap=True)
    if has["tags"]:
        table.add_column("Tags", no_wrap=True, style="blue", overflow="ellipsis", max_width=20)
    if has["waits"]:
        table.add_column("Waits", no_wrap=True, style="dim")
    if has["created"]:
        table.add_column("Created", no_wrap=True, style="dim")
    for t in items:
        cells = [_escape(ref(t, me))]
        if show_status:
            cells.append("[green]✓[/]" if t.done else "·")
        if has["priority"]:
            p = t.priority
            cells.append(f"[{_PRIORITY_STYLE[p]}]{p[0].upper()}[/]" if p else "")
        # ↻: it repeats (`todo show` says how).
        cells.append(_escape(t.title) + (" [dim]↻[/]" if t.every else ""))
        if has["due"]:
            text = relative(t.due, now=now) if t.due else ""
            late = t.due is not None and not t.done and text.startswith("overdue")
            cells.append(f"[red]{text}[/]" if late else text)
        if has["tags"]:
            cells.append(_escape(" ".join(t.tags)))
        if has["waits"]:
            cells.append(relative(t.wait, now=now) if t.wait and _waiting(t, now) else "")
        if has["created"]:
            cells.append(_local_date(t.created_at))
        table.add_row(*cells)
    return table


def todo(out: Output, t: Todo, *, now: datetime, me: str | None = None) -> None:
    """One todo in full, for `todo show`."""
    from todo_cli.dates import relative

    if out.form == "json":
        out.json(shapes.todo_dict(t))
        return
    key_values(
        out,
        [
            ("number", ref(t, me)),
            ("title", clean(t.title)),
            ("status", "done" if t.done else "open"),
            ("priority", t.priority or ""),
            ("due", f"{_when(t.due)} ({relative(t.due, now=now)})" if t.due else ""),
            ("tags", clean(" ".join(t.tags))),
            ("created", _when(t.created_at)),
            ("updated", _when(t.updated_at)),
            ("completed", _when(t.completed_at)),
            *_repeat_rows(t),
        ],
    )
    if t.note:
        # Its own tabs as the spaces they stand for: no control character
        # reaches the terminal, however the note was written.
        note = t.note.replace("\r\n", "\n").expandtabs(4)
        lines = [f"  {line}".rstrip() for line in clean_lines(note)]
        out.lines(["note", *(part for line in lines for part in _wrap(out, line))])


def _repeat_rows(t: Todo) -> list[tuple[str, str]]:
    """show's lines for a repeating or waiting todo (none for the others)."""
    rows = []
    if t.every and t.due:
        from todo_cli import recurrence

        rule = recurrence.parse(t.every)
        rows.append(("repeats", recurrence.describe(rule)))
        if rule.from_done:
            rows.append(("next due", f"{recurrence.describe_step(rule)} after it is done"))
        else:
            try:
                following = recurrence.next_due(t.due, rule, anchor=t.anchor, clock=t.clock)
            except (ValueError, OverflowError):  # past the year 9999: the series ends there
                following = None
            past = following is None or (t.until is not None and following > t.until)
            rows.append(("next due", "none (the repeat ends)" if past else _when(following)))
        if t.until:
            rows.append(("until", _when(t.until)))
    if t.wait:
        each = " each" if t.every else ""
        before = t.wait_before()
        lead = f" ({before} before{each} due)" if before else ""
        rows.append(("waits until", _when(t.wait) + lead))
    return rows


def added(out: Output, items: Sequence[Todo], *, many: bool, me: str | None = None) -> None:
    """What `add` made: its number in a pipe, a sentence at a terminal
    (alice/3 for one added to another's list)."""
    if out.form == "json":
        out.json([shapes.todo_dict(t) for t in items] if many else shapes.todo_dict(items[0]))
    elif out.form == "plain":
        out.lines(ref(t, me) for t in items)
    elif len(items) == 1:
        out.line(f"Added {ref(items[0], me)}: {clean(items[0].title)}")
    else:
        out.line(f"Added {len(items)} todos: {ref(items[0], me)}-{items[-1].number}")


def ref(t: Todo, me: str | None) -> str:
    """How the user names a todo: 3, or alice/3 for one shared with them."""
    return clean(f"{t.owner}/{t.number}") if t.owner and t.owner != me else str(t.number)


def changed(
    out: Output,
    results: Sequence[tuple[Todo, str]],
    *,
    made: Sequence[Todo] = (),
    me: str | None = None,
) -> None:
    """What edit, done, reopen and rm did: a sentence a todo, or their JSON
    (the todos asked for; the next ones of repeating todos are in `list`)."""
    if out.form == "json":
        out.json([shapes.todo_dict(t) for t, _ in results])
        return
    out.lines(f"{verb} {ref(t, me)}: {clean(t.title)}" for t, verb in results)
    out.lines(
        f"Next {ref(t, me)}: {clean(t.title)}" + (f" (due {_when(t.due)})" if t.due else "")
        for t in made
    )


# --- history -----------------------------------------------------------------------


def events(out: Output, items: Sequence[Event]) -> None:
    """`todo log`: ID<TAB>AT<TAB>ACTION<TAB>SUMMARY in a pipe, a table at a terminal."""
    if out.form == "json":
        out.json([shapes.event_dict(e) for e in items])
    elif out.form == "plain":
        out.lines(
            f"{e.id}\t{shapes.iso(e.at)}\t{clean(e.action)}\t{clean(e.summary)}"
            + ("\tundone" if e.undone_at else "")
            for e in items
        )
    else:
        out.print(_history_table(items, width=out.env.size()[0]))


def _history_table(items: Sequence[Event], *, width: int) -> Table:
    from rich.table import Table

    undone = any(e.undone_at for e in items)
    # What the other columns take; a table wider than the terminal would
    # have its lines cut, words and all. Narrow, the year goes first.
    rest = max(len(str(e.id)) for e in items) + 16 + 6 + 3 * _GAP + (6 + _GAP) * undone
    when_format = "%Y-%m-%d %H:%M" if width - rest >= _TITLE_MIN else "%m-%d %H:%M"
    rest -= 0 if when_format.startswith("%Y") else 5
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right", style="cyan", no_wrap=True)
    table.add_column("When", no_wrap=True, style="dim")
    table.add_column("Change", no_wrap=True)
    table.add_column("Todos", overflow="fold", min_width=max(1, min(_TITLE_MIN, width - rest)))
    if undone:
        table.add_column("", no_wrap=True, style="dim")
    for e in items:
        when = e.at.astimezone().strftime(when_format)
        mark = ["undone" if e.undone_at else ""] if undone else []
        table.add_row(str(e.id), when, _escape(e.action), _escape(e.summary), *mark)
    return table


def undone(out: Output, items: Sequence[Event]) -> None:
    if out.form == "json":
        out.json([shapes.event_dict(e) for e in items])
    else:
        out.lines(f"Undid {e.action} {clean(e.summary)} ({_UNDID[e.action]})" for e in items)


# --- the rest ----------------------------------------------------------------------


def key_values(out: Output, rows: Sequence[tuple[str, str]], data: Any = None) -> None:
    """`key  value` lines (whoami, show, db status); `data` as JSON when asked."""
    if out.form == "json" and data is not None:
        out.json(data)
        return
    width = max(len(k) for k, _ in rows)
    out.lines(
        line
        for key, value in rows
        for line in _wrap(out, f"{key.ljust(width)}  {value}", indent=width + 2)
    )


def _wrap(out: Output, line: str, *, indent: int = 2) -> list[str]:
    """A line as a terminal of out's width shows it: broken at spaces
    within the width, the next lines indented; a word longer than a line is
    folded. A pipe gets it whole (and Rich is not imported for it)."""
    if out.form != "table":
        return [line]
    from rich.cells import cell_len

    columns = out.env.size()[0]
    if cell_len(line) <= columns:
        return [line]
    pad = " " * min(indent, columns // 2)
    lead = line[: len(line) - len(line.lstrip(" "))]
    lines: list[str] = []
    current = lead
    for word in line.lstrip(" ").split(" "):
        joined = f"{current} {word}" if current.strip() else current + word
        if cell_len(joined) <= columns or not current.strip():
            current = joined
        else:
            lines.append(current)
            current = pad + word
        while cell_len(current) > columns:
            cut = next(i for i in range(len(current), 0, -1) if cell_len(current[:i]) <= columns)
            lines.append(current[:cut])
            current = pad + current[cut:]
    return [*lines, current]


# --- stats -------------------------------------------------------------------------

_BAR = 30  # characters of the longest bar
_SPARKS = "▁▂▃▄▅▆▇█"


def stats(
    out: Output, data: Any, weeks: list[tuple[date, int]], days: list[tuple[date, int]]
) -> None:
    """`todo stats`: the JSON of the numbers, or four small pictures."""
    if out.form == "json":
        out.json(shapes.stats_dict(data, weeks, days))
        return
    most = max([n for _, n in weeks] or [0]) or 1
    # The longest bar, its date and its count fit a terminal's line.
    bar = (
        _BAR if out.form != "table" else max(1, min(_BAR, out.env.size()[0] - 15 - len(str(most))))
    )
    lines = ["Completed per week"]
    lines += [
        f"  {start:%Y-%m-%d}  {'█' * round(n / most * bar) or ('▏' if n else '')}"
        f"{' ' if n else ''}{n if n else ''}".rstrip()
        for start, n in weeks
    ]
    by = data.open_by_priority
    lines += [
        "",
        f"Open: {data.open} (high {by['high']}, medium {by['medium']}, low {by['low']}, "
        f"none {by['none']}); overdue {data.overdue}",
    ]
    oldest = []
    if data.oldest:
        width = max(len(str(n)) for n, _, _ in data.oldest)
        oldest = [
            part
            for n, title, at in data.oldest
            for part in _wrap(
                out,
                f"  {str(n).rjust(width)}  {_local_date(at)}  {clean(title)}",
                indent=width + 16,
            )
        ]
    lines += ["", "Oldest open", *oldest] if oldest else []
    counts = [n for _, n in days]
    low, high = min(counts), max(counts)
    spread = (high - low) or 1
    spark = "".join(_SPARKS[round((n - low) / spread * (len(_SPARKS) - 1))] for n in counts)
    lines += [
        "",
        f"Open todos, last {len(days)} days: {counts[0]} -> {counts[-1]} (min {low}, max {high})",
        f"  {spark}",
        f"  {days[0][0]:%Y-%m-%d}{' ' * max(1, len(days) - 20)}{days[-1][0]:%Y-%m-%d}",
    ]
    out.lines(part for line in lines for part in _wrap(out, line))
