"""insider: isolation that holds against a hostile holder of per-user
credentials with raw SQL

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

An attack with per-user roles and raw SQL broke 0005-0010 in 14 ways. This
revision is the threat model's database side (README, "Threat model"):

- Roles belong to one database. The group roles are made here with a
  random tag (todo_roles holds their names: todo_<tag>_app for the
  shared credential, todo_<tag>_person for per-user roles), every grant
  goes to them, and CONNECT and TEMPORARY on the database are revoked
  from PUBLIC: a role of another todo database cannot even connect. The
  server-wide todo_app and todo_person of 0005 lose every right here.
  Per-user roles already linked in users move to the new group and keep
  working; `todo db upgrade` prints what the admin must still do (grant
  the new app group to the shared-credential role, and re-key roles named
  after their users).
- users rows: made and renamed only by the owner (`todo admin`) or by the
  rules of users_claimed, a trigger that runs as the owner: a per-user
  role may only propose the row the admin made for it; a shared-credential
  role cannot bind a row to a login role. No DELETE for the application's
  roles. todo_claim(name), called by every transaction, refuses a per-user
  role that names another user (exit 3 in the client).
- A share may name a user who has not used todo yet (so sharing tells
  nobody which names exist): since no application role can make or take
  a users row any more, only the admin (per-user credentials) or a holder
  of the shared credential (trusted with every shared-mode name) can
  become that user. A removed user's shares go with them (users_gone). At
  most 100 shares per owner; a grantee may decline (delete) a share made
  to them.
- Grantees change no tags of the owner's todos; a todo they add carries
  only tags shared with them to write (or, the next one of a repeating
  todo, its predecessor's). A next todo that a grantee's done made may be
  removed by them only with its predecessor reopened (undo), never so the
  series ends.
- The journal: no DELETE; an entry about another's todos must have the
  shape the readers expect and name only todos the same transaction
  changed (a deferred check).
- Ids are bigint, sequences too: no user can use them up.
- Names, titles and tags refuse control characters; notes are capped at
  10,000 characters (todo.NOTE_MAX).
- EXECUTE on our functions is revoked from PUBLIC (todo_caller_name was an
  oracle for any role); the groups get what the policies call.

SQLite (one machine, one trust domain) is not changed.
"""

import logging
from collections.abc import Sequence
from typing import Any

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTROL = r"'[\x01-\x1f\x7f-\x9f]'"
NAME = r"'^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,63}$'"
NOTE_MAX = 10_000
TIME_MIN = "'0001-01-02 00:00:00+00'"
TIME_MAX = "'9999-12-31 23:59:59.999999+00'"
EVENT_MAX = 1_000_000  # characters of an entry about another's todos
SHARES_MAX = 100

ID_COLUMNS = {
    "users": ["id"],
    "todos": ["id", "user_id"],
    "todo_tags": ["todo_id", "user_id"],
    "events": ["id", "user_id", "owner_id"],
    "shares": ["id", "owner_id"],
    "shared_todos": ["todo_id", "owner_id"],
}
SEQUENCES = ["users_id_seq", "todos_id_seq", "events_id_seq", "shares_id_seq"]
TABLES = ["users", "todos", "todo_tags", "events", "shares", "shared_todos", "alembic_version"]

