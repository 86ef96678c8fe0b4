package pvesim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// node is one simulated cluster member.
type node struct {
	name     string
	id       int // corosync node id
	ip       string
	maxcpu   int
	sockets  int
	cpuModel string
	maxmem   int64
	maxdisk  int64 // root filesystem
	swap     int64
	boot     time.Time
	online   bool
	// offlineSince is when the node last went offline; its guests'
	// last reports age from then.
	offlineSince time.Time
	cpuBase      float64
	cpuWave      wave
	memBase      float64
	memWave      wave
	netWave      wave
	netBase      float64 // bytes/s
	lvmSize      int64   // local-lvm thin pool
	lvmUsed      float64
	cert         *nodeCert // what pveproxy serves: custom if set, else pveSSL
	pveSSL       *nodeCert // pve-ssl.pem, signed by the cluster CA
	custom       *nodeCert // pveproxy-ssl.pem; nil without a custom certificate
	nextPID      int
	kernel       string
	seedBits     uint64
}

// served is the certificate pveproxy presents: pveproxy-ssl.pem if the
// node has one, else pve-ssl.pem.
func (n *node) served() *nodeCert {
	if n.custom != nil {
		return n.custom
	}
	return n.pveSSL
}

// pstart is the Linux process start time in clock ticks since boot, the
// second field of a UPID.
func (n *node) pstart(t time.Time) int {
	return int(t.Sub(n.boot) / (10 * time.Millisecond))
}

// guest is one simulated VM (kind "qemu") or container (kind "lxc").
type guest struct {
	vmid       int
	kind       string
	node       *node
	name       string
	tags       string
	template   bool
	lock       string
	hastate    string // "" when not HA managed
	ignoreACPI bool
	// checkpointed marks a container suspended with lxc-checkpoint.
	checkpointed bool
	ostype       string
	mac          string

	cores   int
	maxmem  int64
	maxdisk int64
	swap    int64

	running bool
	paused  bool
	// qmpFault is a QMP status forced on a running VM ("io-error",
	// "guest-panicked", …; see SetGuestQMPStatus); "" for none.
	qmpFault string
	// The guest was up from startedAt until stoppedAt (or until now when
	// running); a zero startedAt means it never ran. Counters and uptime
	// derive from startedAt, which is what makes them reset on (re)start.
	startedAt time.Time
	stoppedAt time.Time
	// created and downs feed rrddata: no data before created, zeros
	// while the guest was down.
	created time.Time
	downs   []span
	pid     int

	cpuBase   float64 // fraction of maxcpu at peak load
	cpuWave   wave
	cpuFixed  float64 // with cpuPinned, the CPU load SetGuestCPU fixed
	cpuPinned bool
	memBase   float64
	memWave   wave
	ioWave    wave
	ioBase    float64 // bytes/s read at peak
	netWave   wave
	netBase   float64 // bytes/s in at peak
	diskFrac  float64 // used fraction of the root disk (lxc)
	seedBits  uint64
}

type span struct{ from, to time.Time }

// upForRRD reports whether the guest was running at t, for history.
func (g *guest) upForRRD(t time.Time) bool {
	if g.template || t.Before(g.created) {
		return false
	}
	if !g.running && !t.Before(g.stoppedAt) {
		return false
	}
	for _, d := range g.downs {
		if !t.Before(d.from) && t.Before(d.to) {
			return false
		}
	}
	return true
}

func (g *guest) status() string {
	if g.running {
		return "running"
	}
	return "stopped"
}

// typeWord is how Proxmox names the guest kind in messages ("VM 101 not
// running", "CT 105 not running").
func (g *guest) typeWord() string {
	if g.kind == "lxc" {
		return "CT"
	}
	return "VM"
}

func (g *guest) confPath(node string) string {
	if g.kind == "lxc" {
		return fmt.Sprintf("nodes/%s/lxc/%d.conf", node, g.vmid)
	}
	return fmt.Sprintf("nodes/%s/qemu-server/%d.conf", node, g.vmid)
}

// guestStats is a guest's live numbers at one instant.
type guestStats struct {
	cpu                                   float64
	mem, memhost, disk                    int64
	diskread, diskwrite, netin, netout    int64
	uptime                                int64
	pressureCPU, pressureIO, pressureMemo float64
}

