package config

import (
	"strings"
	"testing"
)

// TestDirectoryValidation: each mistake names its setting; a good
// directory passes.
func TestDirectoryValidation(t *testing.T) {
	good := Directory{ID: "corp", URL: "ldaps://ldap.corp.example:636", BindDN: "cn=lucid,dc=corp", BindPassword: "s", BaseDN: "ou=people,dc=corp"}
	with := func(f func(*Directory)) Directory { d := good; f(&d); return d }
	tests := []struct {
		name string
		dirs []Directory
		ups  []Upstream
		want string // "" for no error
	}{
		{"good", []Directory{good}, nil, ""},
		{"good StartTLS", []Directory{with(func(d *Directory) { d.URL, d.StartTLS = "ldap://ldap.corp.example", true })}, nil, ""},
		{"bad id", []Directory{with(func(d *Directory) { d.ID = "Corp LDAP" })}, nil, "directories[0].id"},
		{"id of an upstream", []Directory{good}, []Upstream{{ID: "corp", Type: "oidc", Issuer: "https://sso.example", ClientID: "x"}}, "already the id"},
		{"plain ldap", []Directory{with(func(d *Directory) { d.URL = "ldap://ldap.corp.example" })}, nil, "in the clear"},
		{"StartTLS on ldaps", []Directory{with(func(d *Directory) { d.StartTLS = true })}, nil, "directories[0].start_tls"},
		{"not ldap", []Directory{with(func(d *Directory) { d.URL = "https://ldap.corp.example" })}, nil, "directories[0].url"},
		{"no bind dn", []Directory{with(func(d *Directory) { d.BindDN = "" })}, nil, "never anonymously"},
		{"empty password variable", []Directory{with(func(d *Directory) { d.BindPassword, d.BindPasswordEnv = "", "LUCID_TEST_NO_SUCH_VARIABLE" })}, nil, "bind_password_env"},
		{"no base", []Directory{with(func(d *Directory) { d.BaseDN = "" })}, nil, "directories[0].base_dn"},
		{"filter without the name", []Directory{with(func(d *Directory) { d.UserFilter = "(uid=alice)" })}, nil, "directories[0].user_filter"},
		{"bad usernames", []Directory{with(func(d *Directory) { d.Usernames = "([" })}, nil, "directories[0].usernames"},
		{"missing ca file", []Directory{with(func(d *Directory) { d.CAFile = "/nonexistent/ca.pem" })}, nil, "directories[0].ca_file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.Directories, c.Upstreams = tc.dirs, tc.ups
			var msgs []string
			for _, err := range c.checkDirectories() {
				msgs = append(msgs, err.Error())
			}
			got := strings.Join(msgs, "\n")
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("errors %q, want %q", msgs, tc.want)
			}
		})
	}
}
