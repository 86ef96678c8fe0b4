package app

import (
	"fmt"
	"strings"
)

// notificationText words the notification for alerts that just fired:
// the alert itself when one fired, a count and the first few otherwise.
func notificationText(lang string, fired []Alert, n int) (title, body string) {
	m := notifyMessages["en"]
	if strings.HasPrefix(lang, "pt") {
		m = notifyMessages["pt-BR"]
	}
	if len(fired) == 0 {
		return "Cecyber", ""
	}
	if n == 1 || len(fired) == 1 {
		al := fired[0]
		return fmt.Sprintf(m["one"], al.TargetName), describeAlert(m, al)
	}
	lines := []string{}
	for i, al := range fired {
		if i == 3 {
			lines = append(lines, fmt.Sprintf(m["more"], len(fired)-3))
			break
		}
		lines = append(lines, al.TargetName+": "+describeAlert(m, al))
	}
	return fmt.Sprintf(m["many"], len(fired)), strings.Join(lines, "\n")
}

func describeAlert(m map[string]string, al Alert) string {
	name := al.TargetName
	if name == "" {
		name = al.Target
	}
	switch al.Metric {
	case "cpu", "mem":
		return fmt.Sprintf(m[al.Metric], al.Value, al.Trigger, al.ClusterName)
	case "diskread", "diskwrite", "netin", "netout":
		return fmt.Sprintf(m[al.Metric], al.Value/1e6, al.Trigger/1e6, al.ClusterName)
	case "node-offline":
		return fmt.Sprintf(m["node-offline"], name, al.ClusterName)
	case "unexpected-stop", "guest-error":
		return fmt.Sprintf(m[al.Metric], name, al.ClusterName)
	}
	return name
}

// notifyMessages are the OS notification's words. The window translates
// everything else; these leave the app while the window may be closed.
var notifyMessages = map[string]map[string]string{
	"en": {
		"one":             "Alert: %s",
		"many":            "%d alerts are firing",
		"more":            "and %d more",
		"cpu":             "CPU at %.0f%% (limit %.0f%%) in %s",
		"mem":             "Memory at %.0f%% (limit %.0f%%) in %s",
		"diskread":        "Disk reads at %.1f MB/s (limit %.1f MB/s) in %s",
		"diskwrite":       "Disk writes at %.1f MB/s (limit %.1f MB/s) in %s",
		"netin":           "Network in at %.1f MB/s (limit %.1f MB/s) in %s",
		"netout":          "Network out at %.1f MB/s (limit %.1f MB/s) in %s",
		"node-offline":    "Node %s is offline (%s)",
		"unexpected-stop": "%s stopped, and not from Cecyber (%s)",
		"guest-error":     "%s is halted on an error or panicked (%s)",
	},
	"pt-BR": {
		"one":             "Alerta: %s",
		"many":            "%d alertas disparados",
		"more":            "e mais %d",
		"cpu":             "CPU em %.0f%% (limite %.0f%%) em %s",
		"mem":             "Memória em %.0f%% (limite %.0f%%) em %s",
		"diskread":        "Leitura de disco em %.1f MB/s (limite %.1f MB/s) em %s",
		"diskwrite":       "Escrita em disco em %.1f MB/s (limite %.1f MB/s) em %s",
		"netin":           "Rede (entrada) em %.1f MB/s (limite %.1f MB/s) em %s",
		"netout":          "Rede (saída) em %.1f MB/s (limite %.1f MB/s) em %s",
		"node-offline":    "O nó %s está offline (%s)",
		"unexpected-stop": "%s parou, e não pelo Cecyber (%s)",
		"guest-error":     "%s está parado por um erro ou em pane (%s)",
	},
}
