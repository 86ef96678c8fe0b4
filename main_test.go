package main

import (
	"bytes"
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
