package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/cors"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

func runClient(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "client", args, []command{
		{"create", "register a client; prints its secret once", clientCreate},
		{"list", "list clients", clientList},
		{"show", "show one client", clientShow},
		{"update", "change a client (list flags add values; --remove-… flags remove them)", clientUpdate},
		{"enable", "let a disabled client use Lucid again", clientSetDisabled(false)},
		{"disable", "stop a client from using Lucid", clientSetDisabled(true)},
		{"delete", "delete a client", clientDelete},
		{"add-secret", "add a second secret, for a rotation without downtime; prints it once", clientAddSecret},
		{"rotate-secret", "issue a new secret and retire the old ones; prints it once", clientRotateSecret},
		{"remove-secret", "remove one of a client's secrets", clientRemoveSecret},
	})
}

// createdClient is the JSON of `client create`: the only output with the secret.
type createdClient struct {
	manage.ClientView
	Secret   string `json:"client_secret,omitempty"`
	SecretID string `json:"client_secret_id,omitempty"`
}

// newSecretOut is the JSON of `client add-secret` and `client rotate-secret`.
type newSecretOut struct {
	ID        string     `json:"id"`
	ClientID  string     `json:"client_id"`
	Secret    string     `json:"client_secret"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// readJWKS reads a JWK set from a file, or stdin for "-".
func readJWKS(e *env, path string) (string, error) {
	var (
		b   []byte
		err error
	)
	if path == "-" {
		b, err = io.ReadAll(io.LimitReader(e.stdin, 1<<20))
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return "", fmt.Errorf("read --jwks-file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// readLine reads one line from stdin, for a password or secret that must
// not appear in the process list or shell history.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func clientCreate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "client create", "")
	var cf commonFlags
	cf.register(fs)
	var (
		redirects, postLogout, grants, responses, scopes listFlag
		audiences, origins, detailTypes                  listFlag
		spec                                             manage.ClientSpec
		public, pkce, secretStdin                        bool
		jwksFile, expires                                string
	)
	fs.StringVar(&spec.ID, "id", "", "client id (generated when empty)")
	fs.StringVar(&spec.Name, "name", "", "name shown on the consent page (required)")
	fs.Var(&redirects, "redirect-uri", "redirect URI (repeatable; at least one)")
	fs.Var(&postLogout, "post-logout-redirect-uri", "post-logout redirect URI (repeatable)")
	fs.Var(&origins, "web-origin", "browser origin (https://app.example.com) whose pages may call the token, revocation and userinfo endpoints (repeatable; + for the redirect URIs' origins)")
	fs.Var(&grants, "grant-type", "grant type (repeatable; default authorization_code refresh_token)")
	fs.Var(&responses, "response-type", "response type (default code)")
	fs.Var(&scopes, "scope", "allowed scope (repeatable or space-separated; default openid profile email offline_access address phone)")
	fs.StringVar(&spec.AuthMethod, "auth-method", store.AuthSecretBasic, "token endpoint auth method: client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, tls_client_auth, self_signed_tls_client_auth or none")
	fs.BoolVar(&public, "public", false, "a public client (browser or native app): same as --auth-method none")
	fs.BoolVar(&pkce, "require-pkce", true, "require PKCE (always on for public clients)")
	fs.StringVar(&spec.IDTokenAlg, "id-token-alg", "", "ID token signing algorithm: RS256, ES256 or EdDSA (default RS256; ES256 under FAPI 2.0)")
	fs.StringVar(&spec.AuthorizationAlg, "authorization-response-alg", "", "algorithm of JWT-secured authorization responses (response_mode jwt, query.jwt…): RS256, ES256 or EdDSA (default RS256)")
	fs.StringVar(&spec.AuthorizationEncAlg, "authorization-encrypted-response-alg", "", "encrypt JWT-secured authorization responses to the client's key (jwks/jwks-uri, use enc): RSA-OAEP-256, ECDH-ES, ECDH-ES+A128KW or ECDH-ES+A256KW (default: not encrypted)")
	fs.StringVar(&spec.AuthorizationEncEnc, "authorization-encrypted-response-enc", "", "content encryption of encrypted authorization responses: A128GCM, A256GCM or A128CBC-HS256 (default A128CBC-HS256)")
	fs.StringVar(&spec.IDTokenEncAlg, "id-token-encrypted-response-alg", "", "encrypt ID tokens (signed, then encrypted) to the client's key (jwks/jwks-uri, use enc): RSA-OAEP-256, ECDH-ES, ECDH-ES+A128KW or ECDH-ES+A256KW (default: not encrypted)")
	fs.StringVar(&spec.IDTokenEncEnc, "id-token-encrypted-response-enc", "", "content encryption of encrypted ID tokens: A128GCM, A256GCM or A128CBC-HS256 (default A128CBC-HS256)")
	fs.StringVar(&spec.UserInfoAlg, "userinfo-signed-response-alg", "", "userinfo answers a JWT signed with RS256, ES256 or EdDSA (default: plain JSON)")
	fs.StringVar(&spec.UserInfoEncAlg, "userinfo-encrypted-response-alg", "", "userinfo answers encrypted to the client's key (signed first with --userinfo-signed-response-alg): RSA-OAEP-256, ECDH-ES, ECDH-ES+A128KW or ECDH-ES+A256KW")
	fs.StringVar(&spec.UserInfoEncEnc, "userinfo-encrypted-response-enc", "", "content encryption of encrypted userinfo answers: A128GCM, A256GCM or A128CBC-HS256 (default A128CBC-HS256)")
	fs.StringVar(&jwksFile, "jwks-file", "", "JWK set of the client's public keys, for private_key_jwt or self_signed_tls_client_auth (`FILE`, - for stdin)")
	fs.StringVar(&spec.JWKSURI, "jwks-uri", "", "URL of the client's JWK set, for private_key_jwt")
	fs.StringVar(&spec.RequestObjectAlg, "request-object-alg", "", "request_object_signing_alg: RS256, PS256, ES256, EdDSA, HS256, HS384, HS512 (client_secret_jwt clients only), or none for unsigned request objects (default: any signed alg)")
	fs.BoolVar(&spec.AlwaysRefresh, "always-refresh", false, "issue a refresh token even without offline_access")
	fs.BoolVar(&spec.DPoPBound, "dpop-bound", false, "require a DPoP proof at every token request (dpop_bound_access_tokens)")
	fs.BoolVar(&spec.RequirePAR, "require-par", false, "accept only pushed authorization requests (RFC 9126) from this client")
	fs.BoolVar(&spec.FAPI2, "fapi2", false, "put the client under the FAPI 2.0 Security Profile (fapi2_security_profile): PAR, PKCE, private_key_jwt or mTLS, sender-constrained tokens, PS256/ES256/EdDSA")
	fs.BoolVar(&spec.SkipConsent, "skip-consent", false, "never ask for consent (first-party clients only)")
	fs.BoolVar(&spec.RequireSecondFactor, "require-second-factor", false, "ask everyone signing in to this client for a second factor (require_second_factor)")
	fs.BoolVar(&spec.Disabled, "disabled", false, "create the client disabled")
	fs.Var(&audiences, "audience", "API identifier the client may get tokens for (repeatable)")
	fs.Var(&detailTypes, "detail-type", "authorization details type (RFC 9396) the client may ask for (repeatable or space-separated)")
	fs.StringVar(&spec.AccessTokenFormat, "access-token-format", "", "jwt or opaque (default: the API's format, else jwt)")
	fs.BoolVar(&secretStdin, "secret-stdin", false, "read the client secret from stdin instead of generating one (at least 32 bytes)")
	fs.StringVar(&expires, "secret-expires", "", "when the secret expires: a duration (720h) or an RFC 3339 time")
	var pf policyFlags
	pf.register(fs, false)
	var mf mtlsFlags
	mf.register(fs)
	var chf channelFlags
	chf.register(fs)
	if _, err := parseFlags(fs, args, 0, 0); err != nil {
		return err
	}
	set := setFlags(fs)
	if spec.Name == "" {
		return usagef("--name is required")
	}
	if len(redirects) == 0 && (len(grants) == 0 || slices.Contains(grants.words(), "authorization_code")) {
		return usagef("at least one --redirect-uri is required for authorization_code")
	}
	spec.Audiences = audiences
	spec.DetailTypes = detailTypes.words()
	spec.CertIdentity, spec.CertBoundTokens = mf.identity(set), mf.bound
	chf.spec(set, &spec)
	if pf.exchangeSet(set) {
		spec.TokenExchange = pf.exchange(set, nil)
	}
	if pf.bearerSet(set) {
		spec.JWTBearer = pf.bearer(nil)
	}
	if public {
		if set["auth-method"] && spec.AuthMethod != store.AuthNone {
			return usagef("--public conflicts with --auth-method %s", spec.AuthMethod)
		}
		spec.AuthMethod = store.AuthNone
	}
	if secretStdin && jwksFile == "-" {
		return usagef("--secret-stdin and --jwks-file - both read stdin")
	}
	spec.RedirectURIs = redirects
	spec.PostLogoutRedirectURIs = postLogout
	spec.WebOrigins = origins
	if len(grants) > 0 {
		spec.GrantTypes = grants.words()
	}
	if len(responses) > 0 {
		spec.ResponseTypes = responses.words()
	}
	if len(scopes) > 0 {
		spec.Scopes = scopes.words()
	}
	if set["require-pkce"] {
		spec.RequirePKCE = &pkce
	}
	when, err := parseWhen("secret-expires", expires, time.Now())
	if err != nil {
		return err
	}
	spec.SecretExpiresAt = when
	if jwksFile != "" {
		if spec.JWKS, err = readJWKS(e, jwksFile); err != nil {
			return err
		}
	}
	if secretStdin {
		if spec.Secret, err = readLine(e.stdin); err != nil {
			return fmt.Errorf("read secret from stdin: %w", err)
		}
	}

	s, err := e.open(ctx, &cf)
	if err != nil {
		return err
	}
	defer s.Close()
	if manage.UsesSecret(spec.AuthMethod) {
		if err := s.needKey("a client with a secret"); err != nil {
			return err
		}
	}
	c, plain, err := s.svc.CreateClient(ctx, spec)
	if err != nil {
		return err
	}
	out := createdClient{ClientView: manage.ViewClient(c), Secret: plain}
	if plain != "" && len(c.Secrets) > 0 {
		out.SecretID = c.Secrets[0].ID
	}
	if s.json {
		return s.printJSON(out)
	}
	if err := printClient(s.out, out.ClientView); err != nil {
		return err
	}
	if plain != "" && !secretStdin {
		fmt.Fprintf(s.out, "\nClient secret (shown only now; store it safely; the Secrets line above shows only its id):\n%s\n", plain)
	}
	return nil
}

func printClient(w io.Writer, c manage.ClientView) error {
	secrets := make([]string, 0, len(c.Secrets))
	for _, s := range c.Secrets {
		d := s.ID + " (created " + timeText(s.CreatedAt)
		if s.ExpiresAt != nil {
			d += ", expires " + timeText(*s.ExpiresAt)
		}
		secrets = append(secrets, d+")")
	}
	kv := [][2]string{
		{"Client ID", c.ID},
		{"Name", c.Name},
		{"Auth method", c.TokenEndpointAuthMethod},
		{"Redirect URIs", orDash(strings.Join(c.RedirectURIs, " "))},
		{"Post-logout URIs", orDash(strings.Join(c.PostLogoutRedirectURIs, " "))},
		{"Web origins", orDash(strings.Join(c.WebOrigins, " "))},
		{"Grant types", strings.Join(c.GrantTypes, " ")},
		{"Response types", strings.Join(c.ResponseTypes, " ")},
		{"Scopes", strings.Join(c.Scopes, " ")},
		{"Require PKCE", yesNo(c.RequirePKCE)},
		{"ID token alg", c.IDTokenAlg},
	}
	if c.AuthorizationAlg != "" {
		kv = append(kv, [2]string{"Authorization response alg", c.AuthorizationAlg})
	}
	if c.AuthorizationEncAlg != "" {
		kv = append(kv, [2]string{"Authorization response encryption", c.AuthorizationEncAlg + " " + c.AuthorizationEncEnc})
	}
	if c.IDTokenEncAlg != "" {
		kv = append(kv, [2]string{"ID token encryption", c.IDTokenEncAlg + " " + c.IDTokenEncEnc})
	}
	if c.UserInfoAlg != "" {
		kv = append(kv, [2]string{"Userinfo signing alg", c.UserInfoAlg})
	}
	if c.UserInfoEncAlg != "" {
		kv = append(kv, [2]string{"Userinfo encryption", c.UserInfoEncAlg + " " + c.UserInfoEncEnc})
	}
	if c.RequestObjectAlg != "" {
		kv = append(kv, [2]string{"Request object alg", c.RequestObjectAlg})
	}
	if len(c.JWKS) > 0 {
		kv = append(kv, [2]string{"JWKS", "registered (" + fmt.Sprint(len(c.JWKS)) + " bytes)"})
	}
	if c.JWKSURI != "" {
		kv = append(kv, [2]string{"JWKS URI", c.JWKSURI})
	}
	kv = append(kv, showMTLS(c)...)
	kv = append(kv, policyFields(c)...)
	kv = append(kv,
		[2]string{"Always refresh", yesNo(c.AlwaysRefresh)},
		[2]string{"Require PAR", yesNo(c.RequirePAR)},
		[2]string{"FAPI 2.0", yesNo(c.FAPI2)},
		[2]string{"Skip consent", yesNo(c.SkipConsent)},
		[2]string{"Second factor", yesNo(c.RequireSecondFactor)},
		[2]string{"Disabled", yesNo(c.Disabled)},
		[2]string{"Secrets", orDash(strings.Join(secrets, ", "))},
		[2]string{"Created", timeText(c.CreatedAt)},
		[2]string{"Updated", timeText(c.UpdatedAt)},
	)
	return fields(w, kv)
}

func clientList(ctx context.Context, e *env, args []string) error {
	s, _, err := e.command(ctx, "client list", "", args, 0, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	cs, err := s.svc.ListClients(ctx)
	if err != nil {
		return err
	}
	views := make([]manage.ClientView, len(cs))
	for i, c := range cs {
		views[i] = manage.ViewClient(c)
	}
	if s.json {
		return s.printJSON(map[string]any{"clients": views})
	}
	rows := make([][]string, len(views))
	for i, c := range views {
		rows[i] = []string{c.ID, c.Name, c.TokenEndpointAuthMethod, yesNo(c.Disabled), strings.Join(c.RedirectURIs, " ")}
	}
	return table(s.out, []string{"CLIENT ID", "NAME", "AUTH METHOD", "DISABLED", "REDIRECT URIS"}, rows)
}

// oneClient parses flags and the CLIENT_ID argument and opens the database.
func oneClient(ctx context.Context, e *env, name string, args []string, extra func(fs *flag.FlagSet)) (*session, string, error) {
	s, pos, err := e.command(ctx, "client "+name, "CLIENT_ID", args, 1, extra)
	if err != nil {
		return nil, "", err
	}
	return s, pos[0], nil
}

func clientShow(ctx context.Context, e *env, args []string) error {
	s, id, err := oneClient(ctx, e, "show", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.svc.GetClient(ctx, id)
	if err != nil {
		return err
	}
	return s.showClient(c)
}

func (s *session) showClient(c *store.Client) error {
	if s.json {
		return s.printJSON(manage.ViewClient(c))
	}
	return printClient(s.out, manage.ViewClient(c))
}

// edit applies additions and removals to a list.
func edit(cur []string, add, remove []string) []string {
	out := slices.Clone(cur)
	for _, v := range add {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return slices.DeleteFunc(out, func(v string) bool { return slices.Contains(remove, v) })
}

// originFlags writes origins as they are registered (lower case, no
// default port), so that removing one matches however it was typed; one
// that is no origin stays as typed, for the refusal to name.
func originFlags(l listFlag) listFlag {
	out := make(listFlag, len(l))
	for i, o := range l {
		if n, err := cors.Normalize(o); err == nil {
			o = n
		}
		out[i] = o
	}
	return out
}

func clientUpdate(ctx context.Context, e *env, args []string) error {
	var (
		addRedirect, rmRedirect, addPost, rmPost     listFlag
		addOrigin, rmOrigin                          listFlag
		addGrant, rmGrant, addResp, rmResp           listFlag
		addScope, rmScope, addAud, rmAud             listFlag
		addDetail, rmDetail                          listFlag
		format                                       string
		name, method, alg, jwksFile, jwksURI         string
		requestObjectAlg, authzAlg                   string
		authzEncAlg, authzEncEnc, idEncAlg, idEncEnc string
		uiAlg, uiEncAlg, uiEncEnc                    string
		pkce, alwaysRefresh, skipConsent, disabled   bool
		requireSecondFactor                          bool
		requirePAR, fapi2                            bool
		fsRef                                        *flag.FlagSet
	)
	var pf policyFlags
	var chf channelFlags
	var mf mtlsFlags
	s, id, err := oneClient(ctx, e, "update", args, func(fs *flag.FlagSet) {
		fsRef = fs
		mf.register(fs)
		fs.StringVar(&name, "name", "", "new name")
		fs.Var(&addRedirect, "redirect-uri", "add a redirect URI (repeatable)")
		fs.Var(&rmRedirect, "remove-redirect-uri", "remove a redirect URI (repeatable)")
		fs.Var(&addPost, "post-logout-redirect-uri", "add a post-logout redirect URI (repeatable)")
		fs.Var(&rmPost, "remove-post-logout-redirect-uri", "remove a post-logout redirect URI (repeatable)")
		fs.Var(&addOrigin, "web-origin", "allow a browser origin (repeatable; + for the redirect URIs' origins)")
		fs.Var(&rmOrigin, "remove-web-origin", "disallow a browser origin (repeatable)")
		fs.Var(&addGrant, "grant-type", "add a grant type (repeatable)")
		fs.Var(&rmGrant, "remove-grant-type", "remove a grant type (repeatable)")
		fs.Var(&addResp, "response-type", "add a response type")
		fs.Var(&rmResp, "remove-response-type", "remove a response type")
		fs.Var(&addScope, "scope", "allow a scope (repeatable or space-separated)")
		fs.Var(&rmScope, "remove-scope", "disallow a scope (repeatable or space-separated)")
		fs.StringVar(&method, "auth-method", "", "token endpoint auth method: client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, tls_client_auth, self_signed_tls_client_auth or none")
		fs.BoolVar(&pkce, "require-pkce", true, "require PKCE (always on for public clients)")
		fs.StringVar(&alg, "id-token-alg", "", "ID token signing algorithm: RS256, ES256 or EdDSA")
		fs.StringVar(&authzAlg, "authorization-response-alg", "", "algorithm of JWT-secured authorization responses: RS256, ES256 or EdDSA (empty: RS256)")
		fs.StringVar(&jwksFile, "jwks-file", "", "replace the registered JWK set (`FILE`, - for stdin)")
		fs.StringVar(&jwksURI, "jwks-uri", "", "replace the JWK set URL")
		fs.StringVar(&authzEncAlg, "authorization-encrypted-response-alg", "", "encrypt authorization responses: RSA-OAEP-256, ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A256KW, or empty to stop")
		fs.StringVar(&authzEncEnc, "authorization-encrypted-response-enc", "", "their content encryption: A128GCM, A256GCM or A128CBC-HS256 (empty: A128CBC-HS256)")
		fs.StringVar(&idEncAlg, "id-token-encrypted-response-alg", "", "encrypt ID tokens: RSA-OAEP-256, ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A256KW, or empty to stop")
		fs.StringVar(&idEncEnc, "id-token-encrypted-response-enc", "", "their content encryption: A128GCM, A256GCM or A128CBC-HS256 (empty: A128CBC-HS256)")
		fs.StringVar(&uiAlg, "userinfo-signed-response-alg", "", "userinfo answers a JWT signed with RS256, ES256 or EdDSA, or empty for JSON")
		fs.StringVar(&uiEncAlg, "userinfo-encrypted-response-alg", "", "encrypt userinfo answers: RSA-OAEP-256, ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A256KW, or empty to stop")
		fs.StringVar(&uiEncEnc, "userinfo-encrypted-response-enc", "", "their content encryption: A128GCM, A256GCM or A128CBC-HS256 (empty: A128CBC-HS256)")
		fs.StringVar(&requestObjectAlg, "request-object-alg", "", "request_object_signing_alg: RS256, PS256, ES256, EdDSA, HS256, HS384, HS512 (client_secret_jwt only), none, or empty for any signed alg")
		fs.BoolVar(&alwaysRefresh, "always-refresh", false, "issue a refresh token even without offline_access")
		fs.BoolVar(&requirePAR, "require-par", false, "accept only pushed authorization requests (RFC 9126) from this client")
		fs.BoolVar(&fapi2, "fapi2", false, "put the client under (or, =false, take it out of) the FAPI 2.0 Security Profile")
		fs.BoolVar(&skipConsent, "skip-consent", false, "never ask for consent")
		fs.BoolVar(&requireSecondFactor, "require-second-factor", false, "ask (or, =false, stop asking) everyone for a second factor")
		fs.BoolVar(&disabled, "disabled", false, "disable or (=false) enable the client")
		fs.Var(&addAud, "audience", "allow an API identifier as audience (repeatable)")
		fs.Var(&rmAud, "remove-audience", "disallow an audience (repeatable)")
		fs.Var(&addDetail, "detail-type", "allow an authorization details type (RFC 9396; repeatable or space-separated)")
		fs.Var(&rmDetail, "remove-detail-type", "disallow an authorization details type (repeatable or space-separated)")
		fs.StringVar(&format, "access-token-format", "", "jwt, opaque, or empty for the API's format")
		pf.register(fs, true)
		chf.register(fs)
	})
	if err != nil {
		return err
	}
	defer s.Close()
	set := setFlags(fsRef)
	var p manage.ClientPatch
	changed := false
	str := func(flagName string, v string, dst **string) {
		if set[flagName] {
			*dst = &v
			changed = true
		}
	}
	boolean := func(flagName string, v bool, dst **bool) {
		if set[flagName] {
			*dst = &v
			changed = true
		}
	}
	str("name", name, &p.Name)
	if chf.patch(set, &p) {
		changed = true
	}
	str("auth-method", method, &p.AuthMethod)
	str("id-token-alg", alg, &p.IDTokenAlg)
	str("authorization-response-alg", authzAlg, &p.AuthorizationAlg)
	str("authorization-encrypted-response-alg", authzEncAlg, &p.AuthorizationEncAlg)
	str("authorization-encrypted-response-enc", authzEncEnc, &p.AuthorizationEncEnc)
	str("id-token-encrypted-response-alg", idEncAlg, &p.IDTokenEncAlg)
	str("id-token-encrypted-response-enc", idEncEnc, &p.IDTokenEncEnc)
	str("userinfo-signed-response-alg", uiAlg, &p.UserInfoAlg)
	str("userinfo-encrypted-response-alg", uiEncAlg, &p.UserInfoEncAlg)
	str("userinfo-encrypted-response-enc", uiEncEnc, &p.UserInfoEncEnc)
	str("request-object-alg", requestObjectAlg, &p.RequestObjectAlg)
	str("jwks-uri", jwksURI, &p.JWKSURI)
	str("access-token-format", format, &p.AccessTokenFormat)
	boolean("require-pkce", pkce, &p.RequirePKCE)
	boolean("always-refresh", alwaysRefresh, &p.AlwaysRefresh)
	boolean("require-par", requirePAR, &p.RequirePAR)
	boolean("fapi2", fapi2, &p.FAPI2)
	boolean("skip-consent", skipConsent, &p.SkipConsent)
	boolean("require-second-factor", requireSecondFactor, &p.RequireSecondFactor)
	boolean("disabled", disabled, &p.Disabled)
	boolean("tls-bound-tokens", mf.bound, &p.CertBoundTokens)
	if id := mf.identity(set); id != nil {
		p.CertIdentity, changed = id, true
	}
	if jwksFile != "" {
		j, err := readJWKS(e, jwksFile)
		if err != nil {
			return err
		}
		p.JWKS, changed = &j, true
	}
	lists := []struct {
		add, rm listFlag
		words   bool
		dst     **[]string
		cur     func(*store.Client) []string
	}{
		{addRedirect, rmRedirect, false, &p.RedirectURIs, func(c *store.Client) []string { return c.RedirectURIs }},
		{addPost, rmPost, false, &p.PostLogoutRedirectURIs, func(c *store.Client) []string { return c.PostLogoutRedirectURIs }},
		{originFlags(addOrigin), originFlags(rmOrigin), false, &p.WebOrigins, func(c *store.Client) []string { return c.WebOrigins }},
		{addGrant, rmGrant, true, &p.GrantTypes, func(c *store.Client) []string { return c.GrantTypes }},
		{addResp, rmResp, true, &p.ResponseTypes, func(c *store.Client) []string { return c.ResponseTypes }},
		{addScope, rmScope, true, &p.Scopes, func(c *store.Client) []string { return c.Scopes }},
		{addAud, rmAud, false, &p.Audiences, func(c *store.Client) []string { return c.Audiences }},
		{addDetail, rmDetail, true, &p.DetailTypes, func(c *store.Client) []string { return c.AuthorizationDetailsTypes }},
	}
	var cur *store.Client
	for _, l := range lists {
		if len(l.add) == 0 && len(l.rm) == 0 {
			continue
		}
		if cur == nil {
			if cur, err = s.svc.GetClient(ctx, id); err != nil {
				return err
			}
		}
		add, rm := []string(l.add), []string(l.rm)
		if l.words {
			add, rm = l.add.words(), l.rm.words()
		}
		v := edit(l.cur(cur), add, rm)
		*l.dst, changed = &v, true
	}
	if more, err := pf.patch(ctx, s, id, set, cur, &p); err != nil {
		return err
	} else if more {
		changed = true
	}
	if !changed {
		return usagef("nothing to change; see lucid client update -h")
	}
	c, err := s.svc.UpdateClient(ctx, id, p)
	if err != nil {
		return err
	}
	return s.showClient(c)
}

func clientSetDisabled(disabled bool) func(context.Context, *env, []string) error {
	name := "enable"
	if disabled {
		name = "disable"
	}
	return func(ctx context.Context, e *env, args []string) error {
		s, id, err := oneClient(ctx, e, name, args, nil)
		if err != nil {
			return err
		}
		defer s.Close()
		c, err := s.svc.UpdateClient(ctx, id, manage.ClientPatch{Disabled: &disabled})
		if err != nil {
			return err
		}
		if s.json {
			return s.printJSON(manage.ViewClient(c))
		}
		fmt.Fprintf(s.out, "Client %s %sd.\n", term(c.ID), name)
		return nil
	}
}

func clientDelete(ctx context.Context, e *env, args []string) error {
	s, id, err := oneClient(ctx, e, "delete", args, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.svc.DeleteClient(ctx, id); err != nil {
		return err
	}
	if s.json {
		return s.printJSON(map[string]any{"client_id": id, "deleted": true})
	}
	fmt.Fprintf(s.out, "Client %s deleted.\n", term(id))
	return nil
}

func (s *session) printSecret(id, sid, plain string, expires *time.Time) error {
	if s.json {
		return s.printJSON(newSecretOut{ID: sid, ClientID: id, Secret: plain, ExpiresAt: expires})
	}
	// The id names the secret (for remove-secret and the logs); people
	// paste it as the secret, so it is labelled as what it is not.
	fmt.Fprintf(s.out, "New secret for client %s (secret id %s, which is not the secret", term(id), sid)
	if expires != nil {
		fmt.Fprintf(s.out, "; expires %s", timeText(*expires))
	}
	fmt.Fprintf(s.out, ").\nClient secret (shown only now; store it safely):\n%s\n", plain)
	return nil
}

func clientAddSecret(ctx context.Context, e *env, args []string) error {
	var expires string
	s, id, err := oneClient(ctx, e, "add-secret", args, func(fs *flag.FlagSet) {
		fs.StringVar(&expires, "expires", "", "when the new secret expires: a duration (720h) or an RFC 3339 time")
	})
	if err != nil {
		return err
	}
	defer s.Close()
	when, err := parseWhen("expires", expires, time.Now())
	if err != nil {
		return err
	}
	if err := s.needKey("adding a client secret"); err != nil {
		return err
	}
	sid, plain, err := s.svc.AddClientSecret(ctx, id, when)
	if err != nil {
		return err
	}
	return s.printSecret(id, sid, plain, when)
}

func clientRotateSecret(ctx context.Context, e *env, args []string) error {
	var expires string
	var grace time.Duration
	s, id, err := oneClient(ctx, e, "rotate-secret", args, func(fs *flag.FlagSet) {
		fs.StringVar(&expires, "expires", "", "when the new secret expires: a duration (720h) or an RFC 3339 time")
		fs.DurationVar(&grace, "grace", 0, "how long the newest old secret keeps working (0: the old secrets stop at once)")
	})
	if err != nil {
		return err
	}
	defer s.Close()
	when, err := parseWhen("expires", expires, time.Now())
	if err != nil {
		return err
	}
	if grace < 0 {
		return usagef("--grace must not be negative")
	}
	if err := s.needKey("rotating a client secret"); err != nil {
		return err
	}
	sid, plain, err := s.svc.RotateClientSecret(ctx, id, grace, when)
	if err != nil {
		return err
	}
	return s.printSecret(id, sid, plain, when)
}

func clientRemoveSecret(ctx context.Context, e *env, args []string) error {
	s, pos, err := e.command(ctx, "client remove-secret", "CLIENT_ID SECRET_ID", args, 2, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.svc.RemoveClientSecret(ctx, pos[0], pos[1]); err != nil {
		return err
	}
	if s.json {
		return s.printJSON(map[string]any{"client_id": pos[0], "secret_id": pos[1], "removed": true})
	}
	fmt.Fprintf(s.out, "Secret %s of client %s removed.\n", term(pos[1]), term(pos[0]))
	return nil
}
