"""todo's real main(argv) in this process, with its own streams,
environment, working directory and clock: what most CLI tests need, at a
fraction of a process's cost (main's Environment is the seam)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from todo_cli.cli import main
from todo_cli.environment import Environment


@contextlib.contextmanager
def timezone(tz: str | None) -> Iterator[None]:
    """The process's local timezone set to tz for a while (TZ as a child
    process would see it)."""
    if tz is None:
        yield
        return
    before = os.environ.get("TZ")
    os.environ["TZ"] = tz
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


@dataclass
class InProcess:
    """The same interface as processes.Todo: todo(*args), .ok(), .tty()."""

    home: Path
    env: dict[str, str]
    cwd: Path
    clock: Callable[[], datetime] | None = None

    def _run(
        self,
        args: tuple[str, ...],
        stdin: str,
        env: dict[str, str] | None,
        tty: bool,
        *,
        stderr_tty: bool | None = None,
    ) -> tuple[int, str, str]:
        environ = {**self.env, **(env or {})}
        stdout = io.StringIO()
        stderr = stdout if tty else io.StringIO()
        extra: dict[str, Any] = {"clock": self.clock} if self.clock else {}
        environment = Environment(
            io.StringIO(stdin),
            stdout,
            stderr,
            stdin_isatty=tty,
            stdout_isatty=tty,
            stderr_isatty=tty if stderr_tty is None else stderr_tty,
            environ=environ,
            cwd=self.cwd,
            **extra,
        )
        with timezone(environ.get("TZ")):
            code = main(list(args), environment)
        return code, stdout.getvalue(), stderr.getvalue()

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        code, out, err = self._run(args, input or "", env, tty=False)
        return subprocess.CompletedProcess(["todo", *args], code, out, err)

    def ok(self, *args: str, **kw: Any) -> str:
        result = self(*args, **kw)
        assert result.returncode == 0, (args, result.returncode, result.stdout, result.stderr)
        return result.stdout

    def stderr_tty(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        """Only stderr on a terminal of 100 columns: (code, stdout, stderr)."""
        return self._run(args, "", {"COLUMNS": "100", **(env or {})}, False, stderr_tty=True)

    def tty(
        self, *args: str, input: str = "", env: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """As on a terminal of 100 columns: every stream is the terminal, and
        what it shows is stdout and stderr as they were written."""
        code, out, _ = self._run(args, input, {"COLUMNS": "100", **(env or {})}, tty=True)
        return code, out
