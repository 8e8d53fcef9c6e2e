package manage

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/password"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/store/sqlite"
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func newService(t *testing.T) (*Service, *clock) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lucid.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	sk, err := secret.Derive([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	return &Service{
		Store: st, Secrets: sk, Now: clk.Now,
		HashPassword: func(pw string) (string, error) { return password.HashWith(password.TestParams(), pw) },
	}, clk
}

// wantCatalog checks err is the named catalog entry, with the given public
// values.
func wantCatalog(t *testing.T, err error, name catalog.Name, kv ...string) {
	t.Helper()
	var ce *catalog.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want catalog entry %s", err, name)
	}
	if ce.Name() != name {
		t.Fatalf("err = %v, want catalog entry %s", err, name)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if got := ce.Value(kv[i]); !strings.Contains(got, kv[i+1]) {
			t.Errorf("%s = %q, want it to contain %q (err %v)", kv[i], got, kv[i+1], err)
		}
	}
}

func TestCheckRedirectURI(t *testing.T) {
	tests := []struct {
		uri     string
		wantErr string
	}{
		{uri: "https://app.example.com/cb"},
		{uri: "https://app.example.com:8443/cb?x=1"},
		{uri: "http://127.0.0.1/cb"},
		{uri: "http://127.0.0.1:49152/cb"},
		{uri: "http://[::1]:8080/cb"},
		{uri: "http://localhost:3000/cb"},
		{uri: "com.example.app:/oauth2redirect"},
		{uri: "com.example.app://callback"},
		{uri: "", wantErr: "empty"},
		{uri: "/cb", wantErr: "not absolute"},
		{uri: "app.example.com/cb", wantErr: "not absolute"},
		{uri: "https://app.example.com/cb#frag", wantErr: "fragment"},
		{uri: "https://app.example.com/cb#", wantErr: "fragment"},
		{uri: "https://*.example.com/cb", wantErr: "wildcard"},
		{uri: "https://app.example.com/*", wantErr: "wildcard"},
		{uri: "http://app.example.com/cb", wantErr: "not loopback"},
		{uri: "http://10.0.0.1/cb", wantErr: "not loopback"},
		{uri: "myapp:/cb", wantErr: "private-use scheme"},
		{uri: "javascript:alert(1)", wantErr: "scheme javascript"},
		{uri: "https:///cb", wantErr: "no host"},
		{uri: "https://user:pw@app.example.com/cb", wantErr: "user information"},
		{uri: "https://app.example.com/c b", wantErr: "whitespace"},
		{uri: "https://app.example.com/" + strings.Repeat("a", 2000), wantErr: "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.uri[:min(len(tt.uri), 60)], func(t *testing.T) {
			err := CheckRedirectURI(tt.uri)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckRedirectURI(%q) = %v", tt.uri, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("CheckRedirectURI(%q) = %v, want %q", tt.uri, err, tt.wantErr)
			}
		})
	}
}

const jwksRSA = `{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"}]}`

const ecKey = `{"kty":"EC","kid":"e1","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`

const jwksEC = `{"keys":[` + ecKey + `]}`