func (g *guest) stats(t time.Time) guestStats {
	var st guestStats
	if g.kind == "lxc" {
		st.disk = int64(float64(g.maxdisk) * g.diskFrac)
	}
	if !g.running || g.startedAt.IsZero() {
		return st
	}
	ts := unix(t)
	st.uptime = int64(t.Sub(g.startedAt) / time.Second)
	if !g.paused {
		st.cpu = g.cpuAt(ts)
		if g.cpuPinned {
			st.cpu = g.cpuFixed
		}
	}
	st.mem = g.memAt(ts)
	st.memhost = st.mem + st.mem/20
	t0 := unix(g.startedAt)
	st.diskread = int64(g.ioBase * rateIntegral(g.ioWave, t0, ts))
	st.diskwrite = int64(0.6 * g.ioBase * rateIntegral(g.ioWave.shift(1.7), t0, ts))
	st.netin = int64(g.netBase * rateIntegral(g.netWave, t0, ts))
	st.netout = int64(0.4 * g.netBase * rateIntegral(g.netWave.shift(0.9), t0, ts))
	st.pressureCPU = round2(st.cpu * 3)
	st.pressureIO = round2(g.ioWave.at(ts) * 0.8)
	st.pressureMemo = 0
	return st
}

func (g *guest) cpuAt(ts float64) float64 {
	return g.cpuBase * (0.1 + 0.9*g.cpuWave.at(ts))
}

func (g *guest) memAt(ts float64) int64 {
	return int64(float64(g.maxmem) * g.memBase * (0.85 + 0.15*g.memWave.at(ts)))
}

type nodeStats struct {
	cpu       float64
	mem       int64
	disk      int64
	uptime    int64
	load      [3]float64
	swapUsed  int64
	netin     float64 // bytes/s
	netout    float64
	iowait    float64
	memAvail  int64
	rootUsed  int64
	arcsize   int64
	pressure  float64
	ksmShared int64
}

func (n *node) stats(t time.Time) nodeStats {
	ts := unix(t)
	cpu := n.cpuBase * (0.2 + 0.8*n.cpuWave.at(ts))
	mem := int64(float64(n.maxmem) * n.memBase * (0.9 + 0.1*n.memWave.at(ts)))
	st := nodeStats{
		cpu:      cpu,
		mem:      mem,
		disk:     int64(float64(n.maxdisk) * (0.08 + 0.02*n.memWave.at(ts/50))),
		uptime:   int64(t.Sub(n.boot) / time.Second),
		swapUsed: int64(float64(n.swap) * 0.02 * n.memWave.at(ts)),
		netin:    n.netBase * (0.2 + 0.8*n.netWave.at(ts)),
		netout:   0.7 * n.netBase * (0.2 + 0.8*n.netWave.shift(2).at(ts)),
		iowait:   0.01 * n.cpuWave.shift(1).at(ts),
		memAvail: n.maxmem - mem,
		arcsize:  0,
		pressure: round2(cpu * 2),
	}
	st.rootUsed = st.disk
	for i, f := range []float64{1, 0.9, 0.8} {
		st.load[i] = round2(cpu * float64(n.maxcpu) * f * (0.9 + 0.2*n.cpuWave.at(ts-float64(i)*300)))
	}
	return st
}

// wave is a smooth, deterministic signal in [0, 1]: the mean of three sines
// with seeded periods (minutes to hours) and phases. Being analytic, its
// integral is exact, which gives cumulative counters that only grow while a
// guest runs and never depend on how often anyone looked.
type wave struct {
	w  [3]float64 // angular frequency, rad/s
	ph [3]float64
}

func newWave(r *rand.Rand) wave {
	var w wave
	periods := [3][2]float64{{300, 1200}, {1800, 7200}, {14400, 86400}}
	for i := range w.w {
		p := periods[i][0] + r.Float64()*(periods[i][1]-periods[i][0])
		w.w[i] = 2 * math.Pi / p
		w.ph[i] = r.Float64() * 2 * math.Pi
	}
	return w
}

func (w wave) shift(d float64) wave {
	for i := range w.ph {
		w.ph[i] += d * float64(i+1)
	}
	return w
}

func (w wave) at(t float64) float64 {
	s := 0.0
	for i := range w.w {
		s += math.Sin(w.w[i]*t + w.ph[i])
	}
	return (s/3 + 1) / 2
}

