"""The `todo` console script. Its imports come first and are few, so that a
Ctrl-C while Python is still importing the rest ends as every interrupt
does: one line and exit 130, no traceback."""

import contextlib
import os
import sys


def run() -> None:
    """main(), then exit without tearing the interpreter down: everything
    is flushed and closed by then, and skipping the teardown saves about a
    tenth of a short command."""
    try:
        if sys.argv[1:2] == ["__complete"]:
            # A shell waiting on TAB: neither Typer nor a driver unless needed.
            from todo_cli.completion import main as complete

            code = complete(sys.argv[2:], sys.stdout)
        else:
            from todo_cli.cli import main

            code = main()
    except KeyboardInterrupt:
        code = 130
        with contextlib.suppress(Exception):
            sys.stderr.write("todo: error: interrupted; nothing was changed\n")
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    os._exit(code)
