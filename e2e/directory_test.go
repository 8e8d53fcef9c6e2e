package e2e

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/ldap/ldaptest"
)

// TestDirectorySignIn signs people in on the sign-in form with their
// password at a real OpenLDAP (slapd on loopback, StartTLS with its own
// CA): the account made just
// in time, its groups mapped into the ID token (verified with go-oidc),
// amr pwd; a wrong password and an unknown name answered alike and
// locked alike; each way the directory fails; the directory down.
func TestDirectorySignIn(t *testing.T) {
	srv := ldaptest.StartTLS(t)
	srv.Load(ldaptest.Person("alice", "alice-pw", "Alice Liddell", "alice@corp.example", "") +
		ldaptest.Person("bob", "bob-pw", "Bob", "bob@corp.example", "") +
		ldaptest.Person("carol", "carol-pw", "Carol", "carol@corp.example", "employeeType: disabled") +
		ldaptest.Person("dave", "dave-pw", "Dave", "dave@corp.example", "") +
		ldaptest.Person("twin", "twin-pw", "Twin", "twin@corp.example", "") +
		ldaptest.Group("platform", "alice", "carol", "dave", "twin") + ldaptest.Group("ops", "alice") + ldaptest.Group("design", "alice") +
		"dn: ou=contractors," + ldaptest.Suffix + "\nobjectClass: organizationalUnit\nou: contractors\n\n" +
		"dn: uid=twin,ou=contractors," + ldaptest.Suffix + "\nobjectClass: inetOrgPerson\nuid: twin\ncn: Twin\nsn: T\nuserPassword: twin-pw\n\n")

	dir := func(id, usernames string, adjust func(*config.Directory)) config.Directory {
		d := config.Directory{ID: id, Name: "Corp directory", Usernames: usernames, URL: srv.URL, StartTLS: true, CAFile: srv.CAFile,
			BindDN: ldaptest.BindDN, BindPassword: ldaptest.BindPassword, BaseDN: ldaptest.People,
			DisabledFilter: "(employeeType=disabled)", TrustEmail: true, Timeout: 2 * time.Second,
			Rules:        config.UpstreamRules{RequiredGroups: []string{"platform"}},
			GroupMapping: map[string]string{"platform": "eng-platform", "ops": "ops"}}
		if adjust != nil {
			adjust(&d)
		}
		return d
	}
	l := start(t, func(c *config.Config) {
		c.Directories = []config.Directory{
			dir("wide", "^twin$", func(d *config.Directory) { d.BaseDN = ldaptest.Suffix }),
			dir("badbind", "^bb-", func(d *config.Directory) { d.BindPassword = "not-it" }),
			dir("nobase", "^nb-", func(d *config.Directory) { d.BaseDN = "ou=nowhere," + ldaptest.Suffix }),
			dir("tls", "^tls-", func(d *config.Directory) { d.CAFile = "" }), // the system's CAs do not know slapd's
			dir("down", "^down-", func(d *config.Directory) { d.URL = "ldap://127.0.0.1:1" }),
			dir("corp", "^[a-z]+$", nil),
		}
	})
	conf := upstreamClient(t, l)

	// Alice: an account just in time, her groups mapped, amr pwd.
	b := l.browser(t)
	s := newStart(conf)
	tok := s.finish(t, b, b.signIn(b.get(s.url()), "alice", "alice-pw"))
	claims := upstreamIDClaims(t, l, conf, tok)
	if claims["preferred_username"] != "alice" || claims["email"] != "alice@corp.example" || claims["name"] != "Alice Liddell" {
		t.Errorf("claims of the provisioned account: %v", claims)
	}
	groups := anyStrings(claims["groups"])
	slices.Sort(groups)
	if !slices.Equal(groups, []string{"eng-platform", "ops"}) {
		t.Errorf("groups = %v, want [eng-platform ops] (mapped, unmapped dropped)", claims["groups"])
	}
	if !slices.Equal(anyStrings(claims["amr"]), []string{"pwd"}) {
		t.Errorf("amr = %v, want [pwd]", claims["amr"])
	}
	sub, _ := claims["sub"].(string)
	links, err := l.Store.ListIdentityLinks(context.Background(), sub)
	if err != nil || len(links) != 1 || links[0].UpstreamID != "corp" || links[0].Issuer != "ldap:///"+ldaptest.People || len(links[0].Subject) != 36 {
		t.Fatalf("links = %+v, %v", links, err)
	}
	// Again, in another browser: the same account, found by its link.
	b2 := l.browser(t)
	s = newStart(conf)
	if c := upstreamIDClaims(t, l, conf, s.finish(t, b2, b2.signIn(b2.get(s.url()), "alice", "alice-pw"))); c["sub"] != sub {
		t.Errorf("second sign-in: sub %v, want %s", c["sub"], sub)
	}

	// A local account whose name no directory takes signs in as before.
	l.user(t, "local-user")
	b3 := l.browser(t)
	s = newStart(conf)
	s.finish(t, b3, b3.signIn(b3.get(s.url()), "local-user", demoPassword))

	try := func(username, password, name string, status int) string {
		t.Helper()
		b := l.browser(t)
		return wantSignInError(t, l, b.signIn(b.get(newStart(conf).url()), username, password), name, status)
	}
	wrong := try("alice", "nope", "sign_in_failed", http.StatusUnauthorized)
	if unknown := try("mallory", "whatever", "sign_in_failed", http.StatusUnauthorized); unknown != wrong {
		t.Errorf("an unknown name is told %q, a wrong password %q", unknown, wrong)
	}
	try("alice", "", "sign_in_failed", http.StatusUnauthorized)
	try("bob", "bob-pw", "upstream_group_required", http.StatusForbidden)
	try("carol", "carol-pw", "directory_account_disabled", http.StatusForbidden)
	try("carol", "nope", "sign_in_failed", http.StatusUnauthorized)
	try("twin", "twin-pw", "directory_user_ambiguous", http.StatusInternalServerError)
	try("bb-alice", "alice-pw", "directory_search_bind_refused", http.StatusBadGateway)
	try("nb-alice", "alice-pw", "directory_search_failed", http.StatusBadGateway)
	try("tls-alice", "alice-pw", "directory_tls_failed", http.StatusBadGateway)
	try("down-alice", "alice-pw", "directory_unreachable", http.StatusServiceUnavailable)

	// The operator blocks Alice's directory subject as an upstream one.
	if r := jsonCall(t, l, http.MethodPost, "/admin/upstreams/corp/blocks", l.cfg.AdminToken, `{"subject":"`+links[0].Subject+`","reason":"left"}`); r.status != http.StatusCreated {
		t.Fatalf("block: %d %s", r.status, r.body)
	}
	try("alice", "alice-pw", "upstream_subject_blocked", http.StatusForbidden)
	if r := jsonCall(t, l, http.MethodDelete, "/admin/upstreams/corp/blocks/"+links[0].Subject, l.cfg.AdminToken, ""); r.status != http.StatusNoContent {
		t.Fatalf("unblock: %d %s", r.status, r.body)
	}

	// Lockout: a name the directory holds and one it does not lock after
	// the same failures, and then even the right password is refused
	// without asking the directory.
	for _, name := range []string{"dave", "zed"} {
		for i := 1; i < l.cfg.Lockout.Threshold; i++ {
			try(name, "nope", "sign_in_failed", http.StatusUnauthorized)
		}
		try(name, "nope", "account_locked", http.StatusTooManyRequests)
	}
	try("dave", "dave-pw", "account_locked", http.StatusTooManyRequests)
	l.Clock.Advance(l.cfg.Lockout.Max + time.Minute)
	b4 := l.browser(t)
	s = newStart(conf)
	s.finish(t, b4, b4.signIn(b4.get(s.url()), "dave", "dave-pw"))

	// The directory goes down.
	srv.Stop()
	try("alice", "alice-pw", "directory_unreachable", http.StatusServiceUnavailable)
}
