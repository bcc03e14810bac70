-- socialauth schema version 1 (PostgreSQL). Text that is an identity (uid,
-- username, tokens) uses COLLATE "C": compared byte-exactly whatever the
-- database's collation. extra_data is json (not jsonb) so that numbers keep
-- their exact text and a round trip changes nothing.

CREATE TABLE socialauth_users (
	id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	username       text COLLATE "C" NOT NULL UNIQUE,
	email          text NOT NULL DEFAULT '',
	email_key      text COLLATE "C" NOT NULL DEFAULT '',
	email_verified boolean NOT NULL DEFAULT false,
	full_name      text NOT NULL DEFAULT '',
	first_name     text NOT NULL DEFAULT '',
	last_name      text NOT NULL DEFAULT '',
	is_active      boolean NOT NULL DEFAULT true,
	created_at     timestamptz NOT NULL,
	updated_at     timestamptz NOT NULL
);
CREATE INDEX socialauth_users_email_key ON socialauth_users (email_key);

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
