"""The command line as data: every command, its arguments and options,
what completion offers for each, and the examples of its help.

Plain data (commandline.py's parts), importable without Typer. Three readers:
- app.py builds the Typer app from it (help, usage errors, rare commands);
- fastpath.py parses the everyday commands with it, without Typer;
- completion.py answers <TAB> from it.
An option is added here, once, and taken by the command's function
(commands/): tests/unit/test_syntax.py holds the three to it.

`offers` names what completion offers for a value: VALUES in completion.py,
"profile", "file", or a live kind read from the database (store/completing).
"""

from __future__ import annotations

from todo_cli.commandline import MAX_NUMBER as MAX_NUMBER
from todo_cli.commandline import Argument as Argument
from todo_cli.commandline import Command as Command
from todo_cli.commandline import Option as Option
from todo_cli.commandline import flag, value

JSON = flag("--json", "json_", "Print JSON to stdout.")
PRIORITY = value(
    "--priority -p", "priority", "high, medium or low (h, m, l).", show_default=False,
    offers="priority",
)  # fmt: skip
DUE = value(
    "--due -d", "due", "When: today, fri, in 3 days, 2026-12-24, tomorrow 9am...",
    show_default=False, offers="when",
)  # fmt: skip
EVERY = value(
    "--every", "every", "Repeat: day, week, month, year, 2w, 3 days, weekday, mon,thu.",
    show_default=False, offers="every",
)  # fmt: skip
FROM_DONE = flag("--from-done", "from_done", "Count the next due date from the day it is done.")
UNTIL = value(
    "--until", "until", "The last date a repeat may fall on.", show_default=False, offers="when"
)
WAIT = value(
    "--wait", "wait", 'Hide from the list until WHEN, or "3 days before" each due.',
    show_default=False, offers="when",
)  # fmt: skip


def numbers(offers: str) -> Argument:
    """Todo numbers; completion offers the `offers` ones (open, done, mine)."""
    return Argument(
        "numbers", "NUMBERS...", "Todo numbers: 3, 3 4, 1-3,7; shared with you: alice/3.",
        many=True, offers=offers,
    )  # fmt: skip


YES = flag("--yes -y", "yes", "Do not ask for confirmation.")
WITH = value("--with -w", "with_", "The user to share with.", required=True, show_default=False)
TAG_ARGUMENT = Argument("tag", "TAG", "The tag, with or without +.", offers="mytag")
PROFILE_NAME = Argument("name", None, "Profile name.", offers="profile")
USER_NAME = Argument("name", None, "The todo user name.")

# The global options go before the command (todo --user bob list).
GLOBAL = (
    value("--profile -P", "profile", "Profile to use [env: TODO_PROFILE].", offers="profile"),
    value("--user -u", "user", "Act as this user [env: TODO_USER]."),
    value("--database-url", "database_url", "Database URL [env: DATABASE_URL].",
          show_default=False),
    flag("--debug", "debug", "Show tracebacks on errors."),
    flag("--verbose -v", "verbose", "Report connection retries on stderr."),
    flag("--online", "online", "Never work offline: no server is an error [env: TODO_ONLINE=1]."),
    flag("--version", "version", "Show the version."),
)  # fmt: skip
HELP = ("--help", "-h")

# todo --help's own examples.
TODO_EXAMPLES = (
    ("todo add Call the bank", "add a todo (prints its number)"),
    ("todo list", "open todos; --all, --done, --json"),
    ("todo done 3 4", "complete todos 3 and 4 (all or nothing)"),
    ("todo rm 2 --yes", "remove todo 2 without asking"),
    ("todo undo", "undo your last change (todo log lists them)"),
    ("todo import tasks.json", "from `task export`, todo.txt or todo export"),
    ("todo whoami --check", "who am I, which database, is it healthy?"),
    ("todo --user bob list", "act as another user for one command"),
)

# Groups of commands: their help, in the order todo --help lists them.
GROUPS = {
    "profile": "Named profiles: a user and an optional database URL.",
    "db": "Database schema: status and upgrade.",
    "admin": "Administration, with the database owner's URL.",
    "admin user": "Per-user credentials: one PostgreSQL login role per user.",
}

