package ldap_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/ldap"
	"github.com/lucid-auth/lucid/internal/ldap/ldaptest"
)

// TestAuthenticate runs search-then-bind against a real slapd: the
// attributes and groups of a person, and each way it fails.
func TestAuthenticate(t *testing.T) {
	srv := ldaptest.Start(t)
	srv.Load(ldaptest.Person("alice", "alice-pw", "Alice Liddell", "alice@corp.example", "") +
		ldaptest.Person("carol", "carol-pw", "Carol", "carol@corp.example", "employeeType: disabled") +
		ldaptest.Person("star*", "star-pw", "Star", "star@corp.example", "") +
		ldaptest.Group("platform", "alice") + ldaptest.Group("ops", "alice", "carol") +
		"dn: ou=contractors," + ldaptest.Suffix + "\nobjectClass: organizationalUnit\nou: contractors\n\n" +
		"dn: uid=alice,ou=contractors," + ldaptest.Suffix + "\nobjectClass: inetOrgPerson\nuid: alice\ncn: Other Alice\nsn: A\nuserPassword: x\n\n")

	base := config.Directory{ID: "corp", Name: "Corp", URL: srv.URL, AllowPlain: true, BindDN: ldaptest.BindDN,
		BindPassword: ldaptest.BindPassword, BaseDN: ldaptest.People, DisabledFilter: "(employeeType=disabled)", Timeout: 2 * time.Second}
	dir := func(adjust func(*config.Directory)) *ldap.Directory {
		c := base
		if adjust != nil {
			adjust(&c)
		}
		d, err := ldap.New(c)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	t.Run("alice", func(t *testing.T) {
		for _, groupSearch := range []bool{false, true} {
			d := dir(func(c *config.Directory) {
				if groupSearch {
					c.Groups.BaseDN = ldaptest.Groups
				}
			})
			id, e := d.Authenticate(context.Background(), "alice", "alice-pw")
			if e != nil {
				t.Fatalf("group search %v: %v", groupSearch, e)
			}
			slices.Sort(id.Groups)
			if id.Username != "alice" || id.Name != "Alice Liddell" || id.Email != "alice@corp.example" || id.EmailVerified ||
				len(id.Subject) != 36 || !slices.Equal(id.Groups, []string{"ops", "platform"}) {
				t.Errorf("group search %v: identity %+v", groupSearch, id)
			}
		}
	})

	tests := []struct {
		name     string
		adjust   func(*config.Directory)
		user, pw string
		want     catalog.Name
	}{
		{name: "wrong password", user: "alice", pw: "nope", want: catalog.SignInFailed},
		{name: "unknown user", user: "mallory", pw: "whatever", want: catalog.SignInFailed},
		{name: "empty password", user: "alice", pw: "", want: catalog.SignInFailed},
		{name: "filter injection", user: "*", pw: "star-pw", want: catalog.SignInFailed},
		{name: "escaped name found", user: "star*", pw: "star-pw"},
		{name: "disabled after the right password", user: "carol", pw: "carol-pw", want: catalog.DirectoryAccountDisabled},
		{name: "disabled with a wrong password", user: "carol", pw: "nope", want: catalog.SignInFailed},
		{name: "two entries", adjust: func(c *config.Directory) { c.BaseDN = ldaptest.Suffix }, user: "alice", pw: "alice-pw", want: catalog.DirectoryUserAmbiguous},
		{name: "search bind refused", adjust: func(c *config.Directory) { c.BindPassword = "wrong" }, user: "alice", pw: "alice-pw", want: catalog.DirectorySearchBindRefused},
		{name: "no such base", adjust: func(c *config.Directory) { c.BaseDN = "ou=nowhere," + ldaptest.Suffix }, user: "alice", pw: "alice-pw", want: catalog.DirectorySearchFailed},
		{name: "StartTLS refused", adjust: func(c *config.Directory) { c.StartTLS = true }, user: "alice", pw: "alice-pw", want: catalog.DirectoryTLSFailed},
		{name: "ldaps to a plain port", adjust: func(c *config.Directory) { c.URL = "ldaps" + srv.URL[4:] }, user: "alice", pw: "alice-pw", want: catalog.DirectoryUnreachable},
		{name: "down", adjust: func(c *config.Directory) { c.URL = "ldap://127.0.0.1:1" }, user: "alice", pw: "alice-pw", want: catalog.DirectoryUnreachable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, e := dir(tc.adjust).Authenticate(context.Background(), tc.user, tc.pw)
			switch {
			case tc.want == "" && e != nil:
				t.Fatalf("got %s (%v), want success", e.Name(), e)
			case tc.want != "" && (e == nil || e.Name() != tc.want):
				t.Fatalf("got %v, want %s", e, tc.want)
			}
		})
	}
}

// TestTLS: StartTLS and LDAPS to a slapd with a certificate of its own
// CA; a certificate Lucid cannot verify is directory_tls_failed, and no
// password is sent.
func TestTLS(t *testing.T) {
	srv := ldaptest.StartTLS(t)
	srv.Load(ldaptest.Person("alice", "alice-pw", "Alice", "alice@corp.example", ""))
	base := config.Directory{ID: "corp", URL: srv.URL, StartTLS: true, CAFile: srv.CAFile, BindDN: ldaptest.BindDN,
		BindPassword: ldaptest.BindPassword, BaseDN: ldaptest.People, Timeout: 2 * time.Second}
	tests := []struct {
		name   string
		adjust func(*config.Directory)
		want   catalog.Name
	}{
		{name: "StartTLS", adjust: func(*config.Directory) {}},
		{name: "LDAPS", adjust: func(c *config.Directory) { c.URL, c.StartTLS = srv.LDAPSURL, false }},
		{name: "LDAPS, unknown CA", adjust: func(c *config.Directory) { c.URL, c.StartTLS, c.CAFile = srv.LDAPSURL, false, "" }, want: catalog.DirectoryTLSFailed},
		{name: "StartTLS, unknown CA", adjust: func(c *config.Directory) { c.CAFile = "" }, want: catalog.DirectoryTLSFailed},
		{name: "StartTLS, another name", adjust: func(c *config.Directory) { c.ServerName = "ldap.corp.example" }, want: catalog.DirectoryTLSFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.adjust(&c)
			d, err := ldap.New(c)
			if err != nil {
				t.Fatal(err)
			}
			id, e := d.Authenticate(context.Background(), "alice", "alice-pw")
			switch {
			case tc.want == "" && (e != nil || id.Username != "alice"):
				t.Fatalf("got %v, want alice", e)
			case tc.want != "" && (e == nil || e.Name() != tc.want):
				t.Fatalf("got %v, want %s", e, tc.want)
			}
		})
	}
}

// TestAcquire: max_connections places, each given back by its release.
func TestAcquire(t *testing.T) {
	d, err := ldap.New(config.Directory{ID: "corp", URL: "ldap://127.0.0.1:1", MaxConnections: 1})
	if err != nil {
		t.Fatal(err)
	}
	release, err := d.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Acquire(context.Background()); !errors.Is(err, ldap.ErrBusy) {
		t.Fatalf("a second place while the only one is taken: %v, want ErrBusy", err)
	}
	release()
	again, err := d.Acquire(context.Background())
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again()
}
