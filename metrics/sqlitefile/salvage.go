package sqlitefile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

// TableSalvage is what was saved of one table of a damaged database.
type TableSalvage struct {
	Name string
	// Saved rows are in the new database.
	Saved int
	// LostRows were found but could not be kept: undecodable, refused by
	// the schema, or belonging to a row that was lost (a foreign key).
	LostRows int
	// LostPages of the table could not be read; how many rows they held
	// is unknown.
	LostPages int
	// Adopted pages were cut off from the table (a lost page above them,
	// a file cut short) and their rows saved all the same.
	Adopted int
}

// Damaged is whole when nothing of the table was lost.
func (t TableSalvage) Damaged() bool { return t.LostRows > 0 || t.LostPages > 0 }

// Report says what Open had to repair: a write-ahead log that belonged to
// another database, and a damaged file salvaged into a new one. The zero
// value means nothing was wrong.
type Report struct {
	Path string

	// WALRefused is why the -wal file was set aside ("" if it was not),
	// and WALMovedTo where it went.
	WALRefused string
	WALMovedTo string

	// Damage is what SQLite said about the damaged file (nil if it was
	// fine); MovedTo is where the damaged file was kept.
	Damage  error
	MovedTo string
	// SchemaLost is set when not even the list of tables could be read:
	// nothing was salvaged.
	SchemaLost bool
	Tables     []TableSalvage // in name order
}

// Repaired reports whether Open had anything to repair.
func (r Report) Repaired() bool { return r.WALRefused != "" || r.Damage != nil }

// Saved is the rows kept, over every table.
func (r Report) Saved() (rows int) {
	for _, t := range r.Tables {
		rows += t.Saved
	}
	return rows
}

// Table returns the salvage of the named table.
func (r Report) Table(name string) TableSalvage {
	for _, t := range r.Tables {
		if t.Name == name {
			return t
		}
	}
	return TableSalvage{Name: name}
}

// Summary is a short list for logs and the window: "clusters 2,
// endpoints 3 (1 page lost)".
func (r Report) Summary() (saved, lost string) {
	var s, l []string
	for _, t := range r.Tables {
		if t.Name == "migrations" {
			continue
		}
		s = append(s, fmt.Sprintf("%s=%d", t.Name, t.Saved))
		if t.Damaged() {
			l = append(l, fmt.Sprintf("%s=%d/%d", t.Name, t.LostRows, t.LostPages))
		}
	}
	return strings.Join(s, ","), strings.Join(l, ",")
}

// OpenRepairing is Open for the one process that owns the file (the app
// holds its single-instance lock before it calls this): it first sets
// aside a -wal file that does not belong to the database, and if the
// database is damaged it keeps the damaged file next to it (see
// MoveAside), salvages every row it can still read into a fresh database
// at path, and opens that. The report says what was repaired.
func OpenRepairing(path string, migrations fs.FS, now func() time.Time, pragmas ...string) (*sql.DB, Report, error) {
	rep := Report{Path: path}
	reason, err := checkWAL(path)
	if err != nil {
		return nil, rep, err
	}
	if reason != "" {
		to, err := setAsideWAL(path)
		if err != nil {
			return nil, rep, fmt.Errorf("set aside a write-ahead log that does not belong to %s (%s): %w", path, reason, err)
		}
		rep.WALRefused, rep.WALMovedTo = reason, to
	}
	db, err := Open(path, migrations, now, pragmas...)
	var c *Corrupt
	if !errors.As(err, &c) {
		return db, rep, err
	}
	rep.Damage = c.Err
	moved, err := MoveAside(path)
	if err != nil {
		return nil, rep, fmt.Errorf("%w; moving it aside failed too: %v", c, err)
	}
	rep.MovedTo = moved
	db, err = Open(path, migrations, now, pragmas...)
	if err != nil {
		if perr := putBack(moved, path); perr != nil {
			err = fmt.Errorf("%w; putting the damaged file back failed too: %v", err, perr)
		}
		return nil, rep, err
	}
	tables, serr := salvage(context.Background(), moved, db)
	rep.Tables = tables
	if serr != nil {
		rep.SchemaLost = errors.Is(serr, errSchemaLost)
		if !rep.SchemaLost {
			// The copy failed (a full disk): put the damaged file back, so
			// that the next start salvages it again rather than opening
			// the new, empty one as if nothing had happened.
			db.Close()
			err := fmt.Errorf("salvage %s: %w", moved, serr)
			if perr := putBack(moved, path); perr != nil {
				err = fmt.Errorf("%w; putting the damaged file back failed too: %v", err, perr)
			}
			return nil, rep, err
		}
	}
	return db, rep, nil
}

