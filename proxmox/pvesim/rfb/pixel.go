package rfb

import (
	"encoding/binary"
	"fmt"
)

// PixelFormat is RFB's PIXEL_FORMAT.
type PixelFormat struct {
	BPP, Depth                      uint8
	BigEndian, TrueColour           bool
	RedMax, GreenMax, BlueMax       uint16
	RedShift, GreenShift, BlueShift uint8
}

// DefaultPixelFormat is what ServerInit announces: 32 bits per pixel,
// depth 24, little endian, 8 bits per channel, as QEMU does on x86.
var DefaultPixelFormat = PixelFormat{
	BPP: 32, Depth: 24, TrueColour: true,
	RedMax: 255, GreenMax: 255, BlueMax: 255,
	RedShift: 16, GreenShift: 8, BlueShift: 0,
}

func (pf PixelFormat) marshal() []byte {
	b := make([]byte, 16)
	b[0], b[1] = pf.BPP, pf.Depth
	if pf.BigEndian {
		b[2] = 1
	}
	if pf.TrueColour {
		b[3] = 1
	}
	binary.BigEndian.PutUint16(b[4:], pf.RedMax)
	binary.BigEndian.PutUint16(b[6:], pf.GreenMax)
	binary.BigEndian.PutUint16(b[8:], pf.BlueMax)
	b[10], b[11], b[12] = pf.RedShift, pf.GreenShift, pf.BlueShift
	return b
}

func unmarshalPixelFormat(b []byte) PixelFormat {
	return PixelFormat{
		BPP: b[0], Depth: b[1], BigEndian: b[2] != 0, TrueColour: b[3] != 0,
		RedMax:   binary.BigEndian.Uint16(b[4:]),
		GreenMax: binary.BigEndian.Uint16(b[6:]),
		BlueMax:  binary.BigEndian.Uint16(b[8:]),
		RedShift: b[10], GreenShift: b[11], BlueShift: b[12],
	}
}

// validate accepts the true-colour formats the server can produce.
func (pf PixelFormat) validate() error {
	if !pf.TrueColour {
		return fmt.Errorf("rfb: colour-map pixel formats are not supported")
	}
	switch pf.BPP {
	case 8, 16, 32:
	default:
		return fmt.Errorf("rfb: %d bits per pixel is not supported", pf.BPP)
	}
	for _, ch := range []struct {
		max   uint16
		shift uint8
	}{{pf.RedMax, pf.RedShift}, {pf.GreenMax, pf.GreenShift}, {pf.BlueMax, pf.BlueShift}} {
		if ch.max == 0 || int(ch.shift) >= int(pf.BPP) || uint64(ch.max)<<ch.shift >= 1<<pf.BPP {
			return fmt.Errorf("rfb: invalid pixel format %+v", pf)
		}
	}
	return nil
}

func (pf PixelFormat) bytesPerPixel() int { return int(pf.BPP) / 8 }

// pixel converts 0xRRGGBB to the client's pixel value.
func (pf PixelFormat) pixel(c uint32) uint32 {
	r, g, b := c>>16&0xff, c>>8&0xff, c&0xff
	return (r*uint32(pf.RedMax)+127)/255<<pf.RedShift |
		(g*uint32(pf.GreenMax)+127)/255<<pf.GreenShift |
		(b*uint32(pf.BlueMax)+127)/255<<pf.BlueShift
}

// appendPixel appends c in the client's format.
func (pf PixelFormat) appendPixel(buf []byte, c uint32) []byte {
	v := pf.pixel(c)
	switch pf.BPP {
	case 8:
		return append(buf, byte(v))
	case 16:
		if pf.BigEndian {
			return binary.BigEndian.AppendUint16(buf, uint16(v))
		}
		return binary.LittleEndian.AppendUint16(buf, uint16(v))
	default:
		if pf.BigEndian {
			return binary.BigEndian.AppendUint32(buf, v)
		}
		return binary.LittleEndian.AppendUint32(buf, v)
	}
}
