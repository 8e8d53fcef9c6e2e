// Package registration is dynamic client registration (RFC 7591) at
// POST /register and client management (RFC 7592) at /register/CLIENT_ID.
//
// The configuration decides who may register: nobody (mode off, the
// default; every request is answered with registration_disabled), holders
// of an initial access token, or anyone. Every registered client gets a
// registration access token, of which the store keeps only the hash, that
// lets it read, replace and delete its own registration.
//
// Metadata is validated by package manage, the same rules the command line
// and the admin API apply; this package adds the rules RFC 7591 has beyond
// them and reports every refusal with its own catalog entry.
package registration

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/clientauth"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/credential"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/throttle"
	"github.com/lucid-auth/lucid/internal/trace"
)

// Path is the registration endpoint, relative to the issuer; a client's
// registration_client_uri is Path/CLIENT_ID.
const Path = "/register"

// maxBody bounds a registration request; an inline JWK set is the largest
// thing a client sends.
const maxBody = 64 << 10

// Options configure the endpoint.
type Options struct {
	Issuer string
	Config config.Registration
	Log    *slog.Logger
	// Now is the clock of error timestamps and failure records; nil means
	// time.Now. Client timestamps come from the manage.Service's clock.
	Now func() time.Time
	// Failures reports failed requests; nil logs them through Log and
	// keeps their stories in the service's store.
	Failures *failure.Recorder
	// LocalKeySets accepts a jwks_uri over http or on a local address
	// (key_fetch.allow_local, for development).
	LocalKeySets bool
	// MTLS accepts the mutual-TLS authentication methods (mtls.enabled);
	// without it a client cannot register for one the server never offers.
	MTLS bool
	// SharedThrottles, when set (throttle.shared), counts open
	// registrations per network in the database, across replicas.
	SharedThrottles store.ThrottleStore
}

// Handler serves the registration endpoint.
type Handler struct {
	svc      *manage.Service
	issuer   string
	mode     string
	initial  [][32]byte // SHA-256 of each initial access token
	log      *slog.Logger
	now      func() time.Time
	failures *failure.Recorder
	limit    *throttle.Limiter // open registrations and updates per network; nil unless mode open with a limit
	// localKeys accepts a jwks_uri the key set fetcher would refuse.
	localKeys bool
	mtls      bool
}

// New builds the endpoint. With registration off it answers every request
// with registration_disabled.
func New(svc *manage.Service, opts Options) *Handler {
	h := &Handler{
		svc:       svc,
		issuer:    strings.TrimSuffix(opts.Issuer, "/"),
		mode:      opts.Config.Mode,
		log:       opts.Log,
		now:       opts.Now,
		failures:  opts.Failures,
		localKeys: opts.LocalKeySets,
		mtls:      opts.MTLS,
	}
	if !opts.Config.Enabled() {
		h.mode = config.RegistrationOff
	}
	if h.mode == config.RegistrationOpen && opts.Config.OpenPerHour > 0 {
		var shared []throttle.Option
		if opts.SharedThrottles != nil {
			shared = append(shared, throttle.Shared(opts.SharedThrottles, "register"))
		}
		h.limit = throttle.New(opts.Config.OpenPerHour, shared...)
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.failures == nil {
		h.failures = &failure.Recorder{Log: h.log}
		if svc != nil && svc.Store != nil {
			h.failures.Store = svc.Store
		}
	}
	for _, t := range opts.Config.InitialAccessTokens {
		h.initial = append(h.initial, sha256.Sum256([]byte(t)))
	}
	return h
}

// EndpointURL is the registration_endpoint to advertise in discovery, or
// "" when registration is off and the endpoint must not be advertised.
func EndpointURL(issuer string, cfg config.Registration) string {
	if !cfg.Enabled() {
		return ""
	}
	return strings.TrimSuffix(issuer, "/") + Path
}

// Register mounts the endpoint and the client configuration endpoints.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle(Path, h)
	mux.Handle(Path+"/", h)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// RFC 7591 §3.2.1 and RFC 7592 §3: answers carry credentials.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if h.mode == config.RegistrationOff {
		h.fail(w, r, "", catalog.New(catalog.RegistrationDisabled))
		return
	}
	if r.URL.Path == Path {
		if r.Method != http.MethodPost {
			h.methodNotAllowed(w, r, "POST")
			return
		}
		h.create(w, r)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, Path+"/")
	switch r.Method {
	case http.MethodGet:
		h.read(w, r, id)
	case http.MethodPut:
		h.update(w, r, id)
	case http.MethodDelete:
		h.remove(w, r, id)
	default:
		h.methodNotAllowed(w, r, "GET, PUT, DELETE")
	}
}

func (h *Handler) methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	h.fail(w, r, "", catalog.New(catalog.MethodNotAllowed, "allowed", allow, "method", r.Method))
}

// create registers a client (RFC 7591 §3).
func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	if e := h.checkInitialToken(r); e != nil {
		h.fail(w, r, "", e)
		return
	}
	undo, wait := h.take(r)
	if wait > 0 {
		h.rateLimited(w, r, "", wait)
		return
	}
	// Only registrations count: fixing refused metadata costs nothing.
	if !h.register(w, r) {
		undo()
	}
}