func TestCreateClient(t *testing.T) {
	yes, no := true, false
	past := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		spec  ClientSpec
		check func(t *testing.T, c *store.Client, plain string)
		want  catalog.Name
		kv    []string
	}{
		{name: "defaults", spec: ClientSpec{Name: "Notes", RedirectURIs: []string{"https://notes.example.com/cb"}},
			check: func(t *testing.T, c *store.Client, plain string) {
				if c.TokenEndpointAuthMethod != store.AuthSecretBasic || !c.RequirePKCE || c.IDTokenAlg != "RS256" {
					t.Errorf("defaults not applied: %+v", c)
				}
				if !slices.Equal(c.GrantTypes, []string{"authorization_code", "refresh_token"}) || !slices.Equal(c.ResponseTypes, []string{"code"}) {
					t.Errorf("grant/response types %v %v", c.GrantTypes, c.ResponseTypes)
				}
				if !slices.Equal(c.Scopes, DefaultScopes()) {
					t.Errorf("scopes %v", c.Scopes)
				}
				if len(c.ID) < 16 {
					t.Errorf("generated id %q is short", c.ID)
				}
				if len(plain) != 43 { // 32 bytes, unpadded base64url
					t.Errorf("secret %q is not 256 bits of base64url", plain)
				}
				if len(c.Secrets) != 1 || c.Secrets[0].Hash == plain || c.Secrets[0].ID == "" {
					t.Fatalf("secrets %+v", c.Secrets)
				}
			}},
		{name: "public forces pkce", spec: ClientSpec{Name: "SPA", AuthMethod: store.AuthNone, RedirectURIs: []string{"http://127.0.0.1:5173/cb"}},
			check: func(t *testing.T, c *store.Client, plain string) {
				if plain != "" || len(c.Secrets) != 0 || !c.RequirePKCE || !c.Public() {
					t.Errorf("public client: plain %q, %+v", plain, c)
				}
			}},
		{name: "public refuses explicit no pkce", spec: ClientSpec{Name: "SPA", AuthMethod: store.AuthNone, RequirePKCE: &no, RedirectURIs: []string{"http://127.0.0.1/cb"}},
			want: catalog.AdminInvalid, kv: []string{"field", "require_pkce"}},
		{name: "confidential may skip pkce", spec: ClientSpec{Name: "Legacy", RequirePKCE: &no, RedirectURIs: []string{"https://l.example.com/cb"}},
			check: func(t *testing.T, c *store.Client, _ string) {
				if c.RequirePKCE {
					t.Error("RequirePKCE stayed true")
				}
			}},
		{name: "chosen id and secret", spec: ClientSpec{ID: "notes-app", Name: "Notes", Secret: strings.Repeat("s", 32), RedirectURIs: []string{"https://n.example.com/cb"}},
			check: func(t *testing.T, c *store.Client, plain string) {
				if c.ID != "notes-app" || plain != strings.Repeat("s", 32) {
					t.Errorf("id %q secret %q", c.ID, plain)
				}
			}},
		{name: "short chosen secret", spec: ClientSpec{Name: "N", Secret: "short", RedirectURIs: []string{"https://n.example.com/cb"}},
			want: catalog.AdminInvalid, kv: []string{"field", "client_secret", "reason", "5 bytes"}},
		{name: "secret for public client", spec: ClientSpec{Name: "N", AuthMethod: store.AuthNone, Secret: strings.Repeat("s", 40), RedirectURIs: []string{"http://127.0.0.1/cb"}},
			want: catalog.AdminInvalid, kv: []string{"field", "client_secret"}},
		{name: "secret expiry in the past", spec: ClientSpec{Name: "N", SecretExpiresAt: &past, RedirectURIs: []string{"https://n.example.com/cb"}},
			want: catalog.AdminInvalid, kv: []string{"field", "client_secret_expires_at"}},
		{name: "bad id", spec: ClientSpec{ID: "a:b", Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}},
			want: catalog.AdminInvalid, kv: []string{"field", "client_id"}},
		{name: "no name", spec: ClientSpec{RedirectURIs: []string{"https://n.example.com/cb"}},
			want: catalog.AdminInvalid, kv: []string{"field", "name"}},
		{name: "no redirect", spec: ClientSpec{Name: "N"},
			want: catalog.AdminInvalid, kv: []string{"field", "redirect_uris", "reason", "at least one"}},
		{name: "fragment redirect", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb#x"}},
			want: catalog.AdminInvalid, kv: []string{"field", "redirect_uris", "reason", "fragment"}},
		{name: "bad post-logout", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, PostLogoutRedirectURIs: []string{"http://evil.example.com/"}},
			want: catalog.AdminInvalid, kv: []string{"field", "post_logout_redirect_uris"}},
		{name: "duplicate redirects collapse", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb", "https://n.example.com/cb"}},
			check: func(t *testing.T, c *store.Client, _ string) {
				if len(c.RedirectURIs) != 1 {
					t.Errorf("redirects %v", c.RedirectURIs)
				}
			}},
		{name: "malformed scope", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, Scopes: []string{"openid", `a"dmin`}},
			want: catalog.AdminInvalid, kv: []string{"field", "scopes", "reason", "not a scope token"}},
		{name: "client_credentials for a public client", spec: ClientSpec{Name: "N", AuthMethod: store.AuthNone, GrantTypes: []string{"client_credentials"}},
			want: catalog.AdminInvalid, kv: []string{"field", "grant_types", "reason", "confidential"}},
		{name: "audience with a fragment", spec: ClientSpec{Name: "N", GrantTypes: []string{"client_credentials"}, Audiences: []string{"https://api.example.com#x"}},
			want: catalog.AdminInvalid, kv: []string{"field", "audiences"}},
		{name: "relative audience", spec: ClientSpec{Name: "N", GrantTypes: []string{"client_credentials"}, Audiences: []string{"orders"}},
			want: catalog.AdminInvalid, kv: []string{"field", "audiences"}},
		{name: "unknown token format", spec: ClientSpec{Name: "N", GrantTypes: []string{"client_credentials"}, AccessTokenFormat: "paseto"},
			want: catalog.AdminInvalid, kv: []string{"field", "access_token_format"}},
		{name: "unknown grant", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, GrantTypes: []string{"password"}},
			want: catalog.AdminInvalid, kv: []string{"field", "grant_types", "reason", "password"}},
		{name: "refresh only", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, GrantTypes: []string{"refresh_token"}},
			want: catalog.AdminInvalid, kv: []string{"field", "grant_types", "reason", "authorization_code"}},
		{name: "always refresh without the grant", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, GrantTypes: []string{"authorization_code"}, AlwaysRefresh: true},
			want: catalog.AdminInvalid, kv: []string{"field", "always_issue_refresh_token"}},
		{name: "unknown alg", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, IDTokenAlg: "HS256"},
			want: catalog.AdminInvalid, kv: []string{"field", "id_token_signed_response_alg"}},
		{name: "unknown method", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, AuthMethod: "client_secret_magic"},
			want: catalog.AdminInvalid, kv: []string{"field", "token_endpoint_auth_method"}},
		{name: "tls_client_auth without a name", spec: ClientSpec{Name: "N", GrantTypes: []string{"client_credentials"}, AuthMethod: store.AuthTLSClient},
			want: catalog.AdminInvalid, kv: []string{"field", "tls_client_auth"}},
		{name: "tls_client_auth with two names", spec: ClientSpec{Name: "N", GrantTypes: []string{"client_credentials"}, AuthMethod: store.AuthTLSClient,
			CertIdentity: &store.CertIdentity{SANDNS: "a.example.com", SANEmail: "a@example.com"}},
			want: catalog.AdminInvalid, kv: []string{"field", "tls_client_auth"}},
		{name: "tls_client_auth bad ip", spec: ClientSpec{Name: "N", GrantTypes: []string{"client_credentials"}, AuthMethod: store.AuthTLSClient,
			CertIdentity: &store.CertIdentity{SANIP: "10.0.0"}},
			want: catalog.AdminInvalid, kv: []string{"field", "tls_client_auth_san_ip"}},
		{name: "subject for a secret client", spec: ClientSpec{Name: "N", GrantTypes: []string{"client_credentials"},
			CertIdentity: &store.CertIdentity{SubjectDN: "CN=a"}},
			want: catalog.AdminInvalid, kv: []string{"field", "tls_client_auth"}},
		{name: "self-signed without keys", spec: ClientSpec{Name: "N", GrantTypes: []string{"client_credentials"}, AuthMethod: store.AuthSelfSignedTLS},
			want: catalog.AdminInvalid, kv: []string{"field", "jwks"}},
		{name: "tls_client_auth with a subject", spec: ClientSpec{Name: "N", GrantTypes: []string{"client_credentials"}, AuthMethod: store.AuthTLSClient,
			CertIdentity: &store.CertIdentity{SubjectDN: "CN=svc,O=Example"}, CertBoundTokens: true},
			check: func(t *testing.T, c *store.Client, plain string) {
				if plain != "" || len(c.Secrets) != 0 || c.CertIdentity == nil || c.CertIdentity.SubjectDN != "CN=svc,O=Example" || !c.CertBoundTokens {
					t.Errorf("got %+v, secret %q", c, plain)
				}
			}},
		{name: "private_key_jwt with jwks", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, AuthMethod: store.AuthPrivateKeyJWT, JWKS: jwksRSA, IDTokenAlg: "ES256", RequirePKCE: &yes},
			check: func(t *testing.T, c *store.Client, plain string) {
				if plain != "" || len(c.Secrets) != 0 || c.JWKS == "" {
					t.Errorf("private_key_jwt client: %q %+v", plain, c)
				}
			}},
		{name: "private_key_jwt with jwks_uri", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, AuthMethod: store.AuthPrivateKeyJWT, JWKSURI: "https://n.example.com/jwks.json"}},
		{name: "private_key_jwt without keys", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, AuthMethod: store.AuthPrivateKeyJWT},
			want: catalog.AdminInvalid, kv: []string{"field", "jwks"}},
		{name: "jwks with private key", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, AuthMethod: store.AuthPrivateKeyJWT,
			JWKS: `{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}]}`},
			want: catalog.AdminInvalid, kv: []string{"field", "jwks", "reason", "private"}},
		{name: "jwks duplicate kid", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, AuthMethod: store.AuthPrivateKeyJWT,
			JWKS: `{"keys":[` + ecKey + `,` + ecKey + `]}`},
			want: catalog.AdminInvalid, kv: []string{"field", "jwks", "reason", "kid"}},
		{name: "jwks on a secret client", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, JWKS: jwksRSA},
			want: catalog.AdminInvalid, kv: []string{"field", "jwks"}},
		{name: "http jwks_uri", spec: ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}, AuthMethod: store.AuthPrivateKeyJWT, JWKSURI: "http://n.example.com/jwks"},
			want: catalog.AdminInvalid, kv: []string{"field", "jwks_uri"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _ := newService(t)
			ctx := context.Background()
			c, plain, err := svc.CreateClient(ctx, tt.spec)
			if tt.want != "" {
				wantCatalog(t, err, tt.want, tt.kv...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stored, err := svc.GetClient(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if plain != "" && !svc.Secrets.SecretMatches(plain, stored.Secrets[0].Hash) {
				t.Error("the stored hash does not match the returned secret")
			}
			if tt.check != nil {
				tt.check(t, stored, plain)
			}
		})
	}
}

