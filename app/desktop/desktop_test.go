package desktop

import (
	"os"
	"runtime"
	"testing"
)

func TestAvoidCLocale(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only WebKitGTK needs a real locale")
	}
	tests := []struct {
		name, lcAll, lang, want string
	}{
		{"CLocale", "", "C.UTF-8", "en_US.UTF-8"},
		{"POSIX", "POSIX", "", "en_US.UTF-8"},
		{"RealLocale", "", "pt_BR.UTF-8", ""},
		{"RealOverridesC", "pt_BR.UTF-8", "C", "pt_BR.UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("LC_ALL", tt.lcAll)
			t.Setenv("LC_MESSAGES", "")
			t.Setenv("LANG", tt.lang)
			AvoidCLocale()
			if got := os.Getenv("LC_ALL"); got != tt.want {
				t.Errorf("LC_ALL=%q LANG=%q: LC_ALL became %q; want %q", tt.lcAll, tt.lang, got, tt.want)
			}
		})
	}
}

func TestDevOrigins(t *testing.T) {
	t.Setenv("devserver", "127.0.0.1:34115")
	got := DevOrigins()
	if DevBuild {
		if len(got) != 3 || got[0] != "http://127.0.0.1:34115" {
			t.Errorf("DevOrigins() = %q; want the dev server's three spellings", got)
		}
	} else if got != nil {
		t.Errorf("DevOrigins() = %q in a release build; want none", got)
	}
}
