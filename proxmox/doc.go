// Package proxmox talks to Proxmox VE: it parses and validates what users type
// (endpoints, token IDs, fingerprints) and what Proxmox sends back (UPIDs,
// loosely typed JSON), pins every TLS connection to a certificate fingerprint
// the user confirmed, and offers typed calls over go-proxmox's REST client.
//
// A Client may know several endpoints of one cluster, each pinned to its own
// node's certificate (Config.Failover, found with NodeEndpoints over the
// already pinned connection). When its current endpoint cannot be reached it
// moves on to the next; an endpoint presenting another certificate is set
// aside and reported (CertChanges), never trusted.
//
// Nothing from go-proxmox leaks out of this package: callers see our own types,
// and every failure is an *Error whose Kind says what went wrong and whose
// message says what to do about it. The API token secret never appears in an
// error, a log line, or the printed form of any value.
package proxmox
