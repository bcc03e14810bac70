-- The store's own users table (PostgreSQL), created only when the store
-- keeps the users (Options.Users is nil). username is compared
-- byte-exactly (COLLATE "C"); email_key is socialauth.EmailKey(email), the
-- form emails are looked up by.

CREATE TABLE socialauth_users (
	id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	username       text COLLATE "C" NOT NULL UNIQUE,
	email          text NOT NULL DEFAULT '',
	email_key      text COLLATE "C" NOT NULL DEFAULT '',
	email_verified boolean NOT NULL DEFAULT false,
	full_name      text NOT NULL DEFAULT '',
	first_name     text NOT NULL DEFAULT '',
	last_name      text NOT NULL DEFAULT '',
	avatar_url     text NOT NULL DEFAULT '',
	is_active      boolean NOT NULL DEFAULT true,
	created_at     timestamptz NOT NULL,
	updated_at     timestamptz NOT NULL
);
CREATE INDEX socialauth_users_email_key ON socialauth_users (email_key);
