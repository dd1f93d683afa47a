"""Paths as strings, with os.path: every command finds its config file and
its SQLite file, and pathlib (with the urllib.parse and ipaddress it
imports) is about 18 million instructions, an eighth of a `todo add`.
posix() writes a path as str(Path(...)) would, so messages and URLs read
the same as they did with pathlib."""

from __future__ import annotations

import errno
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

APP = "todo"


def platform_path(env: Mapping[str, str], xdg_var: str, xdg_default: str) -> str:
    """todo's folder of a kind (XDG_CONFIG_HOME, .config): ~/.config/todo."""
    if sys.platform in ("win32", "darwin"):  # pragma: no cover - not exercised in CI
        from pathlib import Path

        if sys.platform == "win32":
            return str(Path(env.get("APPDATA") or Path.home() / "AppData" / "Roaming") / APP)
        return str(Path.home() / "Library" / "Application Support" / APP)
    base = env.get(xdg_var)
    home = env["HOME"] if env.get("HOME") else os.path.expanduser("~")
    return posix(os.path.join(base, APP) if base else os.path.join(home, xdg_default, APP))


def posix(path: str) -> str:
    """str(PosixPath(path)): repeated slashes and "." parts dropped, no
    trailing slash, ".." kept (pathlib does not resolve it either)."""
    root = "/" if path.startswith("/") else ""
    if path.startswith("//") and not path.startswith("///"):
        root = "//"
    return root + "/".join(p for p in path.split("/") if p and p != ".") or "."


def exists(path: str | os.PathLike[str]) -> bool:
    """Path.exists(): False when not there, and an error it cannot ignore raised."""
    try:
        os.stat(path)
    except ValueError:
        return False
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP):
            return False
        raise
    return True
