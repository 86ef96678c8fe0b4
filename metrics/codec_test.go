package metrics

import (
	"math"
	"testing"
)

// TestSig3 checks the rate code: exact below 1,000 and for round values,
// within 0.5 % above, monotonic, and at most 2 bytes in SQLite up to 1e30.
func TestSig3(t *testing.T) {
	for _, x := range []float64{0, 1, 100, 999, 1000, 25000, 1.5e6, 1e12} {
		if got := unsig3(sig3(x)); got != x {
			t.Errorf("unsig3(sig3(%v)) = %v", x, got)
		}
	}
	prev := int64(-1)
	for x := 0.0; x < 1e13; x = x*1.0007 + 0.3 {
		c := sig3(x)
		if c < prev {
			t.Fatalf("sig3(%v) = %d < %d: not monotonic", x, c, prev)
		}
		prev = c
		if d := unsig3(c); math.Abs(d-x) > max(0.5, x*0.005) {
			t.Fatalf("sig3(%v) decodes to %v", x, d)
		}
	}
	if c := sig3(1e30); c > 32767 {
		t.Errorf("sig3(1e30) = %d; want a 2-byte integer", c)
	}
	if sig3(math.Inf(1)) > 32767 || sig3(math.NaN()) != 0 || sig3(-5) != 0 {
		t.Error("sig3 of Inf, NaN or a negative rate out of range")
	}
}
