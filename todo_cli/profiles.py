"""Writing the config file: adding, choosing and removing profiles
(config.py reads it)."""

from __future__ import annotations

import os

from todo_cli.config import ConfigFile, Profile, read_config, validate_name
from todo_cli.dburl import parse_database_url
from todo_cli.errors import ConfigError, InvalidInputError, StorageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def _toml_str(value: str) -> str:
    # JSON string escapes (\", \\, \n, \uXXXX) are all valid TOML basic-string escapes;
    # JSON leaves DEL raw, which TOML forbids.
    import json

    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def write_config(config: ConfigFile) -> None:
    """Write atomically with mode 0600: the file may hold a database password."""
    lines = []
    if config.current is not None:
        lines.append(f"current = {_toml_str(config.current)}\n")
    for profile in config.profiles.values():
        lines.append(f"\n[profiles.{_toml_str(profile.name)}]\n")
        lines.append(f"user = {_toml_str(profile.user)}\n")
        if profile.database_url is not None:
            lines.append(f"database_url = {_toml_str(profile.database_url)}\n")
        if profile.online:
            lines.append("online = true\n")
    from pathlib import Path

    # Replace the file a symlink points at, not the symlink.
    path = Path(config.path)
    path = path.resolve() if path.is_symlink() else path

    def unwritable(exc: OSError) -> StorageError:
        # A full disk or a permission (exit 6, as for any local file): the
        # file is replaced whole or not at all.
        return StorageError(
            f"cannot write config file {path}: {exc.strerror}; it is as it was "
            "(check TODO_CONFIG_DIR)"
        )

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        import tempfile

        fd, tmp = tempfile.mkstemp(prefix=".config.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise unwritable(exc) from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("".join(lines))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise unwritable(exc) from None
        raise


def add_profile(
    path: Path, name: str, *, user: str, database_url: str | None, replace: bool
) -> Profile:
    validate_name("profile", name)
    validate_name("user", user)
    if database_url is not None:
        parse_database_url(database_url, source="--database-url")
    config = read_config(path)
    if name in config.profiles and not replace:
        raise InvalidInputError(f"profile '{name}' already exists; pass --force to replace it")
    # Replaced (--force, todo admin user add): a setting it does not give is kept.
    old = config.profiles.get(name)
    profile = Profile(name, user, database_url, online=bool(old and old.online))
    write_config(ConfigFile(path, config.current, {**config.profiles, name: profile}))
    return profile


def use_profile(path: Path, name: str) -> None:
    validate_name("profile", name)
    config = read_config(path)
    _require_profile(config, name)
    write_config(ConfigFile(path, name, config.profiles))


def remove_profile(path: Path, name: str) -> bool:
    """Remove a profile; returns True when it was the current one (now unset)."""
    validate_name("profile", name)
    config = read_config(path)
    _require_profile(config, name)
    profiles = {k: v for k, v in config.profiles.items() if k != name}
    was_current = config.current == name
    write_config(ConfigFile(path, None if was_current else config.current, profiles))
    return was_current


def _require_profile(config: ConfigFile, name: str) -> None:
    if name not in config.profiles:
        known = ", ".join(sorted(config.profiles)) or "none"
        raise ConfigError(
            f"unknown profile '{name}'; known profiles: {known}. "
            "Create it with: todo profile add NAME --user USER"
        )