TIMES = [
    ("todos", "due"), ("todos", "created_at"), ("todos", "updated_at"),
    ("todos", "completed_at"), ("todos", "wait"), ("todos", "until"),
    ("events", "at"), ("events", "undone_at"),
]  # fmt: skip
CONSTRAINTS = [
    ("users", "ck_users_name", f"name ~ {NAME}"),
    ("todos", "ck_todos_title", f"title !~ {CONTROL}"),
    ("todos", "ck_todos_note", f"char_length(note) <= {NOTE_MAX}"),
    ("todos", "ck_todos_added_by", f"added_by ~ {NAME}"),
    ("todo_tags", "ck_todo_tags_tag", f"tag !~ {CONTROL} AND char_length(tag) <= 64"),
    ("shares", "ck_shares_tag", f"tag !~ {CONTROL} AND char_length(tag) <= 64"),
    ("shares", "ck_shares_grantee", f"grantee_name ~ {NAME}"),
    # What the readers can hold: a timestamp past 9999 or before year 1
    # fails every driver's conversion, and a clock or anchor out of range
    # every date made from them (a grantee could write either).
    *(
        (table, f"ck_{table}_{column}_range", f"{column} BETWEEN {TIME_MIN} AND {TIME_MAX}")
        for table, column in TIMES
    ),
    ("todos", "ck_todos_clock", "clock BETWEEN 0 AND 86399"),
    ("todos", "ck_todos_version", "version BETWEEN 1 AND 1000000000"),
    ("todos", "ck_todos_anchor", "anchor BETWEEN 1 AND 31"),
    ("todos", "ck_todos_priority", "priority BETWEEN 1 AND 3"),
    ("todos", "ck_todos_wait_lead", "wait_lead BETWEEN 0 AND 315360000"),
    ("todos", "ck_todos_every", f"char_length(every) <= 40 AND every !~ {CONTROL}"),
]


