"""The real peers, todo.txt-cli and taskwarrior, run hermetically.

Each gets a private HOME, config and data directory under tmp_path, and none
of the developer's settings. A missing binary skips with the apt-get line to
fix it, or fails under CI=true (.ci/run installs both).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import IN_CI


def peer(names: tuple[str, ...], package: str) -> str:
    path = next(filter(None, map(shutil.which, names)), None)
    if path is None:
        reason = f"{' or '.join(names)} is not installed (apt-get install {package})"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    return path


def peer_env(home: Path, **extra: str) -> dict[str, str]:
    """PATH, a private HOME and the C locale; TZ passes through unless given."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LC_ALL": "C"}
    if "TZ" in os.environ:
        env["TZ"] = os.environ["TZ"]
    return {**env, **extra}


def _run(argv: list[str], env: dict[str, str]) -> str:
    return subprocess.run(
        argv, env=env, capture_output=True, text=True, check=True, timeout=30
    ).stdout


class TodoTxt:
    """todo.sh (Debian installs it as todo-txt) with its own config and TODO_DIR.

    keep_done: pass -a, so `do` leaves done tasks in todo.txt (no archive)."""

    def __init__(self, tmp_path: Path, *, keep_done: bool = False, **env: str) -> None:
        self.bin = peer(("todo-txt", "todo.sh"), "todotxt-cli")
        self.dir = tmp_path / "todotxt"
        self.dir.mkdir()
        self.config = tmp_path / "todo.cfg"
        self.config.write_text(
            f'export TODO_DIR="{self.dir}"\n'
            'export TODO_FILE="$TODO_DIR/todo.txt"\n'
            'export DONE_FILE="$TODO_DIR/done.txt"\n'
            'export REPORT_FILE="$TODO_DIR/report.txt"\n'
        )
        self.flags = ["-p", "-a"] if keep_done else ["-p"]  # -p: plain, no colours
        self.env = peer_env(tmp_path, **env)

    def __call__(self, *args: str) -> str:
        return _run([self.bin, "-d", str(self.config), *self.flags, *args], self.env)


class Task:
    """taskwarrior with a private TASKRC and TASKDATA, in UTC unless told
    (so due:2030-12-01 is midnight UTC whatever the machine's zone)."""

    RC = ("rc.confirmation=off", "rc.verbose=nothing", "rc.hooks=off", "rc.color=off")

    def __init__(self, tmp_path: Path, *, tz: str = "UTC") -> None:
        self.bin = peer(("task",), "taskwarrior")
        (tmp_path / "taskrc").write_text("")
        self.env = peer_env(
            tmp_path,
            TASKRC=str(tmp_path / "taskrc"),
            TASKDATA=str(tmp_path / "taskdata"),
            TZ=tz,
        )

    def __call__(self, *args: str) -> str:
        return _run([self.bin, *self.RC, "rc.json.array=on", *args], self.env)
