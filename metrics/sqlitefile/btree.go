package sqlitefile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
)

// pageFile reads the pages of a database file as SQLite would see them:
// the newest committed copy from its write-ahead log, else the file's.
// It never asks SQLite to parse anything, so damaged pages cost only
// themselves.
type pageFile struct {
	f      *os.File // read page by page: a history file may be gigabytes
	size   int64
	wal    *wal // nil if none
	hdr    dbHeader
	npages uint32 // pages the database has, by its header or the log
	usable int    // page size minus reserved bytes

	// used are the pages some walk read (b-tree and overflow pages): what
	// is left may be a table's leaves cut off from it (see orphans).
	used map[uint32]bool
}

// openPageFile opens the database at path for reading, with its -wal
// file's committed pages if withWAL. Close closes it.
func openPageFile(path string, withWAL bool) (*pageFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	pf := &pageFile{f: f, size: fi.Size(), used: map[uint32]bool{}}
	ok := false
	defer func() {
		if !ok {
			f.Close()
		}
	}()
	if withWAL {
		if wb, err := os.ReadFile(path + "-wal"); err == nil {
			if w, err := readWAL(wb); err == nil && w.frames > 0 {
				pf.wal = w
			}
		}
	}
	first := make([]byte, 100)
	f.ReadAt(first, 0)
	if pf.wal != nil {
		if p1, ok := pf.wal.pages[1]; ok {
			first = p1
		}
	}
	pf.hdr, err = parseDBHeader(first)
	if err != nil {
		return nil, err
	}
	if pf.hdr.encoding > 1 {
		return nil, errors.New("the database is UTF-16; only UTF-8 is read")
	}
	switch {
	case pf.wal != nil:
		pf.npages = pf.wal.dbSize
	case pf.hdr.sizeValid:
		pf.npages = pf.hdr.pages
	default:
		pf.npages = uint32(pf.size / int64(pf.hdr.pageSize))
	}
	pf.usable = pf.hdr.pageSize - pf.hdr.reserved
	ok = true
	return pf, nil
}

func (pf *pageFile) Close() error { return pf.f.Close() }

var errMissingPage = errors.New("page is past the end of the file")

// page returns page pgno (1-based).
func (pf *pageFile) page(pgno uint32) ([]byte, error) {
	if pgno == 0 || pgno > pf.npages {
		return nil, fmt.Errorf("page %d is out of range (1–%d)", pgno, pf.npages)
	}
	if pf.wal != nil {
		if p, ok := pf.wal.pages[pgno]; ok {
			return p, nil
		}
	}
	off := int64(pgno-1) * int64(pf.hdr.pageSize)
	if off+int64(pf.hdr.pageSize) > pf.size {
		return nil, errMissingPage
	}
	p := make([]byte, pf.hdr.pageSize)
	if _, err := pf.f.ReadAt(p, off); err != nil {
		return nil, err
	}
	return p, nil
}

// B-tree page types.
const (
	indexInterior = 0x02
	tableInterior = 0x05
	indexLeaf     = 0x0a
	tableLeaf     = 0x0d
)

// walkStats counts what a walk could and could not read.
type walkStats struct {
	badPages int // pages of the tree that could not be read, with whatever hung below them
	badCells int // cells found but not decodable
}

// walk visits every record of the b-tree rooted at root: rowid and record
// for a table b-tree, record (rowid 0) for an index b-tree (where a
// WITHOUT ROWID table keeps its rows, in interior cells too). A page that
// cannot be read is counted and skipped, with its subtree; the rest of
// the tree is still read.
func (pf *pageFile) walk(root uint32, visit func(rowid int64, rec []byte)) walkStats {
	return pf.walkFrom(root, true, visit)
}

