"""What add and edit take as text, read: dates, repeats and waits. Pure:
no Typer, no database (the edit form reads the same fields)."""

from __future__ import annotations

from datetime import datetime

from todo_cli.errors import InvalidInputError
from todo_cli.todo import check_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def parse_when(text: str, now: datetime) -> datetime:
    from todo_cli.dates import parse_due

    return parse_due(check_text("date", text), now=now)


def repeat_fields(
    now: datetime,
    *,
    every: str | None,
    from_done: bool,
    until: str | None,
    wait: str | None,
) -> dict[str, Any]:
    """add's and edit's --every, --from-done, --until and --wait, read: the
    store's fields of those given (until and wait: "none" clears them)."""
    fields: dict[str, Any] = {}
    if every is not None:
        from todo_cli.recurrence import parse

        fields["every"] = parse(check_text("repeat", every), from_done=from_done).spec
    elif from_done:
        raise InvalidInputError("--from-done goes with --every, e.g. --every 2w --from-done")
    if until is not None:
        fields["until"] = None if _none(until) else parse_when(until, now)
    if wait is not None:
        from todo_cli.recurrence import parse_lead

        lead = None if _none(wait) else parse_lead(check_text("date", wait))
        if lead is not None:
            fields["wait_lead"] = lead
        else:
            fields["wait"] = None if _none(wait) else _wait_from(parse_when(wait, now))
    return fields


def new_repeat(
    now: datetime,
    *,
    due: datetime | None,
    every: str | None,
    from_done: bool,
    until: str | None,
    wait: str | None,
) -> dict[str, Any]:
    """add's repeat and wait, read and checked against its due date: a new
    todo's until needs a repeat, and a lead counts back from a due date."""
    fields = repeat_fields(now, every=every, from_done=from_done, until=until, wait=wait)
    if fields.get("until") and not fields.get("every"):
        raise InvalidInputError("--until ends a repeat: give --every too")
    if fields.get("wait_lead") and not (due or fields.get("every")):
        raise InvalidInputError(f"--wait {wait!r} counts back from the due date: give --due too")
    return fields


def _wait_from(when: datetime) -> datetime:
    """A day without a time waits until that day begins (a due date means
    its end)."""
    from todo_cli.dates import END_OF_DAY

    local = when.astimezone()
    if local.time() != END_OF_DAY:
        return when
    return datetime.combine(local.date(), datetime.min.time()).astimezone().astimezone(when.tzinfo)


def _none(text: str) -> bool:
    return text.strip().lower() in ("none", "-")
