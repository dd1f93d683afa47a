"""The everyday commands' command lines, parsed from the table (syntax.py)
without Typer: Typer's start-up is most of a short command's time.

parse() understands only what it can parse exactly as Click would: the
global options, then an everyday command (or its alias), then its options
(exact names; --name=value; a value that does not start with -) and
arguments in any order, and -- before arguments that start with -. Anything
else returns None and goes to Typer, which stays the definition: --help,
usage errors, values out of range, clusters of short options (-ab), rarer
commands. tests/unit/test_fastpath.py holds the two to one result over
generated command lines.
"""

from __future__ import annotations

from collections.abc import Sequence

from todo_cli import syntax
from todo_cli.classes import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_DIGITS = frozenset("0123456789")


class Call(NamedTuple):
    """A command line, parsed: the command, the global options given, and
    the keywords its function takes."""

    command: syntax.Command
    options: dict[str, Any]
    given: dict[str, Any]


_GLOBAL = {n: o for o in syntax.GLOBAL if o.dest != "version" for n in o.names}


def parse(args: Sequence[str]) -> Call | None:
    """The call `args` make, or None for Typer to handle."""
    options: dict[str, Any] = {}
    i = 0
    while i < len(args) and args[i].startswith("-"):
        taken = _option(_GLOBAL, args, i)
        if taken is None:
            return None
        option, value, i = taken
        options[option.dest] = value
    command = syntax.NAMED.get(args[i]) if i < len(args) else None
    if command is None or not command.everyday:
        return None
    by_name = {n: o for o in command.options for n in o.names}
    given: dict[str, Any] = {o.dest: o.default for o in command.options}
    positional: list[str] = []
    i += 1
    while i < len(args):
        word = args[i]
        if word == "--":
            positional += args[i + 1 :]
            break
        if word.startswith("-") and word != "-":
            taken = _option(by_name, args, i)
            if taken is None:
                return None
            option, value, i = taken
            if option.many:
                given[option.dest] = [*(given[option.dest] or ()), value]
            else:
                given[option.dest] = value
            continue
        positional.append(word)
        i += 1
    for argument in command.arguments:
        if argument.many:
            if argument.required and not positional:
                return None
            given[argument.dest], positional = positional, []
        elif positional:
            value = _convert(argument.takes, positional.pop(0), argument.low, argument.high)
            if value is None:
                return None
            given[argument.dest] = value
        elif argument.required:
            return None
        else:
            given[argument.dest] = argument.default
    if positional:
        return None
    return Call(command, options, given)


def _option(
    by_name: dict[str, syntax.Option], args: Sequence[str], i: int
) -> tuple[syntax.Option, Any, int] | None:
    """The option at args[i], its value, and where the next word is."""
    word = args[i]
    name, equals, attached = word.partition("=") if word.startswith("--") else (word, "", "")
    option = by_name.get(name)
    if option is None or (not word.startswith("--") and len(word) != 2):
        return None
    if option.takes is None:
        return None if equals else (option, True, i + 1)
    if equals:
        raw, i = attached, i + 1
    elif i + 1 < len(args) and not args[i + 1].startswith("-"):
        raw, i = args[i + 1], i + 2
    else:
        return None
    value = _convert(option.takes, raw, option.low, option.high)
    return None if value is None else (option, value, i)


def _convert(takes: str, raw: str, low: int | None, high: int | None) -> Any:
    if takes == "text":
        return raw
    if takes != "int" or not raw or not set(raw) <= _DIGITS:
        return None
    number = int(raw)
    if (low is not None and number < low) or (high is not None and number > high):
        return None
    return number
