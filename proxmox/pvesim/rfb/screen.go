package rfb

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Cell geometry: glyphs are drawn at twice their size with a one-pixel
// margin, which reads well at 800×600.
const (
	cellW     = 12
	cellH     = 16
	glyphZoom = 2
)

// Colours as 0xRRGGBB.
const (
	colConsoleBg = 0x000000
	colConsoleFg = 0xc0c0c0
	colBright    = 0xffffff
	colTitleBg   = 0x1f4e8c
	colStatusBg  = 0x404040
	colStatusFg  = 0xe0e0a0
	colPointer   = 0xffd000
	colPressed   = 0xff3030
	colOK        = 0x40d040
)

// bootStep is how often a new boot log line appears.
const bootStep = 250 * time.Millisecond

// ScreenConfig describes a guest's display.
type ScreenConfig struct {
	Width, Height int       // pixels; default 800×600, at least one text cell
	Name          string    // the guest name: title bar, host name in the prompt
	Boot          time.Time // when the guest booted; the boot log starts here. Zero: Now() at NewScreen
	Now           func() time.Time
}

// Screen is a guest's display: a title bar with the guest name and a
// clock, a boot log that scrolls by, then a login prompt that echoes what
// is typed, and a status line following the pointer. Its content depends
// only on its state and the time, so any number of connections can show
// it. Safe for concurrent use.
type Screen struct {
	w, h       int
	cols, rows int
	name       string
	host       string
	boot       time.Time
	now        func() time.Time
	bootLog    []string

	mu sync.Mutex
	// transcript holds the finished prompt lines after the boot log.
	transcript []string
	input      []byte
	askingPass bool
	keys       int
	px, py     int
	buttons    uint8
	pointerSet bool
	changed    chan struct{} // closed and replaced on every input
	// fb is the rendered text layer; drawn caches what each cell of fb
	// shows, so that a frame only redraws the cells that changed.
	fb    []uint32
	drawn []cell
}

type cell struct {
	ch     byte
	fg, bg uint32
}

// NewScreen returns a screen in its boot state.
func NewScreen(cfg ScreenConfig) *Screen {
	if cfg.Width <= 0 {
		cfg.Width = 800
	}
	if cfg.Height <= 0 {
		cfg.Height = 600
	}
	cfg.Width = max(cfg.Width, cellW)
	cfg.Height = max(cfg.Height, cellH)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Boot.IsZero() {
		cfg.Boot = cfg.Now()
	}
	if cfg.Name == "" {
		cfg.Name = "guest"
	}
	s := &Screen{
		w: cfg.Width, h: cfg.Height,
		cols: cfg.Width / cellW, rows: cfg.Height / cellH,
		name: cfg.Name, host: hostName(cfg.Name),
		boot: cfg.Boot, now: cfg.Now,
		changed: make(chan struct{}),
		fb:      make([]uint32, cfg.Width*cfg.Height),
	}
	s.drawn = make([]cell, s.cols*s.rows)
	for i := range s.drawn {
		s.drawn[i] = cell{ch: 0, fg: 1, bg: 1} // nothing drawn yet
	}
	s.bootLog = bootLog(s.host)
	return s
}

// hostName makes a guest name usable as a host name in the prompt.
func hostName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "localhost"
	}
	return b.String()
}

