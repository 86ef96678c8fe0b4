package pvesim

import (
	"net/http"
	"sort"
	"strings"
)

// aclView answers privilege questions for one token. Like
// PVE::AccessControl, the ACL entry on the deepest path that covers the
// asked path wins: a grant on /vms/101 replaces what / gives for that guest.
type aclView struct {
	entries []ACL // sorted deepest path first
}

func (s *Sim) aclFor(t Token) aclView {
	e := append([]ACL(nil), t.ACL...)
	sort.SliceStable(e, func(i, j int) bool { return depth(e[i].Path) > depth(e[j].Path) })
	return aclView{entries: e}
}

func depth(p string) int {
	p = strings.Trim(p, "/")
	if p == "" {
		return 0
	}
	return strings.Count(p, "/") + 1
}

// covers reports whether an ACL on aclPath propagates to p.
func covers(aclPath, p string) bool {
	aclPath = "/" + strings.Trim(aclPath, "/")
	if aclPath == "/" {
		return true
	}
	return p == aclPath || strings.HasPrefix(p, aclPath+"/")
}

// privs returns the effective privileges on p.
func (v aclView) privs(p string) []string {
	d := -1
	var out []string
	for _, e := range v.entries {
		if !covers(e.Path, p) {
			continue
		}
		ed := depth(e.Path)
		if d >= 0 && ed < d {
			break
		}
		d = ed
		out = append(out, e.Privs...)
	}
	return out
}

func (v aclView) has(p string, privs ...string) bool {
	got := v.privs(p)
	for _, want := range privs {
		found := false
		for _, g := range got {
			if g == want {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (s *Sim) hasPrivsLocked(t Token, p string, privs ...string) bool {
	return s.aclFor(t).has(p, privs...)
}

// getPermissions mirrors GET /access/permissions: a map of path to
// {privilege: propagate}.
func (s *Sim) getPermissions(c *call) (any, error) {
	tok := c.tok
	if uid, ok := c.params["userid"]; ok && uid != tok.ID {
		if !s.hasPrivsLocked(tok, "/access", "Sys.Audit") {
			return nil, permError("/access", "Sys.Audit")
		}
		other, ok := s.tokens[uid]
		if !ok {
			return nil, errorf(http.StatusInternalServerError, "no such user ('%s')", uid)
		}
		tok = other
	}
	v := s.aclFor(tok)
	paths := []string{"/", "/access", "/nodes", "/pool", "/sdn", "/storage", "/vms"}
	if p, ok := c.params["path"]; ok {
		paths = []string{p}
	} else {
		for _, a := range tok.ACL {
			paths = append(paths, "/"+strings.Trim(a.Path, "/"))
		}
	}
	out := make(map[string]map[string]int)
	for _, p := range paths {
		privs := v.privs(p)
		if len(privs) == 0 && len(paths) > 1 {
			continue
		}
		m := make(map[string]int, len(privs))
		for _, pr := range privs {
			m[pr] = 1
		}
		out[p] = m
	}
	return out, nil
}
