-- The embedded SQLite database at head, as alembic/versions builds it, in
-- the order it builds it (sqlite_master's own text): a fresh file is made
-- from it in one transaction, without Alembic or SQLAlchemy. A test compares
-- it with what the migrations build; after a migration, regenerate it:
--   python -m todo_cli.store.migrations > todo_cli/store/sqlite.sql
-- Each statement ends with a line holding only ';'.
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
)
;
CREATE TABLE users (
	id INTEGER NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	last_number INTEGER NOT NULL, db_role VARCHAR(63), 
	PRIMARY KEY (id), 
	UNIQUE (name)
)
;
CREATE TABLE "todos" (
	id INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	number INTEGER NOT NULL, 
	title VARCHAR(500) NOT NULL, 
	done BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	completed_at DATETIME, 
	request_id VARCHAR(32), priority SMALLINT, due DATETIME, note TEXT, version INTEGER DEFAULT '1' NOT NULL, every VARCHAR(40), anchor SMALLINT, clock INTEGER, until DATETIME, wait DATETIME, wait_lead INTEGER, series VARCHAR(32), continued BOOLEAN DEFAULT 0 NOT NULL, added_by VARCHAR(64), 
	PRIMARY KEY (id), 
	CONSTRAINT uq_todos_user_number UNIQUE (user_id, number), 
	CONSTRAINT uq_todos_user_request UNIQUE (user_id, request_id), 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
)
;
CREATE TABLE todo_tags (
	todo_id INTEGER NOT NULL, 
	tag VARCHAR(64) NOT NULL, user_id INTEGER, 
	PRIMARY KEY (todo_id, tag), 
	FOREIGN KEY(todo_id) REFERENCES todos (id) ON DELETE CASCADE
)
;
CREATE INDEX ix_todo_tags_tag ON todo_tags (tag, todo_id)
;
CREATE INDEX ix_todos_user_due ON todos (user_id, due)
;
CREATE UNIQUE INDEX uq_users_db_role ON users (db_role)
;
CREATE INDEX ix_todos_user_open_order ON todos (user_id, COALESCE(priority, 4), (due IS NULL), due, number) WHERE done = false
;
CREATE INDEX ix_todos_user_open ON todos (user_id, number) WHERE done = false
;
CREATE TABLE events (
	id INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	action VARCHAR(16) NOT NULL, 
	data TEXT NOT NULL, 
	undone_at DATETIME, owner_id INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
)
;
CREATE INDEX ix_events_user_id ON events (user_id, id)
;
CREATE UNIQUE INDEX uq_todos_user_series_due ON todos (user_id, series, due) WHERE series IS NOT NULL
;
CREATE INDEX ix_todos_user_unfollowed ON todos (user_id) WHERE every IS NOT NULL AND done = true AND continued = false
;
CREATE TRIGGER todos_version AFTER UPDATE ON todos FOR EACH ROW WHEN NEW.version = OLD.version AND (NEW.user_id IS NOT OLD.user_id OR NEW.number IS NOT OLD.number OR NEW.title IS NOT OLD.title OR NEW.done IS NOT OLD.done OR NEW.created_at IS NOT OLD.created_at OR NEW.updated_at IS NOT OLD.updated_at OR NEW.completed_at IS NOT OLD.completed_at OR NEW.request_id IS NOT OLD.request_id OR NEW.priority IS NOT OLD.priority OR NEW.due IS NOT OLD.due OR NEW.note IS NOT OLD.note OR NEW.every IS NOT OLD.every OR NEW.anchor IS NOT OLD.anchor OR NEW.clock IS NOT OLD.clock OR NEW.until IS NOT OLD.until OR NEW.wait IS NOT OLD.wait OR NEW.wait_lead IS NOT OLD.wait_lead OR NEW.series IS NOT OLD.series) BEGIN UPDATE todos SET version = OLD.version + 1 WHERE id = NEW.id; END
;
CREATE TABLE shares (
	id INTEGER NOT NULL, 
	owner_id INTEGER NOT NULL, 
	owner_name VARCHAR(64) NOT NULL, 
	tag VARCHAR(64) NOT NULL, 
	grantee_name VARCHAR(64) NOT NULL, 
	can_write BOOLEAN DEFAULT 0 NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_shares_owner_tag_grantee UNIQUE (owner_id, tag, grantee_name), 
	FOREIGN KEY(owner_id) REFERENCES users (id) ON DELETE CASCADE
)
;
CREATE INDEX ix_shares_grantee ON shares (grantee_name, owner_name)
;
CREATE TABLE shared_todos (
	todo_id INTEGER NOT NULL, 
	grantee_name VARCHAR(64) NOT NULL, 
	tag VARCHAR(64) NOT NULL, 
	owner_id INTEGER NOT NULL, 
	can_write BOOLEAN NOT NULL, 
	PRIMARY KEY (todo_id, grantee_name, tag), 
	FOREIGN KEY(todo_id) REFERENCES todos (id) ON DELETE CASCADE
)
;
CREATE INDEX ix_shared_todos_grantee ON shared_todos (grantee_name, owner_id)
;
CREATE INDEX ix_shared_todos_owner ON shared_todos (owner_id, tag)
;
CREATE INDEX ix_todo_tags_user_tag ON todo_tags (user_id, tag)
;
CREATE INDEX ix_events_owner_id ON events (owner_id, id)
;
CREATE TRIGGER todo_tags_owner AFTER INSERT ON todo_tags FOR EACH ROW
BEGIN
  UPDATE todo_tags SET user_id = (SELECT user_id FROM todos WHERE id = NEW.todo_id)
  WHERE todo_id = NEW.todo_id AND tag = NEW.tag;
  INSERT OR IGNORE INTO shared_todos (todo_id, owner_id, grantee_name, tag, can_write)
  SELECT NEW.todo_id, s.owner_id, s.grantee_name, s.tag, s.can_write FROM shares s
  WHERE s.owner_id = (SELECT user_id FROM todos WHERE id = NEW.todo_id) AND s.tag = NEW.tag;
