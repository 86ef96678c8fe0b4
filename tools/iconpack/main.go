// Command iconpack wraps PNG images in the two icon containers the platforms
// want: a Windows .ico and a macOS .icns. It decodes nothing but the PNG
// header and copies the bytes as they are, so the output depends only on its
// input and `make icons` is reproducible.
//
//	iconpack -ico icon.ico 16.png 24.png … 256.png
//	iconpack -icns iconfile.icns 16.png 32.png … 1024.png
//
// Both containers hold PNG data, which Windows reads since Vista and macOS
// since 10.7; the sizes come from each file's IHDR chunk.
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
)

func main() {
	ico := flag.String("ico", "", "write a Windows icon to this file")
	icns := flag.String("icns", "", "write a macOS icon to this file")
	flag.Parse()
	if (*ico == "") == (*icns == "") || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: iconpack -ico out.ico | -icns out.icns image.png...")
		os.Exit(2)
	}
	var imgs []image
	for _, name := range flag.Args() {
		img, err := readPNG(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "iconpack: %v\n", err)
			os.Exit(1)
		}
		imgs = append(imgs, img)
	}
	sort.SliceStable(imgs, func(i, j int) bool { return imgs[i].size < imgs[j].size })
	var out []byte
	var err error
	if *ico != "" {
		out, err = encodeICO(imgs)
	} else {
		out, err = encodeICNS(imgs)
	}
	if err == nil {
		name := *ico + *icns
		err = os.WriteFile(name, out, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "iconpack: %v\n", err)
		os.Exit(1)
	}
}

type image struct {
	name string
	size int // width, equal to the height
	data []byte
}

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

func readPNG(name string) (image, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return image{}, err
	}
	// The IHDR chunk always comes first: length, "IHDR", width, height.
	if len(data) < 24 || !bytes.Equal(data[:8], pngMagic) || string(data[12:16]) != "IHDR" {
		return image{}, fmt.Errorf("%s: not a PNG file", name)
	}
	w := binary.BigEndian.Uint32(data[16:20])
	h := binary.BigEndian.Uint32(data[20:24])
	if w != h {
		return image{}, fmt.Errorf("%s: %dx%d is not square", name, w, h)
	}
	return image{name: name, size: int(w), data: data}, nil
}

// encodeICO writes an ICONDIR, one ICONDIRENTRY per image, then the images.
// A width or height of 256 is stored as 0.
func encodeICO(imgs []image) ([]byte, error) {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	le(uint16(0))         // reserved
	le(uint16(1))         // type: icon
	le(uint16(len(imgs))) // count
	offset := 6 + 16*len(imgs)
	for _, img := range imgs {
		if img.size > 256 {
			return nil, fmt.Errorf("%s: %d px is larger than an .ico entry can be (256)", img.name, img.size)
		}
		dim := uint8(img.size % 256)
		le(dim)       // width
		le(dim)       // height
		le(uint8(0))  // palette size
		le(uint8(0))  // reserved
		le(uint16(1)) // colour planes
		le(uint16(32))
		le(uint32(len(img.data)))
		le(uint32(offset))
		offset += len(img.data)
	}
	for _, img := range imgs {
		b.Write(img.data)
	}
	return b.Bytes(), nil
}

// icnsTypes maps a PNG's pixel size to the ICNS element types that hold it:
// the plain size and the Retina (@2x) one of half the size.
var icnsTypes = map[int][]string{
	32:   {"ic11"},         // 16@2x
	64:   {"ic12"},         // 32@2x
	128:  {"ic07"},         // 128
	256:  {"ic08", "ic13"}, // 256, 128@2x
	512:  {"ic09", "ic14"}, // 512, 256@2x
	1024: {"ic10"},         // 512@2x
}

// encodeICNS writes the "icns" header and one typed element per PNG; every
// length is big-endian and counts its own 8-byte header.
func encodeICNS(imgs []image) ([]byte, error) {
	var body bytes.Buffer
	for _, img := range imgs {
		types, ok := icnsTypes[img.size]
		if !ok {
			return nil, fmt.Errorf("%s: an .icns holds PNGs of 32, 64, 128, 256, 512 or 1024 px, not %d", img.name, img.size)
		}
		for _, t := range types {
			body.WriteString(t)
			binary.Write(&body, binary.BigEndian, uint32(8+len(img.data)))
			body.Write(img.data)
		}
	}
	if body.Len() == 0 {
		return nil, errors.New("no images")
	}
	var b bytes.Buffer
	b.WriteString("icns")
	binary.Write(&b, binary.BigEndian, uint32(8+body.Len()))
	b.Write(body.Bytes())
	return b.Bytes(), nil
}
