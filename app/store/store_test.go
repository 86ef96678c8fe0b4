package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"cecyber/app/store"

	"github.com/google/go-cmp/cmp"
)

func TestDefaultPath(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir) // Linux; elsewhere UserConfigDir ignores it
	t.Setenv("HOME", dir)
	got, err := store.DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	base, _ := os.UserConfigDir()
	if want := filepath.Join(base, "Cecyber", "cecyber.db"); got != want {
		t.Errorf("DefaultPath() = %q; want %q", got, want)
	}
}

func TestOpen(t *testing.T) {
	t.Run("CreatesPrivateFolderAndFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nested", "Cecyber", "cecyber.db")
		db, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if runtime.GOOS == "windows" {
			t.Skip("Windows has no Unix permission bits (Go reports 0666 and 0777); the folder is private by its ACL under %APPDATA%")
		}
		// A write creates the -wal and -shm files; they must be private too.
		mustCreate(t, db, "pve")
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Errorf("mode of %s = %v; want 0600", filepath.Base(p), got)
			}
		}
		fi, err := os.Stat(filepath.Dir(path))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o700 {
			t.Errorf("mode of folder = %v; want 0700", got)
		}
	})

	t.Run("TightensExistingFile", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("Windows has no Unix permission bits (Go reports 0666 and 0777)")
		}
		path := filepath.Join(t.TempDir(), "cecyber.db")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		fi, _ := os.Stat(path)
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("mode = %v; want 0600", got)
		}
	})

	t.Run("Pragmas", func(t *testing.T) {
		db := store.MustOpenDB(t)
		// Several connections at once: the pragmas must hold on every
		// pooled connection, not only the first.
		conns := make([]interface{ Close() error }, 0, 3)
		for range 3 {
			c, err := db.SQL().Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
			for pragma, want := range map[string]string{
				"journal_mode": "wal",
				"foreign_keys": "1",
				"synchronous":  "1", // NORMAL
				"busy_timeout": "5000",
			} {
				var got string
				if err := c.QueryRowContext(context.Background(), "PRAGMA "+pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("PRAGMA %s = %q; want %q", pragma, got, want)
				}
			}
		}
		for _, c := range conns {
			c.Close()
		}
	})

	t.Run("MigrationsIdempotent", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cecyber.db")
		db, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		// Mark every recorded migration as applied at 1 ms after the epoch:
		// one applied again would be recorded at now instead.
		if _, err := db.SQL().Exec(`UPDATE migrations SET applied_at = 1`); err != nil {
			t.Fatal(err)
		}
		first := migrations(t, db)
		if len(first) == 0 {
			t.Fatal("no migration recorded")
		}
		mustCreate(t, db, "pve")
		db.Close()

		db, err = store.Open(path)
		if err != nil {
			t.Fatalf("second Open: %v", err)
		}
		defer db.Close()
		if diff := cmp.Diff(first, migrations(t, db)); diff != "" {
			t.Errorf("second Open changed migrations (-first +second):\n%s", diff)
		}
		cs, err := db.Clusters(context.Background())
		if err != nil || len(cs) != 1 {
			t.Errorf("Clusters() after reopen = %v, %v; want the one cluster", cs, err)
		}
	})
}

