"""What a command touches outside the database: the three streams and
whether each is a terminal, the environment variables, the working
directory, the terminal's size and the clock.

main() builds the real one (Environment.from_process); tests hand in their
own and run the real main() in-process (httpie's Environment and
MockEnvironment are the model).
"""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

    StrPath = str | os.PathLike[str]


def _now() -> datetime:
    return datetime.now(UTC)


class Environment:
    """A plain class, not a dataclass: it is on every command's path, and a
    dataclass costs its creation at import."""

    def __init__(
        self,
        stdin: TextIO,
        stdout: TextIO,
        stderr: TextIO,
        *,
        stdin_isatty: bool = False,
        stdout_isatty: bool = False,
        stderr_isatty: bool = False,
        environ: Mapping[str, str] | None = None,
        cwd: StrPath | None = None,  # a str from the process: no pathlib
        clock: Callable[[], datetime] = _now,
        # (columns, lines); None: from COLUMNS/LINES, else 80 x 50
        terminal: Callable[[], tuple[int, int]] | None = None,
    ) -> None:
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.stdin_isatty, self.stdout_isatty = stdin_isatty, stdout_isatty
        self.stderr_isatty = stderr_isatty
        self.environ: Mapping[str, str] = {} if environ is None else environ
        self.cwd: StrPath = os.getcwd() if cwd is None else cwd
        self.clock = clock
        self.terminal = terminal

    @classmethod
    def from_process(cls) -> Environment:
        """The real streams. One closed by the shell (`todo add x >&-`) is
        None in Python: stdin then reads as empty, and a write to stdout or
        stderr fails as writing to a closed file does (Output says so)."""
        stdin = sys.stdin or io.StringIO("")
        stdout = _usable(sys.stdout)
        stderr = _usable(sys.stderr)

        def size() -> tuple[int, int]:
            # shutil.get_terminal_size, without importing shutil (and with
            # it bz2 and lzma): size() reads COLUMNS and LINES itself.
            try:
                columns, lines = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
            except (AttributeError, ValueError, OSError):
                columns, lines = 0, 0
            return columns or 80, lines or 50

        return cls(
            stdin,
            stdout,
            stderr,
            stdin_isatty=_isatty(stdin),
            stdout_isatty=_isatty(stdout),
            stderr_isatty=_isatty(stderr),
            environ=os.environ,
            cwd=os.getcwd(),
            terminal=size,
        )

    def size(self) -> tuple[int, int]:
        """The terminal's (columns, lines): COLUMNS and LINES win, as for `ls`."""
        columns, lines = self.terminal() if self.terminal else (80, 50)
        return _number(self.environ.get("COLUMNS"), columns), _number(
            self.environ.get("LINES"), lines
        )


def _number(raw: str | None, default: int) -> int:
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else default


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


class _ClosedStream(io.TextIOBase):
    """Stands in for a stream the shell closed: writing fails like it."""

    def write(self, text: str) -> int:  # noqa: ARG002  (nothing can be written)
        raise OSError(errno.EBADF, "Bad file descriptor")

    def isatty(self) -> bool:
        return False


def _usable(stream: TextIO | None) -> TextIO:
    if stream is None:
        return _ClosedStream()  # type: ignore[return-value]
    # An encoding that cannot show a title (PYTHONIOENCODING=ascii) shows "?"
    # instead of failing; JSON escapes what it cannot write (Output).
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
        reconfigure(errors="replace")
    return stream
