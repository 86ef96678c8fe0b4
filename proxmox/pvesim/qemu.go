//go:build linux

package pvesim

// Real QEMU consoles (Config.QEMUConsoles).
//
// With the option set and qemu-system-x86_64 on PATH, the console of a
// running qemu guest is served by a real QEMU process, the way Proxmox
// serves it:
//
//   - The first console of a guest starts
//     `qemu-system-x86_64 -nodefaults -machine pc,accel=tcg -m 64
//     -display none -vga std -vnc unix:DIR/VMID.vnc,password=on
//     -qmp unix:DIR/VMID.qmp,server=on,wait=off -name NAME`
//     in a temporary directory of the simulator. It has no disk, so the
//     screen shows SeaBIOS and "No bootable device".
//   - Each vncwebsocket session does what `qm vncproxy` does over QMP:
//     qmp_capabilities, set_password (the password vncproxy issued, or
//     the ticket's first 8 characters in LegacyVNC mode) and
//     expire_password +30, then relays the WebSocket to DIR/VMID.vnc.
//   - The process is killed (its process group, by PID) and waited for,
//     and its sockets removed, when the guest stops or restarts, when
//     it is removed, and on Sim.Close (which Server.Close calls). It
//     runs in its own process group with SIGKILL as its parent-death
//     signal, so it does not outlive the test binary either.
//
// Without the binary the option falls back to the built-in RFB server,
// and the simulator logs why, once.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	qemuBinary         = "qemu-system-x86_64"
	qemuStartTimeout   = 10 * time.Second // until both sockets exist
	qemuDialTimeout    = 5 * time.Second
	qemuStopTimeout    = 5 * time.Second // after SIGKILL, for Wait
	qemuWatchInterval  = 100 * time.Millisecond
	qemuPasswordExpiry = "+30" // qm vncproxy's expire_password
	qemuStderrLimit    = 4 << 10
)

// qemuState is the simulator's QEMU processes, guarded by its own mutex
// (never held together with Sim.mu).
type qemuState struct {
	mu sync.Mutex

	// Set by tests before the first console; zero values mean the
	// defaults.
	binary string                           // looked up on PATH; "" is qemuBinary
	expire string                           // expire_password time; "" is "+30"
	logf   func(format string, args ...any) // nil is log.Printf

	looked bool
	path   string // the binary found, "" if none
	dir    string // temporary directory for the sockets, made on first use
	procs  map[int]*qemuProc
	closed bool
	wg     sync.WaitGroup // watchers
}

// qemuProc is one guest's QEMU.
type qemuProc struct {
	vmid   int
	boot   time.Time // the guest's startedAt when QEMU started
	cmd    *exec.Cmd
	cancel context.CancelFunc
	vnc    string // socket paths
	qmp    string
	stderr *tailBuffer
	exited chan struct{} // closed once Wait returned
	err    error         // Wait's result, set before exited closes

	qmpMu sync.Mutex // QMP's socket serves one client at a time
}