func bootLog(host string) []string {
	lines := []string{
		"SeaBIOS (version rel-1.16.3-0-ga6ed6b701f0a-prebuilt.qemu.org)",
		"Booting from Hard Disk...",
		"[    0.000000] Linux version 6.12.0-sim (pvesim@cecyber) #1 SMP PREEMPT_DYNAMIC",
		"[    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet",
		"[    0.000000] BIOS-provided physical RAM map:",
		"[    0.004211] DMI: QEMU Standard PC (i440FX + PIIX, 1996)",
		"[    0.012877] Hypervisor detected: KVM",
		"[    0.051020] smpboot: Allowing 4 CPUs, 0 hotplug CPUs",
		"[    0.212345] PCI: Using configuration type 1 for base access",
		"[    0.398811] virtio-pci 0000:00:12.0: enabling device",
		"[    0.512003] scsi host0: Virtio SCSI HBA",
		"[    0.640117] sd 0:0:0:0: [sda] 67108864 512-byte logical blocks",
		"[    0.701552]  sda: sda1 sda2 < sda5 >",
		"[    0.812440] EXT4-fs (sda1): mounted filesystem with ordered data mode",
		"[    1.020077] systemd[1]: Detected virtualization kvm.",
		"[    1.020312] systemd[1]: Hostname set to <" + host + ">.",
		"[  OK  ] Started Journal Service.",
		"[  OK  ] Finished Load Kernel Modules.",
		"[  OK  ] Mounted FUSE Control File System.",
		"[  OK  ] Reached target Local File Systems.",
		"[  OK  ] Started Network Time Synchronization.",
		"[  OK  ] Reached target System Time Set.",
		"[  OK  ] Started QEMU Guest Agent.",
		"[  OK  ] Started OpenBSD Secure Shell server.",
		"[  OK  ] Reached target Multi-User System.",
		"",
		"Debian GNU/Linux 13 " + host + " tty1",
		"",
	}
	return lines
}

// Size returns the screen's size in pixels.
func (s *Screen) Size() (width, height int) { return s.w, s.h }

// Name returns the guest name the screen shows.
func (s *Screen) Name() string { return s.name }

// Changed returns a channel closed at the next input that changes the
// screen. Changes that come from time passing (clock, boot log) are not
// signalled: viewers poll for them.
func (s *Screen) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

func (s *Screen) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// booted reports whether the boot log has finished at now.
func (s *Screen) booted(now time.Time) bool {
	return now.Sub(s.boot) >= time.Duration(len(s.bootLog))*bootStep
}

