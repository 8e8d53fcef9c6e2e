package config

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// MinMasterKey is the shortest master key accepted, in bytes (the same as
// secret.MinMasterKey; config does not import secret to stay a leaf).
const MinMasterKey = 32

// CreateKeyHint tells an operator how to make a master key.
const CreateKeyHint = "create one with: export LUCID_MASTER_KEY=$(head -c 32 /dev/urandom | base64)"

// ErrNoMasterKey means neither master_key nor master_key_file is set.
var ErrNoMasterKey = errors.New("no master key configured: set LUCID_MASTER_KEY or master_key_file; " + CreateKeyHint)

// HasMasterKey reports whether a master key is configured.
func (c *Config) HasMasterKey() bool { return c.MasterKey != "" || c.MasterKeyFile != "" }

// MasterKeyBytes decodes the master key from MasterKey or the file named by
// MasterKeyFile. The key may be standard or URL-safe base64 (padded or
// not) or hex, and must decode to at least 32 bytes. Errors never contain
// the key.
func (c *Config) MasterKeyBytes() ([]byte, error) {
	switch {
	case c.MasterKey != "" && c.MasterKeyFile != "":
		return nil, errors.New("master key: both master_key and master_key_file are set; set only one")
	case c.MasterKey != "":
		k, err := decodeKey(c.MasterKey)
		if err != nil {
			return nil, fmt.Errorf("master key (LUCID_MASTER_KEY or master_key): %w", err)
		}
		return k, nil
	case c.MasterKeyFile != "":
		data, err := os.ReadFile(c.MasterKeyFile)
		if err != nil {
			return nil, fmt.Errorf("master key file: %w", err)
		}
		k, err := decodeKey(string(data))
		if err != nil {
			return nil, fmt.Errorf("master key file %s: %w", c.MasterKeyFile, err)
		}
		return k, nil
	default:
		return nil, ErrNoMasterKey
	}
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("is empty; " + CreateKeyHint)
	}
	var k []byte
	if isHex(s) {
		// Hex is tried first: a hex string is also valid base64, but a
		// random base64 key is all hex digits with negligible probability.
		k, _ = hex.DecodeString(s)
	} else {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(s); err == nil {
				k = b
				break
			}
		}
		if k == nil {
			return nil, errors.New("is neither base64 nor hex; " + CreateKeyHint)
		}
	}
	if len(k) < MinMasterKey {
		return nil, fmt.Errorf("decodes to %d bytes, need at least %d; %s", len(k), MinMasterKey, CreateKeyHint)
	}
	return k, nil
}

func isHex(s string) bool {
	if len(s)%2 != 0 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// SQLitePath returns the file path of an sqlite:PATH database, without
// any ?query options.
func (c *Config) SQLitePath() (string, bool) {
	p, ok := strings.CutPrefix(c.Database, "sqlite:")
	if !ok || p == "" {
		return "", false
	}
	p, _, _ = strings.Cut(p, "?")
	p = strings.TrimPrefix(p, "file:")
	return p, p != ""
}

// DemoKeyFile is the master key file kept next to an SQLite database by
// `lucid demo`: PATH.key.
func (c *Config) DemoKeyFile() (string, bool) {
	p, ok := c.SQLitePath()
	if !ok {
		return "", false
	}
	return p + ".key", true
}

// EnsureDemoMasterKey is for demo mode: when no master key is configured,
// it uses the database's key file (PATH.key), creating it with 32 random
// bytes (mode 0600) when it does not exist yet.
func (c *Config) EnsureDemoMasterKey() error {
	if c.HasMasterKey() {
		return nil
	}
	path, ok := c.DemoKeyFile()
	if !ok {
		return errors.New("demo mode keeps its master key next to an SQLite database, but the database is not sqlite:PATH; " + CreateKeyHint)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		// Made by an earlier run (or a concurrent one): use it.
	case err != nil:
		return fmt.Errorf("demo master key: %w", err)
	default:
		key := make([]byte, MinMasterKey)
		_, _ = rand.Read(key)
		_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
		cerr := f.Close()
		if err := errors.Join(werr, cerr); err != nil {
			_ = os.Remove(path)
			return fmt.Errorf("demo master key: %w", err)
		}
	}
	c.MasterKeyFile = path
	return nil
}

// UseDemoKeyFile is for every other command on an SQLite database: with no
// master key configured, it adopts the key file `lucid demo` made for this
// database, if there is one, so the CLI works on the demo database. It
// returns the file it adopted, or "".
func (c *Config) UseDemoKeyFile() string {
	if c.HasMasterKey() {
		return ""
	}
	path, ok := c.DemoKeyFile()
	if !ok {
		return ""
	}
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	c.MasterKeyFile = path
	return path
}
