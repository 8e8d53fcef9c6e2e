package clientauth

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lucid-auth/lucid/internal/catalog"
)

// FuzzBasicHeader checks that any Authorization value is either refused
// with a reason or yields credentials that survive the RFC 6749 §2.3.1
// encoding round trip.
func FuzzBasicHeader(f *testing.F) {
	f.Add("Basic " + base64.StdEncoding.EncodeToString([]byte("app:s3cret")))
	f.Add("basic " + base64.StdEncoding.EncodeToString([]byte("a%3Ab:c%25d+e:f")))
	f.Add("Basic " + base64.StdEncoding.EncodeToString([]byte(":")))
	f.Add("Basic Zm9v")
	f.Add("Basic")
	f.Fuzz(func(t *testing.T, header string) {
		scheme, rest := splitAuthorization(header)
		if !strings.EqualFold(scheme, "Basic") {
			return
		}
		c, reason := parseBasic(rest)
		if reason != "" {
			if c != (basicCredentials{}) {
				t.Fatalf("refused (%s) but returned credentials", reason)
			}
			return
		}
		if c.ID == "" {
			t.Fatal("accepted an empty client id")
		}
		again := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(c.ID) + ":" + url.QueryEscape(c.Secret)))
		c2, reason := parseBasic(again)
		if reason != "" || c2 != c {
			t.Fatalf("round trip of %q %q gave %q %q (%s)", c.ID, c.Secret, c2.ID, c2.Secret, reason)
		}
	})
}

// FuzzClientAssertion checks that parsing never panics and that whatever
// it accepts has an allowed alg, a parsed JWS and in-range times.
func FuzzClientAssertion(f *testing.F) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	f.Add(enc(`{"alg":"ES256","kid":"k"}`) + "." + enc(`{"iss":"c","sub":"c","aud":"https://x","exp":1700000000,"jti":"j"}`) + "." + enc("sig"))
	f.Add(enc(`{"alg":"none"}`) + "." + enc(`{}`) + ".")
	f.Add(enc(`{"alg":"RS256"}`) + "." + enc(`{"aud":["a","b"],"exp":1e20}`) + "." + enc("s"))
	f.Add("a.b.c.d.e")
	f.Add("..")
	f.Fuzz(func(t *testing.T, s string) {
		a, e := parseAssertion(s)
		if e != nil {
			if a != nil {
				t.Fatal("error and assertion both returned")
			}
			if n := e.Name(); n != catalog.AssertionMalformed && n != catalog.AssertionAlgNotAllowed {
				t.Fatalf("parsing failed with %s", n)
			}
			if len(e.Description()) > 300 {
				t.Fatalf("description of %d bytes echoes too much", len(e.Description()))
			}
			return
		}
		if !slices.Contains(allowedAlgs, jose.SignatureAlgorithm(a.Alg)) {
			t.Fatalf("accepted alg %q", a.Alg)
		}
		limit := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
		for _, tm := range []*time.Time{a.Exp, a.Iat, a.Nbf} {
			if tm != nil && (tm.After(limit) || tm.Before(time.Unix(0, 0))) {
				t.Fatalf("time out of range: %v", tm)
			}
		}
	})
}
