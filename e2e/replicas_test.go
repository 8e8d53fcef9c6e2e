package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store/postgres/pgtest"
)

// replicaSet is several Lucids on one PostgreSQL schema with one master
// key and one issuer, as behind a load balancer; each is reached at its
// own address.
type replicaSet struct {
	nodes []*lucid
	base  []string // each node's own address
}

func startReplicas(t *testing.T, n int, adjust ...func(*config.Config)) *replicaSet {
	t.Helper()
	dsn := pgtest.Connect(t).FreshDSN(t)
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	rs := &replicaSet{}
	issuer := ""
	for i := range n {
		shared := func(c *config.Config) {
			c.Database = dsn
			c.MasterKey = base64.StdEncoding.EncodeToString(master)
			if issuer != "" {
				c.Issuer = issuer
			}
		}
		l := startWith(t, startOpts{}, append([]func(*config.Config){shared}, adjust...)...)
		if i == 0 {
			issuer = l.URL
		}
		rs.nodes = append(rs.nodes, l)
		rs.base = append(rs.base, "http://"+l.cfg.Addr)
	}
	return rs
}

// within polls check every 20 ms until it is true or d has passed, and
// says how long it took.
func within(t *testing.T, d time.Duration, what string, check func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if check() {
			return time.Since(start)
		}
		if time.Since(start) > d {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// replicaBound is the stated bound (docs/ARCHITECTURE.md) within which a
// change through one replica reaches the others while the feed is up.
const replicaBound = time.Second

func (rs *replicaSet) token(t *testing.T, i int, id, secret string) (int, string) {
	t.Helper()
	r := send(t, http.MethodPost, rs.base[i]+"/token", strings.NewReader("grant_type=client_credentials&scope=orders%3Aread"), func(req *http.Request) {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, secret)
	})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal(r.body, &tok)
	return r.status, tok.AccessToken
}

func (rs *replicaSet) active(t *testing.T, i int, id, secret, token string) bool {
	t.Helper()
	r := send(t, http.MethodPost, rs.base[i]+"/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()), func(req *http.Request) {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, secret)
	})
	if r.status != http.StatusOK {
		t.Fatalf("introspection at replica %d: %d %s", i, r.status, r.body)
	}
	var out struct {
		Active bool `json:"active"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	return out.Active
}

func (rs *replicaSet) kids(t *testing.T, i int) []string {
	t.Helper()
	r := send(t, http.MethodGet, rs.base[i]+"/jwks", nil, nil)
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(r.body, &set); err != nil {
		t.Fatalf("jwks of replica %d: %v", i, err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	slices.Sort(kids)
	return kids
}

// TestReplicasAgree: three replicas on one PostgreSQL. What is changed
// through one (the admin API, the revocation endpoint) reaches the others
// through the change feed within a second, well inside the 5 s the caches
// would otherwise take (and the minute of the key reload).
func TestReplicasAgree(t *testing.T) {
	rs := startReplicas(t, 3)
	a := rs.nodes[0]
	admin := a.cfg.AdminToken

	// A client created through A is usable through B and C.
	created := send(t, http.MethodPost, rs.base[0]+"/admin/clients", strings.NewReader(
		`{"client_id":"replicated","client_name":"Replicated","grant_types":["client_credentials"],"scopes":["orders:read"],"audiences":["`+ordersAPI+`"],"token_endpoint_auth_method":"client_secret_basic"}`),
		func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+admin)
			r.Header.Set("Content-Type", "application/json")
		})
	if created.status != http.StatusCreated {
		t.Fatalf("creating a client through A: %d %s", created.status, created.body)
	}
	var cl struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := json.Unmarshal(created.body, &cl); err != nil || cl.Secret == "" {
		t.Fatalf("created client %s: %v", created.body, err)
	}
	var tokens [3]string
	for i := range 3 {
		var status int
		took := within(t, replicaBound, "the new client at replica "+string(rune('A'+i)), func() bool {
			status, tokens[i] = rs.token(t, i, cl.ID, cl.Secret)
			return status == http.StatusOK
		})
		t.Logf("client usable at replica %c after %s", 'A'+i, took)
	}

	// A revocation through A is honoured by B's and C's introspection.
	for i := 1; i < 3; i++ {
		if !rs.active(t, i, cl.ID, cl.Secret, tokens[1]) {
			t.Fatalf("control: the token is not active at replica %c", 'A'+i)
		}
	}
	if r := revoke(t, &lucid{URL: rs.base[0]}, cl.ID, cl.Secret, tokens[1]); r.status != http.StatusOK {
		t.Fatalf("revoking through A: %d %s", r.status, r.body)
	}
	for i := range 3 {
		took := within(t, replicaBound, "the revocation at replica "+string(rune('A'+i)), func() bool {
			return !rs.active(t, i, cl.ID, cl.Secret, tokens[1])
		})
		t.Logf("revocation honoured at replica %c after %s", 'A'+i, took)
	}
	if !rs.active(t, 2, cl.ID, cl.Secret, tokens[2]) {
		t.Error("another token of the client was revoked too")
	}

	// A client disabled through A is refused by B and C (their caches held
	// it: they just used it).
	if r := send(t, http.MethodPatch, rs.base[0]+"/admin/clients/"+cl.ID, strings.NewReader(`{"disabled":true}`), func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+admin)
		r.Header.Set("Content-Type", "application/json")
	}); r.status != http.StatusOK {
		t.Fatalf("disabling through A: %d %s", r.status, r.body)
	}
	for i := 1; i < 3; i++ {
		took := within(t, replicaBound, "the disabled client at replica "+string(rune('A'+i)), func() bool {
			status, _ := rs.token(t, i, cl.ID, cl.Secret)
			return status != http.StatusOK
		})
		t.Logf("disabled client refused at replica %c after %s", 'A'+i, took)
	}

	// A key rotation through A is published by B and C.
	before := rs.kids(t, 1)
	if r := send(t, http.MethodPost, rs.base[0]+"/admin/keys/rotate", nil, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+admin)
	}); r.status != http.StatusOK {
		t.Fatalf("rotating through A: %d %s", r.status, r.body)
	}
	want := rs.kids(t, 0)
	if slices.Equal(want, before) {
		t.Fatal("control: A's JWKS did not change with the rotation")
	}
	for i := 1; i < 3; i++ {
		took := within(t, replicaBound, "the rotated keys at replica "+string(rune('A'+i)), func() bool {
			return slices.Equal(rs.kids(t, i), want)
		})
		t.Logf("rotation published at replica %c after %s", 'A'+i, took)
	}
}

// at is replica i as a browser or OAuth client sees it: its own address.
func (rs *replicaSet) at(i int) *lucid {
	l := *rs.nodes[i]
	l.URL = rs.base[i]
	return &l
}

// TestReplicasShareThrottles: failed sign-ins from one network spread over
// three replicas. Per replica (the default) each allows the hourly limit;
// with throttle.shared the limit holds for all of them together.
func TestReplicasShareThrottles(t *testing.T) {
	for _, c := range []struct {
		shared bool
		want   string // the fourth attempt, with the right password
	}{{false, "consent"}, {true, "sign_in_rate_limited"}} {
		t.Run(map[bool]string{false: "per replica", true: "shared"}[c.shared], func(t *testing.T) {
			rs := startReplicas(t, 3, func(cfg *config.Config) {
				cfg.Lockout.NetworkPerHour = 3
				cfg.Lockout.Threshold = 0 // only the network limit
				cfg.Throttle.Shared = c.shared
			})
			rs.nodes[0].user(t, demoUser)
			cl, sec := rs.nodes[0].client(t, manage.ClientSpec{Name: "Notes"})
			attempt := func(i int, password string) *page {
				t.Helper()
				l := rs.at(i)
				b := l.browser(t)
				cfg := l.oauthConfig(cl, sec)
				return b.signIn(b.get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))), demoUser, password)
			}
			for i := range 3 {
				wantSignInError(t, rs.at(i), attempt(i, "guess"), "sign_in_failed", 401)
			}
			p := attempt(0, demoPassword)
			if c.want == "consent" {
				if !p.isConsent() {
					t.Fatalf("per replica: the fourth attempt at A (its first failure was the only one there) was refused: %d %.300s", p.status, p.body)
				}
				return
			}
			wantSignInError(t, rs.at(0), p, c.want, 429)
		})
	}
}
