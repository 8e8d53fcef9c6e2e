// Package admin is Lucid's JSON admin API under /admin/: clients, users,
// signing keys, and the recorded failures behind trace ids. Every request
// needs Authorization: Bearer with the configured admin token; without a
// configured token the API is off. Every failure is a catalog entry,
// written like the protocol's errors.
package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/trace"
)

// maxBody bounds a request body; a JWK set is the largest thing sent.
const maxBody = 256 << 10

type api struct {
	svc    *manage.Service
	km     *keys.Manager
	issuer string
	log    *slog.Logger
	token  [32]byte // SHA-256 of the admin token

	routes   []func(*routeMux)
	failures *failure.Recorder
}

// Option adds to the admin API.
type Option func(*api)

// WithMetrics serves Prometheus metrics at GET /admin/metrics, behind the
// admin token like the rest (Prometheus scrapes with a bearer token).
func WithMetrics(h http.Handler) Option {
	return func(a *api) {
		a.routes = append(a.routes, func(mux *routeMux) { mux.Handle("GET /admin/metrics", h) })
	}
}

// WithFailures reports failed admin requests through rec (logs, metrics,
// stories); without it they are logged and their stories kept in the
// service's store.
func WithFailures(rec *failure.Recorder) Option {
	return func(a *api) { a.failures = rec }
}

// Handler serves the admin API; mount it at "/admin/". An empty token
// disables the API: every request gets admin_api_disabled.
func Handler(svc *manage.Service, km *keys.Manager, token, issuer string, log *slog.Logger, opts ...Option) http.Handler {
	h, _ := build(svc, km, token, issuer, log, opts...)
	return h
}

// build makes the admin API and returns it with its mux (nil when the API
// is off), whose patterns docs/openapi/admin.yaml is checked against.
func build(svc *manage.Service, km *keys.Manager, token, issuer string, log *slog.Logger, opts ...Option) (http.Handler, *routeMux) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &api{svc: svc, km: km, issuer: strings.TrimSuffix(issuer, "/"), log: log}
	for _, o := range opts {
		o(a)
	}
	if a.failures == nil {
		a.failures = &failure.Recorder{Log: log}
		if svc != nil && svc.Store != nil {
			a.failures.Store = svc.Store
		}
	}
	if token == "" {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a.fail(w, r, catalog.New(catalog.AdminDisabled))
		}), nil
	}
	a.token = sha256.Sum256([]byte(token))

	mux := &routeMux{ServeMux: http.NewServeMux()}
	a.route(mux, "/admin/clients", map[string]http.HandlerFunc{"GET": a.listClients, "POST": a.createClient})
	a.route(mux, "/admin/clients/{id}", map[string]http.HandlerFunc{"GET": a.getClient, "PATCH": a.updateClient, "DELETE": a.deleteClient})
	a.route(mux, "/admin/clients/{id}/secrets", map[string]http.HandlerFunc{"POST": a.addSecret})
	a.route(mux, "/admin/clients/{id}/secrets/{sid}", map[string]http.HandlerFunc{"DELETE": a.removeSecret})
	a.route(mux, "/admin/users", map[string]http.HandlerFunc{"GET": a.listUsers, "POST": a.createUser})
	a.route(mux, "/admin/users/{id}", map[string]http.HandlerFunc{"GET": a.getUser, "PATCH": a.updateUser, "DELETE": a.deleteUser})
	a.route(mux, "/admin/users/{id}/password", map[string]http.HandlerFunc{"POST": a.setPassword})
	a.route(mux, "/admin/users/{id}/admin", map[string]http.HandlerFunc{"POST": a.grantAdmin, "DELETE": a.revokeAdmin})
	a.route(mux, "/admin/users/{id}/unlock", map[string]http.HandlerFunc{"POST": a.unlockUser})
	a.route(mux, "/admin/users/{id}/ciba-user-code", map[string]http.HandlerFunc{"POST": a.setCIBAUserCode, "DELETE": a.clearCIBAUserCode})
	a.route(mux, "/admin/users/{id}/sessions", map[string]http.HandlerFunc{"DELETE": a.endSessions})
	a.route(mux, "/admin/users/{id}/factors", map[string]http.HandlerFunc{"GET": a.listFactors, "DELETE": a.resetFactors})
	for _, add := range a.routes {
		add(mux)
	}
	a.route(mux, "/admin/users/{id}/identities", map[string]http.HandlerFunc{"GET": a.listIdentities})
	a.route(mux, "/admin/users/{id}/identities/{upstream}/{subject}", map[string]http.HandlerFunc{"DELETE": a.unlinkIdentity})
	a.route(mux, "/admin/upstream-blocks", map[string]http.HandlerFunc{"GET": a.listBlocks})
	a.route(mux, "/admin/upstreams/{upstream}/blocks", map[string]http.HandlerFunc{"POST": a.blockSubject})
	a.route(mux, "/admin/upstreams/{upstream}/blocks/{subject}", map[string]http.HandlerFunc{"DELETE": a.unblockSubject})
	a.route(mux, "/admin/users/{id}/consents", map[string]http.HandlerFunc{"GET": a.listConsents})
	a.route(mux, "/admin/users/{id}/consents/{client_id}", map[string]http.HandlerFunc{"DELETE": a.withdrawConsent})
	a.route(mux, "/admin/apis", map[string]http.HandlerFunc{"GET": a.listAPIs, "POST": a.createAPI, "DELETE": a.deleteAPI})
	a.route(mux, "/admin/keys", map[string]http.HandlerFunc{"GET": a.listKeys})
	a.route(mux, "/admin/keys/rotate", map[string]http.HandlerFunc{"POST": a.rotateKeys})
	a.route(mux, "/admin/failures/{trace_id}", map[string]http.HandlerFunc{"GET": a.getFailure})
	a.route(mux, "/admin/outbox", map[string]http.HandlerFunc{"GET": a.listOutbox})
	a.route(mux, "/admin/outbox/{id}/retry", map[string]http.HandlerFunc{"POST": a.retryOutbox})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.fail(w, r, catalog.New(catalog.PageNotFound, "path", r.URL.Path))
	})
	return a.authenticate(mux), mux
}

