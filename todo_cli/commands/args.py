"""What several commands take: option types, todo numbers, dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import typer

from todo_cli.errors import InvalidInputError

MAX_NUMBER = 2**31 - 1
MAX_RANGE = 10_000  # numbers one range may span: 1-10000 is the widest

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON to stdout.")]
NumbersArg = Annotated[
    list[str], typer.Argument(metavar="NUMBERS...", help="Todo numbers: 3, 3 4, 1-3,7.")
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


def parse_when(text: str, now: datetime) -> datetime:
    from todo_cli.dates import parse_due

    return parse_due(text, now=now)
