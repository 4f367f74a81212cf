-- The address a person gives for news of their orders, requests and
-- bookings, sent when the node has an SMTP server; optional.
CREATE TABLE user_emails (
	user_id    UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	email      TEXT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
