package desktop

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// HandOver asks a Cecyber already running on the same config folder to show
// its window, and reports whether one did. It speaks the D-Bus protocol of
// Wails v2.9's single-instance lock on Linux (internal/frontend/desktop/
// linux/single_instance.go), whose own check only runs once the app has
// started: without this, a second launch would open the databases, read the
// keychain and start polling before Wails made it exit. If anything here
// fails, the app starts and Wails' lock still decides.
func HandOver(instanceID string) bool {
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return false
	}
	defer conn.Close()
	if conn.Auth(nil) != nil || conn.Hello() != nil {
		return false
	}
	id := "wails_app_" + strings.NewReplacer("-", "_", ".", "_").Replace(instanceID)
	name := "org." + id + ".SingleInstance"
	var owned bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&owned); err != nil || !owned {
		return false
	}
	data := struct {
		Args             []string
		WorkingDirectory string
	}{Args: os.Args[1:]}
	data.WorkingDirectory, _ = os.Getwd()
	msg, err := json.Marshal(data)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	call := conn.Object(name, dbus.ObjectPath("/org/"+id+"/SingleInstance")).CallWithContext(ctx, name+".SendMessage", 0, string(msg))
	return call.Err == nil
}