// migrations returns the migrations table as "name@applied_at" rows.
func migrations(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT name, applied_at FROM migrations ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		var at int64
		if err := rows.Scan(&name, &at); err != nil {
			t.Fatal(err)
		}
		out = append(out, name+"@"+time.UnixMilli(at).String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func endpoint(host string) store.Endpoint {
	return store.Endpoint{
		URL:         "https://" + host + ":8006",
		Node:        host,
		Fingerprint: strings.ToUpper(strings.Repeat(host[:1]+"A:", 31)) + "FF",
	}
}

func mustCreate(t *testing.T, db *store.DB, name string) store.Cluster {
	t.Helper()
	c := store.Cluster{
		Name:      name,
		TokenID:   "root@pam!cecyber",
		Endpoints: []store.Endpoint{endpoint("pve1"), endpoint("pve2")},
	}
	if err := db.CreateCluster(context.Background(), &c); err != nil {
		t.Fatalf("CreateCluster(%q): %v", name, err)
	}
	return c
}

func TestClusters(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db := store.MustOpenDB(t)
		now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
		db.Now = func() time.Time { return now }

		a := store.Cluster{
			Name:        "Homelab",
			TokenID:     "root@pam!cecyber",
			ClusterName: "lab",
			Endpoints:   []store.Endpoint{endpoint("pve1"), endpoint("pve2"), endpoint("pve3")},
		}
		if err := db.CreateCluster(ctx, &a); err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^c-[0-9a-f]{12}$`).MatchString(a.ID) {
			t.Errorf("assigned ID = %q; want c- and 12 hex digits", a.ID)
		}
		if !a.CreatedAt.Equal(now) || !a.UpdatedAt.Equal(now) {
			t.Errorf("CreatedAt, UpdatedAt = %v, %v; want %v", a.CreatedAt, a.UpdatedAt, now)
		}
		got, err := db.Cluster(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("Cluster() mismatch (-created +got):\n%s", diff)
		}

		// A second cluster, created later and with a chosen ID; then one
		// created in the same millisecond as it: order is creation order.
		now = now.Add(time.Minute)
		b := store.Cluster{ID: "c-bbbbbbbbbbbb", Name: "Office", TokenID: "ops@pve!ro",
			Endpoints: []store.Endpoint{endpoint("office")}}
		if err := db.CreateCluster(ctx, &b); err != nil {
			t.Fatal(err)
		}
		c := store.Cluster{ID: "c-000000000000", Name: "Zeta", TokenID: "z@pve!z",
			Endpoints: []store.Endpoint{endpoint("zeta")}}
		if err := db.CreateCluster(ctx, &c); err != nil {
			t.Fatal(err)
		}
		all, err := db.Clusters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]store.Cluster{a, b, c}, all); diff != "" {
			t.Errorf("Clusters() mismatch (-want +got):\n%s", diff)
		}

		// Updates bump UpdatedAt and keep CreatedAt.
		now = now.Add(time.Hour)
		if err := db.RenameCluster(ctx, a.ID, "Home lab"); err != nil {
			t.Fatal(err)
		}
		if err := db.SetClusterName(ctx, a.ID, "lab2"); err != nil {
			t.Fatal(err)
		}
		eps := []store.Endpoint{endpoint("pve3"), endpoint("pve1"), endpoint("pve4")}
		if err := db.SetEndpoints(ctx, a.ID, eps); err != nil {
			t.Fatal(err)
		}
		if err := db.SetFingerprint(ctx, a.ID, eps[2].URL, "12:34"); err != nil {
			t.Fatal(err)
		}
		eps[2].Fingerprint = "12:34"
		got, err = db.Cluster(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := a
		want.Name, want.ClusterName, want.Endpoints, want.UpdatedAt = "Home lab", "lab2", eps, now
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("after updates (-want +got):\n%s", diff)
		}

		// Renaming to the same name in another case is not a conflict with itself.
		if err := db.RenameCluster(ctx, a.ID, "HOME LAB"); err != nil {
			t.Errorf("RenameCluster to own name in other case: %v", err)
		}

		if err := db.DeleteCluster(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Cluster(ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Cluster(deleted) error = %v; want ErrNotFound", err)
		}
		all, err = db.Clusters(ctx)
		if err != nil || len(all) != 2 || all[0].ID != a.ID || all[1].ID != c.ID {
			t.Errorf("Clusters() after delete = %v, %v; want [a c]", all, err)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		db := store.MustOpenDB(t)
		all, err := db.Clusters(ctx)
		if err != nil || len(all) != 0 {
			t.Errorf("Clusters() = %v, %v; want none", all, err)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		db := store.MustOpenDB(t)
		a := mustCreate(t, db, "Homelab")
		b := mustCreate(t, db, "Office")

		dup := store.Cluster{Name: "HOMELAB", TokenID: "x@pam!y", Endpoints: []store.Endpoint{endpoint("x")}}
		err := db.CreateCluster(ctx, &dup)
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), `"HOMELAB"`) {
			t.Errorf("CreateCluster(same name, other case) = %v; want ErrConflict naming it", err)
		}
		if dup.ID != "" {
			t.Errorf("failed CreateCluster set ID %q", dup.ID)
		}
		dup = store.Cluster{ID: a.ID, Name: "Other", TokenID: "x@pam!y", Endpoints: []store.Endpoint{endpoint("x")}}
		if err := db.CreateCluster(ctx, &dup); !errors.Is(err, store.ErrConflict) {
			t.Errorf("CreateCluster(same ID) = %v; want ErrConflict", err)
		}
		if err := db.RenameCluster(ctx, b.ID, "homelab"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("RenameCluster to a taken name = %v; want ErrConflict", err)
		}
		if got, _ := db.Cluster(ctx, b.ID); got.Name != "Office" {
			t.Errorf("name after failed rename = %q; want Office", got.Name)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		db := store.MustOpenDB(t)
		a := mustCreate(t, db, "Homelab")
		for name, err := range map[string]error{
			"Cluster":                     func() error { _, err := db.Cluster(ctx, "c-nope"); return err }(),
			"RenameCluster":               db.RenameCluster(ctx, "c-nope", "x"),
			"SetClusterName":              db.SetClusterName(ctx, "c-nope", "x"),
			"SetEndpoints":                db.SetEndpoints(ctx, "c-nope", []store.Endpoint{endpoint("x")}),
			"SetFingerprint":              db.SetFingerprint(ctx, "c-nope", "https://pve1:8006", "AA"),
			"SetFingerprint(unknown url)": db.SetFingerprint(ctx, a.ID, "https://elsewhere:8006", "AA"),
			"DeleteCluster":               db.DeleteCluster(ctx, "c-nope"),
		} {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s error = %v; want ErrNotFound", name, err)
			}
		}
		// SetEndpoints on a missing cluster must not leave orphan rows.
		var n int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM endpoints WHERE cluster_id = 'c-nope'`).Scan(&n)
		if n != 0 {
			t.Errorf("%d orphan endpoints", n)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db := store.MustOpenDB(t)
		a := mustCreate(t, db, "Homelab")
		for name, c := range map[string]store.Cluster{
			"NoName":        {Name: " ", TokenID: "a@pam!b", Endpoints: []store.Endpoint{endpoint("x")}},
			"NoToken":       {Name: "n", Endpoints: []store.Endpoint{endpoint("x")}},
			"NoEndpoint":    {Name: "n", TokenID: "a@pam!b"},
			"NoFingerprint": {Name: "n", TokenID: "a@pam!b", Endpoints: []store.Endpoint{{URL: "https://x:8006"}}},
			"Duplicate":     {Name: "n", TokenID: "a@pam!b", Endpoints: []store.Endpoint{endpoint("x"), endpoint("x")}},
		} {
			if err := db.CreateCluster(ctx, &c); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("CreateCluster(%s) = %v; want ErrInvalid", name, err)
			}
		}
		if err := db.SetEndpoints(ctx, a.ID, nil); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("SetEndpoints(nil) = %v; want ErrInvalid", err)
		}
		// A rejected SetEndpoints leaves the old list intact.
		got, _ := db.Cluster(ctx, a.ID)
		if diff := cmp.Diff(a.Endpoints, got.Endpoints); diff != "" {
			t.Errorf("endpoints changed (-want +got):\n%s", diff)
		}
	})

	t.Run("CascadeDelete", func(t *testing.T) {
		db := store.MustOpenDB(t)
		a := mustCreate(t, db, "Homelab")
		b := mustCreate(t, db, "Office")
		if err := db.DeleteCluster(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		count := func(id string) (n int) {
			t.Helper()
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM endpoints WHERE cluster_id = ?`, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(a.ID); n != 0 {
			t.Errorf("deleted cluster still has %d endpoints", n)
		}
		if n := count(b.ID); n != 2 {
			t.Errorf("other cluster has %d endpoints; want 2", n)
		}
	})
}

// TestConcurrentReadsDuringWrites checks that, with WAL, readers are never
// blocked or failed by a writer (and writers by each other, thanks to
// busy_timeout and immediate transactions).
func TestConcurrentReadsDuringWrites(t *testing.T) {
	ctx := context.Background()
	db := store.MustOpenDB(t)
	a := mustCreate(t, db, "Homelab")

	var wg sync.WaitGroup
	errc := make(chan error, 100)
	stop := make(chan struct{})
	for w := range 2 {
		wg.Go(func() {
			for i := range 50 {
				eps := []store.Endpoint{endpoint("pve1"), endpoint("pve2"), endpoint("pve3")}
				eps = append(eps[i%3:], eps[:i%3]...)
				if err := db.SetEndpoints(ctx, a.ID, eps); err != nil {
					errc <- err
					return
				}
				c := store.Cluster{Name: "w" + string(rune('a'+w)) + time.Now().Format("150405.000000000"),
					TokenID: "a@pam!b", Endpoints: []store.Endpoint{endpoint("x")}}
				if err := db.CreateCluster(ctx, &c); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	var reads sync.WaitGroup
	for range 4 {
		reads.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				all, err := db.Clusters(ctx)
				if err != nil {
					errc <- err
					return
				}
				// Every snapshot is consistent: the first cluster always has
				// exactly three endpoints, never a half-replaced list.
				if n := len(all[0].Endpoints); n != 2 && n != 3 {
					errc <- errors.New("read a half-written endpoint list")
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	reads.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	all, err := db.Clusters(ctx)
	if err != nil || len(all) != 101 {
		t.Errorf("Clusters() = %d clusters, %v; want 101", len(all), err)
	}
}

func TestCorrupt(t *testing.T) {
	t.Run("Garbage", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cecyber.db")
		garbage := []byte(strings.Repeat("this is not a SQLite database\n", 200))
		if err := os.WriteFile(path, garbage, 0o600); err != nil {
			t.Fatal(err)
		}
		checkCorruptAndRecover(t, path, garbage)
	})

	t.Run("Truncated", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cecyber.db")
		db, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		// Enough rows for the tables and the name index to span many pages.
		for i := range 300 {
			mustCreate(t, db, "cluster "+strings.Repeat("x", 100)+time.Now().Format("150405.000000000")+string(rune('a'+i%26)))
		}
		db.Close()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, fi.Size()/2); err != nil {
			t.Fatal(err)
		}
		damaged, _ := os.ReadFile(path)
		checkCorruptAndRecover(t, path, damaged)
	})
}

func checkCorruptAndRecover(t *testing.T, path string, content []byte) {
	t.Helper()
	db, err := store.Open(path)
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded on a damaged file")
	}
	var ce *store.CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("Open error = %v (%T); want *CorruptError", err, err)
	}
	if ce.Path != path {
		t.Errorf("CorruptError.Path = %q; want %q", ce.Path, path)
	}
	for _, s := range []string{path, "damaged", "move it aside", "fresh"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
	t.Logf("Open: %v", err)

	// A -wal left next to the damaged file must travel with it (SQLite
	// tools need the pair to read what the WAL holds).
	if err := os.WriteFile(path+"-wal", []byte("wal"), 0o600); err != nil {
		t.Fatal(err)
	}
	movedTo, err := store.Recover(path)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`cecyber\.db\.corrupt-\d{8}-\d{6}$`).MatchString(movedTo) {
		t.Errorf("Recover moved to %q; want cecyber.db.corrupt-YYYYMMDD-HHMMSS", movedTo)
	}
	if got, err := os.ReadFile(movedTo); err != nil || string(got) != string(content) {
		t.Errorf("moved file differs from the damaged one (err %v)", err)
	}
	if got, err := os.ReadFile(movedTo + "-wal"); err != nil || string(got) != "wal" {
		t.Errorf("-wal not moved along: %q, %v", got, err)
	}
	for _, p := range []string{path, path + "-wal"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there after Recover (%v)", p, err)
		}
	}

	db, err = store.Open(path)
	if err != nil {
		t.Fatalf("Open after Recover: %v", err)
	}
	defer db.Close()
	mustCreate(t, db, "fresh")

	if _, err := store.Recover(filepath.Join(filepath.Dir(path), "missing.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Recover(missing) = %v; want ErrNotExist", err)
	}
}

func TestRecoverDoesNotOverwrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cecyber.db")
	var moved []string
	for i := range 3 {
		if err := os.WriteFile(path, []byte{byte(i)}, 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := store.Recover(path)
		if err != nil {
			t.Fatal(err)
		}
		moved = append(moved, m)
	}
	for i, m := range moved {
		b, err := os.ReadFile(m)
		if err != nil || len(b) != 1 || b[0] != byte(i) {
			t.Errorf("copy %d (%s) = %v, %v; want [%d]", i, m, b, err, i)
		}
	}
}

// TestNoSecretOnDisk documents that the store has no place for a token
// secret: adding a cluster while a secret is in memory leaves no trace of it
// in the database file or its WAL.
func TestNoSecretOnDisk(t *testing.T) {
	const canary = "0d1c7a1e-5ec2-47e7-a9a5-ca9a21e5ec2e" // a pretend token secret
	path := filepath.Join(t.TempDir(), "cecyber.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	secret := canary // what the add-cluster form would hold
	c := store.Cluster{Name: "Homelab", TokenID: "root@pam!cecyber", Endpoints: []store.Endpoint{endpoint("pve1")}}
	if err := db.CreateCluster(ctx, &c); err != nil {
		t.Fatal(err)
	}
	_ = secret // Cluster has no field for it: it goes to the keychain, never here.

	check := func(when string) {
		t.Helper()
		n := 0
		for _, p := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(p)
			if errors.Is(err, os.ErrNotExist) {
				continue
			} else if err != nil {
				t.Fatal(err)
			}
			n += len(b)
			if strings.Contains(string(b), canary) {
				t.Errorf("%s: the secret is in %s", when, filepath.Base(p))
			}
			// Make sure we are looking at the right bytes at all.
			if p == path+"-wal" && !strings.Contains(string(b), "root@pam!cecyber") {
				t.Errorf("%s: the token ID is not in the WAL; is the test reading the data?", when)
			}
		}
		if n == 0 {
			t.Fatalf("%s: no database bytes to look at", when)
		}
	}
	check("before checkpoint")
	db.Close()
	check("after close")
}
