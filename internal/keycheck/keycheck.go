// Package keycheck binds a database to its master key. The first process
// that uses a database with a master key stores a value sealed with that
// key; every later process opens it before it uses its own key, so that a
// wrong key stops the process instead of creating client secrets that can
// never match and signing keys no other replica can read.
package keycheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// ErrMismatch: the configured master key is not the one the database was
// set up with.
var ErrMismatch = errors.New("the master key does not match this database")

// checkText is what the check value seals; aad binds it to this use, so no
// other sealed value (a signing key, a client secret) can stand in for it.
var (
	checkText = []byte("lucid master key check v1")
	aad       = []byte("lucid master key check")
)

// Mode says whether Check may store a missing check value.
type Mode int

const (
	// Record stores the check value when the database has none yet.
	Record Mode = iota
	// ReadOnly only compares.
	ReadOnly
)

// Check compares sk with the database's check value and returns an error
// wrapping ErrMismatch when they differ.
//
// A database without a check value (new, or made before Lucid stored
// one) is compared with its sealed signing keys instead: if it has some
// and sk opens none of them, the key is wrong. Otherwise, with Record,
// the check value is stored now, so the first key a database is used
// with is the one it keeps.
func Check(ctx context.Context, st store.Store, sk *secret.Keys, mode Mode) error {
	sealed, err := st.GetKeyCheck(ctx)
	switch {
	case err == nil:
		return compare(sk, sealed)
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("read the master key check: %w", err)
	}
	if err := againstSigningKeys(ctx, st, sk); err != nil {
		return err
	}
	if mode == ReadOnly {
		return nil
	}
	err = st.CreateKeyCheck(ctx, sk.Seal(checkText, aad))
	if errors.Is(err, store.ErrConflict) {
		// Another process stored its check value first: compare with it.
		if sealed, err = st.GetKeyCheck(ctx); err != nil {
			return fmt.Errorf("read the master key check: %w", err)
		}
		return compare(sk, sealed)
	}
	if err != nil {
		return fmt.Errorf("store the master key check: %w", err)
	}
	return nil
}

func compare(sk *secret.Keys, sealed []byte) error {
	got, err := sk.Open(sealed, aad)
	if err != nil || !bytes.Equal(got, checkText) {
		return fmt.Errorf("%w: the database's key check does not open with it", ErrMismatch)
	}
	return nil
}

// againstSigningKeys fails when the database has sealed signing keys and
// sk opens none of them.
func againstSigningKeys(ctx context.Context, st store.Store, sk *secret.Keys) error {
	keys, err := st.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("read the signing keys: %w", err)
	}
	for _, k := range keys {
		if der, err := sk.Open(k.Encrypted, []byte(k.ID)); err == nil {
			clear(der)
			return nil
		}
	}
	if len(keys) > 0 {
		return fmt.Errorf("%w: none of its %d signing keys opens with it", ErrMismatch, len(keys))
	}
	return nil
}
