-- The PostgreSQL schema at head, as alembic/versions builds it (pg_dump
-- --schema-only --no-owner, less its session settings; each database's
-- group roles are todo_<tag>_app and todo_<tag>_person, with a random tag).
-- Read it for what the database enforces; the migrations are the history
-- and the upgrade path. Regenerate after a migration (tests/support/pgschema.py).

CREATE FUNCTION public.events_attributed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
BEGIN
  NEW.data := (CAST(NEW.data AS jsonb) || jsonb_build_object(
    'by', todo_caller_name(),
    'owner', (SELECT name FROM users WHERE id = NEW.owner_id)))::text;
  RETURN NEW;
END $$;

CREATE FUNCTION public.events_checked() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $_$
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
    OR char_length(NEW.data) > 1000000
    OR char_length(COALESCE(d->>'title', '')) > 500
    OR EXISTS (
      SELECT 1 FROM events e WHERE e.user_id = NEW.user_id AND e.owner_id = NEW.owner_id
      AND e.id <> NEW.id AND CAST(CAST(e.xmin AS text) AS bigint) = txid_current() % 4294967296)
    OR (d ? 'created' AND jsonb_typeof(d->'created') = 'array' AND EXISTS (
      SELECT 1 FROM jsonb_array_elements(d->'created') c
      WHERE jsonb_typeof(c) <> 'number' OR c::text !~ '^[0-9]{1,9}$'))
    OR EXISTS (
    SELECT 1 FROM unnest(numbers) AS n(number) WHERE NOT EXISTS (
      SELECT 1 FROM todos t WHERE t.user_id = NEW.owner_id AND t.number = n.number
      AND CAST(CAST(t.xmin AS text) AS bigint) = txid_current() % 4294967296)
  ) THEN
    RAISE EXCEPTION 'a journal entry about another user''s todos must name only todos '
      'changed with it' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END $_$;

CREATE FUNCTION public.shares_bounded() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
BEGIN
  -- Serialised per owner: concurrent shares cannot all see room for one more.
  PERFORM 1 FROM users WHERE id = NEW.owner_id FOR UPDATE;
  IF (SELECT count(*) FROM shares WHERE owner_id = NEW.owner_id) >= 100 THEN
    RAISE EXCEPTION 'you already share 100 times (todo shares): unshare some first'
      USING ERRCODE = 'program_limit_exceeded';
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION public.shares_owner_name() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
BEGIN
  NEW.owner_name := (SELECT name FROM users WHERE id = NEW.owner_id);
  RETURN NEW;
END $$;

CREATE FUNCTION public.shares_resolve() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM shared_todos WHERE owner_id = OLD.owner_id
      AND grantee_name = OLD.grantee_name AND tag = OLD.tag;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO shared_todos (todo_id, owner_id, grantee_name, tag, can_write)
    SELECT g.todo_id, NEW.owner_id, NEW.grantee_name, NEW.tag, NEW.can_write
    FROM todo_tags g WHERE g.user_id = NEW.owner_id AND g.tag = NEW.tag
    ON CONFLICT DO NOTHING;
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$;

CREATE FUNCTION public.todo_caller_name() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
  SELECT name FROM users WHERE db_role = session_user
  UNION ALL
  SELECT name FROM users WHERE db_role IS NULL
    AND name = NULLIF(current_setting('todo.user', true), '')
    AND NOT todo_is_person()
  LIMIT 1
$$;

CREATE FUNCTION public.todo_claim(wanted text) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
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
END $$;

