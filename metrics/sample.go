package metrics

import (
	"math"
	"time"

	"cecyber/proxmox"
)

// Sample is one reading of a target as /cluster/resources reports it:
// gauges, and I/O as cumulative byte counters since the guest started.
type Sample struct {
	Uptime    int64   // seconds since start
	CPU       float64 // fraction of MaxCPU
	Mem       int64   // bytes
	MaxMem    int64   // bytes
	MemHost   int64   // bytes the VM takes on the host (PVE 9, VMs); 0 = unknown
	DiskRead  int64   // cumulative bytes
	DiskWrite int64   // cumulative bytes
	NetIn     int64   // cumulative bytes
	NetOut    int64   // cumulative bytes
}

// SampleOf takes a Sample from a /cluster/resources entry.
func SampleOf(r proxmox.Resource) Sample {
	return Sample{
		Uptime: r.Uptime, CPU: r.CPU, Mem: r.Mem, MaxMem: r.MaxMem, MemHost: r.MemHost,
		DiskRead: r.DiskRead, DiskWrite: r.DiskWrite, NetIn: r.NetIn, NetOut: r.NetOut,
	}
}

// Rate is I/O in bytes per second over the interval between two samples.
type Rate struct {
	DiskRead  float64 `json:"diskread"`
	DiskWrite float64 `json:"diskwrite"`
	NetIn     float64 `json:"netin"`
	NetOut    float64 `json:"netout"`
}

// Rates turns the counters of two consecutive samples dt apart into bytes
// per second. ok is false when there is no honest rate: dt is not positive,
// or a counter or the uptime went down (the guest restarted, or the
// counters were reset), in which case the sample gets no rate rather than a
// negative or huge one.
func Rates(prev, cur Sample, dt time.Duration) (r Rate, ok bool) {
	if dt <= 0 || cur.Uptime < prev.Uptime ||
		cur.DiskRead < prev.DiskRead || cur.DiskWrite < prev.DiskWrite ||
		cur.NetIn < prev.NetIn || cur.NetOut < prev.NetOut {
		return Rate{}, false
	}
	sec := dt.Seconds()
	return Rate{
		DiskRead:  float64(cur.DiskRead-prev.DiskRead) / sec,
		DiskWrite: float64(cur.DiskWrite-prev.DiskWrite) / sec,
		NetIn:     float64(cur.NetIn-prev.NetIn) / sec,
		NetOut:    float64(cur.NetOut-prev.NetOut) / sec,
	}, true
}

// Metric names, as History and Sparklines take them. Every metric also
// exists as "<name>_max". cpu is a fraction of maxcpu; memory in bytes;
// I/O in bytes per second.
const (
	CPU       = "cpu"
	Mem       = "mem"
	MaxMem    = "maxmem"
	MemHost   = "memhost"
	DiskRead  = "diskread"
	DiskWrite = "diskwrite"
	NetIn     = "netin"
	NetOut    = "netout"
)

// Metrics lists every metric name.
var Metrics = []string{CPU, Mem, MaxMem, MemHost, DiskRead, DiskWrite, NetIn, NetOut}

// column describes how a metric is stored: its column and the scale from
// the decoded stored value to the metric's unit.
type column struct {
	name   string  // column in the tables
	scale  float64 // metric = decoded × scale
	hasMax bool    // rollups store a max (as a delta to the average)
}

var columns = map[string]column{
	CPU:       {"cpu", 1.0 / cpuScale, true},
	Mem:       {"mem", mib, true},
	MaxMem:    {"maxmem", mib, false},
	MemHost:   {"memhost", mib, true},
	DiskRead:  {"dr", 1, true},
	DiskWrite: {"dw", 1, true},
	NetIn:     {"ni", 1, true},
	NetOut:    {"no", 1, true},
}

const (
	cpuScale = 10000
	mib      = 1 << 20
)

// nval is the number of stored values per sample, in metricOrder.
const nval = 8

// metricOrder is the order of values in a row (vals).
var metricOrder = [nval]string{CPU, Mem, MaxMem, MemHost, DiskRead, DiskWrite, NetIn, NetOut}

// firstRate is the index in metricOrder of the first I/O rate: values from
// there on are stored as sig3 codes, the others as plain integers.
const firstRate = 4

// vals is one stored row's values (codes); null marks an unmeasured value.
type vals struct {
	v    [nval]int64
	null [nval]bool
}

// encode scales a sample and its rate (nil: no rate) to stored codes.
func encode(s Sample, r *Rate) vals {
	var out vals
	out.v[0] = int64(math.Round(s.CPU * cpuScale))
	out.v[1] = toMiB(s.Mem)
	out.v[2] = toMiB(s.MaxMem)
	out.v[3] = toMiB(s.MemHost)
	out.null[3] = s.MemHost <= 0
	if r != nil {
		out.v[4] = sig3(r.DiskRead)
		out.v[5] = sig3(r.DiskWrite)
		out.v[6] = sig3(r.NetIn)
		out.v[7] = sig3(r.NetOut)
	} else {
		out.null[4], out.null[5], out.null[6], out.null[7] = true, true, true, true
	}
	return out
}

func toMiB(b int64) int64 { return (b + mib/2) / mib }

// encodeVal turns value i in its base unit (cpu ×10000, MiB, B/s) into
// its stored code; decodeVal is the inverse. Both are monotonic, so the
// largest code is the code of the largest value.
func encodeVal(i int, x float64) int64 {
	if i >= firstRate {
		return sig3(x)
	}
	return int64(math.Round(x))
}

func decodeVal(i int, c int64) float64 {
	if i >= firstRate {
		return unsig3(c)
	}
	return float64(c)
}

// sig3 codes a non-negative rate in B/s as a small integer, so that SQLite
// stores it in at most 2 bytes (1 below 128 B/s, 0 for an idle 0): below
// 1,000 the integer itself, above it three significant digits m×10^e
// (m 100–999, e ≥ 1) as 1000 + (e−1)×900 + (m−100). The error is at most
// 0.5 %; round values (100, 25,000) stay exact.
func sig3(x float64) int64 {
	if !(x > 0) || math.IsNaN(x) {
		return 0
	}
	x = min(x, 1e30)
	if r := math.Round(x); r < 1000 {
		return int64(r)
	}
	e, p := 1, 10.0
	for x/p >= 999.5 {
		e++
		p *= 10
	}
	m := int64(math.Round(x / p))
	return 1000 + int64(e-1)*900 + m - 100
}

// unsig3 decodes a sig3 code.
func unsig3(c int64) float64 {
	if c < 1000 {
		return float64(c)
	}
	k := c - 1000
	return float64(k%900+100) * math.Pow10(int(k/900)+1)
}

// args appends the values as SQL arguments (nil for null).
func (v *vals) args(dst []any) []any {
	for i := range v.v {
		if v.null[i] {
			dst = append(dst, nil)
		} else {
			dst = append(dst, v.v[i])
		}
	}
	return dst
}