def functions(person: str) -> list[str]:
    """The functions of this revision; `person` is this database's group
    of per-user roles (a literal: the policies call todo_is_person often)."""
    return [
        # Direct membership of this database's group, by the login role.
        f"""
CREATE OR REPLACE FUNCTION todo_is_person() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM pg_catalog.pg_auth_members m
    JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
    JOIN pg_catalog.pg_roles u ON u.oid = m.member
    WHERE g.rolname = '{person}' AND u.rolname = session_user)
$$""",
        # The owner (or a superuser): todo admin and the migrations.
        """
CREATE FUNCTION todo_is_owner() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.pg_has_role(session_user,
    (SELECT relowner FROM pg_catalog.pg_class WHERE oid = 'public.users'::pg_catalog.regclass),
    'MEMBER')
$$""",
        # Sent by every transaction of the client, with its user's name: a
        # per-user role names its own user or nothing works.
        """
CREATE FUNCTION todo_claim(wanted text) RETURNS boolean LANGUAGE plpgsql STABLE
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  mine text;
BEGIN
  IF NOT todo_is_person() THEN
    RETURN true;
  END IF;
  SELECT name INTO mine FROM users WHERE db_role = session_user;
  IF mine IS NULL THEN
    RAISE EXCEPTION 'these credentials belong to no todo user of this database'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF wanted IS DISTINCT FROM mine THEN
    RAISE EXCEPTION 'these credentials are for user %, not %', mine, wanted
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN true;
END $$""",
        # Who may make a users row, and with which login role.
        """
CREATE FUNCTION users_claimed() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF todo_is_owner() THEN
    RETURN NEW;
  END IF;
  IF todo_is_person() THEN
    -- Only the row the admin made for this role (the insert then meets it
    -- and becomes the update of its counter).
    IF NOT EXISTS (SELECT 1 FROM users WHERE db_role = session_user AND name = NEW.name) THEN
      RAISE EXCEPTION 'these credentials are not for user %', NEW.name
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    NEW.db_role := session_user;
    RETURN NEW;
  END IF;
  NEW.db_role := NULL;
  RETURN NEW;
END $$""",
        # The tags a grantee may put on a todo they added to another's list
        # in this transaction: those shared with them to write, and, for the
        # next one of a repeating todo, its shared predecessors' tags.
        """
CREATE FUNCTION todo_tags_allowed(todo bigint) RETURNS SETOF text LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  WITH n AS (
    -- Only a todo the caller added in this very transaction: nothing to
    -- learn of any other id.
    SELECT * FROM todos WHERE id = todo AND added_by = todo_caller_name()
    AND CAST(CAST(xmin AS text) AS bigint) = txid_current() % 4294967296
  )
  SELECT s.tag FROM n JOIN shares s ON s.owner_id = n.user_id
  WHERE s.can_write AND s.grantee_name = todo_caller_name()
  UNION
  -- Its predecessor's, when it is the next one of a repeating todo shared
  -- with the caller to write (todos_added_series makes sure at COMMIT that
  -- it is: the caller completed that todo in this transaction).
  SELECT g.tag FROM n
  JOIN todos p ON p.user_id = n.user_id AND p.series = n.series AND p.id <> n.id
  JOIN shared_todos st ON st.todo_id = p.id AND st.grantee_name = todo_caller_name()
    AND st.can_write
  JOIN todo_tags g ON g.todo_id = p.id
$$""",
        # 0010's: a todo added to another's list starts at version 1, not
        # continued, whatever the adder says (a version at the top of its
        # range blocked every later change of the owner's).
        """
CREATE OR REPLACE FUNCTION todos_added() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  caller text := todo_caller_name();
BEGIN
  IF caller IS NULL OR NEW.added_by IS DISTINCT FROM caller OR NOT EXISTS (
    SELECT 1 FROM shares s WHERE s.owner_id = NEW.user_id AND s.can_write
    AND s.grantee_name = caller
  ) THEN
    RAISE EXCEPTION 'no share lets you add to that list' USING ERRCODE = 'insufficient_privilege';
  END IF;
  NEW.version := 1;
  NEW.continued := false;
  UPDATE users SET last_number = last_number + 1 WHERE id = NEW.user_id
    RETURNING last_number INTO NEW.number;
  RETURN NEW;
END $$""",
        # A todo added to another's list in an existing series must be the
        # next one of a todo the adder completed in this transaction, with
        # its repeat: nobody slips a todo of theirs into the owner's series
        # (checked at COMMIT, after the completion).
        """
CREATE FUNCTION todos_added_series() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF todo_is_owner() OR NOT EXISTS (
    SELECT 1 FROM todos t WHERE t.user_id = NEW.user_id AND t.series = NEW.series
    AND t.id <> NEW.id
  ) THEN
    RETURN NULL;
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM todos p
    JOIN shared_todos st ON st.todo_id = p.id AND st.grantee_name = NEW.added_by AND st.can_write
    WHERE p.user_id = NEW.user_id AND p.series = NEW.series AND p.id <> NEW.id AND p.done
    AND CAST(CAST(p.xmin AS text) AS bigint) = txid_current() % 4294967296
    AND p.every IS NOT DISTINCT FROM NEW.every AND p.anchor IS NOT DISTINCT FROM NEW.anchor
    AND p.clock IS NOT DISTINCT FROM NEW.clock AND p.until IS NOT DISTINCT FROM NEW.until
  ) THEN
    RAISE EXCEPTION 'a todo added to another user''s repeating todo must be the next one of '
      'one you completed' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END $$""",
        # A grantee's delete of a repeating todo's instance (undo of their
        # done) must leave the series going: an open instance at COMMIT.
        """
CREATE FUNCTION todos_series_goes_on() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF NOT todo_is_owner() AND OLD.user_id IS DISTINCT FROM (
    SELECT id FROM users WHERE name = todo_caller_name()
  ) AND NOT EXISTS (
    SELECT 1 FROM todos WHERE user_id = OLD.user_id AND series = OLD.series AND NOT done
  ) THEN
    RAISE EXCEPTION 'removing that todo would end %''s repeating todo; only its owner may',
      (SELECT name FROM users WHERE id = OLD.user_id) USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END $$""",
        # What a grantee's change may not touch: the repeat and the request
        # id of the owner's todo (a series is how the next one's tags are
        # chosen, a request id how an import knows a line), nor their version
        # but by the one step every change takes. (The share that allows the
        # change is not locked: that lock would let a grantee hold off its
        # revocation.)
        """
CREATE FUNCTION todos_grantee_limits() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  caller text;
BEGIN
  IF todo_is_owner() THEN
    RETURN NEW;
  END IF;
  caller := todo_caller_name();
  IF OLD.user_id IS NOT DISTINCT FROM (SELECT id FROM users WHERE name = caller) THEN
    RETURN NEW;
  END IF;
  IF (NEW.series, NEW.every, NEW.anchor, NEW.clock, NEW.until, NEW.request_id)
    IS DISTINCT FROM (OLD.series, OLD.every, OLD.anchor, OLD.clock, OLD.until, OLD.request_id)
  THEN
    RAISE EXCEPTION 'the repeat of %''s todos is theirs to change',
      (SELECT name FROM users WHERE id = OLD.user_id) USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.version NOT BETWEEN 1 AND OLD.version + 1 THEN
    -- A change moves it by one, an undo back to what it was.
    RAISE EXCEPTION 'a change moves a todo''s version by one' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$""",
        # The journal: what the readers expect, checked when written.
        """
CREATE FUNCTION todo_event_shape(action text, data text) RETURNS boolean LANGUAGE plpgsql
IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  d jsonb;
BEGIN
  BEGIN
    d := data::jsonb;
  EXCEPTION WHEN others THEN
    RETURN false;
  END;
  IF jsonb_typeof(d) <> 'object' THEN
    RETURN false;
  END IF;
  IF action = 'add' AND d ? 'first' THEN
    RETURN jsonb_typeof(d->'first') = 'number' AND jsonb_typeof(d->'last') = 'number'
      AND (d->>'first') ~ '^[0-9]{1,9}$' AND (d->>'last') ~ '^[0-9]{1,9}$'
      AND jsonb_typeof(d->'title') IN ('string', 'null');
  END IF;
  IF action IN ('add', 'import') THEN
    RETURN jsonb_typeof(d->'numbers') = 'array' AND NOT EXISTS (
      SELECT 1 FROM jsonb_array_elements(d->'numbers') n
      WHERE jsonb_typeof(n) <> 'number' OR n::text !~ '^[0-9]{1,9}$')
      AND jsonb_typeof(d->'title') IN ('string', 'null');
  END IF;
  IF action IN ('edit', 'done', 'reopen', 'rm') THEN
    RETURN jsonb_typeof(d->'todos') = 'array' AND jsonb_array_length(d->'todos') > 0
      AND NOT EXISTS (
      SELECT 1 FROM jsonb_array_elements(d->'todos') t
      WHERE jsonb_typeof(t) <> 'object' OR jsonb_typeof(t->'number') <> 'number'
        OR (t->>'number') !~ '^[0-9]{1,9}$' OR jsonb_typeof(t->'title') <> 'string')
      AND (NOT d ? 'created' OR jsonb_typeof(d->'created') IN ('array', 'null'));
  END IF;
  RETURN false;
END $$""",
        # An entry about another's todos: its shape, and only the todos
        # this very transaction changed (their row version is ours).
        f"""
CREATE FUNCTION events_checked() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  d jsonb;
  numbers bigint[];
BEGIN
  IF todo_is_owner() THEN
    RETURN NULL;
  END IF;
  IF NOT todo_event_shape(NEW.action, NEW.data) THEN
    RAISE EXCEPTION 'a journal entry about another user''s todos must be one todo writes'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  d := NEW.data::jsonb;
  IF d ? 'todos' THEN
    numbers := ARRAY(SELECT (t->>'number')::bigint FROM jsonb_array_elements(d->'todos') t);
  ELSIF d ? 'numbers' THEN
    numbers := ARRAY(SELECT n::text::bigint FROM jsonb_array_elements(d->'numbers') n);
  ELSE
    numbers := ARRAY(SELECT generate_series((d->>'first')::bigint, (d->>'last')::bigint));
  END IF;
  IF cardinality(numbers) = 0 OR cardinality(numbers) > 10000
    OR char_length(NEW.data) > {EVENT_MAX}
    OR char_length(COALESCE(d->>'title', '')) > 500
    OR EXISTS (
      SELECT 1 FROM events e WHERE e.user_id = NEW.user_id AND e.owner_id = NEW.owner_id
      AND e.id <> NEW.id AND CAST(CAST(e.xmin AS text) AS bigint) = txid_current() % 4294967296)
    OR (d ? 'created' AND jsonb_typeof(d->'created') = 'array' AND EXISTS (
      SELECT 1 FROM jsonb_array_elements(d->'created') c
      WHERE jsonb_typeof(c) <> 'number' OR c::text !~ '^[0-9]{{1,9}}$'))
    OR EXISTS (
    SELECT 1 FROM unnest(numbers) AS n(number) WHERE NOT EXISTS (
      SELECT 1 FROM todos t WHERE t.user_id = NEW.owner_id AND t.number = n.number
      AND CAST(CAST(t.xmin AS text) AS bigint) = txid_current() % 4294967296)
  ) THEN
    RAISE EXCEPTION 'a journal entry about another user''s todos must name only todos '
      'changed with it' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END $$""",
        # A removed user takes the shares naming them along: nobody who
        # later gets the name inherits them.
        """
CREATE FUNCTION users_gone() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  DELETE FROM shares WHERE grantee_name = OLD.name;
  RETURN NULL;
END $$""",
        # Sharing needs no consent, so it has a bound.
        f"""
CREATE FUNCTION shares_bounded() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  -- Serialised per owner: concurrent shares cannot all see room for one more.
  PERFORM 1 FROM users WHERE id = NEW.owner_id FOR UPDATE;
  IF (SELECT count(*) FROM shares WHERE owner_id = NEW.owner_id) >= {SHARES_MAX} THEN
    RAISE EXCEPTION 'you already share {SHARES_MAX} times (todo shares): unshare some first'
      USING ERRCODE = 'program_limit_exceeded';
  END IF;
  RETURN NEW;
END $$""",
    ]


