-- Node settings chosen by its admins, and vouches.
CREATE TABLE settings (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE vouches (
	user_id    UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	voucher_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	note       TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (user_id, voucher_id)
);
