package recovery

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/throttle"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// Options configure the pages.
type Options struct {
	Issuer  string
	Store   store.Store
	Service *manage.Service
	// Links sends the mails; nil when mail is off, which turns reset and
	// sign-up off.
	Links    *Links
	UI       *ui.Renderer
	Secrets  *secret.Keys
	Failures *failure.Recorder
	Log      *slog.Logger
	Now      func() time.Time
	// SecureCookies gives the browser cookie the __Host- prefix, as the
	// provider does under https.
	SecureCookies bool
	Recovery      config.Recovery
	Signup        config.Signup
	Lifetimes     config.Lifetimes
}

// Handler serves the recovery and sign-up pages.
type Handler struct {
	o Options
	// resets bounds reset requests per network; accounts bounds the mails
	// one account gets (resets and "you already have an account"); signups
	// bounds sign-up attempts per network. nil: no limit.
	resets   *throttle.Limiter
	accounts *throttle.Keys
	signups  *throttle.Limiter
}

// New builds the pages.
func New(o Options) *Handler {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	h := &Handler{o: o}
	if n := o.Recovery.NetworkPerHour; n > 0 {
		h.resets = throttle.New(n)
	}
	if n := o.Recovery.AccountPerHour; n > 0 {
		h.accounts = throttle.NewKeys(n)
	}
	if n := o.Signup.NetworkPerHour; n > 0 {
		h.signups = throttle.New(n)
	}
	return h
}

// Register mounts the pages on mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathForgot, h.handleForgotPage)
	mux.HandleFunc("POST "+PathForgot, h.handleForgot)
	mux.HandleFunc("GET "+PathReset, h.handleResetPage)
	mux.HandleFunc("POST "+PathReset, h.handleReset)
	mux.HandleFunc("GET "+PathVerify, h.handleVerifyPage)
	mux.HandleFunc("POST "+PathVerify, h.handleVerify)
	mux.HandleFunc("GET "+PathSignup, h.handleSignupPage)
	mux.HandleFunc("POST "+PathSignup, h.handleSignup)
}

// ResetOn and SignupOn say whether the sign-in page links to them.
func (h *Handler) ResetOn() bool  { return h.o.Links != nil }
func (h *Handler) SignupOn() bool { return h.o.Links != nil && h.o.Signup.Enabled }

// The browser cookie is the provider's (internal/provider/browser.go):
// the same name and attributes, so that one browser has one cookie.
const browserCookie = "lucid_browser"

func (h *Handler) cookieName() string {
	if h.o.SecureCookies {
		return "__Host-" + browserCookie
	}
	return browserCookie
}

// browser is the hash of this browser's cookie, set when there is none.
func (h *Handler) browser(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(h.cookieName()); err == nil && c.Value != "" {
		return secret.Hash(c.Value)
	}
	v := secret.Token(32)
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(), Value: v, Path: "/", MaxAge: int((30 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: h.o.SecureCookies, SameSite: http.SameSiteLaxMode})
	return secret.Hash(v)
}

// csrf binds a form to this browser and one page.
func (h *Handler) csrf(browser, form string) string {
	return h.o.Secrets.Tag("csrf", browser+"|recovery "+form)
}

// csrfValid checks a posted form's token against the browser's cookie.
func (h *Handler) csrfValid(r *http.Request, form string) bool {
	c, err := r.Cookie(h.cookieName())
	tok := r.PostForm.Get("csrf")
	return err == nil && c.Value != "" && tok != "" && h.o.Secrets.TagMatches("csrf", secret.Hash(c.Value)+"|recovery "+form, tok)
}

// interactionID is the sign-in a page was reached from, if the value
// looks like one: it only ever goes back into /login's query.
var interactionID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

func backTo(interaction string) (string, string) {
	if !interactionID.MatchString(interaction) {
		return "", ""
	}
	return interaction, "/login?interaction=" + url.QueryEscape(interaction)
}

// maxForm bounds a posted form.
const maxForm = 64 << 10

// readForm parses a posted form; false when it has answered.
func (h *Handler) readForm(w http.ResponseWriter, r *http.Request, form string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		e := catalog.New(catalog.ParameterMalformed, "parameter", "request body", "expected", "a valid application/x-www-form-urlencoded body").Wrap(err)
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			e = catalog.New(catalog.BodyTooLarge, "limit", maxForm)
		}
		h.failPage(w, r, e)
		return false
	}
	if form != "" && !h.csrfValid(r, form) {
		h.failPage(w, r, catalog.New(catalog.CSRFTokenInvalid))
		return false
	}
	return true
}

// failPage records e and shows the human error page.
func (h *Handler) failPage(w http.ResponseWriter, r *http.Request, e *catalog.Error) {
	h.o.Failures.Record(r, catalog.Recovery, "", e, h.o.Now())
	e.SetRetryAfter(w.Header())
	h.o.UI.Error(w, e.Status(), ui.ErrorPage{
		Status: e.Status(), Title: e.Entry.Title, Description: e.Text(), Values: e.Values(), Name: string(e.Name()), Code: e.Code(),
		TraceID: trace.ID(r.Context()), DocURL: e.URI(h.o.Issuer), Causes: e.Entry.Causes, Fixes: e.Entry.ClientFix,
	})
}

