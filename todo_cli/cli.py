"""The `todo` command line: main(argv, environment) parses, calls, renders,
and turns every failure into one line on stderr and its exit code.

Commands import the data layer inside the command, so `todo --help`,
`whoami` and `profile` never load a database driver.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence

import typer

from todo_cli.app import GLOBAL_OPTIONS, Env, Environment, build
from todo_cli.errors import ExitCode, TodoError
from todo_cli.output import ClickStream, ReaderGone


def main(argv: Sequence[str] | None = None, environment: Environment | None = None) -> int:
    """Run one command; return its exit code (README: Exit codes)."""
    environment = environment or Environment.from_process()
    args = list(sys.argv[1:] if argv is None else argv) or ["--help"]
    env = Env(environment)
    out = env.out
    debug = "--debug" in (args[: args.index("--")] if "--" in args else args)
    code: int
    # Click writes help and usage to sys.stdout/sys.stderr: point them at
    # this invocation's streams (stdout through the Output).
    with (
        contextlib.redirect_stdout(ClickStream(out)),
        contextlib.redirect_stderr(environment.stderr),
    ):
        try:
            rv = build()(args=args, prog_name="todo", standalone_mode=False, obj=env)
            code = rv if isinstance(rv, int) else 0
            if code == ExitCode.INTERRUPTED:  # Click turns Ctrl-C into Exit(130)
                out.error("interrupted; nothing was changed")
            out.flush()
        except ReaderGone:
            code = _reader_gone(environment)
        except TodoError as exc:
            code = _todo_error(env, exc, debug)
        except typer.TyperException as exc:  # Click's own: usage mistakes and the like
            code = _usage(env, exc)
        except (typer.Abort, KeyboardInterrupt):
            out.error("interrupted; nothing was changed")
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


def _todo_error(env: Env, exc: TodoError, debug: bool) -> int:
    if debug:
        import traceback

        env.out.raw_error(traceback.format_exc())
    with contextlib.suppress(ReaderGone, TodoError):
        env.out.flush()  # what was printed before the error still goes out
    env.out.error(exc.message)
    return int(exc.exit_code)


def _usage(env: Env, exc: typer.TyperException) -> int:
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError":  # `todo profile` alone: show its help
        env.out.raw_error(exc.format_message() + "\n")
    else:
        message = exc.format_message()
        hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
        option = getattr(exc, "option_name", None)  # Click's NoSuchOption
        if option in GLOBAL_OPTIONS:
            message = f"No such option: {option}"
            hint = " (global options go before the command: todo --user bob list)"
        env.out.error(message + hint)
    return int(exc.exit_code)


def _reader_gone(environment: Environment) -> int:
    """The reader of stdout went away: nothing more to say, and nothing
    failed. What is left in the buffer cannot be written: drop it."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, environment.stdout.fileno())
    return int(ExitCode.OK)