// Key handles a key press or release (an X11 keysym), like the guest's
// getty: printable characters are echoed, BackSpace erases, Return
// submits the line.
func (s *Screen) Key(down bool, keysym uint32) {
	if !down {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys++
	defer s.notifyLocked()
	if !s.booted(s.now()) {
		return // keys typed during boot are lost, as on a real console
	}
	switch {
	case keysym >= 0x20 && keysym <= 0x7e:
		if len(s.input) < s.cols {
			s.input = append(s.input, byte(keysym))
		}
	case keysym == 0xff08: // BackSpace
		if len(s.input) > 0 {
			s.input = s.input[:len(s.input)-1]
		}
	case keysym == 0xff0d || keysym == 0xff8d: // Return, KP_Enter
		if s.askingPass {
			s.transcript = append(s.transcript, "Password: ", "", "Login incorrect")
			s.askingPass = false
		} else {
			s.transcript = append(s.transcript, s.loginPrompt()+string(s.input))
			s.askingPass = len(s.input) > 0
		}
		s.input = s.input[:0]
		// Keep the transcript bounded; only the last screenful shows.
		if n := len(s.transcript); n > 4*s.rows {
			s.transcript = append([]string(nil), s.transcript[n-s.rows:]...)
		}
	}
}

func (s *Screen) loginPrompt() string { return s.host + " login: " }

// Pointer handles a pointer event: position and button mask.
func (s *Screen) Pointer(buttons uint8, x, y int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x = min(max(x, 0), s.w-1)
	y = min(max(y, 0), s.h-1)
	if s.pointerSet && s.px == x && s.py == y && s.buttons == buttons {
		return
	}
	s.px, s.py, s.buttons, s.pointerSet = x, y, buttons, true
	s.notifyLocked()
}

// Snapshot renders the screen as it is at the current time into dst,
// which must hold width×height 0xRRGGBB pixels, row by row.
func (s *Screen) Snapshot(dst []uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.renderTextLocked(now)
	copy(dst, s.fb)
	if s.pointerSet {
		s.drawPointer(dst)
	}
}

// textLines returns the console lines visible at now, oldest first.
func (s *Screen) textLines(now time.Time) []string {
	n := len(s.bootLog)
	if el := now.Sub(s.boot); el < time.Duration(n)*bootStep {
		n = max(0, int(el/bootStep)+1)
		if el < 0 {
			n = 0
		}
	}
	lines := append([]string(nil), s.bootLog[:n]...)
	if s.booted(now) {
		lines = append(lines, s.transcript...)
		if s.askingPass {
			lines = append(lines, "Password: ")
		} else {
			lines = append(lines, s.loginPrompt()+string(s.input)+"_")
		}
	}
	return lines
}

func (s *Screen) renderTextLocked(now time.Time) {
	want := make([]cell, s.cols*s.rows)
	put := func(row int, text string, fg, bg uint32) {
		for col := 0; col < s.cols; col++ {
			ch := byte(' ')
			if col < len(text) {
				ch = text[col]
			}
			want[row*s.cols+col] = cell{ch: ch, fg: fg, bg: bg}
		}
	}
	// Title bar: guest name left, clock right.
	clock := now.Format("2006-01-02 15:04:05")
	title := " " + s.name
	if pad := s.cols - len(title) - len(clock) - 1; pad > 0 {
		title += strings.Repeat(" ", pad) + clock
	}
	put(0, title, colBright, colTitleBg)

	console := s.rows - 1
	if s.rows >= 3 {
		console = s.rows - 2
		status := fmt.Sprintf(" pointer %d,%d  buttons %s  keys %d", s.px, s.py, buttonNames(s.buttons), s.keys)
		put(s.rows-1, status, colStatusFg, colStatusBg)
	}
	lines := s.textLines(now)
	if len(lines) > console {
		lines = lines[len(lines)-console:]
	}
	for i := 0; i < console; i++ {
		text, fg := "", uint32(colConsoleFg)
		if i < len(lines) {
			text = lines[i]
		}
		put(1+i, text, fg, colConsoleBg)
		if strings.HasPrefix(text, "[  OK  ]") {
			for c := 3; c <= 4 && c < s.cols; c++ {
				want[(1+i)*s.cols+c].fg = colOK
			}
		}
	}
	for i, c := range want {
		if s.drawn[i] != c {
			s.drawCell(i%s.cols, i/s.cols, c)
			s.drawn[i] = c
		}
	}
}

func buttonNames(mask uint8) string {
	b := []byte("---")
	for i, n := range "LMR" {
		if mask&(1<<i) != 0 {
			b[i] = byte(n)
		}
	}
	return string(b)
}

func (s *Screen) drawCell(col, row int, c cell) {
	x0, y0 := col*cellW, row*cellH
	for y := 0; y < cellH; y++ {
		line := s.fb[(y0+y)*s.w+x0 : (y0+y)*s.w+x0+cellW]
		for x := range line {
			line[x] = c.bg
		}
	}
	g := glyph(c.ch)
	for gy := 0; gy < glyphH; gy++ {
		bits := g[gy]
		for gx := 0; gx < glyphW; gx++ {
			if bits&(1<<(glyphW-1-gx)) == 0 {
				continue
			}
			for dy := 0; dy < glyphZoom; dy++ {
				for dx := 0; dx < glyphZoom; dx++ {
					s.fb[(y0+1+gy*glyphZoom+dy)*s.w+x0+1+gx*glyphZoom+dx] = c.fg
				}
			}
		}
	}
}

// drawPointer draws a cross where the pointer is, with a box around it
// while a button is pressed.
func (s *Screen) drawPointer(dst []uint32) {
	col := uint32(colPointer)
	if s.buttons != 0 {
		col = colPressed
	}
	set := func(x, y int) {
		if x >= 0 && x < s.w && y >= 0 && y < s.h {
			dst[y*s.w+x] = col
		}
	}
	for d := -5; d <= 5; d++ {
		set(s.px+d, s.py)
		set(s.px, s.py+d)
	}
	if s.buttons != 0 {
		for d := -7; d <= 7; d++ {
			set(s.px+d, s.py-7)
			set(s.px+d, s.py+7)
			set(s.px-7, s.py+d)
			set(s.px+7, s.py+d)
		}
	}
}
