"""The Typer app, built from the table of commands (syntax.py).

Typer is the definition of the command line as people meet it: `--help`,
usage errors, and every command line the fast path (fastpath.py) leaves
to it. Each command's function (commands/) takes the Invocation and the
keywords the table names; the help text is its docstring.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import typer
import typer.main

from todo_cli import __version__, syntax
from todo_cli.context import Invocation

# What runs a command once Typer has parsed it: commands.call, or a test's recorder.
Dispatch = Callable[[syntax.Command, Invocation, dict[str, Any]], Any]

_TYPES: dict[str | None, type] = {None: bool, "text": str, "int": int, "path": Path}


def invocation(ctx: typer.Context) -> Invocation:
    found = ctx.find_root().obj
    assert isinstance(found, Invocation)
    return found


def epilog(examples: Sequence[tuple[str, str]]) -> str:
    """The Examples section of a help (\\b keeps Click from rewrapping it)."""
    width = max(len(example) for example, _ in examples) + 2
    body = "\n".join(f"  {example.ljust(width)}{why}" for example, why in examples)
    return f"Examples:\n\n\b\n{body}\n"


def build(dispatch: Dispatch | None = None) -> typer.Typer:
    """The app with every command of the table, in the order of its help."""
    if dispatch is None:
        from todo_cli.commands import call

        dispatch = call
    app = typer.Typer(
        name="todo",
        help="A todo manager for people who share a PostgreSQL database.",
        epilog=epilog(syntax.TODO_EXAMPLES),
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": list(syntax.HELP)},
    )
    app.callback()(_root())
    groups = {"": app}
    for command in syntax.COMMANDS:
        *path, word = command.name.split()
        parent = _group(groups, path)
        callback = _callback(command, dispatch)
        parent.command(word, epilog=epilog(command.examples))(callback)
        for alias in command.aliases:
            parent.command(alias, hidden=True, epilog=epilog(command.examples))(callback)
    return app


def _group(groups: dict[str, typer.Typer], path: list[str]) -> typer.Typer:
    name = " ".join(path)
    if name not in groups:
        sub = typer.Typer(help=syntax.GROUPS[name], no_args_is_help=True)
        _group(groups, path[:-1]).add_typer(sub, name=path[-1])
        groups[name] = sub
    return groups[name]


def _callback(command: syntax.Command, dispatch: Dispatch) -> Callable[..., Any]:
    """A function Typer reads as it reads a hand-written one: its signature
    is the table's, its docstring the command function's."""
    from todo_cli import commands

    def callback(ctx: typer.Context, **given: Any) -> None:
        dispatch(command, invocation(ctx), given)

    params = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
    ]
    params += [_argument(a) for a in command.arguments]
    params += [_option(o) for o in command.options]
    callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    callback.__annotations__ = {p.name: p.annotation for p in params}
    callback.__doc__ = inspect.getdoc(commands.function(command))
    callback.__name__ = command.run.partition(":")[2]
    return callback


def _param(dest: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(
        dest, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


def _option(o: syntax.Option, **more: Any) -> inspect.Parameter:
    kind: Any = _TYPES[o.takes]
    if o.many:
        kind = list[kind]
    if o.default is None and not o.required:
        kind = kind | None
    limits: dict[str, Any] = {"min": o.low, "max": o.high} if o.takes == "int" else {}
    default: Any = ... if o.required else o.default
    info = typer.Option(
        default,
        *o.names,
        help=o.help,
        show_default=o.show_default,
        **limits,
        **more,
    )
    return _param(o.dest, kind, info)


def _argument(a: syntax.Argument) -> inspect.Parameter:
    kind: Any = _TYPES[a.takes]
    if a.many:
        kind = list[kind]
    more: dict[str, Any] = {"min": a.low, "max": a.high} if a.takes == "int" else {}
    if a.metavar:
        more["metavar"] = a.metavar
    default: Any = ... if a.required else a.default
    info = typer.Argument(default, help=a.help, **more)
    return _param(a.dest, kind, info)


def _version(ctx: typer.Context, value: bool) -> None:
    if value:
        found = ctx.obj if isinstance(ctx.obj, Invocation) else None
        if found is not None:
            found.out.line(f"todo {__version__}")
        raise typer.Exit()


def _root() -> Callable[..., None]:
    """The app's own callback: the global options, kept on the Invocation."""

    def root(ctx: typer.Context, **given: Any) -> None:
        inv = invocation(ctx)
        for dest, value in given.items():
            if dest != "version":
                setattr(inv, dest, value)

    params = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
    ]
    for o in syntax.GLOBAL:
        eager = {"callback": _version, "is_eager": True} if o.dest == "version" else {}
        params.append(_option(o, **eager))
    root.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    root.__annotations__ = {p.name: p.annotation for p in params}
    return root


GLOBAL_NAMES = frozenset(n for o in syntax.GLOBAL for n in o.names)


# The Click command the app becomes, made at a process's first parse and
# kept: the conversion reads every command's signature (about 7 ms, and 2
# more to build the app), once a process for the executable, but once a
# command line for whatever runs main() many times, as the tests do.
@functools.cache
def click_command() -> Any:
    return typer.main.get_command(build())


def run_typer(args: Sequence[str], inv: Invocation) -> int:
    """Parse and run `args` with the Typer app: its exit code. Click's own
    errors (usage mistakes and the like) end here, as one line on stderr."""
    from todo_cli.errors import ExitCode
    from todo_cli.output import ClickStream

    # Click writes help and usage to the process streams: point them at
    # this invocation's streams (stdout through the Output).
    with (
        contextlib.redirect_stdout(ClickStream(inv.out)),
        contextlib.redirect_stderr(inv.environment.stderr),
    ):
        try:
            rv = click_command().main(
                args=list(args), prog_name="todo", standalone_mode=False, obj=inv
            )
        except typer.TyperException as exc:
            return _usage(inv, exc)
        except typer.Abort:
            raise KeyboardInterrupt from None
    code = rv if isinstance(rv, int) else 0
    if code == ExitCode.INTERRUPTED:  # Click turns Ctrl-C into Exit(130)
        inv.out.error("interrupted; nothing was changed")
    return code


def _usage(inv: Invocation, exc: typer.TyperException) -> int:
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError":  # `todo profile` alone: show its help
        inv.out.raw_error(exc.format_message() + "\n")
    else:
        message = exc.format_message()
        hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
        option = getattr(exc, "option_name", None)  # Click's NoSuchOption
        if option in GLOBAL_NAMES:
            message = f"No such option: {option}"
            hint = " (global options go before the command: todo --user bob list)"
        inv.out.error(message + hint)
    return int(exc.exit_code)
