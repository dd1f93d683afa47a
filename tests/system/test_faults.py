"""Faults a shell, a disk or a bad day can cause, met by the installed
`todo`: each ends in one line on stderr and a documented exit code, with
nothing lost or half-written (README: Exit codes)."""

from __future__ import annotations

import os
import subprocess

from tests.support.processes import TODO_BIN, Todo


def test_non_utf8_arguments_are_refused(todo: Todo) -> None:
    result = subprocess.run(
        [os.fsencode(TODO_BIN), b"add", b"caf\xe9"],
        capture_output=True,
        env=todo.env,
        cwd=todo.cwd,
    )
    assert result.returncode == 2
    assert result.stderr == b"todo: error: the title is not valid UTF-8 text\n"