// integral of at over [t0, t1].
func (w wave) integral(t0, t1 float64) float64 {
	s := 0.0
	for i := range w.w {
		s += (math.Cos(w.w[i]*t0+w.ph[i]) - math.Cos(w.w[i]*t1+w.ph[i])) / w.w[i]
	}
	return (t1-t0)/2 + s/6
}

// rate is the shape of every byte rate: never below 20 % of its peak.
func rate(w wave, t float64) float64 { return 0.2 + 0.8*w.at(t) }

// rateIntegral is the integral of rate over [t0, t1].
func rateIntegral(w wave, t0, t1 float64) float64 {
	if t1 <= t0 {
		return 0
	}
	return 0.2*(t1-t0) + 0.8*w.integral(t0, t1)
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// mix is splitmix64 over a and b; it derives independent seeds.
func mix(a, b uint64) uint64 {
	z := a + b*0x9e3779b97f4a7c15 + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func newRand(seed int64, salt uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix(uint64(seed), salt), mix(uint64(seed), salt+1)))
}

const (
	kib = int64(1) << 10
	mib = int64(1) << 20
	gib = int64(1) << 30
)

// Special guests every cluster has (when it has that many guests), so that
// tests and the demo can rely on them.
const (
	templateVMID = 100 // qemu template, stopped
	plainVMID    = 101 // running qemu web-01, the one ops@pve!limited may touch
	haVMID       = 103 // HA managed qemu
	lockedVMID   = 104 // running qemu with lock "backup"
	stoppedVMID  = 106 // stopped qemu
)

var guestRoles = []struct {
	prefix string
	tags   string
	kind   string // forced kind, "" = by position
}{
	{"web", "prod;web", ""},
	{"db", "db;prod", ""},
	{"ci-runner", "ci", ""},
	{"cache", "prod;redis", ""},
	{"api", "prod;api", ""},
	{"dns", "infra", "lxc"},
	{"proxy", "infra;web", "lxc"},
	{"monitor", "infra;monitoring", ""},
	{"git", "dev", ""},
	{"k8s-worker", "k8s;prod", "qemu"},
	{"mail", "prod", ""},
	{"backup", "infra", ""},
	{"build", "ci;dev", ""},
	{"vpn", "infra;net", "lxc"},
	{"files", "", ""},
	{"log", "infra;logging", "lxc"},
}

var cpuModels = []string{
	"AMD EPYC 7302P 16-Core Processor",
	"Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz",
	"AMD Ryzen 9 7950X 16-Core Processor",
	"Intel(R) Xeon(R) E-2388G CPU @ 3.20GHz",
}

