// Package console is Lucid's web admin console under /console/: clients,
// users, APIs, signing keys, recorded failures and live figures, as
// server-rendered pages (html/template, no script, the strict CSP of the
// other pages). Every action is an operation of internal/manage, the same
// the CLI and the admin API call; the console has no logic of its own.
//
// Sign-in: the console is a first-party page of this server. It trusts
// the browser's Lucid session (provider.SignedIn) and, when there is none
// or the console's idle stamp has lapsed, sends the browser through
// Lucid's own sign-in (an authorization request of the built-in public
// client lucid-console, prompt=login), so passwords, lockout, second
// factors and passkeys work exactly as everywhere else. Only users with
// the admin role pass; a user with a second factor must have used it
// (amr has mfa). Every POST carries a CSRF token bound to the session.
package console

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/keys"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/metrics"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
)

// Prefix is where the console is mounted.
const Prefix = "/console/"

// ClientID is the built-in public client the console signs in through;
// it is registered on the first visit to the console.
const ClientID = "lucid-console"

// DefaultIdle is how long a console tab may sit unused before the next
// request asks for the password again.
const DefaultIdle = 15 * time.Minute

// Sessions reads the browser's Lucid session (the provider).
type Sessions interface {
	SignedIn(ctx context.Context, r *http.Request) (*store.Session, *store.User, error)
}

// Options are what the console is built from.
type Options struct {
	Issuer   string
	Service  *manage.Service
	Keys     *keys.Manager
	Sessions Sessions
	Secrets  *secret.Keys
	Failures *failure.Recorder
	// Metrics is the registry the totals are drawn from; Recent the last
	// hour minute by minute. Nil draws none.
	Metrics prometheus.Gatherer
	Recent  interface {
		Minutes(time.Time) []metrics.Minute
	}
	StyleURL string
	IconURL  string
	// SecureCookies marks the console's cookies Secure (an https issuer).
	SecureCookies bool
	Idle          time.Duration
	Now           func() time.Time
	Log           *slog.Logger
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/console.css
var consoleCSS []byte

// Console serves /console/.
type Console struct {
	o     Options
	pages map[string]*template.Template
	mux   *http.ServeMux
}

// pageNames are the templates, each parsed with layout.html.
var pageNames = []string{"overview", "clients", "client", "secret", "users", "user", "apis", "keys", "failures", "refused"}

// New parses the templates and routes the pages.
func New(o Options) (*Console, error) {
	if o.Idle <= 0 {
		o.Idle = DefaultIdle
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	o.Issuer = strings.TrimSuffix(o.Issuer, "/")
	c := &Console{o: o, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	funcs := template.FuncMap{"join": strings.Join, "when": when}
	for _, n := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+n+".html")
		if err != nil {
			return nil, err
		}
		c.pages[n] = t
	}
	c.routes()
	return c, nil
}

func when(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return "—"
		}
		return v.UTC().Format("2006-01-02 15:04:05 UTC")
	case *time.Time:
		if v == nil || v.IsZero() {
			return "—"
		}
		return v.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	return ""
}

// ServeHTTP serves the console: the style sheet and the sign-in callback
// to anyone, everything else behind the gate.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case Prefix + "console.css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(consoleCSS)
		return
	case Prefix + "callback":
		c.callback(w, r)
		return
	}
	c.gate(c.mux).ServeHTTP(w, r)
}

// The console's cookies, both limited to /console/.
const (
	idleCookie  = "lucid_console"
	stateCookie = "lucid_console_state"
)

type ctxKey struct{}

// admin is who is using the console on this request.
type admin struct {
	user *store.User
	sess *store.Session
	csrf string
}

func who(r *http.Request) admin { a, _ := r.Context().Value(ctxKey{}).(admin); return a }

