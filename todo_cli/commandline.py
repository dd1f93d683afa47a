"""The parts of a command line, as plain data: an Option, an Argument, a
Command. syntax.py holds the table made of them.

Plain classes, not dataclasses: they are on every everyday command's path,
and a dataclass costs its creation at import."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    Takes = Literal["text", "int", "path"]


# Also the cap of --limit and undo N: past 2**63 the drivers overflow (an
# OverflowError, NumericValueOutOfRange), so larger counts are usage errors.
MAX_NUMBER = 2**31 - 1


class Option:
    """An option: its names (--priority -p), the keyword its value goes to,
    and what it takes (None: a flag)."""

    __slots__ = (
        "default", "dest", "help", "high", "low", "many", "names", "offers", "required",
        "show_default", "takes",
    )  # fmt: skip

    def __init__(
        self,
        names: tuple[str, ...],
        dest: str,
        help: str,
        *,
        takes: Takes | None = "text",
        many: bool = False,  # repeatable: a list
        default: object = None,
        required: bool = False,
        show_default: bool = True,
        low: int | None = None,
        high: int | None = None,
        offers: str = "",
    ) -> None:
        self.names, self.dest, self.help, self.takes = names, dest, help, takes
        self.many, self.default, self.required = many, default, required
        self.show_default, self.low, self.high, self.offers = show_default, low, high, offers

    def __repr__(self) -> str:
        return f"Option({'/'.join(self.names)})"


class Argument:
    """A positional argument: one word, or one or more (many)."""

    __slots__ = (
        "default", "dest", "help", "high", "low", "many", "metavar", "offers", "required",
        "takes",
    )  # fmt: skip

    def __init__(
        self,
        dest: str,
        metavar: str | None,
        help: str,
        *,
        many: bool = False,
        required: bool = True,
        takes: Takes = "text",
        default: object = None,
        low: int | None = None,
        high: int | None = None,
        offers: str = "",
    ) -> None:
        self.dest, self.metavar, self.help, self.many = dest, metavar, help, many
        self.required, self.takes, self.default = required, takes, default
        self.low, self.high, self.offers = low, high, offers

    def __repr__(self) -> str:
        return f"Argument({self.dest})"


class Command:
    """A command: its name ("add", or "profile add" in a group), the
    function that runs it ("module:function" under todo_cli.commands), and
    what zsh and fish show beside it (the start of its help)."""

    __slots__ = (
        "aliases", "arguments", "everyday", "examples", "name", "options", "run", "summary",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        run: str,
        summary: str,
        *,
        arguments: tuple[Argument, ...] = (),
        options: tuple[Option, ...] = (),
        aliases: tuple[str, ...] = (),  # hidden; their command's help names them
        examples: tuple[tuple[str, str], ...] = (),
        everyday: bool = False,  # parsed by the fast path (fastpath.py)
    ) -> None:
        self.name, self.run, self.summary = name, run, summary
        self.arguments, self.options, self.aliases = arguments, options, aliases
        self.examples, self.everyday = examples, everyday

    def __repr__(self) -> str:
        return f"Command({self.name})"

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if name in o.names), None)


def flag(names: str, dest: str, help: str) -> Option:
    return Option(tuple(names.split()), dest, help, takes=None, default=False)


def value(names: str, dest: str, help: str, **more: object) -> Option:
    return Option(tuple(names.split()), dest, help, **more)  # type: ignore[arg-type]
