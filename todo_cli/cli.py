"""The `todo` command line: main(argv, environment) parses, calls, renders,
and turns every failure into one line on stderr and its exit code.

An everyday command line is parsed by the fast path (fastpath.py) and runs
without importing Typer, Click or Rich; any other goes to the Typer app
(app.py). Commands import the data layer inside the command, so `todo
--help`, `whoami` and `profile` never load a database driver.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence

from todo_cli.context import Invocation
from todo_cli.environment import Environment
from todo_cli.errors import ExitCode, Stop, TodoError
from todo_cli.output import ReaderGone

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def main(argv: Sequence[str] | None = None, environment: Environment | None = None) -> int:
    """Run one command; return its exit code (README: Exit codes)."""
    from todo_cli.fastpath import parse

    environment = environment or Environment.from_process()
    args = list(sys.argv[1:] if argv is None else argv) or ["--help"]
    if args[0] == "__complete":  # a shell waiting on TAB (entry.py goes there directly)
        from todo_cli.completion import main as complete

        return complete(args[1:], environment.stdout)
    inv = Invocation(environment)
    inv.offline_mode = _offline_mode  # OFFLINE (issue 22)
    out = inv.out
    debug = "--debug" in (args[: args.index("--")] if "--" in args else args)
    code: int
    try:
        call = parse(args)
        if call is not None:
            from todo_cli.commands import call as run

            for name, value in call.options.items():
                setattr(inv, name, value)
            run(call.command, inv, call.given)
            code = 0
        else:
            from todo_cli.app import run_typer

            code = run_typer(args, inv)
        out.flush()
    except ReaderGone:
        code = _reader_gone(environment)
    except Stop as exc:
        code = int(exc.exit_code)
    except TodoError as exc:
        code = _todo_error(inv, exc, debug)
    except KeyboardInterrupt:
        # After the change was saved (or queued), saying "nothing was
        # changed" would have it typed again, and made twice.
        out.error(
            f"interrupted after the change was saved ({out.saved})"
            if out.saved
            else "interrupted; nothing was changed"
        )
        code = ExitCode.INTERRUPTED
    except Exception as exc:
        if debug:
            import traceback

            out.raw_error(traceback.format_exc())
        first = str(exc).splitlines()[0] if str(exc) else ""
        advice = (
            "please report it"
            if debug
            else "run with --debug for the traceback, and please report it"
        )
        out.error(f"unexpected {type(exc).__name__}: {first} ({advice})")
        code = 1
    return int(code)


def _todo_error(inv: Invocation, exc: TodoError, debug: bool) -> int:
    if debug:
        import traceback

        inv.out.raw_error(traceback.format_exc())
    with contextlib.suppress(ReaderGone, TodoError):
        inv.out.flush()  # what was printed before the error still goes out
    inv.out.error(exc.message)
    return int(exc.exit_code)


def _reader_gone(environment: Environment) -> int:
    """The reader of stdout went away: nothing more to say, and nothing
    failed. What is left in the buffer cannot be written: drop it."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, environment.stdout.fileno())
    return int(ExitCode.OK)


def _offline_mode(inv: Invocation) -> Any:
    """OFFLINE: offline mode on PostgreSQL (todo_cli/offline), made when a
    command first reaches for the database."""
    from todo_cli.offline import hook

    return hook(inv)