CREATE FUNCTION public.todo_event_shape(action text, data text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
END $_$;

CREATE FUNCTION public.todo_is_owner() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  SELECT pg_catalog.pg_has_role(session_user,
    (SELECT relowner FROM pg_catalog.pg_class WHERE oid = 'public.users'::pg_catalog.regclass),
    'MEMBER')
$$;

CREATE FUNCTION public.todo_is_person() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  SELECT EXISTS (
    SELECT 1 FROM pg_catalog.pg_auth_members m
    JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
    JOIN pg_catalog.pg_roles u ON u.oid = m.member
    WHERE g.rolname = 'todo_<tag>_person' AND u.rolname = session_user)
$$;

CREATE FUNCTION public.todo_next_due(due timestamp with time zone, every text, anchor integer, clock integer, done_at timestamp with time zone, tz text) RETURNS timestamp with time zone
    LANGUAGE plpgsql IMMUTABLE
    AS $_$
DECLARE
  rule text := every;
  from_done boolean := false;
  local_due timestamp;
  base date;
  n integer;
  unit text;
  months integer;
  first_of_month date;
  last_day integer;
  day date;
  days integer[];
  k integer;
BEGIN
  IF due IS NULL OR every IS NULL THEN
    RETURN NULL;
  END IF;
  IF rule LIKE '% from done' THEN
    rule := left(rule, length(rule) - length(' from done'));
    from_done := true;
  END IF;
  local_due := due AT TIME ZONE tz;
  anchor := COALESCE(anchor, extract(day FROM local_due)::integer);
  clock := COALESCE(clock, extract(epoch FROM local_due::time)::integer);
  IF from_done AND done_at IS NOT NULL THEN
    base := (done_at AT TIME ZONE tz)::date;
    anchor := extract(day FROM base)::integer;
  ELSE
    base := local_due::date;
  END IF;
  IF rule ~ '^[0-9]+[dwmy]$' THEN
    n := left(rule, length(rule) - 1)::integer;
    unit := right(rule, 1);
    IF unit = 'd' THEN
      day := base + n;
    ELSIF unit = 'w' THEN
      day := base + 7 * n;
    ELSE
      months := n * (CASE WHEN unit = 'y' THEN 12 ELSE 1 END);
      first_of_month := (date_trunc('month', base) + make_interval(months => months))::date;
      last_day := extract(day FROM (first_of_month + interval '1 month' - interval '1 day'))::integer;
      day := first_of_month + (least(anchor, last_day) - 1);
    END IF;
  ELSE
    IF rule = 'weekday' THEN
      days := ARRAY[1, 2, 3, 4, 5];
    ELSE
      SELECT array_agg(array_position(
        ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], d)) INTO days
      FROM unnest(string_to_array(rule, ',')) AS d;
    END IF;
    FOR k IN 1..7 LOOP
      day := base + k;
      EXIT WHEN extract(isodow FROM day)::integer = ANY(days);
    END LOOP;
  END IF;
  -- A local time the clocks skip or pass twice is read as PostgreSQL reads
  -- it (recurrence._at does the same).
  RETURN (day + make_interval(secs => clock) + (local_due - date_trunc('second', local_due)))
    AT TIME ZONE tz;
END $_$;

CREATE FUNCTION public.todo_require_numbers(asked integer[], present integer[]) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
DECLARE
  missing text;
BEGIN
  SELECT string_agg(a.n::text, ',' ORDER BY a.o) INTO missing
  FROM unnest(asked) WITH ORDINALITY AS a(n, o)
  WHERE a.n <> ALL(COALESCE(present, '{}'));
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'todo: missing numbers: %', missing USING ERRCODE = 'P0002';
  END IF;
  RETURN true;
END $$;

CREATE FUNCTION public.todo_tags_allowed(todo bigint) RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
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
$$;

CREATE FUNCTION public.todo_tags_owner() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
BEGIN
  NEW.user_id := (SELECT user_id FROM todos WHERE id = NEW.todo_id);
  RETURN NEW;
END $$;

CREATE FUNCTION public.todo_tags_shared() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM shared_todos WHERE todo_id = OLD.todo_id AND tag = OLD.tag;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO shared_todos (todo_id, owner_id, grantee_name, tag, can_write)
    SELECT NEW.todo_id, s.owner_id, s.grantee_name, s.tag, s.can_write
    FROM shares s WHERE s.owner_id = NEW.user_id AND s.tag = NEW.tag
    ON CONFLICT DO NOTHING;
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$;

CREATE FUNCTION public.todos_added() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
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
END $$;

CREATE FUNCTION public.todos_added_series() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
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
END $$;

