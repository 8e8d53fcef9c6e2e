package clientauth

import (
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestJudgeSecret(t *testing.T) {
	sk, err := secret.Derive([]byte("0123456789abcdef0123456789abcdef-test-master"))
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	c := &store.Client{
		ID: "app",
		Secrets: []store.ClientSecret{
			{ID: "live-id-0001", Hash: sk.HashClientSecret("live-secret")},
			{ID: "grace-id-001", Hash: sk.HashClientSecret("graced-secret"), ExpiresAt: &past, Retiring: store.RetiredByRotation},
			{ID: "plan-id-0001", Hash: sk.HashClientSecret("planned-secret"), ExpiresAt: &past},
			{ID: "soon-id-0001", Hash: sk.HashClientSecret("soon-secret"), ExpiresAt: &future},
		},
		RetiredSecrets: []store.RetiredSecret{
			{ID: "rot-id-00001", Hash: sk.HashClientSecret("rotated-secret"), RetiredAt: past, Reason: store.RetiredByRotation, Until: future},
			{ID: "rem-id-00001", Hash: sk.HashClientSecret("removed-secret"), RetiredAt: past, Reason: store.RetiredByRemoval, Until: future},
			{ID: "exp-id-00001", Hash: sk.HashClientSecret("expired-secret"), RetiredAt: past, Reason: store.RetiredByExpiry, Until: future},
			{ID: "old-id-00001", Hash: sk.HashClientSecret("forgotten-secret"), RetiredAt: past.Add(-time.Hour), Reason: store.RetiredByRotation, Until: past},
		},
	}
	tests := []struct {
		presented string
		want      catalog.Name // "" is accepted
		values    map[string]string
	}{
		{"live-secret", "", nil},
		{"soon-secret", "", nil},
		{"live-secret\n", catalog.ClientSecretWhitespace, map[string]string{"where": "a line feed after it"}},
		{"\t\tlive-secret\r\n", catalog.ClientSecretWhitespace, map[string]string{"where": "2 tabs before it and a carriage return, a line feed after it"}},
		{"\u00a0live-secret", catalog.ClientSecretWhitespace, map[string]string{"where": "a non-breaking space before it"}},
		{"live secret", catalog.ClientSecretWrong, nil},
		{"live-id-0001", catalog.ClientSecretIDSent, map[string]string{"client_id": "app"}},
		{"rot-id-00001\n", catalog.ClientSecretIDSent, nil},
		{"old-id-00001", catalog.ClientSecretWrong, nil},
		{"graced-secret", catalog.ClientSecretRetired, map[string]string{"how": "grace period ended", "retired_at": past.Format(time.RFC3339)}},
		{"planned-secret", catalog.ClientSecretExpired, map[string]string{"expired_at": past.Format(time.RFC3339)}},
		{"rotated-secret", catalog.ClientSecretRetired, map[string]string{"how": "replaced by a secret rotation"}},
		{"removed-secret", catalog.ClientSecretRetired, map[string]string{"how": "removed by the operator"}},
		{"expired-secret", catalog.ClientSecretExpired, nil},
		{"forgotten-secret", catalog.ClientSecretWrong, nil},
		{"rotated-secret ", catalog.ClientSecretWrong, nil},
		{"", catalog.ClientSecretWrong, nil},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace(tt.presented), func(t *testing.T) {
			e := judgeSecret(sk, c, tt.presented, now)
			switch {
			case tt.want == "" && e == nil:
				return
			case tt.want == "" || e == nil || e.Name() != tt.want:
				t.Fatalf("got %v, want %q", e, tt.want)
			}
			for k, v := range tt.values {
				if got := e.Value(k); !strings.Contains(got, v) {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			// The answer names no secret and no id but one sent.
			text := e.Text()
			for _, s := range c.Secrets {
				if strings.Contains(text, s.ID) && strings.TrimSpace(tt.presented) != s.ID {
					t.Errorf("%q names the id %s", text, s.ID)
				}
			}
			for _, r := range c.RetiredSecrets {
				if strings.Contains(text, r.ID) || strings.Contains(text, r.Hash) {
					t.Errorf("%q names a retired secret", text)
				}
			}
			if p := strings.TrimSpace(tt.presented); p != "" && strings.Contains(text, p) {
				t.Errorf("%q echoes the presented value", text)
			}
		})
	}
}

func TestDescribeSpace(t *testing.T) {
	for in, want := range map[string]string{
		"s\n":           "a line feed after it",
		"  s":           "2 spaces before it",
		" \t \t \ts ":   "6 whitespace characters before it and a space after it",
		"s\u3000":       "a U+3000 space character after it",
		"\r\ns\r\n\r\n": "a carriage return, a line feed before it and a carriage return, a line feed, a carriage return, a line feed after it",
	} {
		if got := describeSpace(in); got != want {
			t.Errorf("describeSpace(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClaimedClient(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	assertion := func(claims string) string { return enc(`{"alg":"ES256"}`) + "." + enc(claims) + ".sig" }
	tests := []struct {
		name   string
		header []string
		form   url.Values
		want   string
	}{
		{"basic", []string{"Basic " + b64("app:secret")}, url.Values{"client_id": {"other"}}, "app"},
		{"basic, form-encoded id", []string{"Basic " + b64("my+app%21:secret")}, nil, "my app!"},
		{"client_id", nil, url.Values{"client_id": {"app"}}, "app"},
		{"assertion", nil, url.Values{"client_assertion": {assertion(`{"iss":"app","sub":"app"}`)}}, "app"},
		{"assertion, iss and sub differ", nil, url.Values{"client_assertion": {assertion(`{"iss":"a","sub":"b"}`)}}, ""},
		{"assertion not a JWT", nil, url.Values{"client_assertion": {"x.y"}}, ""},
		{"two Authorization headers", []string{"Basic " + b64("a:b"), "Basic " + b64("c:d")}, nil, ""},
		{"bearer", []string{"Bearer abc"}, nil, ""},
		{"nothing", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/token", nil)
			for _, h := range tt.header {
				r.Header.Add("Authorization", h)
			}
			if got := ClaimedClient(r, tt.form); got != tt.want {
				t.Errorf("ClaimedClient = %q, want %q", got, tt.want)
			}
		})
	}
}

// BenchmarkJudgeSecret is the cost of checking a presented secret against
// a client at its limits: MaxSecrets secrets and MaxRetiredSecrets records
// (the manage package's bounds, 2 and 8).
func BenchmarkJudgeSecret(b *testing.B) {
	sk, err := secret.Derive([]byte("0123456789abcdef0123456789abcdef-test-master"))
	if err != nil {
		b.Fatal(err)
	}
	future := t0.Add(time.Hour)
	c := &store.Client{ID: "app"}
	for i := range 2 {
		c.Secrets = append(c.Secrets, store.ClientSecret{ID: fmt.Sprintf("id-%d", i), Hash: sk.HashClientSecret(fmt.Sprintf("secret-%d", i))})
	}
	for i := range 8 {
		c.RetiredSecrets = append(c.RetiredSecrets, store.RetiredSecret{ID: fmt.Sprintf("rid-%d", i), Hash: sk.HashClientSecret(fmt.Sprintf("old-%d", i)), Until: future})
	}
	for _, bc := range []struct{ name, presented string }{{"right", "secret-1"}, {"wrong", "nope"}, {"retired", "old-7"}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				_ = judgeSecret(sk, c, bc.presented, t0)
			}
		})
	}
}
