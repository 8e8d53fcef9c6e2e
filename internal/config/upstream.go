package config

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
)

// Upstream is one identity provider people may sign in with instead of a
// Lucid password: a generic OpenID Connect provider (discovery, ID token)
// or a generic OAuth 2.0 provider (a user-info call and a claim mapping).
// A preset fills in the defaults of a well-known provider; everything it
// sets can be overridden. Set only in the YAML file (`upstreams:`).
type Upstream struct {
	// ID names the upstream in URLs (/upstream/{id}/callback), links and
	// the admin API; lower-case letters, digits and '-'.
	ID string `yaml:"id"`
	// Name is the button's label on the sign-in page.
	Name string `yaml:"name"`
	// Type is "oidc" or "oauth2"; a preset sets it.
	Type string `yaml:"type"`
	// Preset is github, google, entra or gitlab: a table of defaults
	// (presets), not a separate connector.
	Preset string `yaml:"preset"`
	// Disabled keeps the configuration but hides the upstream.
	Disabled bool `yaml:"disabled"`

	// Issuer is the OpenID provider's issuer (discovery is fetched from
	// it). For an OAuth 2.0 upstream it only names where subjects come
	// from (default: the authorization URL's origin).
	Issuer string `yaml:"issuer"`
	// AuthURL, TokenURL, UserInfoURL replace or complete discovery; an
	// OAuth 2.0 upstream needs all three.
	AuthURL     string `yaml:"auth_url"`
	TokenURL    string `yaml:"token_url"`
	UserInfoURL string `yaml:"userinfo_url"`
	// GroupsURLs are further JSON calls (an array each) whose elements
	// become groups through Format, e.g. "{organization.login}/{slug}".
	GroupsURLs []GroupsURL `yaml:"groups_urls"`

	// ClientID is Lucid's client id at the upstream.
	ClientID string `yaml:"client_id"`
	// ClientSecret, or ClientSecretEnv: the name of an environment
	// variable that holds it (keeps the secret out of the file).
	ClientSecret    string   `yaml:"client_secret"`
	ClientSecretEnv string   `yaml:"client_secret_env"`
	Scopes          []string `yaml:"scopes"`
	// AuthParams are added to the authorization request (Google's hd).
	AuthParams map[string]string `yaml:"auth_params"`

	// Claims map Lucid's attributes to paths in the upstream's claims
	// (ID token and user info merged), dotted for nested objects.
	Claims ClaimMap `yaml:"claims"`
	// Rules are the conditions an identity must meet to sign in.
	Rules UpstreamRules `yaml:"rules"`
	// NoProvisioning refuses identities not yet linked to an account,
	// instead of creating the account just in time.
	NoProvisioning bool `yaml:"no_provisioning"`
	// Domains route a login_hint (or a typed e-mail) with this domain
	// straight to this upstream.
	Domains []string `yaml:"domains"`
	// GroupMapping maps upstream group names to Lucid group names (the
	// groups claim); empty passes every group through unchanged, "*" maps
	// every unlisted group to itself.
	GroupMapping map[string]string `yaml:"group_mapping"`

	// Tenant (entra) and HostedDomain (google) are preset inputs.
	Tenant       string `yaml:"tenant"`
	HostedDomain string `yaml:"hosted_domain"`

	// AllowLocal also reaches the upstream over plain http and on
	// loopback or private addresses: development and tests only. Its key
	// set is fetched through key_fetch, which must allow local too.
	AllowLocal bool `yaml:"allow_local"`
}

// GroupsURL is one extra call whose array result lists groups.
type GroupsURL struct {
	// URL is called with the upstream's access token; it answers a JSON array.
	URL string `yaml:"url"`
	// Format makes a group name of each element, fields in braces.
	Format string `yaml:"format"`
}

// ClaimMap names where each attribute is found in the upstream's claims.
type ClaimMap struct {
	// Subject is the stable identifier of the person at the upstream.
	Subject string `yaml:"subject"`
	// Email is the person's address (kept only when verified).
	Email string `yaml:"email"`
	// EmailVerified says whether the upstream verified Email.
	EmailVerified string `yaml:"email_verified"`
	// Name is the display name.
	Name string `yaml:"name"`
	// Username is the preferred username of an account made just in time.
	Username string `yaml:"username"`
	// Groups is a list of group names, mapped by group_mapping.
	Groups string `yaml:"groups"`
}

// UpstreamRules are the conditions for signing in (and for just-in-time
// provisioning) through an upstream.
type UpstreamRules struct {
	// EmailDomains: the e-mail must be verified and in one of these.
	EmailDomains []string `yaml:"email_domains"`
	// RequiredGroups: at least one must be among the identity's groups
	// (before mapping); "org/*" matches any group under org/.
	RequiredGroups []string `yaml:"required_groups"`
	// RequiredClaims: each claim must have exactly this value.
	RequiredClaims map[string]string `yaml:"required_claims"`
}

