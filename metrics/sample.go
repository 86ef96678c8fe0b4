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
// the stored integer to the metric's unit.
type column struct {
	name   string  // column in the tables
	scale  float64 // metric = stored × scale
	hasMax bool    // rollups store a max column
}

var columns = map[string]column{
	CPU:       {"cpu", 1.0 / cpuScale, true},
	Mem:       {"mem", 1024, true},
	MaxMem:    {"maxmem", 1024, false},
	MemHost:   {"memhost", 1024, true},
	DiskRead:  {"dr", 1, true},
	DiskWrite: {"dw", 1, true},
	NetIn:     {"ni", 1, true},
	NetOut:    {"no", 1, true},
}

const cpuScale = 10000

// nval is the number of stored values per sample, in metricOrder.
const nval = 8

// metricOrder is the order of values in a row (vals).
var metricOrder = [nval]string{CPU, Mem, MaxMem, MemHost, DiskRead, DiskWrite, NetIn, NetOut}

// vals is one stored row's values, scaled; null marks an unmeasured value.
type vals struct {
	v    [nval]int64
	null [nval]bool
}

// encode scales a sample and its rate (nil: no rate) to stored integers.
func encode(s Sample, r *Rate) vals {
	var out vals
	out.v[0] = int64(math.Round(s.CPU * cpuScale))
	out.v[1] = kib(s.Mem)
	out.v[2] = kib(s.MaxMem)
	out.v[3] = kib(s.MemHost)
	out.null[3] = s.MemHost <= 0
	if r != nil {
		out.v[4] = int64(math.Round(r.DiskRead))
		out.v[5] = int64(math.Round(r.DiskWrite))
		out.v[6] = int64(math.Round(r.NetIn))
		out.v[7] = int64(math.Round(r.NetOut))
	} else {
		out.null[4], out.null[5], out.null[6], out.null[7] = true, true, true, true
	}
	return out
}

func kib(b int64) int64 { return (b + 512) / 1024 }

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
