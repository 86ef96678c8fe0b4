package sqlitefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// The formats read here are SQLite's own, as documented in
// https://www.sqlite.org/fileformat2.html: the 100-byte database header,
// the write-ahead log (a 32-byte header, then frames of a 24-byte header
// and one page) and b-tree pages.

const (
	walMagicLE  = 0x377f0682 // checksums over little-endian words
	walMagicBE  = 0x377f0683 // checksums over big-endian words
	walVersion  = 3007000
	walHdrSize  = 32
	walFrameHdr = 24
)

var dbMagic = []byte("SQLite format 3\x00")

// dbHeader is what the 100-byte header of page 1 says.
type dbHeader struct {
	pageSize      int
	reserved      int    // bytes at the end of every page
	changeCounter uint32 // offset 24
	pages         uint32 // offset 28, the in-header database size
	sizeValid     bool   // the in-header size can be trusted (offset 92 == 24)
	freeTrunk     uint32 // offset 32, first freelist trunk page
	encoding      uint32 // offset 56: 1 UTF-8, 2 UTF-16le, 3 UTF-16be
	applicationID uint32 // offset 68; Open stamps each file with its own
}

func parseDBHeader(b []byte) (dbHeader, error) {
	if len(b) < 100 || !bytes.Equal(b[:16], dbMagic) {
		return dbHeader{}, errors.New("not a SQLite database header")
	}
	h := dbHeader{pageSize: int(binary.BigEndian.Uint16(b[16:]))}
	if h.pageSize == 1 {
		h.pageSize = 65536
	}
	if h.pageSize < 512 || h.pageSize&(h.pageSize-1) != 0 {
		return dbHeader{}, fmt.Errorf("page size %d is not valid", h.pageSize)
	}
	h.reserved = int(b[20])
	h.changeCounter = binary.BigEndian.Uint32(b[24:])
	h.pages = binary.BigEndian.Uint32(b[28:])
	h.sizeValid = h.pages > 0 && binary.BigEndian.Uint32(b[92:]) == h.changeCounter
	h.freeTrunk = binary.BigEndian.Uint32(b[32:])
	h.encoding = binary.BigEndian.Uint32(b[56:])
	h.applicationID = binary.BigEndian.Uint32(b[68:])
	return h, nil
}

// wal is the committed content of a write-ahead log: the newest version of
// every page written by a committed transaction.
type wal struct {
	pageSize int
	ckptSeq  uint32
	salt     [2]uint32
	pages    map[uint32][]byte // page number → newest committed content
	dbSize   uint32            // pages in the database after the last commit; 0 if no commit
	frames   int               // valid committed frames
}

// readWAL parses a -wal file. A header that is not a WAL's, or whose
// checksum fails, is an error; frames after the last valid commit are
// ignored, as SQLite ignores them.
func readWAL(b []byte) (*wal, error) {
	if len(b) < walHdrSize {
		return &wal{}, nil // SQLite treats it as empty
	}
	magic := binary.BigEndian.Uint32(b[0:])
	var order binary.ByteOrder
	switch magic {
	case walMagicLE:
		order = binary.LittleEndian
	case walMagicBE:
		order = binary.BigEndian
	default:
		return nil, fmt.Errorf("not a write-ahead log (magic %#x)", magic)
	}
	if v := binary.BigEndian.Uint32(b[4:]); v != walVersion {
		return nil, fmt.Errorf("write-ahead log version %d is not SQLite's %d", v, walVersion)
	}
	w := &wal{
		pageSize: int(binary.BigEndian.Uint32(b[8:])),
		ckptSeq:  binary.BigEndian.Uint32(b[12:]),
		salt:     [2]uint32{binary.BigEndian.Uint32(b[16:]), binary.BigEndian.Uint32(b[20:])},
		pages:    map[uint32][]byte{},
	}
	if w.pageSize == 1 {
		w.pageSize = 65536
	}
	if w.pageSize < 512 || w.pageSize > 65536 || w.pageSize&(w.pageSize-1) != 0 {
		return nil, fmt.Errorf("write-ahead log page size %d is not valid", w.pageSize)
	}
	s0, s1 := walChecksum(order, b[:24], 0, 0)
	if s0 != binary.BigEndian.Uint32(b[24:]) || s1 != binary.BigEndian.Uint32(b[28:]) {
		return nil, errors.New("write-ahead log header checksum does not match")
	}
	pending := map[uint32][]byte{}
	n := 0
	for off := walHdrSize; off+walFrameHdr+w.pageSize <= len(b); off += walFrameHdr + w.pageSize {
		fh := b[off : off+walFrameHdr]
		if binary.BigEndian.Uint32(fh[8:]) != w.salt[0] || binary.BigEndian.Uint32(fh[12:]) != w.salt[1] {
			break
		}
		page := b[off+walFrameHdr : off+walFrameHdr+w.pageSize]
		s0, s1 = walChecksum(order, fh[:8], s0, s1)
		s0, s1 = walChecksum(order, page, s0, s1)
		if s0 != binary.BigEndian.Uint32(fh[16:]) || s1 != binary.BigEndian.Uint32(fh[20:]) {
			break
		}
		pgno := binary.BigEndian.Uint32(fh[0:])
		if pgno == 0 {
			break
		}
		pending[pgno] = page
		n++
		if commit := binary.BigEndian.Uint32(fh[4:]); commit != 0 {
			for p, data := range pending {
				w.pages[p] = data
			}
			clear(pending)
			w.dbSize = commit
			w.frames = n
		}
	}
	return w, nil
}