CREATE FUNCTION public.todos_bump_version() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NEW.version = OLD.version
     AND (to_jsonb(NEW) - 'continued') IS DISTINCT FROM (to_jsonb(OLD) - 'continued') THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION public.todos_grantee_limits() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
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
END $$;

CREATE FUNCTION public.todos_in_share() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
BEGIN
  IF NEW.user_id NOT IN (SELECT id FROM users) AND NOT EXISTS (
    SELECT 1 FROM shared_todos t WHERE t.todo_id = NEW.id AND t.can_write
    AND t.grantee_name IN (SELECT name FROM users)
  ) THEN
    RAISE EXCEPTION 'a todo added to another user''s list must carry a tag they share '
      'with you to write' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION public.todos_series_goes_on() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
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
END $$;

CREATE FUNCTION public.users_claimed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
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
END $$;

CREATE FUNCTION public.users_gone() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
BEGIN
  DELETE FROM shares WHERE grantee_name = OLD.name;
  RETURN NULL;
END $$;

CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL
);

CREATE TABLE public.events (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    action character varying(16) NOT NULL,
    data text NOT NULL,
    undone_at timestamp with time zone,
    owner_id bigint
);

ALTER TABLE ONLY public.events FORCE ROW LEVEL SECURITY;

CREATE SEQUENCE public.events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.events_id_seq OWNED BY public.events.id;

CREATE TABLE public.shared_todos (
    todo_id bigint NOT NULL,
    grantee_name character varying(64) NOT NULL,
    tag character varying(64) NOT NULL,
    owner_id bigint NOT NULL,
    can_write boolean NOT NULL
);

CREATE TABLE public.shares (
    id bigint NOT NULL,
    owner_id bigint NOT NULL,
    owner_name character varying(64) NOT NULL,
    tag character varying(64) NOT NULL,
    grantee_name character varying(64) NOT NULL,
    can_write boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone NOT NULL
);

CREATE SEQUENCE public.shares_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.shares_id_seq OWNED BY public.shares.id;

CREATE TABLE public.todo_roles (
    kind text NOT NULL,
    role text NOT NULL
);

CREATE TABLE public.todo_tags (
    todo_id bigint NOT NULL,
    tag character varying(64) NOT NULL,
    user_id bigint
);

ALTER TABLE ONLY public.todo_tags FORCE ROW LEVEL SECURITY;

CREATE TABLE public.todos (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    number integer NOT NULL,
    title character varying(500) NOT NULL,
    done boolean NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    completed_at timestamp with time zone,
    request_id character varying(32),
    priority smallint,
    due timestamp with time zone,
    note text,
    version integer DEFAULT 1 NOT NULL,
    every character varying(40),
    anchor smallint,
    clock integer,
    until timestamp with time zone,
    wait timestamp with time zone,
    wait_lead integer,
    series character varying(32),
    continued boolean DEFAULT false NOT NULL,
    added_by character varying(64),
    CONSTRAINT ck_todos_title CHECK (((title)::text !~ '[\x01-\x1f\x7f-\x9f]'::text))
);

ALTER TABLE ONLY public.todos FORCE ROW LEVEL SECURITY;

CREATE SEQUENCE public.todos_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.todos_id_seq OWNED BY public.todos.id;

CREATE TABLE public.users (
    id bigint NOT NULL,
    name character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_number integer NOT NULL,
    db_role character varying(63)
);

CREATE SEQUENCE public.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;

ALTER TABLE ONLY public.events ALTER COLUMN id SET DEFAULT nextval('public.events_id_seq'::regclass);

ALTER TABLE ONLY public.shares ALTER COLUMN id SET DEFAULT nextval('public.shares_id_seq'::regclass);

ALTER TABLE ONLY public.todos ALTER COLUMN id SET DEFAULT nextval('public.todos_id_seq'::regclass);

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);

ALTER TABLE ONLY public.alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);