// routeMux is a ServeMux that remembers the patterns registered on it.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}

// operations are the "METHOD /path" patterns: the API's operations,
// without the catch-alls that answer other methods and unknown paths.
func (m *routeMux) operations() []string {
	var out []string
	for _, p := range m.patterns {
		if strings.Contains(p, " ") {
			out = append(out, p)
		}
	}
	return out
}

// route registers each method of path, and a catch-all for the path that
// answers other methods with the catalog's method_not_allowed.
func (a *api) route(mux *routeMux, path string, byMethod map[string]http.HandlerFunc) {
	var allowed []string
	for _, m := range []string{"GET", "POST", "PATCH", "DELETE"} {
		if h, ok := byMethod[m]; ok {
			mux.HandleFunc(m+" "+path, h)
			allowed = append(allowed, m)
		}
	}
	allow := strings.Join(allowed, ", ")
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		a.fail(w, r, catalog.New(catalog.MethodNotAllowed, "allowed", allow, "method", r.Method))
	})
}

// authenticate checks the bearer token before anything else, so callers
// without it learn nothing, not even which paths exist.
func (a *api) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		// Hashing first makes the comparison constant-time in the length too.
		got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(got[:], a.token[:]) != 1 {
			e := catalog.New(catalog.AdminUnauthorized)
			if scheme == "" {
				e.Internal("reason", "no Authorization header")
			} else {
				e.Internal("reason", "wrong scheme or token", "scheme", clip(scheme))
			}
			a.fail(w, r, e)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func clip(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

// fail logs, records and writes a catalogued failure. Anything that is not
// a *catalog.Error is an unexpected server failure, shown only as one.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.failures.RespondJSON(w, r, catalog.Admin, "", err, a.issuer, a.now())
}

func traceID(r *http.Request) string { return trace.ID(r.Context()) }

func (a *api) now() time.Time {
	if a.svc != nil && a.svc.Now != nil {
		return a.svc.Now()
	}
	return time.Now()
}

// writeJSON answers with v. Responses may carry a new secret, so nothing is
// cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// decode reads a JSON body into v, refusing unknown fields so a misspelled
// field is an error rather than silently ignored. An empty body is allowed
// when optional.
func decode(w http.ResponseWriter, r *http.Request, v any, optional bool) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := strings.Cut(ct, ";")
		if !strings.EqualFold(strings.TrimSpace(mt), "application/json") {
			return catalog.New(catalog.AdminInvalid, "field", "Content-Type", "reason", "the body must be application/json, not "+clip(mt))
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var (
		maxErr    *http.MaxBytesError
		typeErr   *json.UnmarshalTypeError
		syntaxErr *json.SyntaxError
	)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF) && optional:
		return nil
	case errors.Is(err, io.EOF):
		return catalog.New(catalog.AdminInvalid, "field", "body", "reason", "the request needs a JSON object body")
	case errors.As(err, &maxErr):
		return catalog.New(catalog.BodyTooLarge, "limit", maxBody)
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return catalog.New(catalog.AdminInvalid, "field", field, "reason", "expected "+jsonKind(typeErr.Type.Kind().String())+", got a JSON "+typeErr.Value)
	case errors.As(err, &syntaxErr):
		return catalog.New(catalog.AdminInvalid, "field", "body", "reason", "not valid JSON: "+syntaxErr.Error())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return catalog.New(catalog.AdminInvalid, "field", clip(name), "reason", "this field does not exist here")
	default:
		return catalog.New(catalog.AdminInvalid, "field", "body", "reason", "not a valid JSON object")
	}
	if dec.More() {
		return catalog.New(catalog.AdminInvalid, "field", "body", "reason", "the body must hold exactly one JSON object")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "slice":
		return "a list"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "struct", "map", "ptr":
		return "an object"
	default:
		return "a number"
	}
}

var errNoKeys = errors.New("admin: the server has no signing key manager")
