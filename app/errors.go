package app

import (
	"context"
	"errors"
	"strconv"

	"cecyber/app/secrets"
	"cecyber/app/store"
	"cecyber/proxmox"
)

// errorInfo maps any error to what the window shows. Proxmox's own message
// travels verbatim in Detail; unexpected errors are logged and hidden behind
// "internal" so no internal detail (and never a secret) reaches the window.
func errorInfo(err error) ErrorInfo {
	var ie *invalidError
	if errors.As(err, &ie) {
		return ErrorInfo{Code: "invalid", Message: ie.message, Params: ie.params}
	}
	var oe *openFolderError
	if errors.As(err, &oe) {
		return ErrorInfo{Code: "unavailable", Message: oe.Error(), Params: map[string]string{"path": oe.path}}
	}
	var ke *secrets.Error
	if errors.As(err, &ke) {
		// ke.Error() ends with the keychain's own (D-Bus, Win32) words:
		// those are for the log; the window gets the reason.
		return ErrorInfo{Code: "keychain", Message: ke.Advice() + ".",
			Params: map[string]string{"reason": keychainReason(ke.Reason)}}
	}
	var ge *guestGoneError
	if errors.As(err, &ge) {
		return ErrorInfo{Code: "notfound", Message: ge.Error(), Params: map[string]string{"guest": ge.name, "vmid": itoa(ge.vmid)}}
	}
	if errors.Is(err, store.ErrConflict) {
		return ErrorInfo{Code: "conflict", Message: "A cluster with that name exists already."}
	}
	if errors.Is(err, store.ErrNotFound) {
		return ErrorInfo{Code: "notfound", Message: "That cluster is no longer saved; it may have been removed."}
	}
	var se *storageError
	if errors.As(err, &se) {
		return ErrorInfo{Code: "storage", Message: "Cecyber could not read or write its " + se.what + ".",
			Params: map[string]string{"what": se.what}}
	}
	if errors.Is(err, errUnknownCluster) {
		return ErrorInfo{Code: "notfound", Message: err.Error()}
	}
	var fe *proxmox.FingerprintError
	if errors.As(err, &fe) {
		return ErrorInfo{
			Code:    "fingerprint",
			Message: fe.Error(),
			Params:  map[string]string{"host": fe.Host, "expected": fe.Expected, "actual": fe.Actual},
		}
	}
	var pe *proxmox.Error
	if errors.As(err, &pe) {
		info := ErrorInfo{Code: kindCode(pe.Kind), Message: pe.Error(), Detail: pe.Message}
		if pe.Status != 0 {
			info.Params = map[string]string{"status": strconv.Itoa(pe.Status)}
		}
		var nle *proxmox.NotLoopbackError
		if errors.As(pe, &nle) {
			info.Params = map[string]string{"addr": nle.Addr}
		}
		return info
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrorInfo{Code: "timeout", Message: "The request timed out."}
	}
	if errors.Is(err, errNotStarted) {
		return ErrorInfo{Code: "unavailable", Message: "The application is still starting."}
	}
	return ErrorInfo{Code: "internal", Message: "Internal error."}
}

func kindCode(k proxmox.Kind) string {
	switch k {
	case proxmox.KindInvalid:
		return "invalid"
	case proxmox.KindUnreachable:
		return "unreachable"
	case proxmox.KindTimeout:
		return "timeout"
	case proxmox.KindUnauthorized:
		return "unauthorized"
	case proxmox.KindForbidden:
		return "forbidden"
	case proxmox.KindNotFound:
		return "notfound"
	case proxmox.KindFingerprint:
		return "fingerprint"
	case proxmox.KindNotLoopback:
		return "notloopback"
	case proxmox.KindServer, proxmox.KindNotImplemented, proxmox.KindProtocol:
		return "server"
	}
	return "internal"
}

// FormatError is Wails' ErrorFormatter: a failed bound call rejects in
// JavaScript with an ErrorInfo object instead of a bare string.
func FormatError(err error) any {
	return errorInfo(err)
}

func itoa(i int) string { return strconv.Itoa(i) }

func keychainReason(r secrets.Reason) string {
	switch r {
	case secrets.ReasonUnavailable:
		return "unavailable"
	case secrets.ReasonLocked:
		return "locked"
	case secrets.ReasonDenied:
		return "denied"
	case secrets.ReasonNotFound:
		return "notfound"
	}
	return "other"
}

// storageError is a failure of one of Cecyber's own files (the database,
// the metric history): the window hears which, never SQLite's words, which
// go to the log.
type storageError struct {
	what string // "database" or "metric history"
	err  error
}

func (e *storageError) Error() string { return e.what + ": " + e.err.Error() }
func (e *storageError) Unwrap() error { return e.err }

// stored classifies an error of the settings and clusters database: not
// found and conflicts keep their meaning, anything else is a storage
// failure.
func stored(err error) error {
	if err == nil || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return err
	}
	return &storageError{what: "database", err: err}
}

// historyErr classifies an error of the metric history.
func historyErr(err error) error {
	if err == nil {
		return nil
	}
	return &storageError{what: "metric history", err: err}
}

// guestGoneError says a guest no longer exists on its cluster.
type guestGoneError struct {
	name string
	vmid int
}

func (e *guestGoneError) Error() string {
	return "guest " + e.name + " (" + itoa(e.vmid) + ") no longer exists on the cluster"
}