// take counts a registration or an update against the open limit of the
// request's network; undo gives it back. wait > 0 means the limit is
// reached.
func (h *Handler) take(r *http.Request) (undo func(), wait time.Duration) {
	net, ok := throttle.Network(r.RemoteAddr)
	if h.limit == nil || !ok {
		return func() {}, 0
	}
	return h.limit.Take(net, h.now())
}

func (h *Handler) rateLimited(w http.ResponseWriter, r *http.Request, clientID string, wait time.Duration) {
	net, _ := throttle.Network(r.RemoteAddr)
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	h.fail(w, r, clientID, catalog.New(catalog.RegistrationRateLimited,
		"limit", h.limit.PerHour(), "network", net, "retry_after", wait))
}

// checkJWKSURI refuses a jwks_uri the key set fetcher would never fetch,
// so that the registrant hears it now rather than as a failed sign-in.
func (h *Handler) checkJWKSURI(uri string) *catalog.Error {
	if uri == "" {
		return nil
	}
	err := clientauth.CheckKeySetURL(uri, h.localKeys)
	if err == nil {
		return nil
	}
	reason := err.Error()
	switch {
	case errors.Is(err, clientauth.ErrInsecureScheme):
		reason = "it does not use https"
	case errors.Is(err, clientauth.ErrLocalAddress):
		reason = "its host is localhost or a loopback, private, link-local or unique-local address"
	}
	return catalog.New(catalog.RegistrationJWKSURIRefused, "jwks_uri", clip(uri, 200), "reason", reason)
}

// register creates the client the request describes and answers; it
// reports whether a client was created.
func (h *Handler) register(w http.ResponseWriter, r *http.Request) bool {
	ctx := r.Context()
	md, e := readMetadata(w, r)
	if e != nil {
		h.fail(w, r, "", e)
		return false
	}
	id := secret.ID(16)
	v, e := md.resolve(id)
	if e == nil {
		e = h.checkJWKSURI(v.jwksURI)
	}
	if e == nil {
		e = h.checkMTLS(v.authMethod)
	}
	if e != nil {
		h.fail(w, r, "", e)
		return false
	}
	token := credential.New(credential.Registration)
	spec := v.spec(id)
	spec.RegistrationTokenHash = secret.Hash(token)
	c, plain, err := h.svc.CreateClient(ctx, spec)
	if err != nil {
		h.fail(w, r, "", refusal(err, v, id))
		return false
	}
	h.log.InfoContext(ctx, "registration: client registered", "trace_id", trace.ID(ctx), "client_id", c.ID,
		"auth_method", c.TokenEndpointAuthMethod, "remote_addr", r.RemoteAddr)
	writeJSON(w, http.StatusCreated, h.info(c, plain, token))
	return true
}

// read returns the current registration (RFC 7592 §2.1).
func (h *Handler) read(w http.ResponseWriter, r *http.Request, id string) {
	c, token, e := h.authenticate(r, id)
	if e != nil {
		h.fail(w, r, id, e)
		return
	}
	writeJSON(w, http.StatusOK, h.info(c, "", token))
}

// update replaces the registration (RFC 7592 §2.2): fields left out go
// back to their defaults, as for a new registration. A client that moves
// to a secret-based authentication method gets a new secret in the answer.
func (h *Handler) update(w http.ResponseWriter, r *http.Request, id string) {
	ctx := r.Context()
	c, token, e := h.authenticate(r, id)
	if e != nil {
		h.fail(w, r, id, e)
		return
	}
	md, e := readMetadata(w, r)
	if e != nil {
		h.fail(w, r, c.ID, e)
		return
	}
	if md.ClientID == nil || *md.ClientID != c.ID {
		given := "missing"
		if md.ClientID != nil {
			given = clip(*md.ClientID, 100)
		}
		h.fail(w, r, c.ID, catalog.New(catalog.RegistrationClientIDMismatch, "given", given, "client_id", c.ID))
		return
	}
	if md.ClientSecret != nil && *md.ClientSecret != "" && !h.currentSecret(c, *md.ClientSecret) {
		h.fail(w, r, c.ID, catalog.New(catalog.RegistrationSecretMismatch, "client_id", c.ID))
		return
	}
	v, e := md.resolve(c.ID)
	if e == nil {
		e = h.checkJWKSURI(v.jwksURI)
	}
	if e == nil {
		e = h.checkMTLS(v.authMethod)
	}
	if e != nil {
		h.fail(w, r, c.ID, e)
		return
	}
	// An update can point jwks_uri somewhere new, and each new URL is a
	// fetch the next assertion triggers: updates count against the same
	// limit as registrations, and like them only when they succeed.
	undo, wait := h.take(r)
	if wait > 0 {
		h.rateLimited(w, r, c.ID, wait)
		return
	}
	updated, err := h.svc.UpdateClient(ctx, c.ID, v.patch())
	if err != nil {
		undo()
		h.fail(w, r, c.ID, refusal(err, v, c.ID))
		return
	}
	var plain string
	if usesSecret(updated) && len(updated.Secrets) == 0 {
		if _, plain, err = h.svc.AddClientSecret(ctx, c.ID, nil); err != nil {
			h.fail(w, r, c.ID, refusal(err, v, c.ID))
			return
		}
		if updated, err = h.svc.GetClient(ctx, c.ID); err != nil {
			h.fail(w, r, c.ID, refusal(err, v, c.ID))
			return
		}
	}
	h.log.InfoContext(ctx, "registration: client updated", "trace_id", trace.ID(ctx), "client_id", c.ID, "new_secret", plain != "")
	writeJSON(w, http.StatusOK, h.info(updated, plain, token))
}