// build creates the nodes and guests from the seed. now fixes boot and
// start times so that uptimes are plausible at the first request.
func (s *Sim) build(now time.Time) {
	r := newRand(s.cfg.Seed, 1)
	for i := 0; i < s.cfg.Nodes; i++ {
		cores := []int{8, 16, 32, 64}[r.IntN(4)]
		n := &node{
			name: fmt.Sprintf("pve%d", i+1),
			id:   i + 1,
			// Start replaces it with the address the node listens on; a
			// bare Sim (an http.Handler) is reached on loopback.
			ip:       "127.0.0.1",
			maxcpu:   cores,
			sockets:  1 + r.IntN(2),
			cpuModel: cpuModels[r.IntN(len(cpuModels))],
			maxmem:   []int64{64, 128, 256, 512}[r.IntN(4)] * gib,
			maxdisk:  []int64{100, 250, 500}[r.IntN(3)] * gib,
			swap:     8 * gib,
			boot:     now.Add(-time.Duration(20*24*3600+r.IntN(70*24*3600)) * time.Second).Truncate(time.Second),
			online:   true,
			cpuBase:  0.1 + 0.4*r.Float64(),
			cpuWave:  newWave(r),
			memBase:  0.3 + 0.4*r.Float64(),
			memWave:  newWave(r),
			netWave:  newWave(r),
			netBase:  float64(1+r.IntN(50)) * float64(mib),
			lvmSize:  []int64{1, 2, 4}[r.IntN(3)] * 1024 * gib,
			lvmUsed:  0.2 + 0.5*r.Float64(),
			kernel:   s.kernel(),
			seedBits: r.Uint64(),
		}
		n.nextPID = 100000 + r.IntN(800000)
		n.pveSSL = mustPVESSL(s.ca, i+1, n.name)
		n.cert = n.served()
		s.nodes = append(s.nodes, n)
		s.nodeByName[n.name] = n
	}

	counters := make(map[string]int)
	for i := 0; i < s.cfg.Guests; i++ {
		vmid := 100 + i
		role := guestRoles[r.IntN(len(guestRoles))]
		kind := "qemu"
		if i%3 == 2 {
			kind = "lxc"
		}
		switch {
		case vmid == templateVMID, vmid == plainVMID, vmid == haVMID, vmid == lockedVMID, vmid == stoppedVMID:
			kind = "qemu"
		case role.kind != "":
			kind = role.kind
		}
		if vmid == plainVMID {
			role = guestRoles[0]
		}
		g := &guest{
			vmid:     vmid,
			kind:     kind,
			node:     s.nodes[r.IntN(len(s.nodes))],
			tags:     role.tags,
			cpuBase:  0.05 + 0.6*r.Float64(),
			cpuWave:  newWave(r),
			memBase:  0.3 + 0.6*r.Float64(),
			memWave:  newWave(r),
			ioWave:   newWave(r),
			ioBase:   float64(16*kib) + r.Float64()*float64(2*mib),
			netWave:  newWave(r),
			netBase:  float64(4*kib) + r.Float64()*float64(1*mib),
			diskFrac: 0.1 + 0.7*r.Float64(),
			seedBits: r.Uint64(),
		}
		if vmid == plainVMID {
			g.node = s.nodes[0]
		}
		counters[role.prefix]++
		g.name = fmt.Sprintf("%s-%02d", role.prefix, counters[role.prefix])
		if kind == "qemu" {
			g.cores = []int{1, 2, 2, 4, 4, 8}[r.IntN(6)]
			g.maxmem = []int64{1, 2, 4, 4, 8, 16}[r.IntN(6)] * gib
			g.maxdisk = []int64{32, 32, 64, 128}[r.IntN(4)] * gib
			g.ostype = "l26"
		} else {
			g.cores = []int{1, 1, 2, 4}[r.IntN(4)]
			g.maxmem = []int64{512 * mib, 1 * gib, 2 * gib, 4 * gib}[r.IntN(4)]
			g.maxdisk = []int64{8, 8, 16, 32}[r.IntN(4)] * gib
			g.swap = 512 * mib
			g.ostype = []string{"debian", "ubuntu", "alpine"}[r.IntN(3)]
		}
		g.mac = fmt.Sprintf("BC:24:11:%02X:%02X:%02X", byte(g.seedBits>>16), byte(g.seedBits>>8), byte(g.seedBits))
		running := r.Float64() < 0.8
		switch vmid {
		case templateVMID:
			g.template = true
			g.name = "debian-13-template"
			g.tags = "template"
			running = false
		case plainVMID, haVMID, lockedVMID:
			running = true
		case stoppedVMID:
			running = false
		}
		if vmid == haVMID {
			g.hastate = "started"
		}
		if vmid == lockedVMID {
			g.lock = "backup"
		}
		// Uptimes from a few minutes to two months, never before the node
		// booted.
		up := time.Duration(600+r.IntN(60*24*3600)) * time.Second
		if maxUp := now.Sub(g.node.boot) - time.Minute; up > maxUp {
			up = maxUp
		}
		if running {
			g.running = true
			g.startedAt = now.Add(-up).Truncate(time.Second)
			g.pid = g.node.nextPID
			g.node.nextPID += 1 + r.IntN(5000)
		} else if !g.template {
			// It ran for a while and was shut down some time ago.
			g.stoppedAt = now.Add(-time.Duration(3600+r.IntN(7*24*3600)) * time.Second).Truncate(time.Second)
			g.startedAt = g.stoppedAt.Add(-up)
		}
		g.created = g.startedAt.Add(-time.Duration(r.IntN(200*24*3600)) * time.Second)
		if g.template {
			g.created = now.Add(-time.Duration(30*24*3600+r.IntN(200*24*3600)) * time.Second).Truncate(time.Second)
		}
		s.guests = append(s.guests, g)
		s.guestByID[vmid] = g
	}
	s.nextPID = 1
}

// kernel is the kernel a node of the release runs: 6.17 in PVE 9.1, 6.8
// in PVE 8.4.
func (s *Sim) kernel() string {
	if s.pve8 {
		return "6.8.12-9-pve"
	}
	return "6.17.2-1-pve"
}
