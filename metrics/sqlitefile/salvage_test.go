package sqlitefile

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testMigrations = os.DirFS("testdata")

const (
	nParents = 2
	nChild   = 1500 // per parent: several leaf pages
	nNotes   = 200
)

// fill writes the test schema's rows into db: nParents parents, nChild
// child rows for each, nNotes notes of which every tenth needs overflow pages.
func fill(t *testing.T, db *sql.DB, parents int) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for p := 1; p <= parents; p++ {
		if _, err := tx.Exec(`INSERT INTO parent (id, name) VALUES (?, ?)`, p, fmt.Sprintf("cluster %d", p)); err != nil {
			t.Fatal(err)
		}
		for k := range nChild {
			if _, err := tx.Exec(`INSERT INTO child VALUES (?, ?, ?)`, p, k, float64(k)/3); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range nNotes {
		body := fmt.Sprintf("note %d ", i)
		if i%10 == 0 {
			body += strings.Repeat("long ", 2000)
		}
		if _, err := tx.Exec(`INSERT INTO notes VALUES (?, ?)`, fmt.Sprintf("n%04d", i), body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func newDB(t *testing.T, path string, parents int) {
	t.Helper()
	db, err := Open(path, testMigrations, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db, parents)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// leafPage returns a leaf page of table (or of the WITHOUT ROWID table's
// key) from the middle of it, as SQLite's dbstat sees it.
func leafPage(t *testing.T, path, table string) int64 {
	t.Helper()
	db, err := Open(path, testMigrations, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM dbstat WHERE name = ? AND pagetype = 'leaf'`, table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	var pgno int64
	if n == 0 { // a table of one page: its root is its leaf
		err = db.QueryRow(`SELECT rootpage FROM sqlite_schema WHERE name = ?`, table).Scan(&pgno)
	} else {
		err = db.QueryRow(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET ?`, table, n/2).Scan(&pgno)
	}
	if err != nil {
		t.Fatal(err)
	}
	return pgno
}

// smash overwrites page pgno of the (closed) file with what a bad sector
// returns.
func smash(t *testing.T, path string, pgno int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := []byte(strings.Repeat("\xde\xad\xbe\xef", 1024))
	if _, err := f.WriteAt(junk, (pgno-1)*4096); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func integrity(t *testing.T, db *sql.DB) {
	t.Helper()
	var s string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&s); err != nil || s != "ok" {
		t.Fatalf("integrity_check = %q, %v; want ok", s, err)
	}
}

// TestSalvageBadPage smashes one page in the middle of each table in turn:
// every other table comes back whole, the damaged one loses only about one
// page's rows, and the damaged file stays next to the new one.
func TestSalvageBadPage(t *testing.T) {
	full := map[string]int{"parent": nParents, "child": nParents * nChild, "notes": nNotes}
	// A bad page of parent is TestSalvageLostParent.
	for _, table := range []string{"child", "notes"} {
		t.Run(table, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.db")
			newDB(t, path, nParents)
			smash(t, path, leafPage(t, path, table))
			if _, err := Open(path, testMigrations, time.Now); !errors.As(err, new(*Corrupt)) {
				t.Fatalf("Open of the smashed file = %v; want it reported damaged", err)
			}
			db, rep, err := OpenRepairing(path, testMigrations, time.Now)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			integrity(t, db)
			if rep.Damage == nil || rep.MovedTo == "" || !exists(rep.MovedTo) {
				t.Fatalf("report = %+v; want the damage and the kept file", rep)
			}
			saved, lost := rep.Summary()
			t.Logf("smashed a page of %s: saved %s; lost (rows/pages) %s", table, saved, lost)
			for name, want := range full {
				got := count(t, db, name)
				ts := rep.Table(name)
				if ts.Saved != got {
					t.Errorf("report says %d rows of %s saved; the table has %d", ts.Saved, name, got)
				}
				if name != table {
					if got != want || ts.Damaged() {
						t.Errorf("%s: %d rows (report %+v); want all %d, undamaged", name, got, ts, want)
					}
					continue
				}
				if ts.LostPages != 1 {
					t.Errorf("%s: %d pages lost; want 1", name, ts.LostPages)
				}
				// One leaf holds at most a few hundred of these rows.
				if got >= want || got < want-400 {
					t.Errorf("%s: %d of %d rows saved; want all but one page's", name, got, want)
				}
			}
			// The long notes come back whole, from their overflow pages.
			var n int
			db.QueryRow(`SELECT count(*) FROM notes WHERE length(body) > 10000`).Scan(&n)
			if n < nNotes/10-5 {
				t.Errorf("%d long notes saved; want about %d", n, nNotes/10)
			}
		})
	}
}

// TestSalvageLostParent: with the parents' only page gone, the rows that
// belonged to them are dropped, and the report counts them as lost.
func TestSalvageLostParent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	newDB(t, path, nParents)
	smash(t, path, leafPage(t, path, "parent"))
	db, rep, err := OpenRepairing(path, testMigrations, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := count(t, db, "child"); got != 0 {
		t.Errorf("%d child rows kept without their parent; want 0", got)
	}
	if c := rep.Table("child"); c.LostRows != nParents*nChild {
		t.Errorf("child lost rows = %d; want %d", c.LostRows, nParents*nChild)
	}
	if got := count(t, db, "notes"); got != nNotes {
		t.Errorf("notes = %d; want %d", got, nNotes)
	}
}

// TestSalvageTruncated: a file cut short keeps what its first pages hold.
func TestSalvageTruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	newDB(t, path, nParents)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()*3/10/4096*4096); err != nil {
		t.Fatal(err)
	}
	db, rep, err := OpenRepairing(path, testMigrations, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	integrity(t, db)
	saved, lost := rep.Summary()
	t.Logf("cut to 30%%: saved %s; lost (rows/pages) %s", saved, lost)
	if got := count(t, db, "parent"); got != nParents {
		t.Errorf("parent = %d; want %d", got, nParents)
	}
	total := rep.Saved()
	if all := nParents + nParents*nChild + nNotes; total == 0 || total >= all {
		t.Errorf("%d rows saved of %d; want what the first 30%% of the file holds", total, all)
	}
	if got := count(t, db, "child"); got != rep.Table("child").Saved {
		t.Errorf("child = %d; report says %d", got, rep.Table("child").Saved)
	}
	if rep.Table("child").LostPages+rep.Table("notes").LostPages == 0 {
		t.Errorf("report %+v names no lost pages", rep.Tables)
	}
}

// crashCopy copies a database and its -wal while a connection still has
// them open: what a crash leaves on disk.
func crashCopy(t *testing.T, db *sql.DB, from, to string) {
	t.Helper()
	for _, s := range []string{"", "-wal"} {
		b, err := os.ReadFile(from + s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+s, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// openNoCheckpoint opens a database and fills it without ever folding the
// log into the file.
func openNoCheckpoint(t *testing.T, path string, parents int) *sql.DB {
	t.Helper()
	db, err := Open(path, testMigrations, time.Now, "wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	fill(t, db, parents)
	return db
}

// TestForeignWAL: a -wal of another database next to this one is set
// aside (and reported), not applied; this database's own log after a
// crash is applied.
func TestForeignWAL(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "mine.db")
	newDB(t, mine, nParents)

	other := openNoCheckpoint(t, filepath.Join(dir, "other.db"), 50)
	defer other.Close()
	crashCopy(t, other, filepath.Join(dir, "other.db"), filepath.Join(dir, "crashed-other.db"))
	b, err := os.ReadFile(filepath.Join(dir, "crashed-other.db-wal"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mine+"-wal", b, 0o600); err != nil {
		t.Fatal(err)
	}

	db, rep, err := OpenRepairing(mine, testMigrations, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t.Logf("foreign -wal: %s (moved to %s)", rep.WALRefused, filepath.Base(rep.WALMovedTo))
	if rep.WALRefused == "" || !exists(rep.WALMovedTo) {
		t.Fatalf("report = %+v; want the -wal refused and kept", rep)
	}
	if got := count(t, db, "parent"); got != nParents {
		t.Errorf("parent = %d; want this database's %d", got, nParents)
	}
	if got := count(t, db, "child"); got != nParents*nChild {
		t.Errorf("child = %d; want %d", got, nParents*nChild)
	}
	integrity(t, db)

	// The crashed copy of the other database with its own log: applied.
	db2, rep2, err := OpenRepairing(filepath.Join(dir, "crashed-other.db"), testMigrations, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if rep2.Repaired() {
		t.Errorf("own -wal after a crash: report %+v; want nothing repaired", rep2)
	}
	if got := count(t, db2, "parent"); got != 50 {
		t.Errorf("parent after a crash = %d; want the log's 50", got)
	}
}

// TestWALChecks: a file that is not a write-ahead log, or whose header
// checksum fails, is refused; an empty or short one is left to SQLite.
func TestWALChecks(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.db")
	newDB(t, path, 1)
	for name, wal := range map[string][]byte{
		"garbage":    []byte(strings.Repeat("not a log ", 100)),
		"bad header": append([]byte{0x37, 0x7f, 0x06, 0x82, 0, 0x2d, 0xe2, 0x18}, make([]byte, 100)...),
		"short":      []byte{1, 2, 3},
		"empty":      nil,
	} {
		if err := os.WriteFile(path+"-wal", wal, 0o600); err != nil {
			t.Fatal(err)
		}
		reason, err := checkWAL(path)
		if err != nil {
			t.Fatal(err)
		}
		refuse := name == "garbage" || name == "bad header"
		if (reason != "") != refuse {
			t.Errorf("%s: checkWAL = %q; want refused %v", name, reason, refuse)
		}
	}
	os.Remove(path + "-wal")
}

// TestSalvageLostInteriorPage: a bad interior page cuts whole leaves off
// the tree; salvage still finds them (pages no walk reached, of the one
// damaged table whose rows they fit) and keeps their rows.
func TestSalvageLostInteriorPage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	newDB(t, path, nParents)
	db, err := Open(path, testMigrations, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var pgno int64
	err = db.QueryRow(`SELECT pageno FROM dbstat WHERE name = 'child' AND pagetype = 'internal' ORDER BY pageno DESC LIMIT 1`).Scan(&pgno)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	smash(t, path, pgno)
	db, rep, err := OpenRepairing(path, testMigrations, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	integrity(t, db)
	c := rep.Table("child")
	got := count(t, db, "child")
	t.Logf("bad interior page of child: %d of %d rows saved, %d pages adopted (%+v)", got, nParents*nChild, c.Adopted, c)
	// The interior page's own rows (keys of a WITHOUT ROWID table) are lost.
	if c.Adopted == 0 || got < nParents*nChild-400 {
		t.Errorf("child = %d of %d (report %+v); want the cut-off leaves adopted", got, nParents*nChild, c)
	}
	if n := count(t, db, "parent"); n != nParents {
		t.Errorf("parent = %d", n)
	}
}

// TestSalvageFailsPutsBack: when the new file cannot take the rows (a full
// disk, here SQLite's own page limit on the new file), the damaged file
// goes back where it was, unchanged, so the next start salvages it again
// instead of opening an empty database as if nothing had happened.
func TestSalvageFailsPutsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	newDB(t, path, nParents)
	smash(t, path, leafPage(t, path, "child"))
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = OpenRepairing(path, testMigrations, time.Now, "max_page_count(12)")
	if !IsFull(errors.Unwrap(err)) && !strings.Contains(fmt.Sprint(err), "full") {
		t.Fatalf("OpenRepairing into a full file = %v; want the full disk reported", err)
	}
	after, err := os.ReadFile(path)
	if err != nil || string(after) != string(before) {
		t.Fatalf("the damaged file is not back as it was (%v)", err)
	}
	if left, _ := filepath.Glob(path + ".corrupt-*"); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	db, rep, err := OpenRepairing(path, testMigrations, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if rep.Damage == nil || count(t, db, "child") == 0 {
		t.Errorf("the next start: %+v; want the salvage done then", rep)
	}
}