TRIGGERS = [
    "CREATE TRIGGER users_claimed BEFORE INSERT ON users FOR EACH ROW "
    "EXECUTE FUNCTION users_claimed()",
    "CREATE CONSTRAINT TRIGGER todos_series_goes_on AFTER DELETE ON todos DEFERRABLE "
    "INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.series IS NOT NULL AND OLD.added_by IS NOT NULL) "
    "EXECUTE FUNCTION todos_series_goes_on()",
    "CREATE CONSTRAINT TRIGGER todos_series_goes_on_done AFTER UPDATE ON todos DEFERRABLE "
    "INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.series IS NOT NULL AND NEW.every IS NOT NULL "
    "AND NEW.done AND NOT OLD.done AND NEW.until IS NULL) EXECUTE FUNCTION todos_series_goes_on()",
    "CREATE CONSTRAINT TRIGGER todos_added_series AFTER INSERT ON todos DEFERRABLE "
    "INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.added_by IS NOT NULL AND NEW.series IS NOT NULL) "
    "EXECUTE FUNCTION todos_added_series()",
    "CREATE CONSTRAINT TRIGGER events_checked AFTER INSERT ON events DEFERRABLE "
    "INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.owner_id IS NOT NULL) "
    "EXECUTE FUNCTION events_checked()",
    "CREATE TRIGGER todos_grantee_limits BEFORE UPDATE ON todos FOR EACH ROW "
    "EXECUTE FUNCTION todos_grantee_limits()",
    "CREATE TRIGGER users_gone AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION users_gone()",
    "CREATE TRIGGER shares_bounded BEFORE INSERT ON shares FOR EACH ROW "
    "EXECUTE FUNCTION shares_bounded()",
]

