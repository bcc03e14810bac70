-- The tables every store has (PostgreSQL): associations, paused
-- pipelines, nonces. Text that is an identity (uid, tokens) uses
-- COLLATE "C": compared byte-exactly whatever the database's collation.
-- extra_data is json (not jsonb) so that numbers keep their exact text and
-- a round trip changes nothing.
--
-- user_id is text, the users table's ID as a string, with no foreign key:
-- the users table may be the host's (whose keys may be UUIDs), or absent
-- until the users migrations run. The store writes a user and its first
-- association in one transaction.

CREATE TABLE socialauth_associations (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id     text COLLATE "C" NOT NULL,
	provider    text COLLATE "C" NOT NULL CHECK (provider <> ''),
	uid         text COLLATE "C" NOT NULL CHECK (uid <> ''),
	extra_data  json,
	created_at  timestamptz NOT NULL,
	modified_at timestamptz NOT NULL,
	UNIQUE (provider, uid)
);
CREATE INDEX socialauth_associations_user ON socialauth_associations (user_id, id);

CREATE TABLE socialauth_partials (
	token     text COLLATE "C" PRIMARY KEY,
	backend   text NOT NULL,
	next_step integer NOT NULL,
	data      bytea NOT NULL,
	expires   timestamptz NOT NULL
);
CREATE INDEX socialauth_partials_expires ON socialauth_partials (expires);

CREATE TABLE socialauth_nonces (
	scope   text COLLATE "C" NOT NULL,
	value   text COLLATE "C" NOT NULL,
	expires timestamptz NOT NULL,
	PRIMARY KEY (scope, value)
);
CREATE INDEX socialauth_nonces_expires ON socialauth_nonces (expires);
