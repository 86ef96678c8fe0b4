package proxmox

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// Kind classifies an *Error so that callers (and the window) can react
// without parsing messages.
type Kind string

const (
	KindUnreachable    Kind = "unreachable"    // connection refused, DNS failure, no route
	KindTimeout        Kind = "timeout"        // no answer in time
	KindUnauthorized   Kind = "unauthorized"   // 401: token wrong, expired or revoked
	KindForbidden      Kind = "forbidden"      // 403: token lacks a privilege
	KindNotFound       Kind = "notfound"       // 404, or Proxmox's "does not exist"
	KindInvalid        Kind = "invalid"        // 400 or a request refused before sending
	KindServer         Kind = "server"         // 5xx, including Proxmox's 595/596 proxy errors
	KindFingerprint    Kind = "fingerprint"    // certificate does not match the pin
	KindNotImplemented Kind = "notimplemented" // 501: this Proxmox version lacks the call
	KindProtocol       Kind = "protocol"       // the answer is not what Proxmox sends
	KindNotLoopback    Kind = "notloopback"    // a loopback-only client refused another host
)

// Error is the one error type this package returns for a failed call.
type Error struct {
	Kind   Kind
	Op     string // "GET /cluster/resources"; "" when no request was made
	Host   string // host:port the request went to; "" if none
	Status int    // HTTP status; 0 if none arrived
	// Message is Proxmox's own explanation, verbatim but trimmed (it names
	// the missing privilege, the unknown VM, …); "" if it sent none.
	Message string
	// Errors is Proxmox's per-parameter complaint for 400 responses.
	Errors map[string]string
	Err    error // underlying cause; nil for HTTP errors
	// Also names the other endpoints tried, after Host, when none of a
	// cluster's endpoints answered: "127.0.0.2:8006 (unreachable)".
	Also []string
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	var sb strings.Builder
	if e.Op != "" {
		sb.WriteString(e.Op)
		sb.WriteString(": ")
	}
	sb.WriteString(e.explain())
	if len(e.Also) > 0 {
		sb.WriteString(" (the other nodes did not answer either: ")
		sb.WriteString(strings.Join(e.Also, ", "))
		sb.WriteString(")")
	}
	return sb.String()
}

// status renders " (403: Permission check failed …)" or " (403)".
func (e *Error) status() string {
	switch {
	case e.Status == 0:
		return ""
	case e.Message != "":
		return fmt.Sprintf(" (%d: %s)", e.Status, e.Message)
	default:
		return fmt.Sprintf(" (%d)", e.Status)
	}
}

func (e *Error) where() string {
	if e.Host == "" {
		return "the server"
	}
	return e.Host
}

func (e *Error) explain() string {
	switch e.Kind {
	case KindUnauthorized:
		return "Proxmox rejected the API token" + e.status() +
			": check the token ID and secret, and that the token is not expired or revoked"
	case KindForbidden:
		return "Proxmox denied permission" + e.status() +
			": grant the privilege to the token's user, and to the token itself if it has privilege separation"
	case KindNotFound:
		return "Proxmox does not know this object" + e.status() +
			": it may have been deleted or moved to another node; refresh and try again"
	case KindInvalid:
		msg := "Proxmox refused the request as invalid" + e.status()
		if len(e.Errors) > 0 {
			keys := make([]string, 0, len(e.Errors))
			for k := range e.Errors {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = k + ": " + e.Errors[k]
			}
			msg += " [" + strings.Join(parts, "; ") + "]"
		}
		if e.Status == 0 && e.Err != nil {
			msg = e.Err.Error()
		}
		return msg
	case KindServer:
		if e.Status == 595 || e.Status == 596 {
			return "the Proxmox node could not reach the node that owns this object" + e.status() +
				": that node may be offline or cut off from the cluster"
		}
		return "Proxmox reported an internal error" + e.status() + ": see the node's syslog (journalctl -u pveproxy -u pvedaemon)"
	case KindNotImplemented:
		return "this Proxmox VE version does not implement the call" + e.status() + ": upgrade Proxmox VE"
	case KindFingerprint:
		if e.Err != nil {
			return e.Err.Error()
		}
		return "the server's certificate does not match the pinned fingerprint"
	case KindTimeout:
		return "no answer from " + e.where() + " in time: check the network, or whether the node is overloaded"
	case KindNotLoopback:
		if e.Err != nil {
			return e.Err.Error()
		}
		return "refused to connect outside this machine"
	case KindUnreachable:
		msg := "cannot reach " + e.where()
		if e.Err != nil {
			msg += " (" + e.Err.Error() + ")"
		}
		return msg + ": check the address and port, the network, and that pveproxy is running"
	default: // KindProtocol and anything unforeseen
		msg := "unexpected answer from " + e.where() + e.status()
		if e.Err != nil {
			msg += ": " + e.Err.Error()
		}
		return msg + ": is this the address of a Proxmox VE node?"
	}
}

