"""Moving todos in and out: export and import."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from todo_cli import cli_history, render  # noqa: F401  (cli_history: its commands list first)
from todo_cli.cliapp import JsonOpt, app, env_of
from todo_cli.errors import ConfigError, InvalidInputError
from todo_cli.shapes import import_dict

if TYPE_CHECKING:
    from todo_cli.store.session import Session

_SKIPS_SHOWN = 10


@app.command()
def export(
    ctx: typer.Context,
    format: Annotated[
        str,
        typer.Option("--format", "-f", help="json (lossless), todotxt, csv or taskwarrior."),
    ] = "json",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to FILE (replaced whole, or not at all).",
            show_default=False, dir_okay=False,
        ),
    ] = None,
) -> None:  # fmt: skip
    """Write all your todos, open and done, to stdout or a file."""
    from todo_cli import formats
    from todo_cli.store import listing

    if format not in formats.EXPORT_FORMATS:
        known = ", ".join(formats.EXPORT_FORMATS)
        raise InvalidInputError(f"unknown format {format!r}: use {known}")
    everything = listing.Filter(status="all")

    def write(session: Session, out: TextIO) -> int:
        read = listing.iter_text if format in formats.TEXT_FORMATS else listing.iter_todos
        return formats.write(read(session, filter=everything, sort="number"), format, out)

    env = env_of(ctx)
    if output is None:
        env.stream(write)
        return
    count = env.run(lambda s: _to_file(output, lambda out: write(s, out)), mode="read")
    noun = "todo" if count == 1 else "todos"
    sys.stderr.write(f"Exported {count} {noun} to {output}\n")


def _to_file(path: Path, write: Callable[[TextIO], int]) -> int:
    """Write next to `path`, then rename over it: a failure leaves the old
    file (or none) in place, never half an export."""
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInputError(f"cannot write {path}: no such directory {folder}")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise InvalidInputError(f"cannot write {path}: {exc.strerror}") from None
    try:
        # mkstemp makes the file 0600: give it the mode the file has, or
        # would get from `todo export > FILE`.
        os.chmod(tmp, _mode_of(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            count = write(out)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return count


def _mode_of(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# --- import ---------------------------------------------------------------------------


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="The file to read; - reads stdin.")
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="json, todotxt or taskwarrior (default: detected).",
            show_default=False,
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:  # fmt: skip
    """Add todos from a file: our JSON export, todo.txt, or `task export` JSON.

    All or nothing, in one transaction. Items imported before (from this
    file or an earlier copy of it) are skipped, so importing twice is safe.
    One `todo undo` takes the whole import back.
    """
    from todo_cli import formats
    from todo_cli.store import transfer

    parsed = formats.parse(_read(file), format)
    records = parsed.records
    planned: set[str] = set()
    with _progress(len(records)) as progress:
        result = env_of(ctx).run(
            lambda s: transfer.import_records(s, records, on_progress=progress, planned=planned),
            # A second try after a lost COMMIT finds what the first one saved
            # (and, through `planned`, reports it as added).
            mode="idempotent",
        )
    skipped: list[tuple[int | None, str]] = [(s.item, s.reason) for s in parsed.skipped]
    skipped += [(None, f"already imported: {r.title}") for r in result.already]
    skipped += [(None, f"the same item as an earlier one: {r.title}") for r in result.repeated]
    numbers = sorted([t.number for t in result.added] + result.saved_before)
    if json_:
        render.emit_json(import_dict(parsed.format, numbers, skipped))
        return
    span = f" ({_span(numbers)})" if numbers else ""
    noun = "todo" if len(numbers) == 1 else "todos"
    line = f"Imported {len(numbers)} {noun}{span} from {parsed.format}"
    if skipped:
        line += f"; skipped {len(skipped)}"
    render.out(line)
    for item, reason in skipped[:_SKIPS_SHOWN]:
        where = f"item {item}: " if item else ""
        sys.stderr.write(f"  skipped {where}{reason}\n")
    if len(skipped) > _SKIPS_SHOWN:
        sys.stderr.write(f"  … and {len(skipped) - _SKIPS_SHOWN} more skipped (--json lists all)\n")


def _span(numbers: list[int]) -> str:
    first, last = numbers[0], numbers[-1]
    return str(first) if first == last else f"{first}-{last}"


def _read(file: str) -> str:
    try:
        if file == "-":
            return sys.stdin.buffer.read().decode("utf-8")
        return Path(file).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InvalidInputError(f"no such file: {file}") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{file} is a directory; give a file") from None
    except PermissionError:
        raise ConfigError(f"cannot read {file}: permission denied") from None
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{file} is not UTF-8 text (byte {exc.start}); convert it first, e.g. with iconv"
        ) from None


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    """A Rich progress bar on stderr when it is a terminal; nothing otherwise."""
    if total < 1 or not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Importing", total=total)
        yield lambda done: bar.update(task, completed=done)
