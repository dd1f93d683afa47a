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
    INTERRUPTED = 130


class TodoError(Exception):
    """An error the user can act on: one line on stderr, then this exit code."""

    exit_code: ExitCode = ExitCode.NOT_FOUND

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(TodoError):
    exit_code = ExitCode.NOT_FOUND


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