// formError records e and shows page again with its text and reference.
// A failure that used one event of a network's allowance (a sign-up
// attempt) is kept in full, past the sampling of repeated failures, as the
// sign-in form's are: their number is bounded by the allowance. Others
// (a throttled request, a reset form) are sampled.
func (h *Handler) formError(w http.ResponseWriter, r *http.Request, page ui.RecoveryPage, e *catalog.Error, counted bool) {
	if counted {
		h.o.Failures.RecordInFull(r, catalog.Recovery, "", e, h.o.Now())
	} else {
		h.o.Failures.Record(r, catalog.Recovery, "", e, h.o.Now())
	}
	e.SetRetryAfter(w.Header())
	page.Error, page.ErrorValues, page.ErrorName, page.Reference = e.Text(), e.Values(), string(e.Name()), trace.ID(r.Context())
	h.o.UI.Recovery(w, e.Status(), page)
}

// throttled takes one event from the network's allowance of l; the
// answer, when it is used up, is entry's error with Retry-After.
func (h *Handler) throttled(w http.ResponseWriter, r *http.Request, l *throttle.Limiter, entry catalog.Name) *catalog.Error {
	if l == nil {
		return nil
	}
	network, ok := throttle.Network(r.RemoteAddr)
	if !ok {
		return nil
	}
	_, wait := l.Take(network, h.o.Now())
	if wait <= 0 {
		return nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return catalog.New(entry, "retry_after", wait, "limit", l.PerHour()).Internal("network", network.String())
}

// token reads a link's token for purpose and judges it: the token and
// its user, or the entry that says why it cannot be used.
func (h *Handler) token(ctx context.Context, raw, purpose string) (*store.UserToken, *store.User, *catalog.Error) {
	names := map[string][3]catalog.Name{
		store.PurposePasswordReset: {catalog.PasswordResetLinkUnknown, catalog.PasswordResetLinkUsed, catalog.PasswordResetLinkExpired},
		store.PurposeVerifyEmail:   {catalog.EmailVerificationLinkUnknown, catalog.EmailVerificationLinkUsed, catalog.EmailVerificationLinkExpired},
	}[purpose]
	if raw == "" {
		return nil, nil, catalog.New(names[0]).Internal("reason", "no token")
	}
	t, err := h.o.Store.GetUserToken(ctx, secret.Hash(raw))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, catalog.New(names[0]).Internal("reason", "no such token")
	case err != nil:
		return nil, nil, failure.FromStore(err)
	}
	if e := h.judge(t, purpose, names); e != nil {
		return nil, nil, e
	}
	u, err := h.o.Store.GetUser(ctx, t.UserID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, catalog.New(names[0]).Internal("reason", "the user was deleted", "user_id", t.UserID)
	case err != nil:
		return nil, nil, failure.FromStore(err)
	case u.Disabled:
		return nil, nil, catalog.New(names[0]).Internal("reason", "the user is disabled", "user_id", u.ID)
	}
	return t, u, nil
}

// judge says why a stored token cannot be used now, or nil.
func (h *Handler) judge(t *store.UserToken, purpose string, names [3]catalog.Name) *catalog.Error {
	now := h.o.Now()
	life := t.ExpiresAt.Sub(t.CreatedAt)
	switch {
	case t.Purpose != purpose:
		return catalog.New(names[0]).Internal("reason", "a token of another purpose", "purpose", t.Purpose)
	case t.UsedAt != nil:
		return catalog.New(names[1]).Internal("user_id", t.UserID, "used_at", t.UsedAt.UTC().Format(time.RFC3339))
	case !now.Before(t.ExpiresAt):
		return catalog.New(names[2], "ago", now.Sub(t.ExpiresAt), "lifetime", life).Internal("user_id", t.UserID)
	}
	return nil
}

// spend uses the token for good: exactly one of concurrent posts wins.
func (h *Handler) spend(ctx context.Context, t *store.UserToken, purpose string) *catalog.Error {
	names := map[string][3]catalog.Name{
		store.PurposePasswordReset: {catalog.PasswordResetLinkUnknown, catalog.PasswordResetLinkUsed, catalog.PasswordResetLinkExpired},
		store.PurposeVerifyEmail:   {catalog.EmailVerificationLinkUnknown, catalog.EmailVerificationLinkUsed, catalog.EmailVerificationLinkExpired},
	}[purpose]
	stored, err := h.o.Store.UseUserToken(ctx, t.Hash, purpose, h.o.Now())
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrAlreadyUsed):
		if e := h.judge(stored, purpose, names); e != nil {
			return e
		}
		return catalog.New(names[1])
	case errors.Is(err, store.ErrNotFound):
		return catalog.New(names[0]).Internal("reason", "the token disappeared")
	}
	return failure.FromStore(err)
}
