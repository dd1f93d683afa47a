"""The `todo` command line: parse, call the data layer, render.

No SQL here. Commands that touch the database import the data layer inside
the command, so `todo --help`, `whoami` and `profile` never load SQLAlchemy.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

import typer

from todo_cli import (  # noqa: F401  (registers commands)
    cli_admin,
    cli_history,
    cli_setup,
    cli_todos,
    cli_transfer,
    render,
)
from todo_cli.cliapp import GLOBAL_OPTIONS, app
from todo_cli.errors import ExitCode, TodoError

# --- entry point ---------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv) or ["--help"]
    debug = "--debug" in (args[: args.index("--")] if "--" in args else args)
    try:
        rv = app(args=args, prog_name="todo", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
        if code == ExitCode.INTERRUPTED:  # Typer turns Ctrl-C into Exit(130)
            render.err("error", "interrupted; the transaction was rolled back")
        return code
    except TodoError as exc:
        if debug:
            traceback.print_exc()
        render.err("error", exc.message)
        return int(exc.exit_code)
    except typer.TyperException as exc:  # Click's own errors: usage mistakes and the like
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError":  # `todo profile` alone: show its help
            sys.stderr.write(exc.format_message() + "\n")
        else:
            message = exc.format_message()
            hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
            option = getattr(exc, "option_name", None)  # Click's NoSuchOption
            if option in GLOBAL_OPTIONS:
                message = f"No such option: {option}"
                hint = " (global options go before the command: todo --user bob list)"
            render.err("error", message + hint)
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        render.err("error", "interrupted; the transaction was rolled back")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (todo list | head): not an error worth a message.
        sys.stdout = None
        return 0
    except Exception as exc:
        if debug:
            traceback.print_exc()
        render.err(
            "error",
            f"unexpected {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
            "(run with --debug for the traceback, and please report it)",
        )
        return 1
