//go:build dev

package main

import (
	"net"
	"os"
)

// devOrigins lets the console proxy accept the pages a dev build serves: the
// Wails dev server (a browser at http://127.0.0.1:34115 or wherever
// "devserver" points) besides the webview itself.
func devOrigins() []string {
	addr := os.Getenv("devserver")
	if addr == "" {
		addr = "localhost:34115"
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	return []string{"http://" + addr, "http://localhost:" + port, "http://127.0.0.1:" + port}
}
