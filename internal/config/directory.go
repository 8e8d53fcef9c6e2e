package config

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
)

// Directory is an LDAP directory (OpenLDAP, Active Directory…) whose
// people sign in with their directory password on Lucid's own sign-in
// form: Lucid searches their entry with its own credentials, then binds
// as that entry with the typed password. Set only in the YAML file
// (`directories:`).
type Directory struct {
	// ID names the directory in identity links, blocks and the admin API;
	// lower-case letters, digits and '-', distinct from every upstream's.
	ID string `yaml:"id"`
	// Name is how the directory is named to people (default: the id).
	Name string `yaml:"name"`
	// Disabled keeps the configuration but signs nobody in through it.
	Disabled bool `yaml:"disabled"`
	// Usernames is a regular expression: typed usernames it matches are
	// checked against this directory, never against Lucid's own
	// passwords; the rest are local accounts. Default: every username.
	// With several directories the first that matches wins.
	Usernames string `yaml:"usernames"`

	// URL is ldap://host:port or ldaps://host:port.
	URL string `yaml:"url"`
	// StartTLS upgrades an ldap:// connection to TLS before anything is
	// sent; refused with ldaps://.
	StartTLS bool `yaml:"start_tls"`
	// CAFile is a PEM bundle of the CAs that sign the directory's
	// certificate (default: the system's).
	CAFile string `yaml:"ca_file"`
	// ServerName is the name the certificate must carry (default: the
	// URL's host).
	ServerName string `yaml:"server_name"`
	// AllowPlain allows an ldap:// URL without start_tls: passwords then
	// cross the network in the clear. Development and tests on loopback
	// only.
	AllowPlain bool `yaml:"allow_plain"`

	// BindDN is the entry Lucid binds as to search for people.
	BindDN string `yaml:"bind_dn"`
	// BindPassword, or BindPasswordEnv: the name of an environment
	// variable that holds it (keeps the secret out of the file).
	BindPassword    string `yaml:"bind_password"`
	BindPasswordEnv string `yaml:"bind_password_env"`

	// BaseDN is where people are searched (the whole subtree).
	BaseDN string `yaml:"base_dn"`
	// UserFilter finds a person's entry; {username} is replaced by the
	// typed username, escaped (RFC 4515). Default (uid={username}); for
	// Active Directory (sAMAccountName={username}).
	UserFilter string `yaml:"user_filter"`
	// DisabledFilter, when set, marks entries that may not sign in: an
	// entry matching it is refused once its password verified. Active
	// Directory's disabled flag (userAccountControl) and OpenLDAP's
	// ppolicy lock (pwdAccountLockedTime) are always checked.
	DisabledFilter string `yaml:"disabled_filter"`

	// Attributes maps Lucid's attributes to the entry's.
	Attributes DirectoryAttributes `yaml:"attributes"`
	// Groups is where a person's groups come from.
	Groups DirectoryGroups `yaml:"groups"`
	// TrustEmail keeps the entry's mail as a verified address (an
	// administrator set it); otherwise an account made just in time has
	// no address.
	TrustEmail bool `yaml:"trust_email"`

	// Rules are the conditions for signing in (required_groups match the
	// directory's group names, before mapping), as for upstreams.
	Rules UpstreamRules `yaml:"rules"`
	// NoProvisioning refuses entries not yet linked to an account,
	// instead of creating the account just in time.
	NoProvisioning bool `yaml:"no_provisioning"`
	// GroupMapping maps directory group names to Lucid group names (the
	// groups claim), as for upstreams.
	GroupMapping map[string]string `yaml:"group_mapping"`

	// Timeout bounds connecting and each operation (default 5s).
	Timeout time.Duration `yaml:"timeout"`
	// MaxConnections bounds the sign-ins checked at this directory at
	// once, one connection each (default 16); beyond it, sign_in_busy.
	// A slow directory then holds these, never the password-hashing slots
	// local accounts use.
	MaxConnections int `yaml:"max_connections"`
}

// DirectoryAttributes names the entry's attributes Lucid reads.
type DirectoryAttributes struct {
	// Subject is the entry's stable identifier, which links it to its
	// account: entryUUID (OpenLDAP, the default), objectGUID (Active
	// Directory), or dn (breaks the link when the entry is renamed).
	Subject string `yaml:"subject"`
	// Username is the preferred username of an account made just in
	// time (default uid; sAMAccountName for Active Directory).
	Username string `yaml:"username"`
	// Email is the address (default mail).
	Email string `yaml:"email"`
	// Name is the display name (default cn; displayName for AD).
	Name string `yaml:"name"`
}

