-- The tables every store has (SQLite): associations, paused pipelines,
-- nonces. Text that is an identity (uid, tokens) uses COLLATE BINARY:
-- compared byte-exactly. Timestamps are Unix microseconds (UTC).
--
-- user_id is text, the users table's ID as a string, with no foreign key:
-- the users table may be the host's (whose keys may be UUIDs), or absent
-- until the users migrations run. The store writes a user and its first
-- association in one transaction.

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
