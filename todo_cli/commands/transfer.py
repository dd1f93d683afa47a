"""export and import: todos out to other formats and in from them."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from todo_cli.errors import ConfigError, InvalidInputError, StorageError

if TYPE_CHECKING:
    from todo_cli.context import Invocation
    from todo_cli.store.session import Session

_SKIPS_SHOWN = 10


def export(inv: Invocation, *, format: str, output: Path | None) -> None:
    """Write all your todos, open and done, to stdout or a file."""
    from todo_cli import formats
    from todo_cli.store import listing

    if format not in formats.EXPORT_FORMATS:
        known = ", ".join(formats.EXPORT_FORMATS)
        raise InvalidInputError(f"unknown format {format!r}: use {known}")
    everything = listing.Filter(status="all")

    def write(session: Session, out: Any, *, ascii: bool = False) -> int:
        if format in formats.TEXT_FORMATS:
            todos: Any = listing.iter_text(session, filter=everything, sort="number")
        else:  # a task that came from Taskwarrior goes back with its uuid
            todos = listing.iter_todos(
                session, filter=everything, sort="number", source=format == "taskwarrior"
            )
        return formats.write(todos, format, out, ascii=ascii)

    if output is None:
        # An export is data: exact whatever the locale's encoding. Our JSON
        # escapes what stdout cannot hold; the other formats go out as UTF-8.
        if format == "json":
            inv.run(lambda s: write(s, inv.out, ascii=inv.out.ascii_json), mode="read")
        else:
            inv.run(lambda s: write(s, inv.out.utf8()), mode="read")
        return
    path = output if output.is_absolute() else inv.environment.cwd / output
    count = inv.run(lambda s: _to_file(path, output, lambda out: write(s, out)), mode="read")
    noun = "todo" if count == 1 else "todos"
    inv.out.note(f"Exported {count} {noun} to {output}")


def _to_file(path: Path, shown: Path, write: Callable[[Any], int]) -> int:
    """A regular file (or none yet) is written next to its target and renamed
    over it: a failure leaves the old file (or none) in place, never half an
    export. A symlink's target is the file replaced; the link stays. Anything
    else (a FIFO, a device) is written into as a shell's `>` would: a
    rename would put a plain file in its place."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise StorageError(f"cannot write {shown}: {exc.strerror or exc}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise StorageError(f"cannot write {shown}: it is a directory")
    if mode is not None and not stat.S_ISREG(mode):
        return _into(path, shown, write)
    target = Path(os.path.realpath(path))
    folder = target.parent
    if not folder.is_dir():
        raise StorageError(f"cannot write {shown}: no such directory {shown.parent}")
    import tempfile

    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
        # mkstemp makes the file 0600: give it the mode the file has, or
        # would get from `todo export > FILE`.
        os.chmod(tmp, _mode_of(target))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            count = write(out)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise StorageError(
            f"cannot write {shown}: {exc.strerror or exc} (nothing was written over it)"
        ) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return count


def _into(path: Path, shown: Path, write: Callable[[Any], int]) -> int:
    try:
        with open(path, "w", encoding="utf-8", newline="") as out:
            return write(out)
    except OSError as exc:
        raise StorageError(f"cannot write {shown}: {exc.strerror or exc}") from None


def _mode_of(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def import_(inv: Invocation, *, file: str, format: str | None, json_: bool) -> None:
    """Add todos from a file: our JSON export, todo.txt, or `task export` JSON.

    All or nothing, in one transaction. Items imported before (from this
    file or an earlier copy of it) are skipped, so importing twice is safe.
    One `todo undo` takes the whole import back.
    """
    from todo_cli import formats, shapes
    from todo_cli.store import transfer

    out = inv.out.use_json(json_)
    parsed = formats.parse(_read(inv, file), format)
    records = parsed.records
    planned: set[str] = set()
    with out.progress(len(records), "Importing") as progress:
        result = inv.run(
            lambda s: transfer.import_records(s, records, on_progress=progress, planned=planned),
            # A second try after a lost reply finds what the first one saved
            # (and, through `planned`, reports it as added).
            mode="idempotent",
        )
    skipped: list[tuple[int | None, str]] = [(s.item, s.reason) for s in parsed.skipped]
    skipped += [(None, f"already imported: {r.title}") for r in result.already]
    skipped += [(None, f"the same item as an earlier one: {r.title}") for r in result.repeated]
    numbers = sorted([t.number for t in result.added] + result.saved_before)
    span = f" ({_span(numbers)})" if numbers else ""
    noun = "todo" if len(numbers) == 1 else "todos"
    out.saved = f"imported {len(numbers)} {noun}{span}"
    if out.form == "json":
        out.json(shapes.import_dict(parsed.format, numbers, skipped))
        return
    line = f"Imported {len(numbers)} {noun}{span} from {parsed.format}"
    if skipped:
        line += f"; skipped {len(skipped)}"
    out.line(line)
    for item, reason in skipped[:_SKIPS_SHOWN]:
        where = f"item {item}: " if item else ""
        out.note(f"  skipped {where}{reason}")
    if len(skipped) > _SKIPS_SHOWN:
        out.note(f"  … and {len(skipped) - _SKIPS_SHOWN} more skipped (--json lists all)")


def _span(numbers: list[int]) -> str:
    first, last = numbers[0], numbers[-1]
    return str(first) if first == last else f"{first}-{last}"


def _read(inv: Invocation, file: str) -> str:
    try:
        if file == "-":
            stdin = inv.environment.stdin
            raw = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()
            return str(raw.decode("utf-8"))
        path = Path(file)
        return (path if path.is_absolute() else inv.environment.cwd / path).read_bytes().decode()
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
