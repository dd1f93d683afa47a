"""What several commands take: todo numbers, mine and shared (alice/3)."""

from __future__ import annotations

from collections.abc import Sequence

from todo_cli.errors import InvalidInputError
from todo_cli.syntax import MAX_NUMBER

MAX_RANGE = 10_000  # numbers one range may span: 1-10000 is the widest


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