func (q *qemuState) logLocked(format string, args ...any) {
	if q.logf != nil {
		q.logf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// useQEMUConsole reports whether a console of this guest is served by a
// real QEMU. The first time the option applies, it looks for the binary
// and logs why not if it is missing.
func (s *Sim) useQEMUConsole(kind string, vmid int) bool {
	if kind != "qemu" || !s.cfg.QEMUConsoles {
		return false
	}
	if len(s.cfg.QEMUGuests) > 0 && !slices.Contains(s.cfg.QEMUGuests, vmid) {
		return false
	}
	q := &s.qemu
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.looked {
		q.looked = true
		name := q.binary
		if name == "" {
			name = qemuBinary
		}
		p, err := exec.LookPath(name)
		if err != nil {
			q.logLocked("pvesim: QEMUConsoles: %v; consoles use the built-in RFB server instead (install qemu-system-x86)", err)
		} else {
			q.path = p
		}
	}
	return q.path != ""
}

// dialQEMUConsole is `qm vncproxy` for a guest: it starts the guest's
// QEMU unless it runs already (for this boot), sets and expires the VNC
// password over QMP, and connects to QEMU's VNC socket.
func (s *Sim) dialQEMUConsole(vmid int, name string, boot time.Time, password string) (net.Conn, error) {
	p, err := s.qemuFor(vmid, name, boot)
	if err != nil {
		return nil, err
	}
	if len(password) > 8 {
		password = password[:8] // all QEMU compares; the legacy ticket
	}
	s.qemu.mu.Lock()
	expire := s.qemu.expire
	s.qemu.mu.Unlock()
	if expire == "" {
		expire = qemuPasswordExpiry
	}
	if err := p.qmpExecute(
		qmpCommand{Execute: "set_password", Arguments: map[string]any{"protocol": "vnc", "password": password}},
		qmpCommand{Execute: "expire_password", Arguments: map[string]any{"protocol": "vnc", "time": expire}},
	); err != nil {
		return nil, fmt.Errorf("VM %d qmp command failed - %w", vmid, err)
	}
	c, err := dialUnix(p.vnc, time.Now().Add(qemuDialTimeout), p.exited)
	if err != nil {
		return nil, fmt.Errorf("VM %d: connect to VNC socket: %w", vmid, err)
	}
	return c, nil
}

// qemuFor returns the guest's QEMU for this boot, starting it if needed.
func (s *Sim) qemuFor(vmid int, name string, boot time.Time) (*qemuProc, error) {
	q := &s.qemu
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil, errors.New("simulator closed")
	}
	if p := q.procs[vmid]; p != nil {
		select {
		case <-p.exited:
		default:
			if p.boot.Equal(boot) {
				return p, nil
			}
		}
		// A QEMU of an earlier boot (its watcher has not noticed
		// yet), or one that died: replace it.
		delete(q.procs, vmid)
		p.kill()
	}
	p, err := q.startLocked(vmid, name, boot)
	if err != nil {
		q.logLocked("pvesim: %v", err)
		return nil, err
	}
	if q.procs == nil {
		q.procs = make(map[int]*qemuProc)
	}
	q.procs[vmid] = p
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		s.watchQEMU(p)
	}()
	return p, nil
}

func (q *qemuState) startLocked(vmid int, name string, boot time.Time) (*qemuProc, error) {
	if q.dir == "" {
		dir, err := os.MkdirTemp(socketTempDir(), "pvesim-qemu-")
		if err != nil {
			return nil, fmt.Errorf("VM %d: start QEMU: %w", vmid, err)
		}
		q.dir = dir
	}
	p := &qemuProc{
		vmid:   vmid,
		boot:   boot,
		vnc:    filepath.Join(q.dir, fmt.Sprintf("%d.vnc", vmid)),
		qmp:    filepath.Join(q.dir, fmt.Sprintf("%d.qmp", vmid)),
		stderr: &tailBuffer{limit: qemuStderrLimit},
		exited: make(chan struct{}),
	}
	p.removeSockets()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, q.path,
		"-nodefaults",
		"-machine", "pc,accel=tcg",
		"-m", "64",
		"-display", "none",
		"-vga", "std",
		"-vnc", "unix:"+p.vnc+",password=on",
		"-qmp", "unix:"+p.qmp+",server=on,wait=off",
		"-name", strings.ReplaceAll(name, ",", ",,"),
	)
	cmd.Dir = q.dir
	cmd.Stdout = p.stderr
	cmd.Stderr = p.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// Kill the whole process group, by the PID that leads it.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = qemuStopTimeout
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("VM %d: start QEMU: %w", vmid, err)
	}
	p.cmd, p.cancel = cmd, cancel
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()

	deadline := time.NewTimer(qemuStartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !(isSocket(p.vnc) && isSocket(p.qmp)) {
		select {
		case <-p.exited:
			p.cancel()
			p.removeSockets()
			return nil, fmt.Errorf("VM %d: QEMU exited at start (%v): %s", vmid, p.err, strings.TrimSpace(p.stderr.String()))
		case <-deadline.C:
			p.kill()
			return nil, fmt.Errorf("VM %d: QEMU did not open its sockets within %v: %s", vmid, qemuStartTimeout, strings.TrimSpace(p.stderr.String()))
		case <-tick.C:
		}
	}
	return p, nil
}

// socketTempDir is os.TempDir unless its paths would not fit a unix
// socket address (108 bytes).
func socketTempDir() string {
	if d := os.TempDir(); len(d) <= 60 {
		return d
	}
	return "/tmp"
}

func isSocket(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&os.ModeSocket != 0
}

// kill ends the process group, waits for QEMU (nothing else reaps it)
// and removes its sockets. It is safe to call more than once.
func (p *qemuProc) kill() {
	p.cancel()
	select {
	case <-p.exited:
	case <-time.After(2 * qemuStopTimeout):
		// Wait gave up on its own before this (WaitDelay); nothing
		// more can be done from here.
	}
	p.removeSockets()
}

