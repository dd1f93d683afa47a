"""What several commands take: option types, todo numbers, dates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from todo_cli.errors import InvalidInputError

# Also the cap of --limit and undo N: past 2**63 the drivers overflow (an
# OverflowError, NumericValueOutOfRange), so larger counts are usage errors.
MAX_NUMBER = 2**31 - 1
MAX_RANGE = 10_000  # numbers one range may span: 1-10000 is the widest

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON to stdout.")]
NumbersArg = Annotated[
    list[str],
    typer.Argument(
        metavar="NUMBERS...", help="Todo numbers: 3, 3 4, 1-3,7; shared with you: alice/3."
    ),
]
PriorityOpt = Annotated[
    str | None,
    typer.Option("--priority", "-p", help="high, medium or low (h, m, l).", show_default=False),
]
DueOpt = Annotated[
    str | None,
    typer.Option(
        "--due", "-d", help="When: today, fri, in 3 days, 2026-12-24, tomorrow 9am...",
        show_default=False,
    ),
]  # fmt: skip
NoteOpt = Annotated[str | None, typer.Option("--note", "-n", help="Free text.", show_default=False)]
EveryOpt = Annotated[
    str | None,
    typer.Option(
        "--every", help="Repeat: day, week, month, year, 2w, 3 days, weekday, mon,thu.",
        show_default=False,
    ),
]  # fmt: skip
FromDoneOpt = Annotated[
    bool, typer.Option("--from-done", help="Count the next due date from the day it is done.")
]
UntilOpt = Annotated[
    str | None,
    typer.Option("--until", help="The last date a repeat may fall on.", show_default=False),
]
WaitOpt = Annotated[
    str | None,
    typer.Option(
        "--wait", help="Hide from the list until WHEN, or \"3 days before\" each due.",
        show_default=False,
    ),
]  # fmt: skip


def parse_refs(args: Sequence[str], me: str) -> tuple[str | None, list[int]]:
    """'3 4', '1-3,7', 'alice/3', 'alice/3,5' -> (owner, numbers): None for
    my own todos, the owner's name for todos shared with me (one owner at a
    time)."""
    owners = set()
    plain = []
    for arg in args:
        owner, slash, rest = arg.rpartition("/")
        if slash and not owner:
            raise InvalidInputError(f"{arg!r}: a shared todo is OWNER/NUMBER, e.g. alice/3")
        owners.add(None if not slash or owner == me else owner)
        plain.append(rest if slash else arg)
    if len(owners) > 1:
        raise InvalidInputError(
            "one owner's todos at a time: give yours and each owner's in separate commands"
        )
    return owners.pop() if owners else None, parse_numbers(plain)


def parse_numbers(args: Sequence[str]) -> list[int]:
    """'3', '3 4', '1-3,7' -> [1, 2, 3, 7]; anything else is exit 2."""
    result: list[int] = []
    for arg in args:
        for part in arg.split(","):
            lo, sep, hi = part.strip().partition("-")
            if sep and lo:
                first, last = _number(lo, part), _number(hi, part)
                if last < first:
                    raise InvalidInputError(f"bad range {part!r}: use LOW-HIGH, e.g. 1-3")
                if last - first >= MAX_RANGE:
                    raise InvalidInputError(
                        f"the range {part!r} spans {last - first + 1:,} numbers; one range spans "
                        f"at most {MAX_RANGE:,} (split it, e.g. 1-10000 10001-20000)"
                    )
                result.extend(range(first, last + 1))
            else:
                result.append(_number(part.strip(), part))
    return result


def _number(text: str, whole: str) -> int:
    if (
        not (text.isascii() and text.isdigit())
        or len(text) > 10
        or not 1 <= int(text) <= MAX_NUMBER
    ):
        raise InvalidInputError(
            f"{whole!r} is not a todo number: use positive whole numbers like 3, 3 4 or 1-3,7"
        )
    return int(text)
