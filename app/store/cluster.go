package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Cluster is a Proxmox VE cluster (or single node) the user added. It holds
// no secret: the token secret is in the OS keychain under ID.
type Cluster struct {
	ID          string // "c-" + 12 hex digits; assigned by CreateCluster if empty
	Name        string // the user's name for it; unique, case-insensitively
	TokenID     string // user@realm!tokenid
	ClusterName string // Proxmox's own cluster name; empty for a single node
	Endpoints   []Endpoint
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Endpoint is one address of a cluster with the TLS certificate fingerprint
// it is pinned to. A cluster's endpoints are an ordered failover list; the
// first is the address the user gave.
type Endpoint struct {
	URL         string // https://host:8006
	Node        string // Proxmox node name behind URL; empty until known
	Fingerprint string // SHA-256 of the leaf certificate, AB:CD:… as Proxmox shows it
}

// Clusters returns every cluster, oldest first, with its endpoints.
func (db *DB) Clusters(ctx context.Context) ([]Cluster, error) {
	// One read transaction: one consistent snapshot for both queries.
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("list clusters: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `
		SELECT id, name, token_id, cluster_name, created_at, updated_at
		FROM clusters ORDER BY created_at, rowid`)
	if err != nil {
		return nil, fmt.Errorf("list clusters: %w", err)
	}
	defer rows.Close()
	var out []Cluster
	index := map[string]int{}
	for rows.Next() {
		c, err := scanCluster(rows)
		if err != nil {
			return nil, fmt.Errorf("list clusters: %w", err)
		}
		index[c.ID] = len(out)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list clusters: %w", err)
	}
	rows.Close()

	erows, err := tx.QueryContext(ctx, `
		SELECT cluster_id, url, node, fingerprint FROM endpoints ORDER BY cluster_id, position`)
	if err != nil {
		return nil, fmt.Errorf("list clusters: %w", err)
	}
	defer erows.Close()
	for erows.Next() {
		var id string
		var e Endpoint
		if err := erows.Scan(&id, &e.URL, &e.Node, &e.Fingerprint); err != nil {
			return nil, fmt.Errorf("list clusters: %w", err)
		}
		i := index[id]
		out[i].Endpoints = append(out[i].Endpoints, e)
	}
	if err := erows.Err(); err != nil {
		return nil, fmt.Errorf("list clusters: %w", err)
	}
	return out, nil
}

// Cluster returns the cluster with the given ID, or ErrNotFound.
func (db *DB) Cluster(ctx context.Context, id string) (Cluster, error) {
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Cluster{}, fmt.Errorf("get cluster: %w", err)
	}
	defer tx.Rollback()
	c, err := scanCluster(tx.QueryRowContext(ctx, `
		SELECT id, name, token_id, cluster_name, created_at, updated_at
		FROM clusters WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Cluster{}, fmt.Errorf("cluster %q: %w", id, ErrNotFound)
	} else if err != nil {
		return Cluster{}, fmt.Errorf("get cluster: %w", err)
	}
	if c.Endpoints, err = endpoints(ctx, tx, id); err != nil {
		return Cluster{}, fmt.Errorf("get cluster: %w", err)
	}
	return c, nil
}

// CreateCluster stores c and its endpoints. If c.ID is empty it is assigned;
// if it is a kept history's ID, that record is dropped (see KeptHistory);
// CreatedAt and UpdatedAt are set. A name already in use (ignoring case)
// yields an error wrapping ErrConflict.
func (db *DB) CreateCluster(ctx context.Context, c *Cluster) error {
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "":
		return fmt.Errorf("create cluster: name is empty: %w", ErrInvalid)
	case c.TokenID == "":
		return fmt.Errorf("create cluster %q: token ID is empty: %w", c.Name, ErrInvalid)
	}
	if err := validateEndpoints(c.Endpoints); err != nil {
		return fmt.Errorf("create cluster %q: %w", c.Name, err)
	}
	id := c.ID
	if id == "" {
		var err error
		if id, err = newID(); err != nil {
			return fmt.Errorf("create cluster: %w", err)
		}
	}

	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create cluster: %w", err)
	}
	defer tx.Rollback()
	now := db.Now().UTC().Truncate(time.Millisecond)
	_, err = tx.ExecContext(ctx, `
		INSERT INTO clusters (id, name, token_id, cluster_name, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		id, c.Name, c.TokenID, c.ClusterName, now.UnixMilli(), now.UnixMilli())
	if isUnique(err) {
		return fmt.Errorf("cluster %q: %w", c.Name, ErrConflict)
	} else if err != nil {
		return fmt.Errorf("create cluster: %w", err)
	}
	if err := insertEndpoints(ctx, tx, id, c.Endpoints); err != nil {
		return fmt.Errorf("create cluster %q: %w", c.Name, err)
	}
	// A cluster created under a kept history's ID has taken that history
	// back: it is no longer on offer.
	if _, err := tx.ExecContext(ctx, `DELETE FROM kept_history WHERE id = ?`, id); err != nil {
		return fmt.Errorf("create cluster: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create cluster: %w", err)
	}
	c.ID, c.CreatedAt, c.UpdatedAt = id, now, now
	return nil
}

// RenameCluster changes the user's name for a cluster.
func (db *DB) RenameCluster(ctx context.Context, id, name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return fmt.Errorf("rename cluster: name is empty: %w", ErrInvalid)
	}
	err := db.update(ctx, id, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE clusters SET name = ? WHERE id = ?`, name, id)
		if isUnique(err) {
			return fmt.Errorf("cluster %q: %w", name, ErrConflict)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("rename cluster: %w", err)
	}
	return nil
}