ME_NAME = "(SELECT name FROM users)"
ADDED = (
    f"added_by IN {ME_NAME} AND CAST(CAST(xmin AS text) AS bigint) = txid_current() % 4294967296"
)
POLICIES = [
    # 0010 let a write grantee add and remove any tag but the sharing one.
    "DROP POLICY todo_tags_shared_write ON todo_tags",
    "DROP POLICY todo_tags_shared_remove ON todo_tags",
    f"CREATE POLICY todo_tags_added ON todo_tags FOR INSERT WITH CHECK (todo_id IN "
    f"(SELECT id FROM todos WHERE {ADDED}) AND tag IN (SELECT todo_tags_allowed(todo_id)))",
    # A grantee may decline a share made to them.
    f"CREATE POLICY shares_declined ON shares FOR DELETE USING (grantee_name IN {ME_NAME})",
]

# What each group may do; what is not here, it may not.
GRANTS = [
    "GRANT SELECT, INSERT, DELETE ON todos, todo_tags, shares TO {groups}",
    "GRANT UPDATE (title, done, priority, due, note, created_at, updated_at, completed_at, "
    "request_id, version, every, anchor, clock, until, wait, wait_lead, series, continued) "
    "ON todos TO {groups}",
    "GRANT SELECT, INSERT (name, created_at, last_number, db_role), UPDATE (last_number) "
    "ON users TO {groups}",
    "GRANT SELECT, INSERT, UPDATE (undone_at) ON events TO {groups}",
    "GRANT UPDATE (can_write) ON shares TO {groups}",
    "GRANT SELECT ON shared_todos, alembic_version TO {groups}",
    "GRANT USAGE ON SEQUENCE users_id_seq, todos_id_seq, events_id_seq, shares_id_seq TO {groups}",
    "GRANT EXECUTE ON FUNCTION todo_is_person(), todo_claim(text), "
    "todo_require_numbers(integer[], integer[]), todo_tags_allowed(bigint), "
    "todo_next_due(timestamptz, text, integer, integer, timestamptz, text) TO {groups}",
]