END
;
CREATE TRIGGER todo_tags_unshared AFTER DELETE ON todo_tags FOR EACH ROW
BEGIN
  DELETE FROM shared_todos WHERE todo_id = OLD.todo_id AND tag = OLD.tag;
END
;
CREATE TRIGGER todo_tags_retagged AFTER UPDATE OF tag, todo_id ON todo_tags FOR EACH ROW
BEGIN
  DELETE FROM shared_todos WHERE todo_id = OLD.todo_id AND tag = OLD.tag;
  INSERT OR IGNORE INTO shared_todos (todo_id, owner_id, grantee_name, tag, can_write)
  SELECT NEW.todo_id, s.owner_id, s.grantee_name, s.tag, s.can_write FROM shares s
  WHERE s.owner_id = (SELECT user_id FROM todos WHERE id = NEW.todo_id) AND s.tag = NEW.tag;
END
;
CREATE TRIGGER shares_made AFTER INSERT ON shares FOR EACH ROW
BEGIN
  INSERT OR IGNORE INTO shared_todos (todo_id, owner_id, grantee_name, tag, can_write)
  SELECT g.todo_id, NEW.owner_id, NEW.grantee_name, NEW.tag, NEW.can_write
  FROM todo_tags g JOIN todos t ON t.id = g.todo_id
  WHERE t.user_id = NEW.owner_id AND g.tag = NEW.tag;
END
;
CREATE TRIGGER shares_changed AFTER UPDATE ON shares FOR EACH ROW
BEGIN
  UPDATE shared_todos SET can_write = NEW.can_write WHERE owner_id = NEW.owner_id
  AND grantee_name = NEW.grantee_name AND tag = NEW.tag;
END
;
CREATE TRIGGER shares_revoked AFTER DELETE ON shares FOR EACH ROW
BEGIN
  DELETE FROM shared_todos WHERE owner_id = OLD.owner_id
  AND grantee_name = OLD.grantee_name AND tag = OLD.tag;
END
;
CREATE TABLE todo_roles (kind text NOT NULL PRIMARY KEY, role text NOT NULL UNIQUE)
;