// Upstream types.
const (
	UpstreamOIDC   = "oidc"
	UpstreamOAuth2 = "oauth2"
)

// upstreamPresets are the defaults of well-known providers: configuration
// over the two generic connectors. Fields an operator sets win.
var upstreamPresets = map[string]Upstream{
	"github": {
		Name: "GitHub", Type: UpstreamOAuth2, Issuer: "https://github.com",
		AuthURL: "https://github.com/login/oauth/authorize", TokenURL: "https://github.com/login/oauth/access_token",
		UserInfoURL: "https://api.github.com/user",
		GroupsURLs: []GroupsURL{
			{URL: "https://api.github.com/user/orgs", Format: "{login}"},
			{URL: "https://api.github.com/user/teams", Format: "{organization.login}/{slug}"},
		},
		Scopes: []string{"read:user", "user:email", "read:org"},
		Claims: ClaimMap{Subject: "id", Email: "email", Name: "name", Username: "login"},
	},
	"google": {
		Name: "Google", Type: UpstreamOIDC, Issuer: "https://accounts.google.com",
		Scopes: []string{"openid", "email", "profile"},
	},
	"entra": {
		Name: "Microsoft", Type: UpstreamOIDC,
		Scopes: []string{"openid", "email", "profile"},
		Claims: ClaimMap{Username: "preferred_username", Groups: "groups"},
	},
	"gitlab": {
		Name: "GitLab", Type: UpstreamOIDC, Issuer: "https://gitlab.com",
		Scopes: []string{"openid", "email", "profile"},
		Claims: ClaimMap{Username: "nickname", Groups: "groups_direct"},
	},
}