// walkFrom is walk, or with deep false the records of page root alone.
func (pf *pageFile) walkFrom(root uint32, deep bool, visit func(rowid int64, rec []byte)) walkStats {
	var st walkStats
	seen := map[uint32]bool{}
	var rec func(pgno uint32, depth int)
	rec = func(pgno uint32, depth int) {
		if depth > 40 || seen[pgno] {
			st.badPages++
			return
		}
		seen[pgno] = true
		p, err := pf.page(pgno)
		if err != nil {
			st.badPages++
			return
		}
		h := 0
		if pgno == 1 {
			h = 100
		}
		typ := p[h]
		hlen := 8
		switch typ {
		case indexInterior, tableInterior:
			hlen = 12
		case indexLeaf, tableLeaf:
		default:
			st.badPages++
			return
		}
		n := int(binary.BigEndian.Uint16(p[h+3:]))
		ptrs := h + hlen
		if ptrs+2*n > pf.usable {
			st.badPages++
			return
		}
		var children []uint32
		type cell struct {
			rowid int64
			rec   []byte
		}
		var cells []cell
		bad := 0
		for i := range n {
			off := int(binary.BigEndian.Uint16(p[ptrs+2*i:]))
			if off < ptrs+2*n || off >= pf.usable {
				bad++
				continue
			}
			c := p[off:pf.usable]
			switch typ {
			case tableInterior:
				if len(c) < 4 {
					bad++
					continue
				}
				children = append(children, binary.BigEndian.Uint32(c))
			case indexInterior:
				if len(c) < 4 {
					bad++
					continue
				}
				children = append(children, binary.BigEndian.Uint32(c))
				r, err := pf.payload(c[4:], false)
				if err != nil {
					bad++
					continue
				}
				cells = append(cells, cell{rec: r})
			case indexLeaf:
				r, err := pf.payload(c, false)
				if err != nil {
					bad++
					continue
				}
				cells = append(cells, cell{rec: r})
			case tableLeaf:
				size, k := uvarint(c)
				if k == 0 {
					bad++
					continue
				}
				rowid, k2 := uvarint(c[k:])
				if k2 == 0 {
					bad++
					continue
				}
				r, err := pf.payloadSized(c[k+k2:], int64(size), true)
				if err != nil {
					bad++
					continue
				}
				cells = append(cells, cell{rowid: int64(rowid), rec: r})
			}
		}
		// A page whose cells mostly do not parse is not the page it claims
		// to be: count it as damaged rather than salvage noise from it.
		if n > 0 && bad*2 > n {
			st.badPages++
			return
		}
		st.badCells += bad
		pf.used[pgno] = true
		for _, c := range cells {
			visit(c.rowid, c.rec)
		}
		if deep && (typ == tableInterior || typ == indexInterior) {
			children = append(children, binary.BigEndian.Uint32(p[h+8:]))
			for _, ch := range children {
				rec(ch, depth+1)
			}
		}
	}
	rec(root, 0)
	return st
}

// payload reads an index cell's payload (its size varint first).
func (pf *pageFile) payload(c []byte, table bool) ([]byte, error) {
	size, k := uvarint(c)
	if k == 0 {
		return nil, errors.New("bad payload size")
	}
	return pf.payloadSized(c[k:], int64(size), table)
}

// payloadSized assembles a payload of size bytes that starts at c and may
// continue on overflow pages.
func (pf *pageFile) payloadSized(c []byte, size int64, table bool) ([]byte, error) {
	u := int64(pf.usable)
	if size < 0 || size > 1<<30 {
		return nil, errors.New("bad payload size")
	}
	x := u - 35
	if !table {
		x = (u-12)*64/255 - 23
	}
	local := size
	if size > x {
		m := (u-12)*32/255 - 23
		k := m + (size-m)%(u-4)
		local = m
		if k <= x {
			local = k
		}
	}
	if int64(len(c)) < local || (local < size && int64(len(c)) < local+4) {
		return nil, errors.New("payload runs past the page")
	}
	out := make([]byte, 0, size)
	out = append(out, c[:local]...)
	if local == size {
		return out, nil
	}
	next := binary.BigEndian.Uint32(c[local:])
	for hops := 0; int64(len(out)) < size; hops++ {
		if hops > int(pf.npages) {
			return nil, errors.New("overflow chain loops")
		}
		p, err := pf.page(next)
		if err != nil {
			return nil, err
		}
		pf.used[next] = true
		want := min(size-int64(len(out)), u-4)
		out = append(out, p[4:4+want]...)
		next = binary.BigEndian.Uint32(p)
	}
	return out, nil
}