// putBack replaces the new database at path with the damaged one moved
// aside to moved.
func putBack(moved, path string) error {
	for _, suffix := range []string{"-wal", "-shm", ""} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	for _, suffix := range []string{"-wal", "-shm", ""} {
		if err := os.Rename(moved+suffix, path+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

var errSchemaLost = errors.New("the list of tables cannot be read")

// oldTable is a table of the damaged file, as its schema describes it.
type oldTable struct {
	name         string
	root         uint32
	sql          string
	order        []string // column names in the order its records hold them
	alias        int      // index in order of the INTEGER PRIMARY KEY (the rowid), or -1
	withoutRowid bool
}

// salvage copies every row it can read from the damaged file at from into
// the fresh database db, table by table, matching columns by name, and
// says per table what it saved and lost. It reads pages itself (see
// pageFile), so a damaged page costs the rows on it and nothing else.
func salvage(ctx context.Context, from string, db *sql.DB) ([]TableSalvage, error) {
	pf, err := openPageFile(from, true)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errSchemaLost, err)
	}
	defer pf.Close()
	var tables []*oldTable
	var indexRoots []uint32
	schemaStats := pf.walk(1, func(_ int64, rec []byte) {
		v, err := decodeRecord(rec)
		if err != nil || len(v) < 5 {
			return
		}
		typ, _ := v[0].(string)
		name, _ := v[1].(string)
		root, _ := v[3].(int64)
		sqlText, _ := v[4].(string)
		if typ == "index" && root > 0 {
			indexRoots = append(indexRoots, uint32(root))
			return
		}
		if typ != "table" || root <= 0 || strings.HasPrefix(name, "sqlite_") || sqlText == "" {
			return
		}
		tables = append(tables, &oldTable{name: name, root: uint32(root), sql: sqlText})
	})
	if len(tables) == 0 && schemaStats.badPages > 0 {
		return nil, errSchemaLost
	}
	if err := describe(ctx, tables); err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys=OFF"); err != nil {
		return nil, err
	}
	defer conn.ExecContext(ctx, "PRAGMA foreign_keys=ON")
	// Indexes are rebuilt, not copied; walking them tells their pages
	// from a table's lost ones.
	for _, root := range indexRoots {
		pf.walk(root, func(int64, []byte) {})
	}
	// One transaction for the whole copy: the new file has the rows or
	// nothing.
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var ins []*inserter
	for _, t := range tables {
		if t.name == "migrations" || t.order == nil {
			continue // the fresh database has its own migrations, for the schema it has
		}
		in, err := newInserter(ctx, tx, t)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t.name, err)
		}
		ins = append(ins, in)
		copyTable(ctx, in, pf)
	}
	adoptOrphans(ctx, pf, ins)
	var out []TableSalvage
	for _, in := range ins {
		if in.err != nil {
			return nil, fmt.Errorf("table %s: %w", in.t.name, in.err)
		}
		out = append(out, in.ts)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	if err := dropOrphans(ctx, conn, out); err != nil {
		return out, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// describe learns each old table's record layout by creating it in a
// scratch database and asking SQLite.
func describe(ctx context.Context, tables []*oldTable) error {
	scratch, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return err
	}
	defer scratch.Close()
	scratch.SetMaxOpenConns(1)
	for _, t := range tables {
		if _, err := scratch.ExecContext(ctx, t.sql); err != nil {
			continue // not understood: describe leaves order empty, nothing is copied
		}
		cols, err := queryStrings(ctx, scratch, `SELECT name FROM pragma_table_xinfo(?) WHERE hidden NOT IN (1, 2) ORDER BY cid`, t.name)
		if err != nil {
			return err
		}
		t.order, t.alias = cols, -1
		var withoutRowid bool
		scratch.QueryRowContext(ctx, `SELECT wr FROM pragma_table_list(?) WHERE schema = 'main'`, t.name).Scan(&withoutRowid)
		t.withoutRowid = withoutRowid
		if withoutRowid {
			// A WITHOUT ROWID table's rows are its primary key index:
			// the key columns first, then the others.
			var pkIndex string
			if err := scratch.QueryRowContext(ctx, `SELECT name FROM pragma_index_list(?) WHERE origin = 'pk'`, t.name).Scan(&pkIndex); err != nil {
				return fmt.Errorf("primary key of %s: %w", t.name, err)
			}
			t.order, err = queryStrings(ctx, scratch, `SELECT name FROM pragma_index_xinfo(?) WHERE cid >= 0 ORDER BY seqno`, pkIndex)
			if err != nil {
				return err
			}
			continue
		}
		var pkCols []string
		var pkType string
		rows, err := scratch.QueryContext(ctx, `SELECT name, upper(type) FROM pragma_table_info(?) WHERE pk > 0`, t.name)
		if err != nil {
			return err
		}
		for rows.Next() {
			var n, ty string
			rows.Scan(&n, &ty)
			pkCols, pkType = append(pkCols, n), ty
		}
		rows.Close()
		if len(pkCols) == 1 && pkType == "INTEGER" {
			for i, c := range t.order {
				if c == pkCols[0] {
					t.alias = i
				}
			}
		}
	}
	return nil
}

func queryStrings(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// inserter copies decoded rows of one old table into the table of the
// same name in the new database, by the columns both have.
type inserter struct {
	t       *oldTable
	tx      *sql.Tx
	newCols map[string]bool
	stmts   map[string]*sql.Stmt
	ts      TableSalvage
	err     error // the first failure of the new database itself
}

func newInserter(ctx context.Context, tx *sql.Tx, t *oldTable) (*inserter, error) {
	in := &inserter{t: t, tx: tx, newCols: map[string]bool{}, stmts: map[string]*sql.Stmt{}, ts: TableSalvage{Name: t.name}}
	rows, err := tx.QueryContext(ctx, `SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0`, t.name)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		in.newCols[n] = true
	}
	rows.Close()
	return in, nil
}

// insert adds one record (rowid for a rowid table) and counts it saved or
// lost.
func (in *inserter) insert(ctx context.Context, rowid int64, rec []byte) {
	if in.err != nil {
		return
	}
	t := in.t
	vals, err := decodeRecord(rec)
	if err != nil || len(vals) > len(t.order) {
		in.ts.LostRows++
		return
	}
	var cols []string
	var args []any
	for i, v := range vals {
		if i == t.alias && v == nil {
			v = rowid
		}
		if in.newCols[t.order[i]] {
			cols = append(cols, `"`+strings.ReplaceAll(t.order[i], `"`, `""`)+`"`)
			args = append(args, v)
		}
	}
	if len(cols) == 0 {
		in.ts.LostRows++
		return
	}
	key := strings.Join(cols, ",")
	stmt := in.stmts[key]
	if stmt == nil {
		q := fmt.Sprintf(`INSERT OR IGNORE INTO "%s" (%s) VALUES (%s)`, strings.ReplaceAll(t.name, `"`, `""`),
			key, strings.TrimSuffix(strings.Repeat("?,", len(cols)), ","))
		if stmt, in.err = in.tx.PrepareContext(ctx, q); in.err != nil {
			return
		}
		in.stmts[key] = stmt
	}
	res, err := stmt.ExecContext(ctx, args...)
	if c := primaryCode(err); c == sqlite3.SQLITE_MISMATCH || c == sqlite3.SQLITE_CONSTRAINT || c == sqlite3.SQLITE_TOOBIG {
		in.ts.LostRows++ // a row the schema refuses: noise, not a row of this table
		return
	}
	if err != nil {
		in.err = err
		return
	}
	if n, _ := res.RowsAffected(); n == 1 {
		in.ts.Saved++
	} else {
		in.ts.LostRows++
	}
}

// copyTable reads t's b-tree from pf and inserts every decodable row.
func copyTable(ctx context.Context, in *inserter, pf *pageFile) {
	st := pf.walk(in.t.root, func(rowid int64, rec []byte) { in.insert(ctx, rowid, rec) })
	in.ts.LostRows += st.badCells
	in.ts.LostPages = st.badPages
}

// adoptOrphans reads the b-tree pages no walk reached, which a lost
// interior page or a cut-short file leaves behind, and gives each page's
// rows to the one damaged table they can belong to: a table b-tree page
// to a rowid table, an index page to a WITHOUT ROWID table, with records
// of that table's width. A page more than one table could claim is left.
func adoptOrphans(ctx context.Context, pf *pageFile, ins []*inserter) {
	for _, pg := range pf.unreached() {
		typ := pf.pageType(pg)
		var first []any
		pf.walkFrom(pg, false, func(_ int64, rec []byte) {
			if v, err := decodeRecord(rec); err == nil && first == nil {
				first = v
			}
		})
		width := len(first)
		var match *inserter
		n := 0
		for _, in := range ins {
			rowidTable := in.t.alias >= 0 || !in.t.withoutRowid
			kindOK := (typ == tableLeaf && rowidTable) || ((typ == indexLeaf || typ == indexInterior) && in.t.withoutRowid)
			// A rowid alias is stored as NULL: a record with a value there
			// is another table's.
			aliasOK := in.t.alias < 0 || (in.t.alias < width && first[in.t.alias] == nil)
			if in.ts.LostPages > 0 && kindOK && aliasOK && width > 0 && len(in.t.order) == width {
				match, n = in, n+1
			}
		}
		if n != 1 {
			continue
		}
		st := pf.walkFrom(pg, false, func(rowid int64, rec []byte) { match.insert(ctx, rowid, rec) })
		match.ts.LostRows += st.badCells
		match.ts.Adopted++
	}
}

// dropOrphans deletes rows whose parent row (by foreign key) was lost:
// they mean nothing without it, and the app relies on the keys.
func dropOrphans(ctx context.Context, conn *sql.Conn, tables []TableSalvage) error {
	for i := range tables {
		t := &tables[i]
		rows, err := conn.QueryContext(ctx, `SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq`, t.Name)
		if err != nil {
			return err
		}
		type fk struct {
			parent   string
			from, to []string
		}
		fks := map[int]*fk{}
		var ids []int
		for rows.Next() {
			var id int
			var parent, from string
			var to sql.NullString
			rows.Scan(&id, &parent, &from, &to)
			if fks[id] == nil {
				fks[id] = &fk{parent: parent}
				ids = append(ids, id)
			}
			fks[id].from = append(fks[id].from, from)
			fks[id].to = append(fks[id].to, to.String)
		}
		rows.Close()
		for _, id := range ids {
			f := fks[id]
			var notNull, match []string
			ok := true
			for k := range f.from {
				if f.to[k] == "" {
					ok = false // a key to the parent's implicit primary key: not used here
				}
				notNull = append(notNull, fmt.Sprintf(`c."%s" IS NOT NULL`, f.from[k]))
				match = append(match, fmt.Sprintf(`p."%s" = c."%s"`, f.to[k], f.from[k]))
			}
			if !ok {
				continue
			}
			q := fmt.Sprintf(`DELETE FROM "%s" AS c WHERE %s AND NOT EXISTS (SELECT 1 FROM "%s" AS p WHERE %s)`,
				t.Name, strings.Join(notNull, " AND "), f.parent, strings.Join(match, " AND "))
			res, err := conn.ExecContext(ctx, q)
			if err != nil {
				return fmt.Errorf("drop rows of %s whose %s row was lost: %w", t.Name, f.parent, err)
			}
			n, _ := res.RowsAffected()
			t.Saved -= int(n)
			t.LostRows += int(n)
		}
	}
	return nil
}