def _notice(text: str) -> None:
    """A line for the admin: `todo db upgrade` prints it (alembic logs it)."""
    from alembic import context

    context.config.attributes.setdefault("notes", []).append(text)
    logging.getLogger("alembic.runtime.migration").warning("%s", text)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _scalar(sql: str) -> Any:
    return op.get_bind().exec_driver_sql(sql).scalar()


def _rows(sql: str) -> list[Any]:
    return list(op.get_bind().exec_driver_sql(sql).fetchall())


def _groups() -> tuple[str, str]:
    """This database's two group roles, made now with a fresh tag."""
    import secrets

    op.execute(
        "CREATE TABLE todo_roles (kind text NOT NULL PRIMARY KEY, role text NOT NULL UNIQUE)"
    )
    op.execute("REVOKE ALL ON todo_roles FROM PUBLIC")
    while True:
        tag = secrets.token_hex(4)
        app, person = f"todo_{tag}_app", f"todo_{tag}_person"
        if not _scalar(
            f"SELECT count(*) FROM pg_roles WHERE rolname IN ({_literal(app)}, {_literal(person)})"
        ):
            break
    for kind, role in (("app", app), ("person", person)):
        op.execute(
            f"INSERT INTO todo_roles (kind, role) VALUES ({_literal(kind)}, {_literal(role)})"
        )
    return app, person


