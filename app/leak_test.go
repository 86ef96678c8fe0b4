package app

import (
	"os"
	"runtime"
	"testing"

	"cecyber/proxmox/pvesim"
)

// openFDs counts this process's open file descriptors (Linux).
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count open files here: %v", err)
	}
	return len(ents)
}

// settledGoroutines lets goroutines that are ending (a closed
// connection's reader) finish, by yielding, and returns how many are left
// once the count is at most want or stops falling.
func settledGoroutines(want int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 200000 && n > want; i++ {
		runtime.Gosched()
		n = runtime.NumGoroutine()
	}
	return n
}

// TestAddRemoveCyclesDoNotLeak adds and removes a cluster 200 times: every
// removed cluster's client is closed, so no connection (file descriptor)
// and no connection goroutine outlives it. The simulator is stopped
// before counting, so that its side of any connection is closed too, and
// what is left open is the client's.
func TestAddRemoveCyclesDoNotLeak(t *testing.T) {
	kc := testKeychain(t)
	m := newManagedApp(t, kc, "")
	g0, fd0 := runtime.NumGoroutine(), openFDs(t)

	sim, err := pvesim.Start(pvesim.Config{Nodes: 3, Guests: 6, Seed: 1}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const cycles = 200
	for i := range cycles {
		st, err := m.app.AddCluster(adminInput(sim, "Lab"), sim.Fingerprint)
		if err != nil {
			t.Fatalf("cycle %d: AddCluster: %v", i, err)
		}
		if err := m.app.RemoveCluster(st.ID, false); err != nil {
			t.Fatalf("cycle %d: RemoveCluster: %v", i, err)
		}
	}
	gBusy, fdBusy := runtime.NumGoroutine(), openFDs(t)
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
	fd1 := openFDs(t)
	g1 := settledGoroutines(g0 + 10)
	t.Logf("%d add/remove cycles: goroutines %d before, %d with the simulator up, %d after; open files %d before, %d with the simulator up, %d after",
		cycles, g0, gBusy, g1, fd0, fdBusy, fd1)
	// Under Wine /proc/self/fd exists but counts Wine's own descriptors,
	// which come and go; only Linux's count is this process's.
	if runtime.GOOS == "linux" && fd1 > fd0+5 {
		t.Errorf("open files: %d before, %d after %d cycles; want no more than a handful more", fd0, fd1, cycles)
	}
	if g1 > g0+10 {
		t.Errorf("goroutines: %d before, %d after %d cycles; want no more than a handful more", g0, g1, cycles)
	}
}
