-- The store's own users table (SQLite), created only when the store keeps
-- the users (Options.Users is nil). username is compared byte-exactly;
-- email_key is socialauth.EmailKey(email), the form emails are looked up
-- by. Timestamps are Unix microseconds (UTC). Booleans are 0/1.

CREATE TABLE socialauth_users (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	username       TEXT    COLLATE BINARY NOT NULL UNIQUE,
	email          TEXT    NOT NULL DEFAULT '',
	email_key      TEXT    COLLATE BINARY NOT NULL DEFAULT '',
	email_verified INTEGER NOT NULL DEFAULT 0,
	full_name      TEXT    NOT NULL DEFAULT '',
	first_name     TEXT    NOT NULL DEFAULT '',
	last_name      TEXT    NOT NULL DEFAULT '',
	avatar_url     TEXT    NOT NULL DEFAULT '',
	is_active      INTEGER NOT NULL DEFAULT 1,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX socialauth_users_email_key ON socialauth_users (email_key);