COMMANDS = (
    Command(
        "add", "todos:add", "Add a todo",
        arguments=(
            Argument("title", "TITLE...",
                     "The title; words are joined with spaces. - reads stdin.", many=True),
        ),
        options=(
            PRIORITY, DUE,
            value("--tag -t", "tag", "A tag; repeat for more.", many=True, offers="tag"),
            value("--note -n", "note", "Free text.", show_default=False),
            EVERY, FROM_DONE, UNTIL, WAIT,
            value("--owner", "owner",
                  "Add to this user's list, into a tag they share with you to write.",
                  show_default=False, offers="sharer"),
            JSON,
        ),
        examples=(
            ("todo add Call the bank", "prints the new todo's number"),
            ('todo add "Pay rent" -d 2026-12-01 -p high -t home', "due, priority, a tag"),
            ("todo add Water plants --every week -d sat", "repeats: done, the next one appears"),
            ("printf 'a\\nb\\n' | todo add -", "one todo per line of stdin"),
        ),
        everyday=True,
    ),
    Command(
        "list", "todos:list_", "List your todos",
        options=(
            flag("--all -a", "all_", "Open and done todos."),
            flag("--done", "done", "Only done todos."),
            value("--tag -t", "tag", "Only todos with this tag (repeatable).", many=True,
                  offers="tag"),
            PRIORITY,
            flag("--overdue", "overdue", "Only overdue todos."),
            flag("--waiting", "waiting", "Only the open todos waiting (see add --wait)."),
            flag("--shared", "shared", "The todos others share with you (OWNER/NUMBER)."),
            value("--due-before", "due_before", "Only todos due before WHEN.",
                  show_default=False, offers="when"),
            value("--search -s", "search", "Only titles containing TEXT (any case).",
                  show_default=False),
            value("--sort", "sort",
                  "default (overdue, then priority, then due), number, due, priority "
                  "or created.", default="default", show_default=False, offers="sort"),
            flag("--reverse -r", "reverse", "Reverse the order."),
            value("--limit -n", "limit",
                  "Show at most N (0: no limit). Default: a screenful; --json: everything.",
                  takes="int", low=0, high=MAX_NUMBER, show_default=False),
            JSON,
        ),
        aliases=("ls",),
        examples=(
            ("todo list --tag work --overdue", "filters combine"),
            ("todo list --all --sort due --json", "everything, by due date, as JSON"),
            ("todo list --shared", "what others share with you"),
        ),
        everyday=True,
    ),
    Command(
        "show", "todos:show", "Show one todo in full",
        arguments=(
            Argument("number", "NUMBER", "The todo's number (shared: alice/3).", offers="any"),
        ),
        options=(JSON,),
        examples=(("todo show 3", "one todo in full"), ("todo show alice/3 --json", "a shared one")),
        everyday=True,
    ),
    Command(
        "edit", "changes:edit", "Change todos",
        arguments=(numbers("open"),),
        options=(
            value("--title", "title", "New title (one todo at a time).", show_default=False),
            value("--priority -p", "priority", "high, medium, low, or none.",
                  show_default=False, offers="priority"),
            DUE,
            flag("--no-due", "no_due", "Remove the due date (a repeat stops too)."),
            value("--tag -t", "tag", "+x adds tag x, -x removes it (repeatable).", many=True,
                  offers="tagedit"),
            value("--note -n", "note", 'New note ("" clears it).', show_default=False),
            EVERY, FROM_DONE,
            flag("--no-repeat", "no_repeat", "Stop repeating."),
            UNTIL, WAIT, JSON,
        ),
        examples=(
            ("todo edit 3 --title 'Call the bank about the loan'", "one todo"),
            ("todo edit 1-3 -p low -t +later -t -urgent", "several: all or nothing"),
            ("todo edit 4 --every month --until 2027-06-30", "make it repeat"),
        ),
        everyday=True,
    ),
    Command(
        "done", "changes:done", "Mark todos done",
        arguments=(numbers("open"),), options=(JSON,), aliases=("complete", "finish"),
        examples=(("todo done 3 4", "complete two"), ("todo done alice/2", "one shared with you")),
        everyday=True,
    ),
    Command(
        "reopen", "changes:reopen", "Mark done todos open again",
        arguments=(numbers("done"),), options=(JSON,), examples=(("todo reopen 3", "open again"),),
        everyday=True,
    ),
    Command(
        "rm", "changes:rm", "Remove todos",
        arguments=(numbers("mine"),),
        options=(
            YES, flag("--series", "series", "Of a repeating todo: stop the repeat too."), JSON,
        ),
        aliases=("remove", "delete"),
        examples=(("todo rm 2", "asks first on a terminal"), ("todo rm 2-5 --yes", "in a script")),
        everyday=True,
    ),
    Command(
        "log", "history:log", "Your recent changes",
        options=(
            value("--limit -n", "limit", "Show the last N changes (0: all).", takes="int",
                  default=20, low=0, high=MAX_NUMBER),
            JSON,
        ),
        examples=(("todo log", "your last 20 changes"), ("todo log -n 0 --json", "all of them")),
        everyday=True,
    ),
    Command(
        "undo", "history:undo", "Undo your last change",
        arguments=(
            Argument("count", "[N]", "How many changes to undo (default 1).", required=False,
                     takes="int", default=1, low=1, high=MAX_NUMBER),
        ),
        options=(JSON,),
        examples=(("todo undo", "the last change"), ("todo undo 3", "the last three")),
        everyday=True,
    ),
    Command(
        "sync", "sync:sync", "Replay the changes made offline now",
        options=(
            value("--apply", "apply", "Apply held change N anyway, over what changed meanwhile "
                  "(repeatable).", takes="int", many=True, low=1),
            value("--drop", "drop", "Drop queued change N unapplied (repeatable).", takes="int",
                  many=True, low=1),
            flag("--accept-restore", "accept_restore",
                 "The server was restored on purpose: replay into it, each change checked."),
            JSON,
        ),
        examples=(("todo sync", "replay what was queued offline"),
                  ("todo sync --drop 2", "drop one")),
    ),
    Command(
        "stats", "stats:stats", "Your progress",
        options=(JSON,),
        examples=(("todo stats", "on a terminal"), ("todo stats --json", "the numbers")),
        everyday=True,
    ),
    Command(
        "share", "sharing:share", "Share every todo of yours that carries TAG",
        arguments=(TAG_ARGUMENT,),
        options=(
            WITH,
            flag("--write", "write", "Let them edit, complete and reopen them, and add to them."),
        ),
        examples=(("todo share groceries --with bob --write", "bob may change and add"),),
    ),
    Command(
        "unshare", "sharing:unshare", "Stop sharing TAG with a user",
        arguments=(TAG_ARGUMENT,), options=(WITH,),
        examples=(("todo unshare groceries --with bob", "at once"),),
    ),
    Command(
        "shares", "sharing:shares", "What you share",
        options=(JSON,), examples=(("todo shares --json", "both ways, for a script"),),
    ),
    Command(
        "export", "transfer:export", "Write all your todos",
        options=(
            value("--format -f", "format", "json (lossless), todotxt, csv or taskwarrior.",
                  default="json", offers="export"),
            value("--output -o", "output", "Write to FILE (replaced whole, or not at all).",
                  takes="path", show_default=False, offers="file"),
        ),
        examples=(
            ("todo export > todos.json", "everything, lossless"),
            ("todo export -f todotxt -o todo.txt", "for todo.sh"),
        ),
    ),
    Command(
        "import", "transfer:import_", "Add todos from a file",
        arguments=(Argument("file", "FILE", "The file to read; - reads stdin.", offers="file"),),
        options=(
            value("--format -f", "format", "json, todotxt or taskwarrior (default: detected).",
                  show_default=False, offers="import"),
            JSON,
        ),
        examples=(
            ("task export > t.json && todo import t.json", "from Taskwarrior"),
            ("todo import todo.txt", "from todo.sh; the format is detected"),
        ),
    ),
    Command(
        "whoami", "setup:whoami", "Show the user, profile and database in use",
        options=(
            flag("--check", "check", "Also connect: server version and schema revision."), JSON,
        ),
        examples=(("todo whoami --check", "and is the database healthy?"),),
    ),
    Command(
        "completion", "setup:completion", "Print the shell completion script",
        arguments=(Argument("shell", "SHELL", "bash, zsh or fish.", offers="shell"),),
        examples=(('eval "$(todo completion bash)"', "in ~/.bashrc"),),
    ),
    Command(
        "profile add", "setup:profile_add", "Create a profile",
        arguments=(Argument("name", None, "Profile name."),),
        options=(
            value("--user -u", "user", "The user this profile acts as.", required=True),
            value("--database-url", "database_url", "Database URL (default: embedded SQLite)."),
            flag("--force", "force", "Replace an existing profile."),
        ),
        examples=(
            ("todo profile add work --user alice --database-url postgresql://...", "a profile"),
        ),
    ),
    Command(
        "profile list", "setup:profile_list", "List profiles",
        options=(JSON,), examples=(("todo profile list", "* marks the one in use"),),
    ),
    Command(
        "profile use", "setup:profile_use", "Make a profile the current one",
        arguments=(PROFILE_NAME,), examples=(("todo profile use work", "from now on"),),
    ),
    Command(
        "profile rm", "setup:profile_rm", "Delete a profile",
        arguments=(PROFILE_NAME,), examples=(("todo profile rm work", "remove it"),),
    ),
    Command(
        "db status", "setup:db_status", "Show the schema revision",
        options=(JSON,), examples=(("todo db status --json", "is the schema up to date?"),),
    ),
    Command(
        "db upgrade", "setup:db_upgrade", "Create or upgrade the schema",
        examples=(("DATABASE_URL=$OWNER_URL todo db upgrade", "as the tables' owner"),),
    ),
    Command(
        "admin user add", "admin:admin_user_add", "Create a login role",
        arguments=(USER_NAME,),
        options=(
            value("--profile-name", "profile", "Profile to write (default: the user name)."),
            flag("--print-url", "print_url", "Print the connection string once; write no profile."),
            flag("--adopt", "adopt", "NAME exists in shared-credential mode: give their todos "
                 "and shares to the new role."),
        ),
        examples=(("todo admin user add alice", "a login role for alice, and a profile"),),
    ),
    Command(
        "admin user rm", "admin:admin_user_rm", "Drop NAME's login role",
        arguments=(USER_NAME,),
        options=(flag("--purge", "purge", "Also delete the user's todos."), YES),
        examples=(("todo admin user rm alice --purge --yes", "and her todos"),),
    ),
)  # fmt: skip

BY_NAME = {c.name: c for c in COMMANDS}
# Each alias, and each name, to its command.
NAMED = {**BY_NAME, **{a: c for c in COMMANDS for a in c.aliases}}
