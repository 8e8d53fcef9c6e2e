package provider

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/store"
)

func TestExchangeAudience(t *testing.T) {
	c := &store.Client{ID: "backend"}
	two := &store.ExchangePolicy{Audiences: []string{"https://a.example", "https://b.example"}}
	one := &store.ExchangePolicy{Audiences: []string{"https://a.example"}}
	tests := []struct {
		name       string
		pol        *store.ExchangePolicy
		aud, res   []string
		want       []string
		err        catalog.Name
		errParam   string
		errAllowed string
	}{
		{name: "audience", pol: two, aud: []string{"https://b.example"}, want: []string{"https://b.example"}},
		{name: "audience and resource, repeats once", pol: two, aud: []string{"https://a.example"}, res: []string{"https://b.example", "https://a.example"},
			want: []string{"https://a.example", "https://b.example"}},
		{name: "single audience is the default", pol: one, want: []string{"https://a.example"}},
		{name: "no default among two", pol: two, err: catalog.ExchangeAudienceMissing, errAllowed: "https://a.example https://b.example"},
		{name: "no default without audiences", pol: &store.ExchangePolicy{}, err: catalog.ExchangeAudienceMissing, errAllowed: "none"},
		{name: "audience outside the policy", pol: two, aud: []string{"https://c.example"}, err: catalog.ExchangeAudienceNotAllowed, errParam: "audience"},
		{name: "resource outside the policy", pol: two, res: []string{"https://c.example"}, err: catalog.ExchangeAudienceNotAllowed, errParam: "resource"},
		{name: "relative resource", pol: two, res: []string{"a.example"}, err: catalog.ResourceInvalid},
		{name: "resource with fragment", pol: two, res: []string{"https://a.example#x"}, err: catalog.ResourceInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, e := exchangeAudience(c, tt.pol, tt.aud, tt.res)
			if tt.err != "" {
				if e == nil || e.Name() != tt.err {
					t.Fatalf("got %v %v, want %s", got, e, tt.err)
				}
				if tt.errParam != "" && e.Value("parameter") != tt.errParam {
					t.Errorf("parameter %q, want %q", e.Value("parameter"), tt.errParam)
				}
				if tt.errAllowed != "" && e.Value("allowed") != tt.errAllowed {
					t.Errorf("allowed %q, want %q", e.Value("allowed"), tt.errAllowed)
				}
				return
			}
			if e != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("got %v %v, want %v", got, e, tt.want)
			}
		})
	}
}

func TestExchangeScopes(t *testing.T) {
	c := &store.Client{ID: "backend", Scopes: []string{"openid", "profile", "orders:read"}}
	subj := &presentedToken{scopes: []string{"openid", "profile", "email"}}
	tests := []struct {
		requested string
		want      []string
		err       catalog.Name
	}{
		{requested: "", want: []string{"openid", "profile"}},
		{requested: "profile", want: []string{"profile"}},
		{requested: "profile profile", want: []string{"profile"}},
		{requested: "orders:read", err: catalog.ExchangeScopeWidened},
		{requested: "email", err: catalog.ScopeNotAllowed},
	}
	for _, tt := range tests {
		got, e := exchangeScopes(c, subj, tt.requested)
		switch {
		case tt.err != "" && (e == nil || e.Name() != tt.err):
			t.Errorf("%q: got %v %v, want %s", tt.requested, got, e, tt.err)
		case tt.err == "" && (e != nil || !slices.Equal(got, tt.want)):
			t.Errorf("%q: got %v %v, want %v", tt.requested, got, e, tt.want)
		}
	}
	// Nothing shared is an empty scope, not an error: the token then
	// carries no scope at all.
	if got, e := exchangeScopes(&store.Client{Scopes: []string{"x"}}, subj, ""); e != nil || len(got) != 0 {
		t.Errorf("nothing shared: %v %v", got, e)
	}
}

func TestCapTTL(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		ttl, def time.Duration
		until    time.Time
		want     time.Duration
	}{
		{ttl: 0, def: 10 * time.Minute, until: now.Add(time.Hour), want: 10 * time.Minute},
		{ttl: 2 * time.Minute, def: 10 * time.Minute, until: now.Add(time.Hour), want: 2 * time.Minute},
		{ttl: 0, def: 10 * time.Minute, until: now.Add(3 * time.Minute), want: 3 * time.Minute},
		{ttl: 0, def: 10 * time.Minute, until: now.Add(100 * time.Millisecond), want: time.Second},
	}
	for _, tt := range tests {
		if got := capTTL(tt.ttl, tt.def, now, tt.until); got != tt.want {
			t.Errorf("capTTL(%s, %s, +%s) = %s, want %s", tt.ttl, tt.def, tt.until.Sub(now), got, tt.want)
		}
	}
}

// TestActClaim: the act claim nests the prior actors inside the current
// one (RFC 8693 §4.1), and depth counts them all.
func TestActClaim(t *testing.T) {
	prior := &actor{Sub: "backend", ClientID: "backend"}
	a := &actor{Sub: "shipping", ClientID: "shipping", Act: prior}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"sub":"shipping","client_id":"shipping","act":{"sub":"backend","client_id":"backend"}}`
	if string(b) != want {
		t.Errorf("act = %s, want %s", b, want)
	}
	if a.depth() != 2 || (*actor)(nil).depth() != 0 {
		t.Errorf("depth %d", a.depth())
	}
	// The access token claims stay flat beside act.
	claims, _ := json.Marshal(&AccessClaims{Subject: "alice", Audience: audience{"https://a.example"}, Act: b})
	var m map[string]any
	_ = json.Unmarshal(claims, &m)
	if m["sub"] != "alice" || m["aud"] != "https://a.example" || m["act"] == nil {
		t.Errorf("claims %s", claims)
	}
}