func walChecksum(order binary.ByteOrder, b []byte, s0, s1 uint32) (uint32, uint32) {
	for i := 0; i+8 <= len(b); i += 8 {
		s0 += order.Uint32(b[i:]) + s1
		s1 += order.Uint32(b[i+4:]) + s0
	}
	return s0, s1
}

// WALRefused says why a -wal file was not let near its database.
type WALRefused struct {
	Reason  string // what did not match
	MovedTo string // where the -wal file was moved
}

func (e *WALRefused) Error() string {
	return fmt.Sprintf("the write-ahead log does not belong to this database (%s); it was moved to %s", e.Reason, e.MovedTo)
}

// checkWAL compares path's -wal file with the database and says why it
// does not belong to it, or "" if it may be applied. SQLite itself applies
// any well-formed -wal it finds: one copied from another database replaces
// this one's pages with that one's.
//
// What ties a log to its database: the same page size; a committed copy of
// page 1 in the log, if any, carries the same identity (application_id,
// which Open stamps on every file), encoding and page layout, and a change
// counter no older than the file's; without one, the log cannot have
// changed the database's size.
func checkWAL(path string) (reason string, err error) {
	wb, err := os.ReadFile(path + "-wal")
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	w, werr := readWAL(wb)
	if werr != nil {
		return werr.Error(), nil
	}
	if w.frames == 0 {
		return "", nil // nothing committed: SQLite will start it over
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	hb := make([]byte, 100)
	if n, _ := f.Read(hb); n == 0 {
		// The database was created in WAL mode and never checkpointed:
		// everything is in the log, nothing to compare it with.
		return "", nil
	}
	db, herr := parseDBHeader(hb)
	if herr != nil {
		return "", nil // a damaged database is Open's to report, not the log's
	}
	if w.pageSize != db.pageSize {
		return fmt.Sprintf("its pages are %d bytes, the database's %d", w.pageSize, db.pageSize), nil
	}
	if p1, ok := w.pages[1]; ok {
		wh, err := parseDBHeader(p1)
		if err != nil {
			return "its copy of page 1 has no database header", nil
		}
		switch {
		case wh.applicationID != db.applicationID:
			return fmt.Sprintf("it was written for database %#x, this is %#x", wh.applicationID, db.applicationID), nil
		case wh.pageSize != db.pageSize || wh.reserved != db.reserved || wh.encoding != db.encoding:
			return "its database header describes another file layout", nil
		case wh.changeCounter < db.changeCounter:
			return fmt.Sprintf("it is older than the database (change %d, the database is at %d)", wh.changeCounter, db.changeCounter), nil
		}
		return "", nil
	}
	if db.sizeValid && w.dbSize != db.pages {
		return fmt.Sprintf("it resizes the database to %d pages without writing its header (the database has %d)", w.dbSize, db.pages), nil
	}
	return "", nil
}

// setAsideWAL moves path's -wal (and -shm, which describes it) to
// path-wal.refused-YYYYMMDD-HHMMSS, and returns that name.
func setAsideWAL(path string) (string, error) {
	to := uniqueName(path+"-wal.refused-"+stamp(), "")
	if err := os.Rename(path+"-wal", to); err != nil {
		return "", err
	}
	if err := os.Remove(path + "-shm"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return to, err
	}
	return to, nil
}
