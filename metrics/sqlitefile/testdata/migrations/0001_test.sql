-- A schema with every kind of table the app's databases have: a rowid
-- alias key, a text key, a WITHOUT ROWID table keyed by a foreign key, and
-- rows long enough to need overflow pages.
CREATE TABLE parent (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
CREATE TABLE child (
	parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE,
	k         INTEGER NOT NULL,
	v         REAL,
	PRIMARY KEY (parent_id, k)
) WITHOUT ROWID;
CREATE TABLE notes (
	id   TEXT PRIMARY KEY,
	body TEXT NOT NULL
);
CREATE INDEX notes_body ON notes (substr(body, 1, 8));