func TestClientConflictAndNotFound(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	spec := ClientSpec{ID: "notes", Name: "Notes", RedirectURIs: []string{"https://n.example.com/cb"}}
	if _, _, err := svc.CreateClient(ctx, spec); err != nil {
		t.Fatal(err)
	}
	_, _, err := svc.CreateClient(ctx, spec)
	wantCatalog(t, err, catalog.AdminConflict, "kind", "client", "value", "notes")

	_, err = svc.GetClient(ctx, "nope")
	wantCatalog(t, err, catalog.AdminNotFound, "kind", "client", "id", "nope")
	wantCatalog(t, svc.DeleteClient(ctx, "nope"), catalog.AdminNotFound, "id", "nope")
	name := "x"
	_, err = svc.UpdateClient(ctx, "nope", ClientPatch{Name: &name})
	wantCatalog(t, err, catalog.AdminNotFound, "id", "nope")

	if err := svc.DeleteClient(ctx, "notes"); err != nil {
		t.Fatal(err)
	}
	cs, err := svc.ListClients(ctx)
	if err != nil || len(cs) != 0 {
		t.Fatalf("after delete: %d clients, %v", len(cs), err)
	}
}

func TestCreateClientWithoutMasterKey(t *testing.T) {
	svc, _ := newService(t)
	svc.Secrets = nil
	_, _, err := svc.CreateClient(context.Background(), ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}})
	if !errors.Is(err, ErrNoSecrets) {
		t.Fatalf("err = %v, want ErrNoSecrets", err)
	}
	// A public client needs no secret, so no master key either.
	if _, _, err := svc.CreateClient(context.Background(), ClientSpec{Name: "P", AuthMethod: store.AuthNone, RedirectURIs: []string{"http://127.0.0.1/cb"}}); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateClient(t *testing.T) {
	ptr := func(s string) *string { return &s }
	list := func(s ...string) *[]string { return &s }
	yes, no := true, false
	tests := []struct {
		name  string
		patch ClientPatch
		check func(t *testing.T, before, after *store.Client)
		want  catalog.Name
		kv    []string
	}{
		{name: "rename keeps the rest", patch: ClientPatch{Name: ptr("Notes 2")}, check: func(t *testing.T, b, a *store.Client) {
			if a.Name != "Notes 2" || !slices.Equal(a.RedirectURIs, b.RedirectURIs) || len(a.Secrets) != 1 || !a.UpdatedAt.After(b.UpdatedAt) {
				t.Errorf("after %+v", a)
			}
		}},
		{name: "replace redirects", patch: ClientPatch{RedirectURIs: list("https://n.example.com/a", "https://n.example.com/b")}, check: func(t *testing.T, _, a *store.Client) {
			if len(a.RedirectURIs) != 2 {
				t.Errorf("redirects %v", a.RedirectURIs)
			}
		}},
		{name: "invalid redirect refused", patch: ClientPatch{RedirectURIs: list("http://evil.example.com/cb")}, want: catalog.AdminInvalid, kv: []string{"field", "redirect_uris"}},
		{name: "empty redirects refused", patch: ClientPatch{RedirectURIs: list()}, want: catalog.AdminInvalid, kv: []string{"field", "redirect_uris"}},
		{name: "to public drops secrets and forces pkce", patch: ClientPatch{AuthMethod: ptr(store.AuthNone)}, check: func(t *testing.T, _, a *store.Client) {
			if len(a.Secrets) != 0 || !a.RequirePKCE || !a.Public() {
				t.Errorf("after %+v", a)
			}
		}},
		{name: "to public without pkce refused", patch: ClientPatch{AuthMethod: ptr(store.AuthNone), RequirePKCE: &no}, want: catalog.AdminInvalid, kv: []string{"field", "require_pkce"}},
		{name: "to private_key_jwt needs keys", patch: ClientPatch{AuthMethod: ptr(store.AuthPrivateKeyJWT)}, want: catalog.AdminInvalid, kv: []string{"field", "jwks"}},
		{name: "to private_key_jwt", patch: ClientPatch{AuthMethod: ptr(store.AuthPrivateKeyJWT), JWKS: ptr(jwksEC)}, check: func(t *testing.T, _, a *store.Client) {
			if a.JWKS == "" || len(a.Secrets) != 0 {
				t.Errorf("after %+v", a)
			}
		}},
		{name: "disable", patch: ClientPatch{Disabled: &yes}, check: func(t *testing.T, _, a *store.Client) {
			if !a.Disabled {
				t.Error("not disabled")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, clk := newService(t)
			ctx := context.Background()
			before, _, err := svc.CreateClient(ctx, ClientSpec{Name: "Notes", RedirectURIs: []string{"https://n.example.com/cb"}})
			if err != nil {
				t.Fatal(err)
			}
			clk.t = clk.t.Add(time.Minute)
			after, err := svc.UpdateClient(ctx, before.ID, tt.patch)
			if tt.want != "" {
				wantCatalog(t, err, tt.want, tt.kv...)
				stored, _ := svc.GetClient(ctx, before.ID)
				if stored.Name != before.Name || !slices.Equal(stored.RedirectURIs, before.RedirectURIs) || len(stored.Secrets) != 1 {
					t.Errorf("a refused update changed the client: %+v", stored)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stored, err := svc.GetClient(ctx, before.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Name != after.Name || stored.TokenEndpointAuthMethod != after.TokenEndpointAuthMethod {
				t.Errorf("returned %+v, stored %+v", after, stored)
			}
			tt.check(t, before, stored)
		})
	}
}

func TestClientSecrets(t *testing.T) {
	svc, clk := newService(t)
	ctx := context.Background()
	c, first, err := svc.CreateClient(ctx, ClientSpec{ID: "notes", Name: "Notes", RedirectURIs: []string{"https://n.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	firstID := c.Secrets[0].ID

	past := clk.t.Add(-time.Hour)
	_, _, err = svc.AddClientSecret(ctx, "notes", &past)
	wantCatalog(t, err, catalog.AdminInvalid, "field", "expires_at")

	secondID, second, err := svc.AddClientSecret(ctx, "notes", nil)
	if err != nil {
		t.Fatal(err)
	}
	if second == first || secondID == firstID || len(second) != 43 {
		t.Fatalf("second secret %q (%s)", second, secondID)
	}
	// A third is refused: at most two at a time.
	_, _, err = svc.AddClientSecret(ctx, "notes", nil)
	wantCatalog(t, err, catalog.AdminInvalid, "field", "secrets", "reason", "already has 2 secrets")

	stored, _ := svc.GetClient(ctx, "notes")
	for _, p := range []struct {
		plain string
		id    string
	}{{first, firstID}, {second, secondID}} {
		i := slices.IndexFunc(stored.Secrets, func(s store.ClientSecret) bool { return s.ID == p.id })
		if i < 0 || !svc.Secrets.SecretMatches(p.plain, stored.Secrets[i].Hash) {
			t.Errorf("secret %s missing or not matching", p.id)
		}
	}

	wantCatalog(t, svc.RemoveClientSecret(ctx, "notes", "nope"), catalog.AdminNotFound, "id", "nope")
	if err := svc.RemoveClientSecret(ctx, "notes", firstID); err != nil {
		t.Fatal(err)
	}
	// The last secret stays: a confidential client without one is dead.
	wantCatalog(t, svc.RemoveClientSecret(ctx, "notes", secondID), catalog.AdminInvalid, "field", "secret_id")

	// An expired secret does not count toward the limit and is dropped.
	soon := clk.t.Add(time.Hour)
	expID, _, err := svc.AddClientSecret(ctx, "notes", &soon)
	if err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(2 * time.Hour)
	thirdID, _, err := svc.AddClientSecret(ctx, "notes", nil)
	if err != nil {
		t.Fatalf("adding after expiry: %v", err)
	}
	stored, _ = svc.GetClient(ctx, "notes")
	ids := []string{}
	for _, s := range stored.Secrets {
		ids = append(ids, s.ID)
	}
	if slices.Contains(ids, expID) || !slices.Contains(ids, secondID) || !slices.Contains(ids, thirdID) {
		t.Errorf("secrets after expiry %v", ids)
	}

	pub, _, err := svc.CreateClient(ctx, ClientSpec{Name: "SPA", AuthMethod: store.AuthNone, RedirectURIs: []string{"http://127.0.0.1/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = svc.AddClientSecret(ctx, pub.ID, nil)
	wantCatalog(t, err, catalog.AdminInvalid, "field", "token_endpoint_auth_method")
}

func TestRotateClientSecret(t *testing.T) {
	tests := []struct {
		name      string
		grace     time.Duration
		wantOld   bool // the newest old secret survives
		wantCount int
	}{
		{name: "immediate", grace: 0, wantOld: false, wantCount: 1},
		{name: "with grace", grace: 24 * time.Hour, wantOld: true, wantCount: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, clk := newService(t)
			ctx := context.Background()
			c, _, err := svc.CreateClient(ctx, ClientSpec{ID: "notes", Name: "Notes", RedirectURIs: []string{"https://n.example.com/cb"}})
			if err != nil {
				t.Fatal(err)
			}
			clk.t = clk.t.Add(time.Minute)
			second, _, err := svc.AddClientSecret(ctx, "notes", nil)
			if err != nil {
				t.Fatal(err)
			}
			clk.t = clk.t.Add(time.Minute)
			newID, plain, err := svc.RotateClientSecret(ctx, "notes", tt.grace, nil)
			if err != nil {
				t.Fatal(err)
			}
			stored, _ := svc.GetClient(ctx, "notes")
			if len(stored.Secrets) != tt.wantCount {
				t.Fatalf("%d secrets after rotation, want %d", len(stored.Secrets), tt.wantCount)
			}
			for _, s := range stored.Secrets {
				switch s.ID {
				case newID:
					if !svc.Secrets.SecretMatches(plain, s.Hash) || s.ExpiresAt != nil {
						t.Error("new secret wrong")
					}
				case second:
					if !tt.wantOld || s.ExpiresAt == nil || !s.ExpiresAt.Equal(clk.t.Add(tt.grace)) {
						t.Errorf("old secret kept: %+v", s)
					}
				case c.Secrets[0].ID:
					t.Error("the oldest secret survived the rotation")
				}
			}
		})
	}
}

func TestUsers(t *testing.T) {
	svc, clk := newService(t)
	ctx := context.Background()
	alice, err := svc.CreateUser(ctx, UserSpec{Username: "alice", Email: "alice@example.com", EmailVerified: true, Name: "Alice", Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := password.Verify(alice.PasswordHash, "correct horse"); !ok || err != nil {
		t.Fatalf("stored hash does not verify: %v", err)
	}

	bad := []struct {
		name string
		spec UserSpec
		want catalog.Name
		kv   []string
	}{
		{"short password", UserSpec{Username: "bob", Password: "1234567"}, catalog.PasswordTooShort, []string{"length", "7", "min", "12"}},
		{"common password", UserSpec{Username: "bob", Password: "contortionist"}, catalog.PasswordCommon, nil},
		{"password is the username", UserSpec{Username: "bob-the-builder", Password: "Bob-The-Builder"}, catalog.PasswordMatchesAccount, []string{"field", "username"}},
		{"no username", UserSpec{Password: "violet tulip harbor"}, catalog.AdminInvalid, []string{"field", "username"}},
		{"username with @", UserSpec{Username: "bob@example.com", Password: "violet tulip harbor"}, catalog.AdminInvalid, []string{"field", "username", "reason", "@"}},
		{"username with space", UserSpec{Username: "bob smith", Password: "violet tulip harbor"}, catalog.AdminInvalid, []string{"field", "username"}},
		{"bad email", UserSpec{Username: "bob", Email: "bob at example", Password: "violet tulip harbor"}, catalog.AdminInvalid, []string{"field", "email"}},
		{"verified without email", UserSpec{Username: "bob", EmailVerified: true, Password: "violet tulip harbor"}, catalog.AdminInvalid, []string{"field", "email_verified"}},
		{"duplicate username", UserSpec{Username: "alice", Password: "violet tulip harbor"}, catalog.AdminConflict, []string{"field", "username"}},
		{"duplicate username other case", UserSpec{Username: "ALICE", Password: "violet tulip harbor"}, catalog.AdminConflict, []string{"field", "username"}},
		{"duplicate email", UserSpec{Username: "alice2", Email: "alice@example.com", Password: "violet tulip harbor"}, catalog.AdminConflict, []string{"field", "email"}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.CreateUser(ctx, tt.spec)
			wantCatalog(t, err, tt.want, tt.kv...)
			if strings.Contains(err.Error(), tt.spec.Password) {
				t.Errorf("error repeats the password: %v", err)
			}
		})
	}

	for _, key := range []string{alice.ID, "alice", "alice@example.com"} {
		u, err := svc.GetUser(ctx, key)
		if err != nil || u.ID != alice.ID {
			t.Errorf("GetUser(%q) = %v, %v", key, u, err)
		}
	}
	_, err = svc.GetUser(ctx, "nobody")
	wantCatalog(t, err, catalog.AdminNotFound, "kind", "user", "id", "nobody")

	// A lockout is lifted by a new password.
	if _, err := svc.Store.UpdateUser(ctx, alice.ID, func(u *store.User) error {
		u.FailedLogins, u.LockedUntil = 7, clk.t.Add(time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantCatalog(t, svc.SetPassword(ctx, "alice", "short"), catalog.PasswordTooShort, "length", "5")
	wantCatalog(t, svc.SetPassword(ctx, "alice", "Alice@Example.com"), catalog.PasswordMatchesAccount, "field", "e-mail address")
	if err := svc.SetPassword(ctx, "alice", "battery staple"); err != nil {
		t.Fatal(err)
	}
	u, _ := svc.GetUser(ctx, "alice")
	if ok, _ := password.Verify(u.PasswordHash, "battery staple"); !ok || u.FailedLogins != 0 || !u.LockedUntil.IsZero() {
		t.Errorf("after SetPassword: verify %v, failed %d, locked %v", ok, u.FailedLogins, u.LockedUntil)
	}

	if u, err = svc.SetDisabled(ctx, "alice", true); err != nil || !u.Disabled {
		t.Fatalf("disable: %v %v", u, err)
	}
	if u, err = svc.SetDisabled(ctx, "alice", false); err != nil || u.Disabled {
		t.Fatalf("enable: %v %v", u, err)
	}

	// Changing the email resets its verification unless told otherwise.
	mail := "alice@new.example.com"
	if u, err = svc.UpdateUser(ctx, "alice", UserPatch{Email: &mail}); err != nil || u.Email != mail || u.EmailVerified {
		t.Fatalf("update email: %+v %v", u, err)
	}
	bob, err := svc.CreateUser(ctx, UserSpec{Username: "bob", Email: "bob@example.com", Password: "violet tulip harbor"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.UpdateUser(ctx, "bob", UserPatch{Email: &mail})
	wantCatalog(t, err, catalog.AdminConflict, "field", "email")

	// Delete revokes the user's token families.
	fam := &store.TokenFamily{ID: "fam1", ClientID: "c", UserID: bob.ID, Scopes: []string{"openid"}, AuthTime: clk.t, CreatedAt: clk.t}
	if err := svc.Store.CreateAuthCode(ctx, &store.AuthCode{Hash: secret.Hash("code"), ClientID: "c", UserID: bob.ID, RedirectURI: "https://x/cb", Scopes: []string{"openid"}, AuthTime: clk.t, CreatedAt: clk.t, ExpiresAt: clk.t.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Store.RedeemAuthCode(ctx, secret.Hash("code"), fam, store.Issued{}, clk.t); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteUser(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if f, err := svc.Store.GetTokenFamily(ctx, "fam1"); err == nil && (f.RevokedAt == nil || f.RevokeReason != "user deleted") {
		t.Errorf("deleting the user left the token family active: %+v", f)
	}
	_, err = svc.GetUser(ctx, "bob")
	wantCatalog(t, err, catalog.AdminNotFound)
	wantCatalog(t, svc.DeleteUser(ctx, "bob"), catalog.AdminNotFound)

	us, err := svc.ListUsers(ctx)
	if err != nil || len(us) != 1 || us[0].Username != "alice" {
		t.Fatalf("ListUsers = %v, %v", us, err)
	}
}

func TestSeedDemo(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	info, err := svc.SeedDemo(ctx, "http://localhost:8080")
	if err != nil {
		t.Fatal(err)
	}
	if !info.CreatedUser || !info.CreatedClient || info.URL != "http://localhost:8080/demo" {
		t.Fatalf("first run: %+v", info)
	}
	u, err := svc.GetUser(ctx, DemoUsername)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := password.Verify(u.PasswordHash, DemoPassword); !ok || u.Email != "demo@example.com" || !u.EmailVerified || u.Name != "Demo User" {
		t.Errorf("demo user %+v", u)
	}
	c, err := svc.GetClient(ctx, DemoClientID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Public() || !c.RequirePKCE || c.Name != "Lucid Demo" ||
		!slices.Equal(c.RedirectURIs, []string{"http://localhost:8080/demo/callback"}) ||
		!slices.Equal(c.PostLogoutRedirectURIs, []string{"http://localhost:8080/demo"}) ||
		!slices.Contains(c.Scopes, "offline_access") || !slices.Contains(c.Scopes, "address") {
		t.Errorf("demo client %+v", c)
	}

	again, err := svc.SeedDemo(ctx, "http://localhost:8080")
	if err != nil {
		t.Fatal(err)
	}
	if again.CreatedUser || again.CreatedClient || again.UpdatedClient || again.UserID != info.UserID {
		t.Errorf("second run changed something: %+v", again)
	}

	moved, err := svc.SeedDemo(ctx, "http://127.0.0.1:9000/")
	if err != nil {
		t.Fatal(err)
	}
	if !moved.UpdatedClient || moved.CreatedClient {
		t.Errorf("new issuer: %+v", moved)
	}
	c, _ = svc.GetClient(ctx, DemoClientID)
	if !slices.Equal(c.RedirectURIs, []string{"http://127.0.0.1:9000/demo/callback"}) || !slices.Equal(c.PostLogoutRedirectURIs, []string{"http://127.0.0.1:9000/demo"}) {
		t.Errorf("after issuer change: %v %v", c.RedirectURIs, c.PostLogoutRedirectURIs)
	}
	users, _ := svc.ListUsers(ctx)
	clients, _ := svc.ListClients(ctx)
	if len(users) != 1 || len(clients) != 1 {
		t.Errorf("%d users, %d clients after three seeds", len(users), len(clients))
	}
}

func TestViewsHideHashes(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	c, plain, err := svc.CreateClient(ctx, ClientSpec{Name: "N", RedirectURIs: []string{"https://n.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	v := ViewClient(c)
	if len(v.Secrets) != 1 || v.Secrets[0].ID != c.Secrets[0].ID {
		t.Errorf("secret views %+v", v.Secrets)
	}
	u, err := svc.CreateUser(ctx, UserSpec{Username: "u", Password: "violet tulip harbor"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []any{v, ViewUser(u)} {
		b, _ := json.Marshal(s)
		for _, secretish := range []string{c.Secrets[0].Hash, plain, u.PasswordHash, "hash"} {
			if strings.Contains(string(b), secretish) {
				t.Errorf("view %s contains %q", b, secretish)
			}
		}
	}
}

func TestAPIs(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	bad := []struct {
		name  string
		spec  APISpec
		field string
	}{
		{"relative id", APISpec{ID: "orders"}, "id"},
		{"fragment", APISpec{ID: "https://api.example.com/#x"}, "id"},
		{"unknown format", APISpec{ID: "https://api.example.com", TokenFormat: "paseto"}, "token_format"},
		{"lifetime too long", APISpec{ID: "https://api.example.com", TokenTTL: 48 * time.Hour}, "token_ttl"},
		{"bad scope", APISpec{ID: "https://api.example.com", Scopes: []string{"a b"}}, "scopes"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.CreateAPI(ctx, tc.spec)
			var ce *catalog.Error
			if !errors.As(err, &ce) || ce.Name() != catalog.AdminInvalid || !strings.Contains(ce.Text(), tc.field) {
				t.Fatalf("err = %v, want admin_invalid_input naming %s", err, tc.field)
			}
		})
	}
	a, err := svc.CreateAPI(ctx, APISpec{ID: "https://api.example.com", Scopes: []string{"orders:read"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.TokenFormat != store.FormatJWT || a.Name != a.ID {
		t.Errorf("defaults: %+v", a)
	}
	if _, err := svc.CreateAPI(ctx, APISpec{ID: "https://api.example.com"}); err == nil {
		t.Error("second API with the same id was accepted")
	}
	if l, err := svc.ListAPIs(ctx); err != nil || len(l) != 1 {
		t.Fatalf("ListAPIs = %d, %v", len(l), err)
	}
	if err := svc.DeleteAPI(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteAPI(ctx, a.ID); err == nil {
		t.Error("deleting a deleted API succeeded")
	}
}