ALTER TABLE public.events
    ADD CONSTRAINT ck_events_at_range CHECK (((at >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (at <= '9999-12-31 23:59:59.999999+00'::timestamp with time zone))) NOT VALID;

ALTER TABLE public.events
    ADD CONSTRAINT ck_events_undone_at_range CHECK (((undone_at >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (undone_at <= '9999-12-31 23:59:59.999999+00'::timestamp with time zone))) NOT VALID;

ALTER TABLE public.shares
    ADD CONSTRAINT ck_shares_grantee CHECK (((grantee_name)::text ~ '^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,63}$'::text)) NOT VALID;

ALTER TABLE public.shares
    ADD CONSTRAINT ck_shares_tag CHECK ((((tag)::text !~ '[\x01-\x1f\x7f-\x9f]'::text) AND (char_length((tag)::text) <= 64))) NOT VALID;

ALTER TABLE public.todo_tags
    ADD CONSTRAINT ck_todo_tags_tag CHECK ((((tag)::text !~ '[\x01-\x1f\x7f-\x9f]'::text) AND (char_length((tag)::text) <= 64))) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_added_by CHECK (((added_by)::text ~ '^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,63}$'::text)) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_anchor CHECK (((anchor >= 1) AND (anchor <= 31))) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_clock CHECK (((clock >= 0) AND (clock <= 86399))) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_completed_at_range CHECK (((completed_at >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (completed_at <= '9999-12-31 23:59:59.999999+00'::timestamp with time zone))) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_created_at_range CHECK (((created_at >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (created_at <= '9999-12-31 23:59:59.999999+00'::timestamp with time zone))) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_due_range CHECK (((due >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (due <= '9999-12-31 23:59:59.999999+00'::timestamp with time zone))) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_every CHECK (((char_length((every)::text) <= 40) AND ((every)::text !~ '[\x01-\x1f\x7f-\x9f]'::text))) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_note CHECK ((char_length(note) <= 10000)) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_priority CHECK (((priority >= 1) AND (priority <= 3))) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_until_range CHECK (((until >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (until <= '9999-12-31 23:59:59.999999+00'::timestamp with time zone))) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_updated_at_range CHECK (((updated_at >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (updated_at <= '9999-12-31 23:59:59.999999+00'::timestamp with time zone))) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_version CHECK (((version >= 1) AND (version <= 1000000000))) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_wait_lead CHECK (((wait_lead >= 0) AND (wait_lead <= 315360000))) NOT VALID;

ALTER TABLE public.todos
    ADD CONSTRAINT ck_todos_wait_range CHECK (((wait >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (wait <= '9999-12-31 23:59:59.999999+00'::timestamp with time zone))) NOT VALID;

ALTER TABLE public.users
    ADD CONSTRAINT ck_users_name CHECK (((name)::text ~ '^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,63}$'::text)) NOT VALID;

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.shared_todos
    ADD CONSTRAINT shared_todos_pkey PRIMARY KEY (todo_id, grantee_name, tag);

ALTER TABLE ONLY public.shares
    ADD CONSTRAINT shares_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.todo_roles
    ADD CONSTRAINT todo_roles_pkey PRIMARY KEY (kind);

ALTER TABLE ONLY public.todo_roles
    ADD CONSTRAINT todo_roles_role_key UNIQUE (role);

ALTER TABLE ONLY public.todo_tags
    ADD CONSTRAINT todo_tags_pkey PRIMARY KEY (todo_id, tag);

ALTER TABLE ONLY public.todos
    ADD CONSTRAINT todos_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.shares
    ADD CONSTRAINT uq_shares_owner_tag_grantee UNIQUE (owner_id, tag, grantee_name);

ALTER TABLE ONLY public.todos
    ADD CONSTRAINT uq_todos_user_number UNIQUE (user_id, number);

ALTER TABLE ONLY public.todos
    ADD CONSTRAINT uq_todos_user_request UNIQUE (user_id, request_id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_name_key UNIQUE (name);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

CREATE INDEX ix_events_owner_id ON public.events USING btree (owner_id, id);

CREATE INDEX ix_events_user_id ON public.events USING btree (user_id, id);

CREATE INDEX ix_shared_todos_grantee ON public.shared_todos USING btree (grantee_name, owner_id);

CREATE INDEX ix_shared_todos_owner ON public.shared_todos USING btree (owner_id, tag);

CREATE INDEX ix_shares_grantee ON public.shares USING btree (grantee_name, owner_name);

CREATE INDEX ix_todo_tags_tag ON public.todo_tags USING btree (tag, todo_id);

CREATE INDEX ix_todo_tags_user_tag ON public.todo_tags USING btree (user_id, tag);

CREATE INDEX ix_todos_user_due ON public.todos USING btree (user_id, due);

CREATE INDEX ix_todos_user_open ON public.todos USING btree (user_id, number) INCLUDE (id) WHERE (done = false);

CREATE INDEX ix_todos_user_open_order ON public.todos USING btree (user_id, COALESCE((priority)::integer, 4), ((due IS NULL)), due, number) INCLUDE (id, priority) WHERE (done = false);

CREATE INDEX ix_todos_user_unfollowed ON public.todos USING btree (user_id) WHERE ((every IS NOT NULL) AND (done = true) AND (continued = false));

CREATE UNIQUE INDEX uq_todos_user_series_due ON public.todos USING btree (user_id, series, due) WHERE (series IS NOT NULL);

CREATE UNIQUE INDEX uq_users_db_role ON public.users USING btree (db_role);

CREATE TRIGGER events_attributed BEFORE INSERT ON public.events FOR EACH ROW WHEN ((new.owner_id IS NOT NULL)) EXECUTE FUNCTION public.events_attributed();

CREATE CONSTRAINT TRIGGER events_checked AFTER INSERT ON public.events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((new.owner_id IS NOT NULL)) EXECUTE FUNCTION public.events_checked();

CREATE TRIGGER shares_bounded BEFORE INSERT ON public.shares FOR EACH ROW EXECUTE FUNCTION public.shares_bounded();

CREATE TRIGGER shares_owner_name BEFORE INSERT ON public.shares FOR EACH ROW EXECUTE FUNCTION public.shares_owner_name();

CREATE TRIGGER shares_resolve AFTER INSERT OR DELETE OR UPDATE ON public.shares FOR EACH ROW EXECUTE FUNCTION public.shares_resolve();

CREATE TRIGGER todo_tags_owner BEFORE INSERT ON public.todo_tags FOR EACH ROW EXECUTE FUNCTION public.todo_tags_owner();

CREATE TRIGGER todo_tags_shared AFTER INSERT OR DELETE OR UPDATE ON public.todo_tags FOR EACH ROW EXECUTE FUNCTION public.todo_tags_shared();

CREATE TRIGGER todos_added BEFORE INSERT ON public.todos FOR EACH ROW WHEN ((new.added_by IS NOT NULL)) EXECUTE FUNCTION public.todos_added();

CREATE CONSTRAINT TRIGGER todos_added_series AFTER INSERT ON public.todos DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (((new.added_by IS NOT NULL) AND (new.series IS NOT NULL))) EXECUTE FUNCTION public.todos_added_series();

CREATE TRIGGER todos_grantee_limits BEFORE UPDATE ON public.todos FOR EACH ROW EXECUTE FUNCTION public.todos_grantee_limits();

CREATE CONSTRAINT TRIGGER todos_in_share AFTER INSERT ON public.todos DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.todos_in_share();

CREATE CONSTRAINT TRIGGER todos_series_goes_on AFTER DELETE ON public.todos DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (((old.series IS NOT NULL) AND (old.added_by IS NOT NULL))) EXECUTE FUNCTION public.todos_series_goes_on();

CREATE CONSTRAINT TRIGGER todos_series_goes_on_done AFTER UPDATE ON public.todos DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (((new.series IS NOT NULL) AND (new.every IS NOT NULL) AND new.done AND (NOT old.done) AND (new.until IS NULL))) EXECUTE FUNCTION public.todos_series_goes_on();

CREATE TRIGGER todos_version BEFORE UPDATE ON public.todos FOR EACH ROW EXECUTE FUNCTION public.todos_bump_version();

CREATE TRIGGER users_claimed BEFORE INSERT ON public.users FOR EACH ROW EXECUTE FUNCTION public.users_claimed();

CREATE TRIGGER users_gone AFTER DELETE ON public.users FOR EACH ROW EXECUTE FUNCTION public.users_gone();

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.shared_todos
    ADD CONSTRAINT shared_todos_todo_id_fkey FOREIGN KEY (todo_id) REFERENCES public.todos(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.shares
    ADD CONSTRAINT shares_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.todo_tags
    ADD CONSTRAINT todo_tags_todo_id_fkey FOREIGN KEY (todo_id) REFERENCES public.todos(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.todos
    ADD CONSTRAINT todos_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;

CREATE POLICY events_for_a_sharer ON public.events AS RESTRICTIVE FOR INSERT WITH CHECK (((owner_id IS NULL) OR (owner_id IN ( SELECT users.id
   FROM public.users)) OR (owner_id IN ( SELECT shares.owner_id
   FROM public.shares
  WHERE (shares.can_write AND ((shares.grantee_name)::text IN ( SELECT users.name
           FROM public.users)))))));

CREATE POLICY events_isolation ON public.events USING ((user_id IN ( SELECT users.id
   FROM public.users))) WITH CHECK ((user_id IN ( SELECT users.id
   FROM public.users)));

CREATE POLICY events_owner_reads ON public.events FOR SELECT USING ((owner_id IN ( SELECT users.id
   FROM public.users)));

ALTER TABLE public.shared_todos ENABLE ROW LEVEL SECURITY;

CREATE POLICY shared_todos_read ON public.shared_todos FOR SELECT USING (((owner_id IN ( SELECT users.id
   FROM public.users)) OR ((grantee_name)::text IN ( SELECT users.name
   FROM public.users))));

ALTER TABLE public.shares ENABLE ROW LEVEL SECURITY;

CREATE POLICY shares_declined ON public.shares FOR DELETE USING (((grantee_name)::text IN ( SELECT users.name
   FROM public.users)));

CREATE POLICY shares_grantee ON public.shares FOR SELECT USING (((grantee_name)::text IN ( SELECT users.name
   FROM public.users)));

CREATE POLICY shares_owner ON public.shares USING ((owner_id IN ( SELECT users.id
   FROM public.users))) WITH CHECK ((owner_id IN ( SELECT users.id
   FROM public.users)));

ALTER TABLE public.todo_tags ENABLE ROW LEVEL SECURITY;

CREATE POLICY todo_tags_added ON public.todo_tags FOR INSERT WITH CHECK (((todo_id IN ( SELECT todos.id
   FROM public.todos
  WHERE (((todos.added_by)::text IN ( SELECT users.name
           FROM public.users)) AND (((todos.xmin)::text)::bigint = (txid_current() % '4294967296'::bigint))))) AND ((tag)::text IN ( SELECT public.todo_tags_allowed(todo_tags.todo_id) AS todo_tags_allowed))));

CREATE POLICY todo_tags_own_add ON public.todo_tags FOR INSERT WITH CHECK ((todo_id IN ( SELECT todos.id
   FROM public.todos
  WHERE (todos.user_id IN ( SELECT users.id
           FROM public.users)))));

CREATE POLICY todo_tags_own_remove ON public.todo_tags FOR DELETE USING ((todo_id IN ( SELECT todos.id
   FROM public.todos
  WHERE (todos.user_id IN ( SELECT users.id
           FROM public.users)))));

CREATE POLICY todo_tags_read ON public.todo_tags FOR SELECT USING ((todo_id IN ( SELECT todos.id
   FROM public.todos)));

ALTER TABLE public.todos ENABLE ROW LEVEL SECURITY;

CREATE POLICY todos_added_read ON public.todos FOR SELECT USING ((((added_by)::text IN ( SELECT users.name
   FROM public.users)) AND (((xmin)::text)::bigint = (txid_current() % '4294967296'::bigint))));

CREATE POLICY todos_added_remove ON public.todos FOR DELETE USING ((((added_by)::text IN ( SELECT users.name
   FROM public.users)) AND (id IN ( SELECT shared_todos.todo_id
   FROM public.shared_todos
  WHERE (shared_todos.can_write AND ((shared_todos.grantee_name)::text IN ( SELECT users.name
           FROM public.users)))))));

CREATE POLICY todos_isolation ON public.todos USING ((user_id IN ( SELECT users.id
   FROM public.users))) WITH CHECK ((user_id IN ( SELECT users.id
   FROM public.users)));

CREATE POLICY todos_shared_add ON public.todos FOR INSERT WITH CHECK ((((added_by)::text IN ( SELECT users.name
   FROM public.users)) AND (user_id IN ( SELECT shares.owner_id
   FROM public.shares
  WHERE (shares.can_write AND ((shares.grantee_name)::text IN ( SELECT users.name
           FROM public.users)))))));

CREATE POLICY todos_shared_read ON public.todos FOR SELECT USING ((id IN ( SELECT shared_todos.todo_id
   FROM public.shared_todos
  WHERE ((shared_todos.grantee_name)::text IN ( SELECT users.name
           FROM public.users)))));

CREATE POLICY todos_shared_write ON public.todos FOR UPDATE USING ((id IN ( SELECT shared_todos.todo_id
   FROM public.shared_todos
  WHERE (shared_todos.can_write AND ((shared_todos.grantee_name)::text IN ( SELECT users.name
           FROM public.users)))))) WITH CHECK ((id IN ( SELECT shared_todos.todo_id
   FROM public.shared_todos
  WHERE (shared_todos.can_write AND (shared_todos.owner_id = todos.user_id) AND ((shared_todos.grantee_name)::text IN ( SELECT users.name
           FROM public.users))))));

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;

CREATE POLICY users_isolation ON public.users USING ((((db_role)::text = SESSION_USER) OR ((db_role IS NULL) AND ((name)::text = NULLIF(current_setting('todo.user'::text, true), ''::text)) AND (NOT public.todo_is_person())))) WITH CHECK ((((db_role)::text = SESSION_USER) OR ((db_role IS NULL) AND ((name)::text = NULLIF(current_setting('todo.user'::text, true), ''::text)) AND (NOT public.todo_is_person()))));

REVOKE ALL ON FUNCTION public.events_attributed() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.events_checked() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.shares_bounded() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.shares_owner_name() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.shares_resolve() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.todo_caller_name() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.todo_claim(wanted text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.todo_claim(wanted text) TO todo_<tag>_app;
GRANT ALL ON FUNCTION public.todo_claim(wanted text) TO todo_<tag>_person;

REVOKE ALL ON FUNCTION public.todo_event_shape(action text, data text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.todo_is_owner() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.todo_is_person() FROM PUBLIC;
GRANT ALL ON FUNCTION public.todo_is_person() TO todo_<tag>_app;
GRANT ALL ON FUNCTION public.todo_is_person() TO todo_<tag>_person;

REVOKE ALL ON FUNCTION public.todo_next_due(due timestamp with time zone, every text, anchor integer, clock integer, done_at timestamp with time zone, tz text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.todo_next_due(due timestamp with time zone, every text, anchor integer, clock integer, done_at timestamp with time zone, tz text) TO todo_<tag>_app;
GRANT ALL ON FUNCTION public.todo_next_due(due timestamp with time zone, every text, anchor integer, clock integer, done_at timestamp with time zone, tz text) TO todo_<tag>_person;

REVOKE ALL ON FUNCTION public.todo_require_numbers(asked integer[], present integer[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.todo_require_numbers(asked integer[], present integer[]) TO todo_<tag>_app;
GRANT ALL ON FUNCTION public.todo_require_numbers(asked integer[], present integer[]) TO todo_<tag>_person;

REVOKE ALL ON FUNCTION public.todo_tags_allowed(todo bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.todo_tags_allowed(todo bigint) TO todo_<tag>_app;
GRANT ALL ON FUNCTION public.todo_tags_allowed(todo bigint) TO todo_<tag>_person;

REVOKE ALL ON FUNCTION public.todo_tags_owner() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.todo_tags_shared() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.todos_added() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.todos_added_series() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.todos_bump_version() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.todos_grantee_limits() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.todos_in_share() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.todos_series_goes_on() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.users_claimed() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.users_gone() FROM PUBLIC;

GRANT SELECT ON TABLE public.alembic_version TO todo_<tag>_app;
GRANT SELECT ON TABLE public.alembic_version TO todo_<tag>_person;

GRANT SELECT,INSERT ON TABLE public.events TO todo_<tag>_app;
GRANT SELECT,INSERT ON TABLE public.events TO todo_<tag>_person;

GRANT UPDATE(undone_at) ON TABLE public.events TO todo_<tag>_app;
GRANT UPDATE(undone_at) ON TABLE public.events TO todo_<tag>_person;

GRANT USAGE ON SEQUENCE public.events_id_seq TO todo_<tag>_app;
GRANT USAGE ON SEQUENCE public.events_id_seq TO todo_<tag>_person;

GRANT SELECT ON TABLE public.shared_todos TO todo_<tag>_app;
GRANT SELECT ON TABLE public.shared_todos TO todo_<tag>_person;

GRANT SELECT,INSERT,DELETE ON TABLE public.shares TO todo_<tag>_app;
GRANT SELECT,INSERT,DELETE ON TABLE public.shares TO todo_<tag>_person;

GRANT UPDATE(can_write) ON TABLE public.shares TO todo_<tag>_app;
GRANT UPDATE(can_write) ON TABLE public.shares TO todo_<tag>_person;

GRANT USAGE ON SEQUENCE public.shares_id_seq TO todo_<tag>_app;
GRANT USAGE ON SEQUENCE public.shares_id_seq TO todo_<tag>_person;

GRANT SELECT,INSERT,DELETE ON TABLE public.todo_tags TO todo_<tag>_app;
GRANT SELECT,INSERT,DELETE ON TABLE public.todo_tags TO todo_<tag>_person;

GRANT SELECT,INSERT,DELETE ON TABLE public.todos TO todo_<tag>_app;
GRANT SELECT,INSERT,DELETE ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(title) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(title) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(done) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(done) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(created_at) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(created_at) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(updated_at) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(updated_at) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(completed_at) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(completed_at) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(request_id) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(request_id) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(priority) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(priority) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(due) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(due) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(note) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(note) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(version) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(version) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(every) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(every) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(anchor) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(anchor) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(clock) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(clock) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(until) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(until) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(wait) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(wait) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(wait_lead) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(wait_lead) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(series) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(series) ON TABLE public.todos TO todo_<tag>_person;

GRANT UPDATE(continued) ON TABLE public.todos TO todo_<tag>_app;
GRANT UPDATE(continued) ON TABLE public.todos TO todo_<tag>_person;

GRANT USAGE ON SEQUENCE public.todos_id_seq TO todo_<tag>_app;
GRANT USAGE ON SEQUENCE public.todos_id_seq TO todo_<tag>_person;

GRANT SELECT ON TABLE public.users TO todo_<tag>_app;
GRANT SELECT ON TABLE public.users TO todo_<tag>_person;

GRANT INSERT(name) ON TABLE public.users TO todo_<tag>_app;
GRANT INSERT(name) ON TABLE public.users TO todo_<tag>_person;

GRANT INSERT(created_at) ON TABLE public.users TO todo_<tag>_app;
GRANT INSERT(created_at) ON TABLE public.users TO todo_<tag>_person;

GRANT INSERT(last_number),UPDATE(last_number) ON TABLE public.users TO todo_<tag>_app;
GRANT INSERT(last_number),UPDATE(last_number) ON TABLE public.users TO todo_<tag>_person;

GRANT INSERT(db_role) ON TABLE public.users TO todo_<tag>_app;
GRANT INSERT(db_role) ON TABLE public.users TO todo_<tag>_person;

GRANT USAGE ON SEQUENCE public.users_id_seq TO todo_<tag>_app;
GRANT USAGE ON SEQUENCE public.users_id_seq TO todo_<tag>_person;

ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE ALL ON FUNCTIONS  FROM PUBLIC;
