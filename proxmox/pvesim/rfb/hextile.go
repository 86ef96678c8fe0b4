package rfb

// Encoding numbers (RFB 7.7).
const (
	EncodingRaw     int32 = 0
	EncodingHextile int32 = 5
)

// Hextile sub-encoding mask bits.
const (
	hextileRaw              = 1
	hextileBackground       = 2
	hextileForeground       = 4
	hextileAnySubrects      = 8
	hextileSubrectsColoured = 16
)

type rect struct{ x, y, w, h int }

// appendRaw encodes r of fb (stride pixels a row) as Raw.
func appendRaw(buf []byte, pf PixelFormat, fb []uint32, stride int, r rect) []byte {
	for y := r.y; y < r.y+r.h; y++ {
		for _, c := range fb[y*stride+r.x : y*stride+r.x+r.w] {
			buf = pf.appendPixel(buf, c)
		}
	}
	return buf
}

// hextileEncoder carries the background and foreground colours from one
// tile to the next, as the decoder does.
type hextileEncoder struct {
	pf           PixelFormat
	bg, fg       uint32
	bgSet, fgSet bool
	tile         [256]uint32
	covered      [256]bool
	colours      []uint32
	counts       []int
	subrects     []byte
}

// appendHextile encodes r of fb as Hextile: 16×16 tiles, each a solid
// background plus sub-rectangles of other colours, or raw when that is
// smaller.
func appendHextile(buf []byte, pf PixelFormat, fb []uint32, stride int, r rect) []byte {
	e := &hextileEncoder{pf: pf}
	for ty := r.y; ty < r.y+r.h; ty += 16 {
		th := min(16, r.y+r.h-ty)
		for tx := r.x; tx < r.x+r.w; tx += 16 {
			tw := min(16, r.x+r.w-tx)
			for y := 0; y < th; y++ {
				copy(e.tile[y*tw:(y+1)*tw], fb[(ty+y)*stride+tx:])
			}
			buf = e.appendTile(buf, tw, th)
		}
	}
	return buf
}

func (e *hextileEncoder) appendTile(buf []byte, tw, th int) []byte {
	pix := e.tile[:tw*th]
	bpp := e.pf.bytesPerPixel()

	// Distinct colours and how often each occurs; many colours means
	// raw anyway.
	e.colours, e.counts = e.colours[:0], e.counts[:0]
	for _, c := range pix {
		found := false
		for i, k := range e.colours {
			if k == c {
				e.counts[i]++
				found = true
				break
			}
		}
		if !found {
			if len(e.colours) == 32 {
				return e.appendRawTile(buf, tw, th)
			}
			e.colours = append(e.colours, c)
			e.counts = append(e.counts, 1)
		}
	}
	bg := e.colours[0]
	best := e.counts[0]
	for i, n := range e.counts {
		if n > best {
			bg, best = e.colours[i], n
		}
	}
	mask := byte(0)
	if !e.bgSet || e.bg != bg {
		mask |= hextileBackground
	}
	if len(e.colours) == 1 {
		buf = append(buf, mask)
		if mask&hextileBackground != 0 {
			buf = e.pf.appendPixel(buf, bg)
		}
		e.bg, e.bgSet = bg, true
		return buf
	}

	mono := len(e.colours) == 2
	var fg uint32
	if mono {
		fg = e.colours[0]
		if fg == bg {
			fg = e.colours[1]
		}
	}
	n := e.findSubrects(pix, tw, th, bg, mono)
	size := 1 + 1 + len(e.subrects)
	if mask&hextileBackground != 0 {
		size += bpp
	}
	mask |= hextileAnySubrects
	if mono {
		if !e.fgSet || e.fg != fg {
			mask |= hextileForeground
			size += bpp
		}
	} else {
		mask |= hextileSubrectsColoured
	}
	if n > 255 || size >= 1+tw*th*bpp {
		return e.appendRawTile(buf, tw, th)
	}
	buf = append(buf, mask)
	if mask&hextileBackground != 0 {
		buf = e.pf.appendPixel(buf, bg)
	}
	if mask&hextileForeground != 0 {
		buf = e.pf.appendPixel(buf, fg)
	}
	buf = append(buf, byte(n))
	buf = append(buf, e.subrects...)
	e.bg, e.bgSet = bg, true
	if mono {
		e.fg, e.fgSet = fg, true
	} else {
		// Decoders disagree on what the foreground is after a
		// tile with coloured sub-rectangles: send it again.
		e.fgSet = false
	}
	return buf
}

func (e *hextileEncoder) appendRawTile(buf []byte, tw, th int) []byte {
	buf = append(buf, hextileRaw)
	for _, c := range e.tile[:tw*th] {
		buf = e.pf.appendPixel(buf, c)
	}
	// The colours after a raw tile are undefined.
	e.bgSet, e.fgSet = false, false
	return buf
}

// findSubrects covers every pixel that is not bg with rectangles of one
// colour, greedily (widest run first, then as far down as it goes), and
// encodes them into e.subrects, with their colour unless mono. It returns
// their number.
func (e *hextileEncoder) findSubrects(pix []uint32, tw, th int, bg uint32, mono bool) int {
	e.subrects = e.subrects[:0]
	clear(e.covered[:])
	n := 0
	for y := 0; y < th; y++ {
		for x := 0; x < tw; x++ {
			i := y*tw + x
			c := pix[i]
			if c == bg || e.covered[i] {
				continue
			}
			w := 1
			for x+w < tw && pix[i+w] == c && !e.covered[i+w] {
				w++
			}
			h := 1
		grow:
			for y+h < th {
				for k := 0; k < w; k++ {
					j := (y+h)*tw + x + k
					if pix[j] != c || e.covered[j] {
						break grow
					}
				}
				h++
			}
			for yy := y; yy < y+h; yy++ {
				for xx := x; xx < x+w; xx++ {
					e.covered[yy*tw+xx] = true
				}
			}
			if !mono {
				e.subrects = e.pf.appendPixel(e.subrects, c)
			}
			e.subrects = append(e.subrects, byte(x<<4|y), byte((w-1)<<4|(h-1)))
			n++
		}
	}
	return n
}