def _rights(app: str, person: str, old: list[str]) -> list[str]:
    """What needs a role that may create roles: the groups, their rights,
    and the per-user roles already linked here moved into this database's
    group (out of the server-wide one)."""
    groups = f"{app}, {person}"
    database = str(_scalar("SELECT current_database()"))
    statements = [
        *(f"CREATE ROLE {role} NOLOGIN" for role in (app, person)),
        *(
            f"COMMENT ON ROLE {role} IS "
            + _literal(f"todo: the {kind} group of database {database}")
            for kind, role in (("app", app), ("person", person))
        ),
        *(grant.format(groups=groups) for grant in GRANTS),
    ]
    for (role,) in _rows(
        "SELECT u.db_role FROM users u JOIN pg_roles r ON r.rolname = u.db_role ORDER BY u.name"
    ):
        statements.append(f"GRANT {person} TO {_ident(role)}")
        if "todo_person" in old:
            statements.append(f"REVOKE todo_person FROM {_ident(role)}")
    return statements


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        # The same tables everywhere (models.py); SQLite has no roles.
        op.execute(
            "CREATE TABLE todo_roles (kind text NOT NULL PRIMARY KEY, role text NOT NULL UNIQUE)"
        )
        return
    app, person = _groups()
    groups = f"{app}, {person}"
    old = [r for (r,) in _rows("SELECT rolname FROM pg_roles WHERE rolname IN "
                               "('todo_app', 'todo_person')")]  # fmt: skip
    everything = f"{', '.join(TABLES)}"
    # Nothing of this database for the server-wide roles, or for PUBLIC.
    for grantee in [*old, "PUBLIC"]:
        op.execute(f"REVOKE ALL ON {everything} FROM {grantee}")
        op.execute(f"REVOKE ALL ON SEQUENCE {', '.join(SEQUENCES)} FROM {grantee}")
        op.execute(f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM {grantee}")
    op.execute("ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC")
    # A column a policy reads cannot change its type: the policies step
    # aside for it, and come back as they were.
    policies = _rows(
        "SELECT tablename, policyname, permissive, cmd, qual, with_check FROM pg_policies "
        "WHERE schemaname = 'public' ORDER BY tablename, policyname"
    )
    for table, name, *_ in policies:
        op.execute(f"DROP POLICY {name} ON {table}")
    # So do the triggers with a WHEN condition.
    triggers = _rows(
        "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND t.tgqual IS NOT NULL "
        "AND c.relnamespace = 'public'::regnamespace ORDER BY t.tgname"
    )
    for table, name, _ in triggers:
        op.execute(f"DROP TRIGGER {name} ON {table}")
    for table, columns in ID_COLUMNS.items():
        changes = ", ".join(f"ALTER COLUMN {c} TYPE bigint" for c in columns)
        op.execute(f"ALTER TABLE {table} {changes}")
    for table, name, permissive, cmd, qual, check in policies:
        using = f" USING ({qual})" if qual else ""
        checked = f" WITH CHECK ({check})" if check else ""
        op.execute(f"CREATE POLICY {name} ON {table} AS {permissive} FOR {cmd}{using}{checked}")
    for _, _, definition in triggers:
        op.execute(definition)
    for sequence in SEQUENCES:
        op.execute(f"ALTER SEQUENCE {sequence} AS bigint")

    # Titles never held a control character through todo; raw SQL could.
    op.execute(
        f"UPDATE todos SET title = regexp_replace(title, {CONTROL}, ' ', 'g') "
        f"WHERE title ~ {CONTROL}"
    )
    for table, name, check in CONSTRAINTS:
        # NOT VALID: rows an attacker planted before stay (and can no
        # longer be updated); every new or changed row is checked.
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check}) NOT VALID")
    op.execute("ALTER TABLE todos VALIDATE CONSTRAINT ck_todos_title")

    for function in functions(person):
        op.execute(function)
    for trigger in TRIGGERS:
        op.execute(trigger)
    for policy in POLICIES:
        op.execute(policy)

    rights = _rights(app, person, old)
    database = _ident(str(_scalar("SELECT current_database()")))
    doors = [
        f"REVOKE CONNECT, TEMPORARY ON DATABASE {database} FROM PUBLIC",
        f"GRANT CONNECT ON DATABASE {database} TO {groups}",
    ]
    owns_database = _scalar(
        "SELECT pg_has_role(current_user, datdba, 'MEMBER') FROM pg_database "
        "WHERE datname = current_database()"
    )
    if _scalar("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"):
        for statement in rights:
            op.execute(statement)
        rights = []
    if owns_database and not rights:
        for statement in doors:
            op.execute(statement)
        doors = []
    if rights or doors:
        # Nobody but the owner reaches the database until these run.
        _notice(
            "this role may not create roles or does not own the database: a role that may "
            "(CREATEROLE, and the database's owner) must run, in this database: "
            + "; ".join(rights + doors)
        )
    named = [
        n
        for (n,) in _rows(
            "SELECT name FROM users WHERE db_role IS NOT NULL AND db_role = 'todo_' || name "
            "ORDER BY name"
        )
    ]
    if named:
        _notice(
            "per-user roles named after their users still work, but show the names to "
            "every role of the server: give each a new one with todo admin user add NAME "
            f"(for: {', '.join(named)})"
        )
    _notice(
        f"the shared-credential group of this database is {app}: for a shared URL, run GRANT "
        f"{app} TO <its role> (todo_app of earlier releases no longer reaches this database)"
    )


def downgrade() -> None:
    raise NotImplementedError("0011 cannot be undone: restore from a backup taken before it")
