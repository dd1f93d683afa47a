"""The one way out: data to stdout, messages to stderr, and what happens
when either cannot be written.

A command asks for its Output once (Invocation.out, with json=...), and hands it
data; the output chooses the form: JSON when asked, a table on a terminal,
plain lines in a pipe (render.py draws the tables and lines). Nothing else
writes to the streams.

A reader that goes away (`todo list | head -1`) is not an error: writing
stops and the command exits 0, having done whatever it did. Any other
failure to write stdout (closed, disk full) is exit 7, in one line on
stderr that says whether a change was saved (Output.saved).
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
from collections.abc import Callable, Iterable, Iterator

from todo_cli.errors import OutputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    from rich.console import Console, RenderableType

    from todo_cli.environment import Environment

    Form = Literal["json", "plain", "table"]


# What a failed write to stdout says about it.
_WHY = {
    errno.EBADF: "is closed",
    errno.ENOSPC: "is on a full device (no space left)",
    errno.EDQUOT: "is over its disk quota",
    errno.EIO: "gave an input/output error",
}


class _Fit:
    """What the stream's encoding cannot hold (PYTHONIOENCODING=ascii), as
    one ? for each cell it would have taken: the table was laid out for
    those cells, and stays aligned."""

    def __init__(self, encoding: str | None) -> None:
        import codecs

        try:
            name = codecs.lookup(encoding or "utf-8").name
        except LookupError:
            name = "utf-8"
        self.encoding = None if name.startswith("utf") else name

    def __call__(self, text: str) -> str:
        if self.encoding is None:
            return text
        try:
            text.encode(self.encoding)
            return text
        except UnicodeEncodeError:
            from rich.cells import cell_len

            return "".join(self._char(c, cell_len) for c in text)

    def _char(self, char: str, cell_len: Callable[[str], int]) -> str:
        try:
            char.encode(self.encoding or "utf-8")
            return char
        except UnicodeEncodeError:
            return "?" * cell_len(char)


def _one_line(message: str) -> str:
    """A message is one line, whatever a title or a name it quotes holds."""
    from todo_cli.safetext import clean

    return clean(message)


class ReaderGone(Exception):
    """stdout's reader went away: stop writing (the command exits 0)."""


