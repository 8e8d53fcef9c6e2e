package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/authn"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/password"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/throttle"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// The sign-in and consent steps of an authorization request. The request
// waits in the store under an unguessable id; only the browser that started
// it may continue it, and every form carries a token bound to that browser
// and that request.

// interaction loads the authorization request a page or form refers to and
// checks it belongs to this browser and is still alive. On failure it has
// already answered.
func (p *Provider) interaction(w http.ResponseWriter, r *http.Request, id string) (*store.AuthRequest, *store.Client, string, bool) {
	ctx := r.Context()
	browser := p.existingBrowser(r)
	if id == "" {
		p.failPage(w, r, catalog.SignIn, "", catalog.New(catalog.InteractionUnknown).Internal("reason", "no interaction id"))
		return nil, nil, "", false
	}
	ar, err := p.store.GetAuthRequest(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		p.failPage(w, r, catalog.SignIn, "", catalog.New(catalog.InteractionUnknown).Internal("reason", "no such authorization request"))
		return nil, nil, "", false
	}
	if err != nil {
		p.failPage(w, r, catalog.SignIn, "", failure.FromStore(err))
		return nil, nil, "", false
	}
	if browser == "" {
		p.failPage(w, r, catalog.SignIn, ar.ClientID, catalog.New(catalog.SessionCookieAbsent))
		return nil, nil, "", false
	}
	if browser != ar.Browser {
		p.failPage(w, r, catalog.SignIn, ar.ClientID, catalog.New(catalog.InteractionUnknown).Internal("reason", "request started in another browser"))
		return nil, nil, "", false
	}
	if ar.Return != "" && ar.ClientID == "" {
		// The approvals page's sign-in is for no client in particular.
		return ar, &store.Client{}, browser, p.requestAlive(w, r, ar)
	}
	client, err := p.interactionClient(ctx, ar.ClientID)
	if err != nil || client.Disabled {
		e := catalog.New(catalog.AuthorizeClientUnknown, "client_id", ar.ClientID)
		if err == nil {
			e = catalog.New(catalog.AuthorizeClientDisabled, "client_id", ar.ClientID)
		} else if !errors.Is(err, store.ErrNotFound) {
			e = failure.FromStore(err)
		}
		p.failPage(w, r, catalog.SignIn, ar.ClientID, e)
		return nil, nil, "", false
	}
	return ar, client, browser, p.requestAlive(w, r, ar)
}

// requestAlive answers a request that expired.
func (p *Provider) requestAlive(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest) bool {
	if !p.now().Before(ar.ExpiresAt) {
		p.dropInteraction(r.Context(), ar.ID)
		p.answerRequest(w, r, ar, catalog.New(catalog.AuthorizationRequestExpired, "lifetime", p.life.AuthRequest))
		return false
	}
	return true
}

// answerRequest ends ar with e: a redirect to its client, or for a
// sign-in of Lucid's own page (which has no redirect URI) a page.
func (p *Provider) answerRequest(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, e *catalog.Error) {
	if ar.Return != "" {
		p.failPage(w, r, catalog.SignIn, ar.ClientID, e)
		return
	}
	p.failRedirect(w, r, replyFor(ar), e)
}

func replyFor(ar *store.AuthRequest) replyTo {
	return replyTo{uri: ar.RedirectURI, mode: ar.ResponseMode, state: ar.State, clientID: ar.ClientID}
}

func (p *Provider) dropInteraction(ctx context.Context, id string) {
	if err := p.store.DeleteAuthRequest(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		p.log.WarnContext(ctx, "could not delete authorization request", "err", err)
	}
}

// postedForm reads a page's form post and checks its CSRF token.
func (p *Provider) postedForm(w http.ResponseWriter, r *http.Request) (*store.AuthRequest, *store.Client, bool) {
	if e := readForm(w, r); e != nil {
		p.failPage(w, r, catalog.SignIn, "", e)
		return nil, nil, false
	}
	ar, client, browser, ok := p.interaction(w, r, r.PostForm.Get("interaction"))
	if !ok {
		return nil, nil, false
	}
	if !p.csrfValid(browser, ar.ID, r.PostForm.Get("csrf")) {
		p.failPage(w, r, catalog.SignIn, ar.ClientID, catalog.New(catalog.CSRFTokenInvalid))
		return nil, nil, false
	}
	return ar, client, true
}