// remove deletes the client (RFC 7592 §2.3); its registration access
// token, secrets and tokens stop working with it.
func (h *Handler) remove(w http.ResponseWriter, r *http.Request, id string) {
	ctx := r.Context()
	c, _, e := h.authenticate(r, id)
	if e != nil {
		h.fail(w, r, id, e)
		return
	}
	if err := h.svc.DeleteClient(ctx, c.ID); err != nil {
		h.fail(w, r, c.ID, refusal(err, values{}, c.ID))
		return
	}
	h.log.InfoContext(ctx, "registration: client deleted", "trace_id", trace.ID(ctx), "client_id", c.ID)
	w.WriteHeader(http.StatusNoContent)
}

// bearerToken is the credential of Authorization: Bearer, and the scheme
// that was used instead when there is none.
func bearerToken(r *http.Request) (token, scheme string) {
	scheme, value, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", scheme
	}
	return strings.TrimSpace(value), scheme
}

// checkInitialToken enforces mode initial_token (RFC 7591 §3).
func (h *Handler) checkInitialToken(r *http.Request) *catalog.Error {
	if h.mode != config.RegistrationInitialToken {
		return nil
	}
	tok, scheme := bearerToken(r)
	if tok == "" {
		return catalog.New(catalog.RegistrationInitialTokenMissing).Internal("scheme", clip(scheme, 20))
	}
	sum := sha256.Sum256([]byte(tok))
	match := 0
	// Every configured token is compared, so the time taken does not tell
	// which one came close.
	for _, want := range h.initial {
		match |= subtle.ConstantTimeCompare(sum[:], want[:])
	}
	if match != 1 {
		return catalog.New(catalog.RegistrationInitialTokenInvalid)
	}
	return nil
}

// authenticate finds the client of a client configuration request and
// checks its registration access token (RFC 7592 §2). An unknown client
// and a wrong token get the same answer, as §2.1 asks.
func (h *Handler) authenticate(r *http.Request, id string) (*store.Client, string, *catalog.Error) {
	shown := clip(id, 100)
	tok, scheme := bearerToken(r)
	if tok == "" {
		return nil, "", catalog.New(catalog.RegistrationTokenMissing, "client_id", shown).Internal("scheme", clip(scheme, 20))
	}
	c, err := h.svc.Store.GetClient(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, "", catalog.New(catalog.RegistrationTokenInvalid, "client_id", shown).Internal("reason", "no client with this id")
	case err != nil:
		return nil, "", failure.FromStore(err)
	case c.RegistrationTokenHash == "":
		return nil, "", catalog.New(catalog.RegistrationTokenInvalid, "client_id", shown).Internal("reason", "the client was not registered dynamically")
	}
	if subtle.ConstantTimeCompare([]byte(secret.Hash(tok)), []byte(c.RegistrationTokenHash)) != 1 {
		return nil, "", catalog.New(catalog.RegistrationTokenInvalid, "client_id", shown).Internal("reason", "the token does not match")
	}
	return c, tok, nil
}

// currentSecret reports whether presented is one of the client's live
// secrets.
func (h *Handler) currentSecret(c *store.Client, presented string) bool {
	if h.svc.Secrets == nil {
		return false
	}
	now := h.now()
	ok := false
	for _, s := range c.Secrets {
		if s.ExpiresAt != nil && !s.ExpiresAt.After(now) {
			continue
		}
		if h.svc.Secrets.SecretMatches(presented, s.Hash) {
			ok = true
		}
	}
	return ok
}

func usesSecret(c *store.Client) bool { return manage.UsesSecret(c.TokenEndpointAuthMethod) }

// fail logs, records and writes a catalogued failure; anything else is an
// unexpected server failure. Both tokens of this endpoint are bearer tokens.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, clientID string, err error) {
	h.failures.RespondJSON(w, r, catalog.Register, clientID, err, h.issuer, h.now())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// clip shortens what a caller sent before it is echoed or logged.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// checkMTLS refuses a mutual-TLS method on a server that does not offer
// it: discovery does not list it, and the token endpoint would never see
// the client's certificate.
func (h *Handler) checkMTLS(method string) *catalog.Error {
	if h.mtls || (method != store.AuthTLSClient && method != store.AuthSelfSignedTLS) {
		return nil
	}
	return invalidField("token_endpoint_auth_method", method+" is not offered by this server (mutual TLS is off); see token_endpoint_auth_methods_supported in the discovery document")
}
