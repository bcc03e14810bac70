-- socialauth schema version 1 (SQLite). Text that is an identity (uid,
-- username, tokens) uses COLLATE BINARY: compared byte-exactly. Timestamps
-- are Unix microseconds (UTC). Booleans are 0/1.

CREATE TABLE socialauth_users (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	username       TEXT    COLLATE BINARY NOT NULL UNIQUE,
	email          TEXT    NOT NULL DEFAULT '',
	email_key      TEXT    COLLATE BINARY NOT NULL DEFAULT '',
	email_verified INTEGER NOT NULL DEFAULT 0,
	full_name      TEXT    NOT NULL DEFAULT '',
	first_name     TEXT    NOT NULL DEFAULT '',
	last_name      TEXT    NOT NULL DEFAULT '',
	is_active      INTEGER NOT NULL DEFAULT 1,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX socialauth_users_email_key ON socialauth_users (email_key);

CREATE TABLE socialauth_associations (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id     TEXT    COLLATE BINARY NOT NULL,
	provider    TEXT    COLLATE BINARY NOT NULL CHECK (provider <> ''),
	uid         TEXT    COLLATE BINARY NOT NULL CHECK (uid <> ''),
	extra_data  TEXT,
	created_at  INTEGER NOT NULL,
	modified_at INTEGER NOT NULL,
	UNIQUE (provider, uid)
) STRICT;
CREATE INDEX socialauth_associations_user ON socialauth_associations (user_id, id);

CREATE TABLE socialauth_partials (
	token     TEXT    COLLATE BINARY PRIMARY KEY,
	backend   TEXT    NOT NULL,
	next_step INTEGER NOT NULL,
	data      BLOB    NOT NULL,
	expires   INTEGER NOT NULL
) STRICT;
CREATE INDEX socialauth_partials_expires ON socialauth_partials (expires);

CREATE TABLE socialauth_nonces (
	scope   TEXT    COLLATE BINARY NOT NULL,
	value   TEXT    COLLATE BINARY NOT NULL,
	expires INTEGER NOT NULL,
	PRIMARY KEY (scope, value)
) STRICT;
CREATE INDEX socialauth_nonces_expires ON socialauth_nonces (expires);