// gate lets through a signed-in administrator whose console is not idle,
// and on a POST only with the session's CSRF token.
func (c *Console) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		sess, user, err := c.o.Sessions.SignedIn(ctx, r)
		if err != nil {
			c.refuse(w, r, failure.FromStore(err))
			return
		}
		if sess == nil || !c.fresh(r, sess) {
			if r.Method != http.MethodGet {
				// A form posted after the console went idle: nothing is
				// done, and the person signs in again.
				c.refuse(w, r, catalog.New(catalog.ConsoleFormExpired).Internal("reason", "no session or console idle"))
				return
			}
			c.signIn(w, r, "")
			return
		}
		if !user.Admin {
			c.refuse(w, r, catalog.New(catalog.ConsoleNotAdmin, "username", user.Username).Internal("user_id", user.ID))
			return
		}
		if !slices.Contains(sess.AMR, "mfa") {
			fv, err := c.o.Service.Factors(ctx, user.ID)
			if err != nil {
				c.refuse(w, r, failure.FromStore(err))
				return
			}
			if fv.TOTP != nil || len(fv.Passkeys) > 0 {
				// The user has a second factor but this session did not
				// use it: step up through Lucid's factor pages.
				c.signIn(w, r, "urn:lucid:acr:mfa")
				return
			}
		}
		a := admin{user: user, sess: sess, csrf: c.o.Secrets.Tag("console-csrf", sess.ID)}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
			if err := r.ParseForm(); err != nil || !c.o.Secrets.TagMatches("console-csrf", sess.ID, r.PostForm.Get("csrf")) {
				c.refuse(w, r, catalog.New(catalog.ConsoleFormExpired).Internal("reason", "csrf token missing or wrong", "user_id", user.ID))
				return
			}
		}
		c.stamp(w, sess.ID)
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, ctxKey{}, a)))
	})
}

func (c *Console) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: Prefix, MaxAge: int(maxAge / time.Second),
		HttpOnly: true, Secure: c.o.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// stamp renews the idle stamp: the session's id and the time, tagged
// with a key derived from the master key.
func (c *Console) stamp(w http.ResponseWriter, sid string) {
	at := strconv.FormatInt(c.o.Now().Unix(), 10)
	c.setCookie(w, idleCookie, at+"."+c.o.Secrets.Tag("console-idle", sid+"|"+at), c.o.Idle)
}

// fresh says whether the idle stamp is of this session and recent.
func (c *Console) fresh(r *http.Request, sess *store.Session) bool {
	ck, err := r.Cookie(idleCookie)
	if err != nil {
		return false
	}
	at, tag, ok := strings.Cut(ck.Value, ".")
	sec, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || !c.o.Secrets.TagMatches("console-idle", sess.ID+"|"+at, tag) {
		return false
	}
	return c.o.Now().Sub(time.Unix(sec, 0)) < c.o.Idle
}

// signIn sends the browser to Lucid's sign-in as the console's client.
// acr, when set, is a step-up of the current session; otherwise the
// password is asked again (prompt=login).
func (c *Console) signIn(w http.ResponseWriter, r *http.Request, acr string) {
	if err := c.ensureClient(r.Context()); err != nil {
		c.refuse(w, r, err)
		return
	}
	state := secret.Token(24)
	verifier := secret.Token(32)
	sum := sha256.Sum256([]byte(verifier))
	now := c.o.Now().Unix()
	c.setCookie(w, stateCookie, state+"."+strconv.FormatInt(now, 10), 10*time.Minute)
	q := url.Values{
		"client_id":             {ClientID},
		"response_type":         {"code"},
		"redirect_uri":          {c.o.Issuer + Prefix + "callback"},
		"scope":                 {"openid"},
		"state":                 {state},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	if acr != "" {
		q.Set("acr_values", acr)
	} else {
		q.Set("prompt", "login")
	}
	http.Redirect(w, r, c.o.Issuer+"/authorize?"+q.Encode(), http.StatusSeeOther)
}

// ensureClient registers the console's public client once, and points
// its redirect URI at the issuer again when the issuer changed.
func (c *Console) ensureClient(ctx context.Context) error {
	want := []string{c.o.Issuer + Prefix + "callback"}
	cl, err := c.o.Service.GetClient(ctx, ClientID)
	if err == nil {
		if !slices.Equal(cl.RedirectURIs, want) {
			_, err = c.o.Service.UpdateClient(ctx, ClientID, manage.ClientPatch{RedirectURIs: &want})
		}
		return err
	}
	var ce *catalog.Error
	if !errors.As(err, &ce) || ce.Name() != catalog.AdminNotFound {
		return err
	}
	_, _, err = c.o.Service.CreateClient(ctx, manage.ClientSpec{
		ID: ClientID, Name: "Lucid console", AuthMethod: "none", SkipConsent: true,
		RedirectURIs: want, Scopes: []string{"openid"}, GrantTypes: []string{"authorization_code"},
	})
	if errors.As(err, &ce) && ce.Name() == catalog.AdminConflict {
		return nil // another request registered it meanwhile
	}
	return err
}

// callback ends a console sign-in: the state must be the one this browser
// was sent with, and the Lucid session must have been made or stepped up
// since. The code is not redeemed: the console needs the session, not
// tokens, and the unredeemed code expires within lifetimes.auth_code.
func (c *Console) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ck, err := r.Cookie(stateCookie)
	state, at, _ := strings.Cut(func() string {
		if err != nil {
			return ""
		}
		return ck.Value
	}(), ".")
	if state == "" || q.Get("state") != state {
		c.refuse(w, r, catalog.New(catalog.ConsoleFormExpired).Internal("reason", "sign-in callback without this browser's state"))
		return
	}
	c.setCookie(w, stateCookie, "", -1)
	if code := q.Get("error"); code != "" {
		// Never a redirect back to the sign-in: an unmet requirement
		// would come straight back, forever.
		if !tokenChars(code) {
			code = "an unreadable error"
		}
		name, _, _ := strings.Cut(q.Get("error_description"), ":")
		c.refuse(w, r, catalog.New(catalog.ConsoleSignInFailed, "error", catalog.Clip(code, 40)).Internal("entry", catalog.Clip(name, 64)))
		return
	}
	sess, _, err := c.o.Sessions.SignedIn(r.Context(), r)
	if err != nil {
		c.refuse(w, r, failure.FromStore(err))
		return
	}
	started, _ := strconv.ParseInt(at, 10, 64)
	if sess == nil || sess.AuthTime.Unix() < started-1 {
		c.signIn(w, r, "")
		return
	}
	c.stamp(w, sess.ID)
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

// tokenChars says whether s is an OAuth error code's shape (RFC 6749
// §5.2: printable ASCII without quotes and backslash), safe to repeat.
func tokenChars(s string) bool {
	for _, r := range s {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return false
		}
	}
	return true
}