func (p *qemuProc) removeSockets() {
	os.Remove(p.vnc)
	os.Remove(p.qmp)
}

// pid is QEMU's process ID.
func (p *qemuProc) pid() int { return p.cmd.Process.Pid }

// watchQEMU kills QEMU when its guest stops, restarts or goes away, and
// forgets it when it exits by itself.
func (s *Sim) watchQEMU(p *qemuProc) {
	tick := time.NewTicker(qemuWatchInterval)
	defer tick.Stop()
	for {
		select {
		case <-p.exited:
		case <-tick.C:
			if s.qemuGuestRuns(p.vmid, p.boot) {
				continue
			}
		}
		q := &s.qemu
		q.mu.Lock()
		if q.procs[p.vmid] == p {
			delete(q.procs, p.vmid)
		}
		q.mu.Unlock()
		p.kill()
		return
	}
}

func (s *Sim) qemuGuestRuns(vmid int, boot time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advanceLocked(s.now())
	g := s.guestByID[vmid]
	return g != nil && g.running && g.startedAt.Equal(boot)
}

// Close ends every QEMU process the simulator started for consoles,
// waits for them and removes their sockets; consoles asked for later
// fail. Server.Close and Server.Shutdown call it. Without
// Config.QEMUConsoles there is nothing to do.
func (s *Sim) Close() error {
	q := &s.qemu
	q.mu.Lock()
	q.closed = true
	procs := q.procs
	q.procs = nil
	dir := q.dir
	q.mu.Unlock()
	for _, p := range procs {
		p.kill()
	}
	q.wg.Wait()
	if dir != "" {
		return os.RemoveAll(dir)
	}
	return nil
}

// qmpCommand is one QMP command.
type qmpCommand struct {
	Execute   string         `json:"execute"`
	Arguments map[string]any `json:"arguments,omitempty"`
}

// qmpExecute opens a QMP session (greeting, qmp_capabilities), runs the
// commands in order and closes it, as PVE::QMPClient does.
func (p *qemuProc) qmpExecute(cmds ...qmpCommand) error {
	p.qmpMu.Lock()
	defer p.qmpMu.Unlock()
	deadline := time.Now().Add(qemuDialTimeout)
	c, err := dialUnix(p.qmp, deadline, p.exited)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(deadline)
	dec := json.NewDecoder(c)
	var greeting struct {
		QMP json.RawMessage `json:"QMP"`
	}
	if err := dec.Decode(&greeting); err != nil {
		return fmt.Errorf("QMP greeting: %w", err)
	}
	if greeting.QMP == nil {
		return errors.New("QMP greeting missing")
	}
	enc := json.NewEncoder(c)
	for _, cmd := range append([]qmpCommand{{Execute: "qmp_capabilities"}}, cmds...) {
		if err := enc.Encode(cmd); err != nil {
			return fmt.Errorf("%s: %w", cmd.Execute, err)
		}
		for {
			var res struct {
				Return json.RawMessage `json:"return"`
				Error  *struct {
					Class string `json:"class"`
					Desc  string `json:"desc"`
				} `json:"error"`
				Event string `json:"event"`
			}
			if err := dec.Decode(&res); err != nil {
				return fmt.Errorf("%s: %w", cmd.Execute, err)
			}
			if res.Error != nil {
				return fmt.Errorf("%s: %s", cmd.Execute, res.Error.Desc)
			}
			if res.Return != nil {
				break
			}
			// An asynchronous event: not the answer.
		}
	}
	return nil
}

// dialUnix connects to a unix socket, retrying while it is not (yet)
// accepting, until deadline or until QEMU exits.
func dialUnix(path string, deadline time.Time, exited <-chan struct{}) (net.Conn, error) {
	for {
		c, err := net.DialTimeout("unix", path, time.Until(deadline))
		if err == nil {
			return c, nil
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("QEMU exited: %w", err)
		default:
		}
		if !time.Now().Before(deadline) {
			return nil, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tailBuffer keeps what QEMU writes, up to limit bytes, for error
// messages.
type tailBuffer struct {
	mu    sync.Mutex
	b     []byte
	limit int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if room := t.limit - len(t.b); room > 0 {
		t.b = append(t.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
