"""The installed `todo` in a subprocess, with a private HOME: for what only
a process shows (exit codes of the executable, terminals, signals, imports)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TODO_BIN = str(Path(sys.executable).with_name("todo"))


def as_at_a_terminal() -> None:
    """preexec_fn of a child a test sends SIGINT to: SIGINT as a terminal
    gives it. Started with `&` from a script, pytest inherits SIGINT
    ignored and its children with it, and Python then never raises
    KeyboardInterrupt: every Ctrl-C test failed so, looking like load."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """A minimal environment: nothing of the developer's todo config leaks in."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "USER": "tester",
        "LOGNAME": "tester",
        "TODO_CONFIG_DIR": str(home / "config"),
    }
    env.update(extra)
    return env


@dataclass
class Todo:
    """Runs the installed `todo` in a subprocess with a private HOME."""

    home: Path
    env: dict[str, str]
    cwd: Path

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [TODO_BIN, *args],
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
            cwd=self.cwd,
            timeout=60,
        )

    def ok(self, *args: str, **kw: Any) -> str:
        result = self(*args, **kw)
        assert result.returncode == 0, (args, result.returncode, result.stdout, result.stderr)
        return result.stdout

    def tty(
        self, *args: str, input: str = "", env: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """Run with stdin/stdout/stderr on a pseudo-terminal; returns (code, output)."""
        main, child = pty.openpty()
        proc = subprocess.Popen(
            [TODO_BIN, *args],
            stdin=child,
            stdout=child,
            stderr=child,
            env={**self.env, "COLUMNS": "100", **(env or {})},
            cwd=self.cwd,
            close_fds=True,
        )
        os.close(child)
        if input:
            os.write(main, input.encode())
        output = drain_terminal(main)
        if proc.poll() is None:  # 30 s of silence: stuck
            proc.kill()
        code = proc.wait(timeout=30)
        os.close(main)
        return code, output.decode().replace("\r\n", "\n")


def drain_terminal(
    main: int, on_output: Callable[[bytes], None] | None = None, timeout: float = 30
) -> bytes:
    """All a child writes to its pty (main: our side) until it closes it, or
    is silent for `timeout` s; on_output(all so far) after each chunk, e.g.
    to answer a prompt."""
    out = b""
    while select.select([main], [], [], timeout)[0]:
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        out += data
        if on_output:
            on_output(out)
    return out
