package pvesim

import (
	"math"
	"time"
)

// rrdFrame is one RRD archive of PVE 9: step and row count.
type rrdFrame struct {
	step time.Duration
	rows int
}

var rrdFrames = map[string]rrdFrame{
	"hour":   {time.Minute, 60},
	"day":    {time.Minute, 1440},
	"week":   {30 * time.Minute, 336},
	"month":  {30 * time.Minute, 1440},
	"year":   {6 * time.Hour, 1440},
	"decade": {7 * 24 * time.Hour, 570},
}

// rrdFrames84 are PVE 8's archives: 70 rows each, a minute, 30 minutes,
// 3 hours, 12 hours and a week per row (pve-cluster's pmxcfs status.c
// RRA definitions, and PVE::RRD::create_rrd_data's $setup).
var rrdFrames84 = map[string]rrdFrame{
	"hour":  {time.Minute, 70},
	"day":   {30 * time.Minute, 70},
	"week":  {3 * time.Hour, 70},
	"month": {12 * time.Hour, 70},
	"year":  {7 * 24 * time.Hour, 70},
}

// rrdTimesFor is rrdTimes for the release s plays, with timeframe's
// archive. PVE 8's create_rrd_data fetches from ctime - reso*70 to
// ctime - 1, ctime being now on the step grid; rrd_fetch rounds the end up
// to ctime, and RRDs::fetch returns the rows after the start: 70 rows, the
// newest labelled ctime, as rrdTimes gives them.
func (s *Sim) rrdTimesFor(timeframe string, now time.Time) (rrdFrame, []time.Time) {
	frame := rrdFrames[timeframe]
	if s.pve8 {
		frame = rrdFrames84[timeframe]
	}
	return frame, rrdTimes(frame, now)
}

// rrdTimes returns the row timestamps ending with the step that contains
// now, oldest first, like rrdtool fetch: on the grid of multiples of the
// step since the Unix epoch. (time.Truncate counts from year 1, which for a
// week's step lands on another weekday.)
func rrdTimes(frame rrdFrame, now time.Time) []time.Time {
	step := int64(frame.step / time.Second)
	last := time.Unix(now.Unix()-now.Unix()%step, 0)
	out := make([]time.Time, frame.rows)
	for i := range out {
		out[i] = last.Add(-time.Duration(frame.rows-1-i) * frame.step)
	}
	return out
}

// avgOrMax folds a [0,1] wave over the step before t: its exact mean for
// AVERAGE, the largest of a few samples for MAX.
func avgOrMax(w wave, t, step float64, max bool) float64 {
	if !max {
		return (w.integral(t-step, t)) / step
	}
	m := 0.0
	for k := 0; k <= 4; k++ {
		m = math.Max(m, w.at(t-step*float64(k)/4))
	}
	return m
}

func (s *Sim) getGuestRRD(c *call) (any, error) {
	g, err := s.guestOn(c, routeKind(c))
	if err != nil {
		return nil, err
	}
	frame, times := s.rrdTimesFor(c.params["timeframe"], c.now)
	isMax := c.params["cf"] == "MAX"
	step := frame.step.Seconds()
	out := make([]map[string]any, 0, frame.rows)
	for _, t := range times {
		ts := float64(t.Unix())
		p := map[string]any{"time": t.Unix()}
		out = append(out, p)
		if t.Before(g.created) || t.After(c.now) {
			continue // no data yet: rrdtool answers NaN, the API omits it
		}
		// While the guest is down pvestatd reports only its static
		// sizes (PVE/Service/pvestatd.pm: the other fields undef), and
		// the API leaves the unknown values out.
		p["maxcpu"], p["maxmem"], p["maxdisk"] = g.cores, g.maxmem, g.maxdisk
		p["disk"] = 0
		if g.kind == "lxc" {
			p["disk"] = float64(g.maxdisk) * g.diskFrac
		}
		if !g.upForRRD(t) {
			continue
		}
		cpuShape := avgOrMax(g.cpuWave, ts, step, isMax)
		memShape := avgOrMax(g.memWave, ts, step, isMax)
		p["cpu"] = g.cpuBase * (0.1 + 0.9*cpuShape)
		mem := float64(g.maxmem) * g.memBase * (0.85 + 0.15*memShape)
		p["mem"] = mem
		if g.kind == "qemu" && !s.pve8 {
			p["memhost"] = mem * 1.05
		}
		rateOf := func(w wave) float64 { return 0.2 + 0.8*avgOrMax(w, ts, step, isMax) }
		p["diskread"] = g.ioBase * rateOf(g.ioWave)
		p["diskwrite"] = 0.6 * g.ioBase * rateOf(g.ioWave.shift(1.7))
		p["netin"] = g.netBase * rateOf(g.netWave)
		p["netout"] = 0.4 * g.netBase * rateOf(g.netWave.shift(0.9))
		if s.pve8 {
			continue // pve2-vm has no pressure (pmxcfs status.c)
		}
		// All six pressure stall figures (PVE 9's pve-vm-9.0 RRD).
		cpuP := p["cpu"].(float64) * 3
		ioP := 0.8 * avgOrMax(g.ioWave, ts, step, isMax)
		p["pressurecpusome"], p["pressurecpufull"] = cpuP, cpuP/2
		p["pressureiosome"], p["pressureiofull"] = ioP, ioP/2
		p["pressurememorysome"], p["pressurememoryfull"] = 0.0, 0.0
	}
	return out, nil
}

func (s *Sim) getNodeRRD(c *call) (any, error) {
	n := c.node
	frame, times := s.rrdTimesFor(c.params["timeframe"], c.now)
	isMax := c.params["cf"] == "MAX"
	step := frame.step.Seconds()
	out := make([]map[string]any, 0, frame.rows)
	for _, t := range times {
		ts := float64(t.Unix())
		p := map[string]any{"time": t.Unix()}
		out = append(out, p)
		if t.Before(n.boot) || t.After(c.now) {
			continue
		}
		cpu := n.cpuBase * (0.2 + 0.8*avgOrMax(n.cpuWave, ts, step, isMax))
		mem := float64(n.maxmem) * n.memBase * (0.9 + 0.1*avgOrMax(n.memWave, ts, step, isMax))
		st := n.stats(t)
		p["cpu"], p["maxcpu"] = cpu, n.maxcpu
		p["iowait"] = 0.01 * avgOrMax(n.cpuWave.shift(1), ts, step, isMax)
		p["loadavg"] = cpu * float64(n.maxcpu)
		p["memtotal"], p["memused"] = n.maxmem, mem
		p["swaptotal"], p["swapused"] = n.swap, st.swapUsed
		p["roottotal"], p["rootused"] = n.maxdisk, st.rootUsed
		p["netin"] = n.netBase * (0.2 + 0.8*avgOrMax(n.netWave, ts, step, isMax))
		p["netout"] = 0.7 * n.netBase * (0.2 + 0.8*avgOrMax(n.netWave.shift(2), ts, step, isMax))
		if s.pve8 {
			continue // pve2-node: no memavailable, arcsize or pressure
		}
		p["memavailable"] = float64(n.maxmem) - mem
		p["arcsize"] = 0
		p["pressurecpusome"] = cpu * 2
		p["pressureiosome"], p["pressureiofull"] = 0.0, 0.0
		p["pressurememorysome"], p["pressurememoryfull"] = 0.0, 0.0
	}
	return out, nil
}