// DirectoryGroups is the group lookup: the entry's memberOf values, or a
// search for groups that list the entry.
type DirectoryGroups struct {
	// MemberOf is the entry's attribute listing its groups' DNs (default
	// memberOf); a group's name is the value of its DN's first part (the
	// cn). Ignored when BaseDN is set.
	MemberOf string `yaml:"member_of"`
	// BaseDN, when set, searches groups there instead of reading memberOf.
	BaseDN string `yaml:"base_dn"`
	// Filter finds the groups of an entry; {dn} is its DN and {username}
	// the typed name, both escaped. Default (member={dn}).
	Filter string `yaml:"filter"`
	// NameAttribute is the group's name (default cn).
	NameAttribute string `yaml:"name_attribute"`
}

// DefaultDirectoryTimeout bounds each directory operation;
// DefaultDirectoryConnections the sign-ins at one directory at once.
const (
	DefaultDirectoryTimeout     = 5 * time.Second
	DefaultDirectoryConnections = 16
)

// Resolved is the directory with its defaults filled in and the bind
// password read from its variable.
func (d Directory) Resolved() Directory {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&d.Name, d.ID)
	def(&d.Usernames, ".*")
	def(&d.UserFilter, "(uid={username})")
	def(&d.Attributes.Subject, "entryUUID")
	def(&d.Attributes.Username, "uid")
	def(&d.Attributes.Email, "mail")
	def(&d.Attributes.Name, "cn")
	def(&d.Groups.MemberOf, "memberOf")
	def(&d.Groups.Filter, "(member={dn})")
	def(&d.Groups.NameAttribute, "cn")
	if d.Timeout <= 0 {
		d.Timeout = DefaultDirectoryTimeout
	}
	if d.MaxConnections <= 0 {
		d.MaxConnections = DefaultDirectoryConnections
	}
	if d.BindPasswordEnv != "" && d.BindPassword == "" {
		d.BindPassword = os.Getenv(d.BindPasswordEnv)
	}
	return d
}

func (c *Config) checkDirectories() []error {
	var errs []error
	ids := map[string]bool{}
	for _, u := range c.Upstreams {
		ids[u.ID] = true
	}
	for i, raw := range c.Directories {
		bad := func(key, format string, a ...any) {
			errs = append(errs, fmt.Errorf("directories[%d].%s: "+format, append([]any{i, key}, a...)...))
		}
		if !upstreamID.MatchString(raw.ID) {
			bad("id", "%q: use 1 to 40 lower-case letters, digits and '-'", raw.ID)
		} else if ids[raw.ID] {
			bad("id", "%q is already the id of an upstream or another directory", raw.ID)
		}
		ids[raw.ID] = true
		d := raw.Resolved()
		if _, err := regexp.Compile(d.Usernames); err != nil {
			bad("usernames", "is not a regular expression: %v", err)
		}
		u, err := url.Parse(d.URL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "ldap" && u.Scheme != "ldaps"):
			bad("url", "%q: use ldap://host:port or ldaps://host:port", d.URL)
		case u.Scheme == "ldaps" && d.StartTLS:
			bad("start_tls", "is set with an ldaps:// URL, which is TLS already")
		case u.Scheme == "ldap" && !d.StartTLS && !d.AllowPlain:
			bad("url", "%q sends passwords in the clear; set start_tls, use ldaps://, or for development allow_plain", d.URL)
		}
		if d.CAFile != "" {
			if _, err := os.Stat(d.CAFile); err != nil {
				bad("ca_file", "%v", err)
			}
		}
		if d.BindDN == "" {
			bad("bind_dn", "is empty; Lucid searches as its own entry, never anonymously")
		}
		if d.BindPassword == "" {
			if raw.BindPasswordEnv != "" {
				bad("bind_password_env", "the variable %s is empty or not set", raw.BindPasswordEnv)
			} else {
				bad("bind_password", "is empty; set it or bind_password_env")
			}
		}
		if d.BaseDN == "" {
			bad("base_dn", "is empty")
		}
		if !strings.Contains(d.UserFilter, "{username}") || !strings.HasPrefix(d.UserFilter, "(") {
			bad("user_filter", "%q must be a parenthesised filter with {username}", d.UserFilter)
		}
		if d.DisabledFilter != "" && !strings.HasPrefix(d.DisabledFilter, "(") {
			bad("disabled_filter", "%q must be a parenthesised filter", d.DisabledFilter)
		}
		if d.Groups.BaseDN != "" && !strings.HasPrefix(d.Groups.Filter, "(") {
			bad("groups.filter", "%q must be a parenthesised filter", d.Groups.Filter)
		}
	}
	return errs
}
