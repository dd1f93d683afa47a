"""Shell completion: `todo __complete SHELL CWORD WORDS...` prints the
candidates for the word at CWORD, one per line (`value` for bash,
`value:description` for zsh, `value<TAB>description` for fish).

Quick by construction: the commands and their options come from the
table of the command line (syntax.py), so completing a command or an
option imports neither Typer nor a database driver. Todo
numbers and tags are read live, with a one-second connect timeout, no
retries, and a deadline: if the database does not answer in time, nothing
is offered rather than a shell kept waiting.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from typing import TextIO

from todo_cli import syntax
from todo_cli.safetext import clean

# Option kinds: None takes no value; "" a value with nothing to offer; else
# the name of what to offer (VALUES, or a live kind).
Options = dict[str, str | None]


def _options(options: tuple[syntax.Option, ...]) -> Options:
    return {n: (None if o.takes is None else o.offers) for o in options for n in o.names}


# command -> (options, what its arguments are)
COMMANDS: dict[str, tuple[Options, str]] = {
    c.name: (_options(c.options), c.arguments[0].offers if c.arguments else "")
    for c in syntax.COMMANDS
}
GROUPS = {name: text.partition(":")[0].partition(",")[0] for name, text in syntax.GROUPS.items()}
# What zsh and fish show beside each command: the start of its help.
DESCRIPTIONS = {**GROUPS, **{c.name: c.summary for c in syntax.COMMANDS}}
ALIASES = {a: c.name for c in syntax.COMMANDS for a in c.aliases}
GLOBAL: Options = {**_options(syntax.GLOBAL), **dict.fromkeys(syntax.HELP)}
VALUES = {
    "priority": ["high", "medium", "low", "none"],
    "when": ["today", "tomorrow", "mon", "tue", "wed", "thu", "fri", "sat", "sun",
             "next week", "in 3 days", "none"],
    "every": ["day", "week", "month", "year", "weekday", "2w", "mon,thu"],
    "sort": ["number", "due", "priority", "created"],
    "export": ["json", "todotxt", "csv", "taskwarrior"],
    "import": ["json", "todotxt", "taskwarrior"],
    "shell": ["bash", "zsh", "fish"],
}  # fmt: skip
DEADLINE = 0.9  # seconds for the live part; then nothing is offered


def main(args: Sequence[str], out: TextIO) -> int:
    """The entry of `todo __complete`: never fails, never waits long."""
    with contextlib.suppress(Exception):  # a shell gets nothing rather than an error
        shell, cword, *words = args
        out.write("".join(f"{line}\n" for line in candidates(shell, words, int(cword))))
        out.flush()
    return 0


def candidates(shell: str, words: Sequence[str], cword: int) -> list[str]:
    """The lines to print for the word at words[cword] (words[0] is todo)."""
    current = words[cword] if cword < len(words) else ""
    # bash splits --tag=home into --tag, =, home (COMP_WORDBREAKS); right
    # after the =, "=" is the word, and readline replaces what follows it.
    before = [w for i, w in enumerate(words[1:cword], 1) if w != "=" or words[i - 1][:1] != "-"]
    if current == "=" and before[-1:] and before[-1].startswith("-"):
        current = ""
    if current.startswith("-") and "=" in current:
        # zsh and fish hand --tag=ho over whole, and want it back whole.
        option, _, value = current.partition("=")
        pairs = [(f"{option}={v}", d) for v, d in _offers([*before, option], value)]
    else:
        pairs = _offers(before, current)
    # Titles and tags from the database: a shell prints its menu raw.
    chosen = [(clean(v), clean(d)) for v, d in pairs if v.startswith(current)]
    if shell == "zsh":
        return [f"{v.replace(':', chr(92) + ':')}:{d}" if d else v.replace(":", "\\:")
                for v, d in chosen]  # fmt: skip
    if shell == "fish":
        return [f"{v}\t{d}" if d else v for v, d in chosen]
    return [v for v, _ in chosen]


def _offers(before: list[str], current: str) -> list[tuple[str, str]]:
    """(value, description) pairs for the word after `before`."""
    options = GLOBAL
    command = ""
    positional: list[str] = []
    chosen: dict[str, str] = {}  # --user bob and the like, for the live part
    i = 0
    while i < len(before):
        word = before[i]
        if word.startswith("-") and not positional and word in options:
            if options[word] is not None:
                i += 1  # its value
                if not command and i < len(before):
                    chosen[_GLOBAL_NAMES.get(word, "")] = before[i]
        elif word.startswith("-"):
            pass
        elif not command or command in GROUPS or _prefix(command):
            joined = f"{command} {ALIASES.get(word, word)}".strip()
            if joined in COMMANDS or joined in GROUPS or _prefix(joined):
                command = joined
                options = COMMANDS[joined][0] if joined in COMMANDS else {}
            else:
                positional.append(word)
        else:
            positional.append(word)
        i += 1
    previous = before[-1] if before else ""
    kind = options.get(previous) if previous.startswith("-") else None
    if previous.startswith("-") and kind is not None:
        return _values(kind, chosen, positional)
    if current.startswith("-"):
        return [(o, "") for o in (options if command else GLOBAL)]
    if not command or command in GROUPS or _prefix(command):
        return _subcommands(command)
    return _values(COMMANDS[command][1], chosen, positional) if command in COMMANDS else []


def _prefix(command: str) -> bool:
    """A group with subcommands below it (admin, admin user)."""
    return any(c.startswith(command + " ") for c in COMMANDS) and command not in COMMANDS


def _subcommands(group: str) -> list[tuple[str, str]]:
    depth = len(group.split()) if group else 0
    names = sorted(
        {c.split()[depth] for c in COMMANDS if c.startswith(group) and len(c.split()) > depth}
    )
    return [(n, DESCRIPTIONS.get(f"{group} {n}".strip(), "")) for n in names]


_GLOBAL_NAMES = {
    "--user": "user", "-u": "user", "--profile": "profile", "-P": "profile",
    "--database-url": "database_url",
}  # fmt: skip


def _values(kind: str, chosen: dict[str, str], named: list[str]) -> list[tuple[str, str]]:
    if kind in VALUES:
        return [(v, "") for v in VALUES[kind]]
    if kind == "profile":
        return [(p, "") for p in _profiles()]
    if kind not in _LIVE:
        return []
    return _live(kind, named, chosen)


def _profiles() -> list[str]:
    from todo_cli.config import config_dir, read_config, variables

    config = read_config(config_dir(variables()) / "config.toml")
    return sorted(config.profiles)


# --- live: todo numbers and tags (the store's completing.offers) ----------------------

_LIVE = ("open", "mine", "done", "any", "tag", "mytag", "sharer", "tagedit")


def _live(kind: str, named: list[str], chosen: dict[str, str]) -> list[tuple[str, str]]:
    """What the database answers for `kind`, or nothing after DEADLINE."""
    found: list[tuple[str, str]] = []

    def read() -> None:
        with contextlib.suppress(Exception):  # unreachable, misconfigured: nothing
            found.extend(_read(kind, named, chosen))

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(DEADLINE)
    return list(found) if not worker.is_alive() else []


def _read(kind: str, named: list[str], chosen: dict[str, str]) -> list[tuple[str, str]]:
    from todo_cli.classes import replace
    from todo_cli.config import load_settings, variables
    from todo_cli.errors import DatabaseUnreachableError
    from todo_cli.store import completing

    found = variables()
    settings = load_settings(env=found, **chosen)
    quick = replace(settings, connect_timeout=1.0, retry_budget=0.0)
    try:
        return completing.offers(quick, kind, named)
    except DatabaseUnreachableError:  # OFFLINE: the numbers this machine last saw, q1, q2...
        from todo_cli.offline.completing import offers

        return offers(settings, found, kind)


def script(shell: str) -> str:
    """The completion script for `shell` (todo completion SHELL)."""
    return SCRIPTS[shell]


SCRIPTS = {
    "bash": """\
# todo completion for bash: add to ~/.bashrc
#   eval "$(todo completion bash)"
_todo_complete() {
    local IFS=$'\\n'
    COMPREPLY=($(todo __complete bash "$COMP_CWORD" "${COMP_WORDS[@]}" 2>/dev/null))
}
complete -o default -F _todo_complete todo
""",
    "zsh": """\
#compdef todo
# todo completion for zsh: add to ~/.zshrc (after compinit)
#   eval "$(todo completion zsh)"
_todo() {
    local -a items
    items=("${(@f)$(todo __complete zsh $((CURRENT - 1)) "${words[@]}" 2>/dev/null)}")
    [[ -n "$items" ]] && _describe -V todo items || _files
}
compdef _todo todo
""",
    "fish": """\
# todo completion for fish: save as ~/.config/fish/completions/todo.fish
#   todo completion fish > ~/.config/fish/completions/todo.fish
function __todo_complete
    set -l tokens (commandline -opc) (commandline -ct)
    todo __complete fish (math (count $tokens) - 1) $tokens 2>/dev/null
end
complete -c todo -f -a '(__todo_complete)'
""",
}