class Output:
    def __init__(self, environment: Environment) -> None:
        self.env = environment
        self.started = False  # anything written to stdout (see store.runner)
        self.saved: str | None = None  # the change a write command made
        self.form: Form = "table" if environment.stdout_isatty else "plain"
        encoding = (getattr(environment.stdout, "encoding", None) or "utf-8").lower()
        # JSON stays exact on a stream that cannot hold every character:
        # what it cannot write it escapes.
        self.ascii_json = encoding.replace("-", "") not in ("utf8", "utf16", "utf32")

    def use_json(self, json_: bool) -> Output:
        if json_:
            self.form = "json"
        return self

    # --- stdout ------------------------------------------------------------------

    def write(self, text: str) -> None:
        """Text for stdout, with nothing raw a terminal would obey (safetext)."""
        from todo_cli import safetext

        # json.dumps leaves no C0 raw; DEL, C1 and bidi it does.
        self._emit(safetext.json_text(text) if self.form == "json" else safetext.stream_text(text))

    def _emit(self, text: str) -> None:
        if not text:
            return
        self.started = True
        try:
            self.env.stdout.write(text)
        except BrokenPipeError:
            raise ReaderGone from None
        except OSError as exc:
            raise self._lost(exc) from None

    def flush(self) -> None:
        try:
            self.env.stdout.flush()
        except BrokenPipeError:
            raise ReaderGone from None
        except (OSError, ValueError) as exc:
            if isinstance(exc, OSError):
                raise self._lost(exc) from None

    def _lost(self, exc: OSError) -> OutputError:
        why = _WHY.get(exc.errno or 0, exc.strerror or str(exc))
        if self.saved:
            return OutputError(f"{self.saved}, but its output was lost: standard output {why}")
        return OutputError(f"cannot write the output: standard output {why}")

    def utf8(self) -> Any:
        """A writer for data that must come out exact (an export): this
        output on a UTF-8 stream; else the stream's bytes, in UTF-8."""
        if not self.ascii_json:
            return self
        buffer = getattr(self.env.stdout, "buffer", None)
        if buffer is None:
            raise OutputError(
                "cannot write the export: standard output cannot take UTF-8; use -o FILE"
            )
        return _Utf8(self, buffer)

    def line(self, text: str = "") -> None:
        self.write(text + "\n")

    def lines(self, texts: Iterable[str]) -> None:
        self.write("".join(f"{t}\n" for t in texts))

    def json(self, data: Any) -> None:
        self.write(json.dumps(data, ensure_ascii=self.ascii_json, indent=2) + "\n")

    def json_array(self, items: Iterable[Any]) -> int:
        """Stream a JSON array as items arrive (shapes.json_array)."""
        from todo_cli.shapes import json_array

        return json_array(items, self, ascii=self.ascii_json)  # type: ignore[arg-type]

    def print(self, renderable: RenderableType) -> None:
        """A Rich renderable, drawn for this terminal, through write()."""
        import io

        from rich.segment import Segment, Segments

        from todo_cli import safetext

        buffer = io.StringIO()
        console = self.console(buffer, terminal=self.env.stdout_isatty)
        fit = _Fit(getattr(self.env.stdout, "encoding", None))
        # Cleaned after layout as well as before (render.py): Rich's own
        # styles are the only escapes that reach the terminal.
        console.print(
            Segments(
                Segment(fit(safetext.clean(s.text, keep="\n")), s.style, s.control)
                for s in console.render(renderable)
            )
        )
        # A table pads its last column to the width: no one wants the spaces.
        self._emit("\n".join(line.rstrip(" ") for line in buffer.getvalue().split("\n")))

    def console(self, file: Any, *, terminal: bool) -> Console:
        from rich.console import Console

        columns, lines = self.env.size()
        return Console(
            file=file,
            # Both, or Rich takes TERM=dumb for 80 columns.
            width=columns,
            height=lines,
            force_terminal=terminal,
            # NO_COLOR users want plain text: drop bold and dim too, not only colour.
            color_system=None if self.color_disabled() else "auto",
            highlight=False,
            _environ=dict(self.env.environ),
        )

    def color_disabled(self) -> bool:
        environ = self.env.environ
        return bool(environ.get("NO_COLOR")) or environ.get("TERM") == "dumb"

    def screenful(self) -> int:
        """How many todos fit on the screen (a pipe counts as 50 lines, or $LINES)."""
        _, lines = self.env.size()
        return max(5, lines - 3)

    # --- stderr ------------------------------------------------------------------

    def _err(self, text: str) -> None:
        # Nowhere left to say it if stderr itself is closed or full.
        from todo_cli import safetext

        with contextlib.suppress(OSError, ValueError):
            self.env.stderr.write(safetext.clean(text, keep="\n"))
            self.env.stderr.flush()

    def note(self, text: str) -> None:
        """A message for the person at the terminal, not data: stderr."""
        self._err(_one_line(text) + "\n")

    def warn(self, message: str) -> None:
        self._err(f"todo: warning: {_one_line(message)}\n")

    def retry(self, message: str) -> None:
        self._err(f"todo: retry: {_one_line(message)}\n")

    def sql(self, message: str) -> None:
        """A message to the database, as it is sent (TODO_DEBUG_SQL): its
        lines as they are, each string from it cleaned like any other."""
        self._err(f"todo: sql: {message}\n")

    def error(self, message: str) -> None:
        self._err(f"todo: error: {_one_line(message)}\n")

    def raw_error(self, text: str) -> None:
        """Text as it is (a traceback, Click's usage block)."""
        self._err(text)

    # --- the terminal ------------------------------------------------------------

    def can_ask(self) -> bool:
        return self.env.stdin_isatty and self.env.stderr_isatty

    def confirm(self, question: str) -> bool:
        """Ask on stderr, read a line from stdin: y or yes; n, no, nothing or
        end of input is no. Anything else asks again."""
        return bool(self.answer(question))

    def answer(self, question: str) -> bool | None:
        """confirm(), except that end of input (Ctrl-D) is None: a later
        question of the same command has it cancel, as the first one does."""
        while True:
            self._err(f"{question} [y/N]: ")
            answer = self.env.stdin.readline()
            if not answer:
                self._err("\n")
                return None
            word = answer.strip().lower()
            if word in ("y", "yes"):
                return True
            if word in ("", "n", "no"):
                return False
            self._err(f"todo: please answer y or n (not {answer.strip()!r})\n")

    @contextlib.contextmanager
    def progress(self, total: int, label: str) -> Iterator[Callable[[int], None] | None]:
        """A progress bar on stderr when it is a terminal; nothing otherwise."""
        if total < 1 or not self.env.stderr_isatty or self.env.environ.get("TERM") == "dumb":
            yield None
            return
        from rich.progress import Progress

        console = self.console(self.env.stderr, terminal=True)
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(label, total=total)
            yield lambda done: bar.update(task, completed=done)


class ClickStream(io.TextIOBase):
    """stdout as Click sees it (help, `todo --help`): its writes go through
    Output, so a closed or full stdout ends help as any output does (exit 7)."""

    def __init__(self, out: Output) -> None:
        super().__init__()
        self._out = out

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._out.env.stdout, "encoding", None) or "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._out.env.stdout_isatty

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # Click probes for a binary stream with b""
            raise TypeError("a text stream")
        self._out.write(text)
        return len(text)

    def flush(self) -> None:
        self._out.flush()


class _Utf8:
    """Output.write for UTF-8 bytes on the stream's buffer."""

    def __init__(self, out: Output, buffer: Any) -> None:
        self._out = out
        self._buffer = buffer

    def write(self, text: str) -> None:
        if not self._out.started:
            self._out.flush()  # what the text layer holds goes first
        self._out.started = True
        try:
            self._buffer.write(text.encode("utf-8"))
        except BrokenPipeError:
            raise ReaderGone from None
        except OSError as exc:
            raise self._out._lost(exc) from None