// uvarint decodes SQLite's big-endian varint (1–9 bytes); k is 0 if b is
// too short.
func uvarint(b []byte) (v uint64, k int) {
	for i := 0; i < 9; i++ {
		if i >= len(b) {
			return 0, 0
		}
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// decodeRecord turns a record into Go values: nil, int64, float64, string
// or []byte.
func decodeRecord(rec []byte) ([]any, error) {
	hsize, k := uvarint(rec)
	if k == 0 || hsize > uint64(len(rec)) || hsize < uint64(k) {
		return nil, errors.New("bad record header")
	}
	var types []uint64
	for pos := k; pos < int(hsize); {
		t, n := uvarint(rec[pos:int(hsize)])
		if n == 0 {
			return nil, errors.New("bad record header")
		}
		types = append(types, t)
		pos += n
	}
	body := rec[hsize:]
	vals := make([]any, len(types))
	for i, t := range types {
		var n int
		switch {
		case t == 0:
			vals[i] = nil
		case t >= 1 && t <= 6:
			n = []int{0, 1, 2, 3, 4, 6, 8}[t]
			if len(body) < n {
				return nil, errors.New("record runs short")
			}
			var v int64
			for _, b := range body[:n] {
				v = v<<8 | int64(b)
			}
			shift := 64 - 8*n
			vals[i] = v << shift >> shift // sign-extend
		case t == 7:
			n = 8
			if len(body) < n {
				return nil, errors.New("record runs short")
			}
			vals[i] = math.Float64frombits(binary.BigEndian.Uint64(body))
		case t == 8:
			vals[i] = int64(0)
		case t == 9:
			vals[i] = int64(1)
		case t >= 12:
			n = int((t - 12) / 2)
			if len(body) < n {
				return nil, errors.New("record runs short")
			}
			if t%2 == 0 {
				vals[i] = append([]byte{}, body[:n]...)
			} else {
				vals[i] = string(body[:n])
			}
		default:
			return nil, fmt.Errorf("reserved serial type %d", t)
		}
		body = body[n:]
	}
	return vals, nil
}

// pageType returns the b-tree type of page pgno (0 if it is none).
func (pf *pageFile) pageType(pgno uint32) byte {
	p, err := pf.page(pgno)
	if err != nil {
		return 0
	}
	h := 0
	if pgno == 1 {
		h = 100
	}
	switch p[h] {
	case indexInterior, tableInterior, indexLeaf, tableLeaf:
		return p[h]
	}
	return 0
}

// unreached returns the pages no walk read that may hold rows cut off
// from their table: not the freelist (deleted rows), not pointer-map
// pages, and b-tree pages by their type byte.
func (pf *pageFile) unreached() []uint32 {
	skip := map[uint32]bool{}
	// The freelist: trunk pages list leaf pages; both hold deleted data.
	trunk := pf.hdr.freeTrunk
	for hops := 0; trunk != 0 && hops <= int(pf.npages); hops++ {
		skip[trunk] = true
		p, err := pf.page(trunk)
		if err != nil {
			break
		}
		n := binary.BigEndian.Uint32(p[4:])
		for i := uint32(0); i < n && 8+4*int(i)+4 <= len(p); i++ {
			skip[binary.BigEndian.Uint32(p[8+4*i:])] = true
		}
		trunk = binary.BigEndian.Uint32(p)
	}
	// Pointer-map pages (auto_vacuum): page 2, then every usable/5+1 pages.
	if p1, err := pf.page(1); err == nil && binary.BigEndian.Uint32(p1[52:]) != 0 {
		step := uint32(pf.usable/5 + 1)
		for pg := uint32(2); pg <= pf.npages; pg += step {
			skip[pg] = true
		}
	}
	var out []uint32
	for pg := uint32(2); pg <= pf.npages; pg++ {
		if !pf.used[pg] && !skip[pg] && pf.pageType(pg) != 0 {
			out = append(out, pg)
		}
	}
	return out
}