func (p *Provider) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	ar, client, browser, ok := p.interaction(w, r, r.URL.Query().Get("interaction"))
	if !ok {
		return
	}
	if p.routeByHint(w, r, ar, client) {
		return
	}
	p.showSignIn(w, r, ar, client, browser, ar.LoginHint, nil)
}

// showSignIn renders the sign-in form, after a failed attempt with e's
// text and a reference to report: the trace id, under which the failure
// is recorded, and the entry's name. Both are the same kind of answer for
// every username, so they tell a stranger nothing about which exist.
func (p *Provider) showSignIn(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client, browser, username string, e *catalog.Error) {
	page := ui.SignInPage{
		ClientName:   clientName(client),
		Action:       PathLogin,
		CancelAction: PathLogin,
		CSRF:         p.csrfToken(browser, ar.ID),
		Interaction:  ar.ID,
		Username:     username,
		Passkey:      p.loginPasskeyForm(r.Context(), ar, browser),
	}
	if p.forgotLink {
		page.ForgotURL = "/forgot?interaction=" + url.QueryEscape(ar.ID) + localesQuery(ar.UILocales)
	}
	if p.signupLink {
		page.SignupURL = "/signup?interaction=" + url.QueryEscape(ar.ID) + localesQuery(ar.UILocales)
	}
	if len(p.upstreams.All()) > 0 {
		page.Upstreams = p.upstreamButtons()
		// Someone signed in here (the page is shown for prompt=login or
		// max_age) may link an upstream to that account.
		if _, u, err := p.currentSession(r.Context(), r); err == nil && u != nil {
			page.LinkAs = u.Username
		}
	}
	status := http.StatusOK
	if e != nil {
		status = e.Status()
		page.Error, page.ErrorValues, page.ErrorName, page.Reference = e.Text(), e.Values(), string(e.Name()), trace.ID(r.Context())
		if page.Passkey != nil {
			// After a failure the button is the way: the autofill does
			// not offer the passkey again by itself.
			page.Passkey.Conditional = false
		}
	}
	p.ui.SignIn(ui.WithLocales(w, ar.UILocales), status, page)
}

func clientName(c *store.Client) string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}

