-- Node settings chosen by its admins (JSON values by key), and vouches:
-- an established member saying a newcomer's reviews may count.
CREATE TABLE settings (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE vouches (
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	voucher_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	note       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (user_id, voucher_id)
);