// UpstreamPresets names the presets, for documentation and errors.
func UpstreamPresets() []string {
	out := make([]string, 0, len(upstreamPresets))
	for k := range upstreamPresets {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var entraTenant = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Resolved is the upstream with its preset's defaults and the generic
// defaults filled in, and the client secret read from its variable.
func (u Upstream) Resolved() (Upstream, error) {
	if u.Preset != "" {
		p, ok := upstreamPresets[u.Preset]
		if !ok {
			return u, fmt.Errorf("preset %q is unknown; use one of %s", u.Preset, strings.Join(UpstreamPresets(), ", "))
		}
		switch u.Preset {
		case "entra":
			// One tenant only: its v2 endpoints, and its tid required, so
			// that an account of another tenant is never accepted.
			if !entraTenant.MatchString(u.Tenant) {
				return u, fmt.Errorf("tenant %q: the entra preset needs the directory (tenant) id, a GUID", u.Tenant)
			}
			p.Issuer = "https://login.microsoftonline.com/" + strings.ToLower(u.Tenant) + "/v2.0"
			p.Rules.RequiredClaims = map[string]string{"tid": strings.ToLower(u.Tenant)}
		case "google":
			if u.HostedDomain != "" {
				// hd in the request only chooses the account; the hd
				// claim of the ID token is what is checked.
				p.AuthParams = map[string]string{"hd": u.HostedDomain}
				p.Rules.RequiredClaims = map[string]string{"hd": u.HostedDomain}
			}
		}
		u = mergeUpstream(p, u)
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&u.Name, u.ID)
	def(&u.Claims.Subject, "sub")
	def(&u.Claims.Email, "email")
	def(&u.Claims.EmailVerified, "email_verified")
	def(&u.Claims.Name, "name")
	def(&u.Claims.Username, "preferred_username")
	def(&u.Claims.Groups, "groups")
	if u.Type == UpstreamOIDC && len(u.Scopes) == 0 {
		u.Scopes = []string{"openid", "email", "profile"}
	}
	if u.Type == UpstreamOAuth2 && u.Issuer == "" {
		if a, err := url.Parse(u.AuthURL); err == nil && a.Host != "" {
			u.Issuer = a.Scheme + "://" + a.Host
		}
	}
	if u.ClientSecretEnv != "" && u.ClientSecret == "" {
		u.ClientSecret = os.Getenv(u.ClientSecretEnv)
	}
	return u, nil
}

// mergeUpstream is the preset p overridden by what the operator set in u.
func mergeUpstream(p, u Upstream) Upstream {
	str := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	out := p
	out.ID, out.Preset, out.Disabled, out.AllowLocal = u.ID, u.Preset, u.Disabled, u.AllowLocal
	out.Tenant, out.HostedDomain, out.NoProvisioning = u.Tenant, u.HostedDomain, u.NoProvisioning
	out.ClientID, out.ClientSecret, out.ClientSecretEnv = u.ClientID, u.ClientSecret, u.ClientSecretEnv
	for _, f := range []struct {
		dst *string
		v   string
	}{
		{&out.Name, u.Name}, {&out.Type, u.Type}, {&out.Issuer, u.Issuer}, {&out.AuthURL, u.AuthURL},
		{&out.TokenURL, u.TokenURL}, {&out.UserInfoURL, u.UserInfoURL},
		{&out.Claims.Subject, u.Claims.Subject}, {&out.Claims.Email, u.Claims.Email},
		{&out.Claims.EmailVerified, u.Claims.EmailVerified}, {&out.Claims.Name, u.Claims.Name},
		{&out.Claims.Username, u.Claims.Username}, {&out.Claims.Groups, u.Claims.Groups},
	} {
		str(f.dst, f.v)
	}
	if len(u.Scopes) > 0 {
		out.Scopes = u.Scopes
	}
	if len(u.GroupsURLs) > 0 {
		out.GroupsURLs = u.GroupsURLs
	}
	if len(u.Domains) > 0 {
		out.Domains = u.Domains
	}
	if len(u.GroupMapping) > 0 {
		out.GroupMapping = u.GroupMapping
	}
	out.AuthParams = mergeMap(p.AuthParams, u.AuthParams)
	out.Rules.RequiredClaims = mergeMap(p.Rules.RequiredClaims, u.Rules.RequiredClaims)
	if len(u.Rules.EmailDomains) > 0 {
		out.Rules.EmailDomains = u.Rules.EmailDomains
	}
	if len(u.Rules.RequiredGroups) > 0 {
		out.Rules.RequiredGroups = u.Rules.RequiredGroups
	}
	return out
}

func mergeMap(a, b map[string]string) map[string]string {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

var upstreamID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

func (c *Config) checkUpstreams() []error {
	var errs []error
	ids, domains := map[string]bool{}, map[string]string{}
	for i, raw := range c.Upstreams {
		bad := func(key, format string, a ...any) {
			errs = append(errs, fmt.Errorf("upstreams[%d].%s: "+format, append([]any{i, key}, a...)...))
		}
		if !upstreamID.MatchString(raw.ID) {
			bad("id", "%q: use 1 to 40 lower-case letters, digits and '-'", raw.ID)
		} else if ids[raw.ID] {
			bad("id", "%q is listed twice", raw.ID)
		}
		ids[raw.ID] = true
		u, err := raw.Resolved()
		if err != nil {
			bad("preset", "%v", err)
			continue
		}
		if raw.ClientSecretEnv != "" && raw.ClientSecret == "" && u.ClientSecret == "" {
			bad("client_secret_env", "the variable %s is empty or not set", raw.ClientSecretEnv)
		}
		if u.ClientID == "" {
			bad("client_id", "is empty; register Lucid at the upstream and copy its client id")
		}
		checkURL := func(key, v string, required bool) {
			if v == "" {
				if required {
					bad(key, "is empty")
				}
				return
			}
			p, err := url.Parse(v)
			if err != nil || p.Host == "" || (p.Scheme != "https" && p.Scheme != "http") {
				bad(key, "%q is not an absolute http(s) URL", v)
				return
			}
			if !u.AllowLocal && localFetchURL(v) {
				bad(key, "%q is plain http or names a local address; for development set allow_local on this upstream", v)
			}
		}
		switch u.Type {
		case UpstreamOIDC:
			checkURL("issuer", u.Issuer, true)
			if u.AllowLocal && !c.KeyFetch.AllowLocal {
				bad("allow_local", "an OpenID Connect upstream's keys are fetched through key_fetch; set key_fetch.allow_local as well")
			}
		case UpstreamOAuth2:
			checkURL("auth_url", u.AuthURL, true)
			checkURL("token_url", u.TokenURL, true)
			checkURL("userinfo_url", u.UserInfoURL, true)
		default:
			bad("type", "%q: use oidc or oauth2 (or a preset)", u.Type)
		}
		for j, g := range u.GroupsURLs {
			checkURL(fmt.Sprintf("groups_urls[%d].url", j), g.URL, true)
		}
		for _, d := range u.Domains {
			d = strings.ToLower(d)
			if d == "" || strings.ContainsAny(d, "@/ ") {
				bad("domains", "%q is not a domain name", d)
			} else if other, ok := domains[d]; ok {
				bad("domains", "%q is already routed to upstream %q", d, other)
			}
			domains[d] = raw.ID
		}
	}
	return errs
}
