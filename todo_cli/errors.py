"""Domain errors. Each carries the exit code the CLI turns it into."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    NOT_FOUND = 1
    USAGE = 2
    CONFIG = 3
    UNREACHABLE = 4
    SCHEMA = 5
    STORAGE = 6
    OUTPUT = 7
    INTERRUPTED = 130


class TodoError(Exception):
    """An error the user can act on: one line on stderr, then this exit code."""

    exit_code: ExitCode = ExitCode.NOT_FOUND

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(TodoError):
    exit_code = ExitCode.NOT_FOUND
    numbers: list[int] | None = None  # the todo numbers not found, when that was it


_MISSING_SHOWN = 10


def missing_numbers(
    missing: list[int], *, changing: bool = True, owner: str | None = None
) -> NotFoundError:
    """Numbers the user has no todo with (exit 1): the first few, and how
    many more; a change says that nothing was changed. owner: numbers of
    another user's todos (alice/3), which may be missing or not shared."""
    prefix = f"{owner}/" if owner else ""
    listed = ", ".join(f"{prefix}{n}" for n in missing[:_MISSING_SHOWN])
    if len(missing) > _MISSING_SHOWN:
        listed += f" and {len(missing) - _MISSING_SHOWN:,} more"
    plural = "s" if len(missing) > 1 else ""
    outcome = "; nothing was changed" if changing else ""
    if owner:
        error = NotFoundError(
            f"no todo{plural} {listed} shared with you{' to change' if changing else ''}"
            f"{outcome} (see: todo list --shared, todo shares)"
        )
    else:
        error = NotFoundError(f"no todo{plural} numbered {listed}{outcome} (see: todo list --all)")
    error.numbers = missing
    return error


class ConcurrentChangeError(TodoError):
    """Another command changed the same todos meanwhile; nothing was done (exit 1)."""

    exit_code = ExitCode.NOT_FOUND


class InvalidInputError(TodoError):
    exit_code = ExitCode.USAGE


class ConfigError(TodoError):
    exit_code = ExitCode.CONFIG


class DatabaseUnreachableError(TodoError):
    exit_code = ExitCode.UNREACHABLE


class SchemaError(TodoError):
    exit_code = ExitCode.SCHEMA


class StorageError(TodoError):
    """A local file todo needs cannot be read or written: a full disk, a
    permission, a damaged database file (exit 6)."""

    exit_code = ExitCode.STORAGE


class InterruptedAfterSaveError(TodoError):
    """Ctrl-C arrived while the change was on its way to being committed:
    it was saved, and the command stopped after that (exit 130)."""

    exit_code = ExitCode.INTERRUPTED


class OutputError(TodoError):
    """Standard output could not be written (closed, or its disk full); any
    change the command made is saved, and the message says so (exit 7)."""

    exit_code = ExitCode.OUTPUT


class Stop(Exception):
    """End the command now with this exit code: what there was to say was
    said (a question answered no). Not an error: nothing more is printed."""

    def __init__(self, exit_code: ExitCode) -> None:
        super().__init__(int(exit_code))
        self.exit_code = exit_code