func (p *Provider) handleLoginSubmit(w http.ResponseWriter, r *http.Request) {
	ar, client, ok := p.postedForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if r.PostForm.Get("cancel") != "" {
		p.dropInteraction(ctx, ar.ID)
		p.answerRequest(w, r, ar, catalog.New(catalog.SignInCancelled))
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	user, e, answered := p.checkSignIn(w, r, client.ID, username, r.PostForm.Get("password"))
	if answered {
		return
	}
	if e != nil {
		p.showSignIn(w, r, ar, client, ar.Browser, username, e)
		return
	}
	// The password is the pipeline's first step; the policy decides
	// whether a second follows before the session starts (factors.go).
	p.Proved(w, r, ar, client, authn.Password(user.ID))
}

// checkSignIn checks one posted username and password for the client
// clientID. A failure to show on the sign-in form comes back as e,
// recorded and with its headers set (Retry-After); any other failure has
// been answered with an error page (answered). It starts no session: the
// caller hands the proof to the pipeline (Proved, signInFor).
func (p *Provider) checkSignIn(w http.ResponseWriter, r *http.Request, clientID, username, pw string) (user *store.User, e *catalog.Error, answered bool) {
	ctx := r.Context()
	// Every attempt is counted against the network before a password is
	// checked, and given back when it succeeds (or the server failed): only
	// failures use the network's allowance, and a network that has used it
	// costs no password hash.
	undo, wait := func() {}, time.Duration(0)
	network, counted := throttle.Network(r.RemoteAddr)
	if counted && p.signIns != nil {
		undo, wait = p.signIns.Take(network, p.now())
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		e := catalog.New(catalog.SignInThrottled, "retry_after", wait, "limit", p.signIns.PerHour()).
			Internal("network", network.String())
		p.record(r, catalog.SignIn, clientID, e)
		return nil, e, false
	}
	if dir, ok := p.directories.For(username); ok {
		user, e = p.checkDirectory(ctx, r, dir, username, pw)
	} else {
		user, e = p.checkPassword(ctx, username, pw)
	}
	if e == nil || e.Status() >= 500 {
		undo()
	}
	if e != nil {
		if e.Status() >= 500 && e.Name() != catalog.SignInBusy && !strings.HasPrefix(string(e.Name()), "directory_") {
			p.failPage(w, r, catalog.SignIn, clientID, e)
			return nil, nil, true
		}
		// Busy is shown on the form, like a wrong password, so that the
		// person can submit it again once Retry-After has passed; so is
		// a directory's failure, as another account may still sign in.
		if e.Name() != catalog.SignInBusy {
			p.recordSignIn(r, failedUser(e), "", []string{authn.MethodPassword}, e)
		}
		if e.Status() < 500 && counted && p.signIns != nil {
			// The person is shown this trace id to report, so its story
			// is kept past the sampling of repeated failures; their
			// number is bounded by the network's allowance, which this
			// attempt used.
			p.failures.RecordInFull(r, catalog.SignIn, clientID, e, p.now())
		} else {
			p.record(r, catalog.SignIn, clientID, e)
		}
		e.SetRetryAfter(w.Header())
		return nil, e, false
	}
	return user, nil, false
}

// busyRetry is the Retry-After of sign_in_busy: a hash takes tens of
// milliseconds, so a slot is usually free again well within a second.
const busyRetry = time.Second

// checkPassword authenticates a user. Unknown user and wrong password
// look the same to the person, and so does a disabled account with a
// wrong password; the operator's record says which it was. Only the right
// password of a disabled account is told so (sign_in_account_disabled),
// as a person who knows it learns nothing a stranger could. An unknown name takes the same steps as an account, so
// that neither the answer nor its time tells whether the account exists:
// its failures are counted (in memory, per replica: throttle.Names) and
// lock it by the same rule (lockFor); while locked it is refused before
// any hash, as a locked account is; otherwise it costs one verification
// of a hash with the default parameters (password.Dummy), as a wrong
// password of an account does. What remains different is where the count
// is written: a row update for an account, a map for an unknown name.
//
// Every hash runs in a slot of the hashing pool; when none is free within
// its short wait the answer is sign_in_busy, before any hash.
func (p *Provider) checkPassword(ctx context.Context, username, pw string) (*store.User, *catalog.Error) {
	now := p.now()
	user, err := p.store.GetUserByUsername(ctx, username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, failure.FromStore(err)
	}
	stored := p.dummyHash
	var lockedUntil time.Time
	if err == nil && username != "" {
		stored, lockedUntil = user.PasswordHash, user.LockedUntil
	} else {
		user, lockedUntil = nil, p.unknownNames.LockedUntil(username)
	}
	who := func() []any {
		if user == nil {
			return []any{"reason", "unknown username"}
		}
		return []any{"user_id", user.ID}
	}
	if now.Before(lockedUntil) {
		return nil, catalog.New(catalog.AccountLocked, "until", lockedUntil.UTC().Format("15:04:05 MST")).
			Internal(who()...).Internal("locked_until", lockedUntil.UTC().Format(time.RFC3339))
	}

	match, upgrade, e := p.verifyPassword(ctx, stored, pw, user != nil && !user.Disabled)
	if e != nil {
		return nil, e.Internal(who()...)
	}
	if user == nil {
		if until := p.unknownNames.Fail(username, now, p.lockFor); !until.IsZero() {
			return nil, catalog.New(catalog.AccountLocked, "until", until.UTC().Format("15:04:05 MST")).
				Internal("reason", "unknown username; lock started")
		}
		return nil, catalog.New(catalog.SignInFailed).Internal("reason", "unknown username")
	}
	if !match {
		var locked time.Time
		_, err := p.store.UpdateUser(ctx, user.ID, func(u *store.User) error {
			u.FailedLogins++
			if d := p.lockFor(u.FailedLogins); d > 0 {
				u.LockedUntil = now.Add(d)
				locked = u.LockedUntil
			}
			return nil
		})
		if err != nil {
			return nil, failure.FromStore(err)
		}
		if !locked.IsZero() {
			return nil, catalog.New(catalog.AccountLocked, "until", locked.UTC().Format("15:04:05 MST")).
				Internal("user_id", user.ID, "reason", "wrong password; lock started")
		}
		return nil, catalog.New(catalog.SignInFailed).Internal("user_id", user.ID, "reason", "wrong password")
	}
	if user.Disabled {
		return nil, catalog.New(catalog.SignInAccountDisabled).Internal("user_id", user.ID)
	}
	if user.FailedLogins > 0 || upgrade != "" {
		old := user.PasswordHash
		if user, err = p.store.UpdateUser(ctx, user.ID, func(u *store.User) error {
			u.FailedLogins, u.LockedUntil = 0, time.Time{}
			// Only the hash this sign-in verified is upgraded: a password
			// an operator set meanwhile stays.
			if upgrade != "" && u.PasswordHash == old {
				u.PasswordHash = upgrade
			}
			return nil
		}); err != nil {
			return nil, failure.FromStore(err)
		}
	}
	return user, nil
}

// verifyPassword checks pw against stored in a slot of the hashing pool.
// When it matches, mayUpgrade holds and stored has other parameters than
// the default, it also hashes pw afresh in the same slot: upgrade is the
// new hash to store ("" when none).
func (p *Provider) verifyPassword(ctx context.Context, stored, pw string, mayUpgrade bool) (match bool, upgrade string, e *catalog.Error) {
	release, err := p.hashing.Acquire(ctx)
	if err != nil {
		return false, "", catalog.New(catalog.SignInBusy).WithRetryAfter(busyRetry).Wrap(err).
			Internal("hash_slots", p.hashing.Slots())
	}
	defer release()
	match, err = password.Verify(stored, pw)
	if err != nil {
		return false, "", catalog.New(catalog.ServerError).Wrap(err)
	}
	if match && mayUpgrade && password.NeedsRehash(stored) {
		if upgrade, err = password.Hash(pw); err != nil {
			// The sign-in stands; the upgrade waits for the next one.
			p.log.WarnContext(ctx, "could not upgrade a password hash", "err", err)
			upgrade = ""
		}
	}
	return match, upgrade, nil
}

// lockFor is how long an account, or an unknown name, is locked after its
// failed-th failure in a row: lockout.base from lockout.threshold on,
// doubling with each further failure up to lockout.max; 0 means not locked.
func (p *Provider) lockFor(failed int) time.Duration {
	over := failed - p.lockout.Threshold
	if p.lockout.Threshold <= 0 || over < 0 {
		return 0
	}
	d := p.lockout.Base << min(over, 20)
	if d > p.lockout.Max || d <= 0 {
		d = p.lockout.Max
	}
	return d
}

func (p *Provider) handleConsentPage(w http.ResponseWriter, r *http.Request) {
	ar, client, browser, ok := p.interaction(w, r, r.URL.Query().Get("interaction"))
	if !ok {
		return
	}
	user, ok := p.consentUser(w, r, ar)
	if !ok {
		return
	}
	scopes := p.consentScopes(r.Context(), ar)
	details, err := p.consentDetails(r.Context(), ar)
	if err != nil {
		p.failPage(w, r, catalog.SignIn, ar.ClientID, catalog.New(catalog.ServerError).Wrap(err))
		return
	}
	name := user.Name
	if name == "" {
		name = user.Username
	}
	p.ui.Consent(ui.WithLocales(w, ar.UILocales), http.StatusOK, ui.ConsentPage{
		ClientName:   clientName(client),
		ClientID:     client.ID,
		UserName:     name,
		Scopes:       scopes,
		Details:      details,
		Action:       PathConsent,
		CSRF:         p.csrfToken(browser, ar.ID),
		Interaction:  ar.ID,
		RedirectHost: redirectHost(ar.RedirectURI),
		Unverified:   client.RegistrationTokenHash != "",
	})
}

// consentScopes says what each requested scope lets the client do: an
// OpenID scope in its own words, an API's scope as access to that API
// (by its name, or its identifier), the one the request named as resource.
func (p *Provider) consentScopes(ctx context.Context, ar *store.AuthRequest) []ui.Scope {
	var owners map[string][]string
	out := make([]ui.Scope, 0, len(ar.Scopes))
	for _, s := range ar.Scopes {
		title, desc := ui.ScopeText(s)
		api := ""
		if !knownScope(s) && len(ar.Resources) > 0 {
			if owners == nil {
				owners = p.apis.scopeIndex(ctx, ar.Resources)
			}
			for _, o := range owners[s] {
				if !contains(ar.Resources, o) {
					continue
				}
				name := o
				if api, ok := p.apis.get(ctx, o); ok && api.Name != "" {
					name = api.Name + " (" + o + ")"
				}
				title, desc = ui.APIScopeText(s, name)
				api = name
				break
			}
		}
		out = append(out, ui.Scope{Name: s, Title: title, Description: desc, API: api})
	}
	return out
}

// redirectHost names where a redirect URI leads, for the consent page: its
// host and port, or for a native app's private-use scheme the scheme.
// Non-ASCII is percent-encoded, so a look-alike host cannot pass for
// another.
func redirectHost(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	h := u.Host
	if h == "" {
		h = u.Scheme + ":"
	}
	var b strings.Builder
	for _, c := range []byte(strings.ToLower(h)) {
		if c < 0x21 || c > 0x7e {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// consentUser returns the user who signed in for this request; it must
// still be the user of this browser's session.
func (p *Provider) consentUser(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest) (*store.User, bool) {
	if ar.UserID == "" {
		http.Redirect(w, r, PathLogin+"?interaction="+url.QueryEscape(ar.ID), http.StatusFound)
		return nil, false
	}
	sess, user, err := p.currentSession(r.Context(), r)
	if err != nil {
		p.failPage(w, r, catalog.SignIn, ar.ClientID, failure.FromStore(err))
		return nil, false
	}
	if sess == nil || sess.ID != ar.SessionID {
		p.failPage(w, r, catalog.SignIn, ar.ClientID, catalog.New(catalog.InteractionUnknown).Internal("reason", "the session that signed in has ended"))
		return nil, false
	}
	return user, true
}

func (p *Provider) handleConsentSubmit(w http.ResponseWriter, r *http.Request) {
	ar, client, ok := p.postedForm(w, r)
	if !ok {
		return
	}
	user, ok := p.consentUser(w, r, ar)
	if !ok {
		return
	}
	ctx := r.Context()
	if r.PostForm.Get("decision") != "allow" {
		p.dropInteraction(ctx, ar.ID)
		p.failRedirect(w, r, replyFor(ar), catalog.New(catalog.ConsentDenied, "client_id", client.ID))
		return
	}
	granted, before := ar.Scopes, json.RawMessage(nil)
	if prev, err := p.store.GetConsent(ctx, user.ID, client.ID); err == nil {
		granted, before = union(prev.Scopes, ar.Scopes), prev.AuthorizationDetails
	} else if !errors.Is(err, store.ErrNotFound) {
		p.failRedirect(w, r, replyFor(ar), failure.FromStore(err))
		return
	}
	details, err := approvedDetails(before, ar.AuthorizationDetails)
	if err != nil {
		p.failRedirect(w, r, replyFor(ar), catalog.New(catalog.ServerError).Wrap(err))
		return
	}
	consent := &store.Consent{UserID: user.ID, ClientID: client.ID, Scopes: granted, GrantedAt: p.now(), AuthorizationDetails: details}
	if err := p.store.SaveConsent(ctx, consent); err != nil {
		p.failRedirect(w, r, replyFor(ar), failure.FromStore(err))
		return
	}
	p.issueCode(w, r, ar, client)
}

// localesQuery carries an authorization request's ui_locales onto a link
// that leaves the interaction (forgot password, sign-up), whose pages
// honour the query parameter.
func localesQuery(uiLocales string) string {
	if uiLocales == "" {
		return ""
	}
	return "&ui_locales=" + url.QueryEscape(uiLocales)
}
