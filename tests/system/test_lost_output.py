"""The installed `todo` when stdout goes away before help or an export is
written: a shell's `>&-` (no stdout at all in the process) and a full
device (a node like /dev/full, made by the test in its own folder)."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.processes import TODO_BIN, Todo


def _run(
    todo: Todo, args: tuple[str, ...], stdout: int | None, before: Callable[[], None] | None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TODO_BIN, *args],
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=todo.env,
        cwd=todo.cwd,
        preexec_fn=before,
        timeout=60,
    )


@pytest.mark.parametrize("args", [("--help",), ("list", "--help"), ()])
def test_help_to_a_lost_stdout_is_exit_7(todo: Todo, tmp_path: Path, args: tuple[str, ...]) -> None:
    full = tmp_path / "full"
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    closed = _run(todo, args, None, lambda: os.close(1))
    assert (closed.returncode, closed.stderr) == (
        7, "todo: error: cannot write the output: standard output is closed\n",
    )  # fmt: skip
    with open(full, "w") as device:
        result = _run(todo, args, device.fileno(), None)
    assert (result.returncode, result.stderr) == (
        7,
        "todo: error: cannot write the output: standard output is on a full device "
        "(no space left)\n",
    )
