package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"Version", []string{"--version"}, 0, "cecyber dev\n", ""},
		{"ErrUnknownFlag", []string{"--nope"}, 2, "", "flag provided but not defined"},
		{"ErrArgument", []string{"extra"}, 2, "", `unexpected argument "extra"`},
		{"Help", []string{"-h"}, 0, "", "Usage: cecyber"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantCode || stdout.String() != tt.wantOut || !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("run(%q) = %d, stdout %q, stderr %q; want %d, %q, containing %q",
					tt.args, code, stdout.String(), stderr.String(), tt.wantCode, tt.wantOut, tt.wantErr)
			}
		})
	}
}

// TestOpenStoreRecoversCorruptDatabase: a damaged database is moved aside,
// never deleted, a fresh one opens, and the user is told.
func TestOpenStoreRecoversCorruptDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	path := filepath.Join(dir, "Cecyber", "cecyber.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	garbage := bytes.Repeat([]byte("not a database "), 512)
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	db, notices, err := openStore(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("openStore() error = %v", err)
	}
	defer db.Close()
	if len(notices) != 1 || notices[0].Code != "database" || notices[0].Params["movedTo"] == "" {
		t.Fatalf("notices = %+v; want one database notice naming where the file went", notices)
	}
	kept, err := os.ReadFile(notices[0].Params["movedTo"])
	if err != nil || !bytes.Equal(kept, garbage) {
		t.Errorf("the damaged file was not kept intact at %s: %v", notices[0].Params["movedTo"], err)
	}
	if _, err := db.Clusters(context.Background()); err != nil {
		t.Errorf("the fresh database does not work: %v", err)
	}
}
