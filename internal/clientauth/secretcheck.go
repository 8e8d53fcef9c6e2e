package clientauth

import (
	"crypto/subtle"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// judgeSecret decides what a presented client secret is: one of the
// client's live secrets (nil), or which mistake it is. Every candidate is
// compared, in constant time, whatever matches first: the presented value
// and its trimmed form against every secret and retired hash, and the
// trimmed form against every secret id. So the time taken depends on the
// client's record and on whether the caller's own value has whitespace
// around it (only then is a second keyed hash made: this is the token
// endpoint's hot path), never on which stored secret matched; the answer
// itself names the case, which is fine, since only the caller's own value
// decides it. Nothing in an answer is a secret or an id the caller did
// not send.
func judgeSecret(k *secret.Keys, c *store.Client, sec string, now time.Time) *catalog.Error {
	trimmed := strings.TrimSpace(sec)
	mac := k.ClientSecretMAC(sec)
	tmac := mac
	if trimmed != sec {
		tmac = k.ClientSecretMAC(trimmed)
	}
	var (
		ok, padded bool
		expired    *store.ClientSecret
		retired    *store.RetiredSecret
		idSent     string
		active     int
	)
	for i := range c.Secrets {
		s := &c.Secrets[i]
		match := secret.MACMatches(mac, s.Hash)
		tmatch := secret.MACMatches(tmac, s.Hash)
		id := sameString(trimmed, s.ID)
		live := s.ExpiresAt == nil || now.Before(*s.ExpiresAt)
		if live {
			active++
		}
		switch {
		case match && live:
			ok = true
		case tmatch && live:
			padded = true
		case match && (expired == nil || s.ExpiresAt.After(*expired.ExpiresAt)):
			expired = s
		}
		if id {
			idSent = s.ID
		}
	}
	for i := range c.RetiredSecrets {
		r := &c.RetiredSecrets[i]
		match := secret.MACMatches(mac, r.Hash)
		id := sameString(trimmed, r.ID)
		known := now.Before(r.Until)
		if match && known && (retired == nil || r.RetiredAt.After(retired.RetiredAt)) {
			retired = r
		}
		if id && known {
			idSent = r.ID
		}
	}

	switch {
	case ok:
		return nil
	case padded:
		return catalog.New(catalog.ClientSecretWhitespace, "client_id", c.ID, "where", describeSpace(sec))
	case expired != nil && expired.Retiring == store.RetiredByRotation:
		return catalog.New(catalog.ClientSecretRetired, "client_id", c.ID, "retired_at", *expired.ExpiresAt, "how", retiredHow(store.RetiredByRotation, true)).
			Internal("secret_id", expired.ID, "active_secrets", active)
	case expired != nil:
		return catalog.New(catalog.ClientSecretExpired, "client_id", c.ID, "expired_at", *expired.ExpiresAt).
			Internal("secret_id", expired.ID, "active_secrets", active)
	case retired != nil && retired.Reason == store.RetiredByExpiry:
		return catalog.New(catalog.ClientSecretExpired, "client_id", c.ID, "expired_at", retired.RetiredAt).
			Internal("secret_id", retired.ID, "active_secrets", active, "retired_record_until", retired.Until)
	case retired != nil:
		return catalog.New(catalog.ClientSecretRetired, "client_id", c.ID, "retired_at", retired.RetiredAt, "how", retiredHow(retired.Reason, false)).
			Internal("secret_id", retired.ID, "active_secrets", active, "retired_record_until", retired.Until)
	case idSent != "":
		return catalog.New(catalog.ClientSecretIDSent, "client_id", c.ID).Internal("secret_id", idSent, "active_secrets", active)
	}
	e := catalog.New(catalog.ClientSecretWrong, "client_id", c.ID).Internal("active_secrets", active)
	if sec == "" {
		e = e.Internal("detail", "the presented secret is empty")
	}
	return e
}

// sameString compares in constant time for equal lengths.
func sameString(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// retiredHow says how a secret was retired, for the description.
func retiredHow(reason string, graceEnded bool) string {
	switch {
	case reason == store.RetiredByRotation && graceEnded:
		return "replaced by a secret rotation; its grace period ended then"
	case reason == store.RetiredByRotation:
		return "replaced by a secret rotation"
	case reason == store.RetiredByRemoval:
		return "removed by the operator"
	}
	return "taken out of use"
}

// describeSpace names the whitespace before and after the secret, in
// plain ASCII words (an error_description allows no control characters).
func describeSpace(sec string) string {
	lead := sec[:len(sec)-len(strings.TrimLeftFunc(sec, unicode.IsSpace))]
	trail := sec[len(strings.TrimRightFunc(sec, unicode.IsSpace)):]
	var parts []string
	if lead != "" {
		parts = append(parts, spaceRun(lead)+" before it")
	}
	if trail != "" {
		parts = append(parts, spaceRun(trail)+" after it")
	}
	return strings.Join(parts, " and ")
}

// spaceRun describes a run of whitespace: "a line feed", "2 spaces",
// "a carriage return, a line feed". Long runs are summarised.
func spaceRun(run string) string {
	type group struct {
		name string
		n    int
	}
	var groups []group
	for _, r := range run {
		name := spaceName(r)
		if len(groups) > 0 && groups[len(groups)-1].name == name {
			groups[len(groups)-1].n++
			continue
		}
		groups = append(groups, group{name, 1})
	}
	if len(groups) > 4 {
		return fmt.Sprintf("%d whitespace characters", utf8.RuneCountInString(run))
	}
	out := make([]string, len(groups))
	for i, g := range groups {
		if g.n == 1 {
			out[i] = "a " + g.name
		} else {
			out[i] = fmt.Sprintf("%d %ss", g.n, g.name)
		}
	}
	return strings.Join(out, ", ")
}

func spaceName(r rune) string {
	switch r {
	case ' ':
		return "space"
	case '\t':
		return "tab"
	case '\n':
		return "line feed"
	case '\r':
		return "carriage return"
	case '\u00a0':
		return "non-breaking space"
	}
	return fmt.Sprintf("U+%04X space character", r)
}
