"""`todo edit N...` with no options: the todos in $VISUAL or $EDITOR, as a
form (editform.py), saved as one edit."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from todo_cli import render
from todo_cli.errors import ConcurrentChangeError, InvalidInputError, NotFoundError, TodoError

if TYPE_CHECKING:
    from todo_cli.context import Invocation


class EditorError(TodoError):
    """The editor could not be run (exit 2: nothing was changed)."""

    exit_code = InvalidInputError.exit_code


# A form that keeps coming back unread: the same error this many times in a
# row, or this many failed saves in all, and the edit gives up (an editor
# that rewrites the form its own way would reopen it forever).
_SAME_ERROR = 3
_FAILED_SAVES = 10


def editor_command(inv: Invocation) -> list[str] | None:
    """$VISUAL, else $EDITOR, else vi on a terminal; None: no editor. One
    that is only blanks is not set."""
    environ = inv.environment.environ
    name = next((n for n in ("VISUAL", "EDITOR") if (environ.get(n) or "").strip()), None)
    chosen = environ[name] if name else None
    if not chosen and inv.environment.stdin_isatty and inv.environment.stdout_isatty:
        chosen = "vi"
    if not chosen:
        return None
    try:
        return shlex.split(chosen)
    except ValueError as exc:
        raise EditorError(
            f"{name} {chosen!r} is not a command line ({exc}); set VISUAL or EDITOR"
        ) from None


def edit_in_editor(
    inv: Invocation, owner: str | None, numbers: Sequence[int], editor: list[str]
) -> None:
    """Open the form; apply what it changes, all or nothing, or say why not."""
    from todo_cli import editform
    from todo_cli.store import editing

    me = inv.settings().user.value
    read = inv.run(lambda s: editing.for_editing(s, numbers=numbers, owner=owner), mode="read")
    originals = {render.ref(t, me): t for t, _ in read}
    versions = {t.number: v for t, v in read}
    form = editform.render(list(originals.items()))
    path = _form_file(form)
    error: str | None = None
    same = failures = 0
    try:
        while True:
            before = path.read_text(encoding="utf-8")
            _run_editor(editor, path, dict(inv.environment.environ))
            text, problem = _saved(path)
            if text == before:
                closed = "the form was closed unchanged; nothing was changed"
                raise InvalidInputError(f"{error} ({closed})" if error else closed)
            if problem is None:
                try:
                    wanted = editform.changes(text, originals, inv.now())
                    break
                except InvalidInputError as exc:
                    problem = exc.message
            failures += 1
            # Progress is a different mistake; the line it is on may move.
            same = same + 1 if error and _gist(problem) == _gist(error) else 1
            if same >= _SAME_ERROR:
                raise InvalidInputError(
                    f"{problem} (the form came back {same} times with this error; "
                    "nothing was changed)"
                )
            if failures >= _FAILED_SAVES:
                raise InvalidInputError(
                    f"{problem} (the form came back {failures} times without being fixed; "
                    "nothing was changed)"
                )
            error = problem
            path.write_text(editform.header(error) + _body(text), encoding="utf-8")
        if not wanted:
            inv.out.note("Edit cancelled: no changes made.")
            return
        by_name = {name: originals[name].number for name in wanted}
        edits = [(by_name[name], change) for name, change in wanted.items()]
        try:
            edited = inv.run(
                lambda s: editing.edit_each(s, edits, owner=owner, versions=versions),
                mode="idempotent",
            )
        except NotFoundError:
            kept = _keep(inv, text)
            raise ConcurrentChangeError(
                "a todo changed while you were editing it, here or on another machine: "
                f"nothing was saved; your text is in {kept} (see: todo show)"
            ) from None
    finally:
        # An editor that left something else there (a folder) must not
        # hide why the form could not be read with an error of its own.
        with contextlib.suppress(OSError):
            if path.is_dir():  # empty, made by the editor at the form's own name
                path.rmdir()
            else:
                path.unlink(missing_ok=True)
    numbers_done = ", ".join(render.ref(t, me) for t in edited)
    inv.out.saved = f"edited {numbers_done}"
    render.changed(inv.out, [(t, "Edited") for t in edited], me=me)


def _saved(path: Path) -> tuple[str, str | None]:
    """The form as the editor left it, and why it cannot be read, if so: a
    form that is not UTF-8 comes back as the text it decodes to, with the
    error on top, as any other mistake does."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise EditorError(
            "the form was removed while the editor had it; nothing was changed"
        ) from None
    except OSError as exc:
        raise EditorError(
            f"cannot read the form back: {exc.strerror}; nothing was changed"
        ) from None
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return raw.decode("utf-8", errors="replace"), (
            f"line {line}: the form is not valid UTF-8 text; nothing was read from it"
        )


def _gist(error: str) -> str:
    return re.sub(r"^line \d+: ", "", error)


def _form_file(form: str) -> Path:
    fd, name = tempfile.mkstemp(prefix="todo-edit-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(form)
    return Path(name)


def _body(text: str) -> str:
    """The saved form without its comment header, to go under a new one."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    return "\n" + "\n".join(lines[start:])


def _run_editor(editor: list[str], path: Path, environ: dict[str, str]) -> None:
    try:
        code = subprocess.run([*editor, str(path)], check=False, env=environ).returncode
    except OSError as exc:
        raise EditorError(
            f"cannot run the editor {editor[0]!r}: {exc.strerror}; set VISUAL or EDITOR"
        ) from None
    if code != 0:
        raise EditorError(f"the editor {editor[0]!r} exited with {code}; nothing was changed")


def _keep(inv: Invocation, text: str) -> Path:
    """The user's text, somewhere it stays."""
    from todo_cli.config import data_dir

    folder = data_dir(inv.environment.environ)
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"unsaved-edit-{datetime.now():%Y%m%d-%H%M%S}.txt"
    kept.write_text(text, encoding="utf-8")
    return kept