// Is lets errors.Is(err, &Error{Kind: KindForbidden}) match on kind alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Op == "" && t.Status == 0 && t.Message == ""
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// statusTransport turns every HTTP status ≥ 400 into an *Error carrying
// Proxmox's message. go-proxmox would otherwise collapse 401/403 into one
// sentinel and 500/501 into bare status text, losing the message that tells
// the user what to do.
type statusTransport struct {
	base http.RoundTripper
	// secret is scrubbed from anything that reaches an error, in case a
	// server ever echoes it back.
	secret string
}

func (t *statusTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.base.RoundTrip(req)
	if err != nil || res.StatusCode < 400 {
		return res, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	e := httpError(res.StatusCode, res.Status, body)
	e.Op = opName(req)
	e.Host = req.URL.Host
	e.Message = redact(e.Message, t.secret)
	for k, v := range e.Errors {
		e.Errors[k] = redact(v, t.secret)
	}
	return nil, e
}

func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}

func opName(req *http.Request) string {
	return req.Method + " " + strings.TrimPrefix(req.URL.Path, apiPrefix)
}

// httpError builds the *Error for an HTTP status. Proxmox puts its message
// in the status line's reason phrase and, sometimes, in the body as
// {"data":null,"message":"…"}; parameter errors come as {"errors":{…}}.
func httpError(code int, statusLine string, body []byte) *Error {
	e := &Error{Status: code, Kind: kindForStatus(code)}
	var doc struct {
		Message json.RawMessage            `json:"message"`
		Errors  map[string]json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &doc) == nil {
		var msg string
		if json.Unmarshal(doc.Message, &msg) == nil {
			e.Message = strings.TrimSpace(msg)
		}
		if len(doc.Errors) > 0 {
			e.Errors = make(map[string]string, len(doc.Errors))
			for k, raw := range doc.Errors {
				var s string
				if json.Unmarshal(raw, &s) != nil {
					s = string(raw)
				}
				e.Errors[k] = strings.TrimSpace(s)
			}
		}
	}
	if e.Message == "" {
		reason := strings.TrimSpace(strings.TrimPrefix(statusLine, strconv.Itoa(code)))
		if reason != http.StatusText(code) {
			e.Message = reason
		}
	}
	// Proxmox answers 500 "… does not exist" for unknown VMs and nodes.
	if code == http.StatusInternalServerError && isNotFoundMessage(e.Message) {
		e.Kind = KindNotFound
	}
	return e
}

func isNotFoundMessage(m string) bool {
	m = strings.ToLower(m)
	return strings.Contains(m, "does not exist") || strings.Contains(m, "no such")
}

func kindForStatus(code int) Kind {
	switch {
	case code == http.StatusUnauthorized:
		return KindUnauthorized
	case code == http.StatusForbidden:
		return KindForbidden
	case code == http.StatusNotFound:
		return KindNotFound
	case code == http.StatusNotImplemented:
		return KindNotImplemented
	case code >= 500:
		return KindServer
	case code == http.StatusRequestTimeout || code == http.StatusGatewayTimeout:
		return KindTimeout
	default:
		return KindInvalid
	}
}

// classify turns whatever a call returned into an *Error (or leaves a
// caller's own cancellation alone).
func classify(op, host string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	mk := func(k Kind, cause error) *Error { return &Error{Kind: k, Op: op, Host: host, Err: cause} }
	var fe *FingerprintError
	if errors.As(err, &fe) {
		return mk(KindFingerprint, fe)
	}
	var nle *NotLoopbackError
	if errors.As(err, &nle) {
		return mk(KindNotLoopback, nle)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", op, err)
	}
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &netErr) && netErr.Timeout()) {
		return mk(KindTimeout, nil)
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var recHdr tls.RecordHeaderError
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &recHdr):
		return mk(KindProtocol, errors.New("the server does not speak TLS"))
	case cutShort(err):
		// The node went away in the middle of its answer, or a proxy
		// before it answered for it with nothing: the cluster did not
		// answer, which is not the same as answering something else.
		return mk(KindUnreachable, ErrCutShort)
	case errors.As(err, &syntaxErr), errors.As(err, &typeErr):
		return mk(KindProtocol, fmt.Errorf("cannot decode the response: %w", err))
	case errors.As(err, &dnsErr):
		return mk(KindUnreachable, dnsErr)
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.ECONNRESET):
		return mk(KindUnreachable, rootCause(err))
	case errors.As(err, &opErr):
		return mk(KindUnreachable, opErr)
	default:
		return mk(KindProtocol, rootCause(err))
	}
}

// ErrCutShort is the cause of a KindUnreachable error whose answer was
// empty or ended early: the connection closed before the whole answer
// arrived (EOF, unexpected EOF), or the body was empty or stopped in the
// middle of its JSON.
var ErrCutShort = errors.New("the answer was empty or cut short")

// cutShort reports whether err says an answer ended before it was whole.
// A JSON syntax error counts only when the text ran out ("unexpected end
// of JSON input"); any other is a server speaking something else.
func cutShort(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var syntaxErr *json.SyntaxError
	return errors.As(err, &syntaxErr) && strings.Contains(syntaxErr.Error(), "unexpected end of JSON input")
}

// rootCause drops url.Error's "Get \"https://…\":" prefix, which would
// repeat Op.
func rootCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
