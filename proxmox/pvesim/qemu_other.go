//go:build !linux

package pvesim

import (
	"errors"
	"log"
	"net"
	"sync"
	"time"
)

// qemuState: real QEMU consoles (Config.QEMUConsoles) are only
// implemented on Linux; elsewhere the option falls back to the built-in
// RFB server.
type qemuState struct {
	once sync.Once
}

func (s *Sim) useQEMUConsole(kind string, vmid int) bool {
	if kind == "qemu" && s.cfg.QEMUConsoles {
		s.qemu.once.Do(func() {
			log.Printf("pvesim: QEMUConsoles is only supported on Linux; consoles use the built-in RFB server instead")
		})
	}
	return false
}

func (s *Sim) dialQEMUConsole(vmid int, name string, boot time.Time, password string) (net.Conn, error) {
	return nil, errors.New("QEMU consoles are only supported on Linux")
}

// Close ends every QEMU process the simulator started for consoles;
// there are none on this system.
func (s *Sim) Close() error { return nil }