// SetClusterName records Proxmox's own name for the cluster.
func (db *DB) SetClusterName(ctx context.Context, id, clusterName string) error {
	err := db.update(ctx, id, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE clusters SET cluster_name = ? WHERE id = ?`, clusterName, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("set cluster name: %w", err)
	}
	return nil
}

// SetEndpoints replaces a cluster's endpoints with eps, in that order, in
// one transaction.
func (db *DB) SetEndpoints(ctx context.Context, id string, eps []Endpoint) error {
	if err := validateEndpoints(eps); err != nil {
		return fmt.Errorf("set endpoints: %w", err)
	}
	err := db.update(ctx, id, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM endpoints WHERE cluster_id = ?`, id); err != nil {
			return err
		}
		return insertEndpoints(ctx, tx, id, eps)
	})
	if err != nil {
		return fmt.Errorf("set endpoints: %w", err)
	}
	return nil
}

// SetFingerprint pins the endpoint url of cluster id to fingerprint.
func (db *DB) SetFingerprint(ctx context.Context, id, url, fingerprint string) error {
	if fingerprint == "" {
		return fmt.Errorf("set fingerprint: fingerprint is empty: %w", ErrInvalid)
	}
	err := db.update(ctx, id, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE endpoints SET fingerprint = ? WHERE cluster_id = ? AND url = ?`,
			fingerprint, id, url)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("endpoint %q of cluster %q: %w", url, id, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set fingerprint: %w", err)
	}
	return nil
}

// DeleteCluster removes a cluster and its endpoints. It does not touch the
// keychain; the caller deletes the secret too.
func (db *DB) DeleteCluster(ctx context.Context, id string) error {
	res, err := db.db.ExecContext(ctx, `DELETE FROM clusters WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete cluster: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete cluster: %w", err)
	} else if n == 0 {
		return fmt.Errorf("delete cluster: cluster %q: %w", id, ErrNotFound)
	}
	return nil
}

// update runs fn in a transaction after bumping the cluster's updated_at,
// failing with ErrNotFound if there is no such cluster.
func (db *DB) update(ctx context.Context, id string, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE clusters SET updated_at = ? WHERE id = ?`, db.Now().UnixMilli(), id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("cluster %q: %w", id, ErrNotFound)
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

type scanner interface{ Scan(dest ...any) error }

func scanCluster(s scanner) (Cluster, error) {
	var c Cluster
	var created, updated int64
	if err := s.Scan(&c.ID, &c.Name, &c.TokenID, &c.ClusterName, &created, &updated); err != nil {
		return Cluster{}, err
	}
	c.CreatedAt = time.UnixMilli(created).UTC()
	c.UpdatedAt = time.UnixMilli(updated).UTC()
	return c, nil
}

func endpoints(ctx context.Context, tx *sql.Tx, id string) ([]Endpoint, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT url, node, fingerprint FROM endpoints WHERE cluster_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Endpoint
	for rows.Next() {
		var e Endpoint
		if err := rows.Scan(&e.URL, &e.Node, &e.Fingerprint); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func insertEndpoints(ctx context.Context, tx *sql.Tx, id string, eps []Endpoint) error {
	for i, e := range eps {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO endpoints (cluster_id, url, node, fingerprint, position)
			VALUES (?, ?, ?, ?, ?)`, id, e.URL, e.Node, e.Fingerprint, i)
		if err != nil {
			return fmt.Errorf("endpoint %q: %w", e.URL, err)
		}
	}
	return nil
}

// validateEndpoints rejects lists no connection could use: every endpoint
// must have an address and the fingerprint it is pinned to (Cecyber never
// connects without a pin), and addresses must be distinct.
func validateEndpoints(eps []Endpoint) error {
	if len(eps) == 0 {
		return fmt.Errorf("no endpoint: %w", ErrInvalid)
	}
	seen := map[string]bool{}
	for i, e := range eps {
		switch {
		case e.URL == "":
			return fmt.Errorf("endpoint %d has no URL: %w", i, ErrInvalid)
		case e.Fingerprint == "":
			return fmt.Errorf("endpoint %q has no fingerprint: %w", e.URL, ErrInvalid)
		case seen[e.URL]:
			return fmt.Errorf("endpoint %q listed twice: %w", e.URL, ErrInvalid)
		}
		seen[e.URL] = true
	}
	return nil
}

func newID() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "c-" + hex.EncodeToString(b[:]), nil
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	}
	return false
}