// page is what the layout sees.
type page struct {
	Title   string
	Nav     string
	Style   string
	Console string
	Icon    string
	User    string
	CSRF    string
	Notice  string
	Problem *problem
	Data    any
}

// problem is a catalogued failure shown on a page.
type problem struct {
	Status      int
	Name        string
	Title       string
	Description string
	TraceID     string
	DocURL      string
	Fixes       []string
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name, title, nav string, data any, pr *problem) {
	a := who(r)
	p := page{Title: title, Nav: nav, Style: c.o.StyleURL, Console: Prefix + "console.css", Icon: c.o.IconURL, CSRF: a.csrf, Data: data, Problem: pr}
	if a.user != nil {
		p.User = a.user.Username
	}
	p.Notice = noticeText[r.URL.Query().Get("done")]
	var buf strings.Builder
	if err := c.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		c.o.Log.Error("console: page failed to render", "page", name, "err", err)
		http.Error(w, "The console could not render this page; the operator's log has the details.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

// noticeText is the confirmation after a redirect (?done=…).
var noticeText = map[string]string{
	"saved": "Saved.", "disabled": "Disabled.", "enabled": "Enabled.", "created": "Created.",
	"factors": "The user's second factors and passkeys were removed.", "sessions": "The user's sessions were ended.",
	"admin": "The admin role was changed.", "secret": "The secret was removed; it no longer authenticates the client.", "consent": "The consent was withdrawn and its tokens revoked.",
	"rotated":  "New signing keys were made; the old ones stay published for tokens they signed.",
	"password": "The password was set (and, unless users.keep_grants_on_change, the user's sessions and refresh tokens ended).", "deleted": "Deleted.",
}

// problemOf records e and describes it for a page.
func (c *Console) problemOf(r *http.Request, err error) *catalog.Error {
	var e *catalog.Error
	if !errors.As(err, &e) {
		e = failure.FromStore(err)
	}
	if c.o.Failures != nil {
		c.o.Failures.Record(r, catalog.Console, "", e, c.o.Now())
	}
	return e
}

func (c *Console) describe(r *http.Request, e *catalog.Error) *problem {
	return &problem{Status: e.Status(), Name: string(e.Name()), Title: e.Entry.Title, Description: e.Text(),
		TraceID: trace.ID(r.Context()), DocURL: e.URI(c.o.Issuer), Fixes: e.Entry.ClientFix}
}

// refuse answers with the refusal page of a catalogued failure.
func (c *Console) refuse(w http.ResponseWriter, r *http.Request, err error) {
	e := c.problemOf(r, err)
	c.render(w, r, e.Status(), "refused", e.Entry.Title, "", nil, c.describe(r, e))
}
