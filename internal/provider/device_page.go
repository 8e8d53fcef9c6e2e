package provider

import (
	"errors"
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lucid-auth/lucid/internal/authn"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/throttle"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// The device verification page (RFC 8628 §3.3): the person enters the
// user code (GET /device, POST /device), signs in if this browser has no
// session (POST /device/login: the password, then the pipeline's second
// factors as on /authorize, back to the question), sees
// which client asks for what and allows or denies (POST /device/decide).
// A code in verification_uri_complete only fills the field: nothing is
// decided without the person's click. Every form carries a CSRF token
// bound to the browser and, after the entry, to the code's hash; every
// step looks the code up again, through the same limits on wrong codes.

// setupDevice applies the device flow's settings (defaults for a
// Provider built without them, as in tests).
func (p *Provider) setupDevice(d config.Device) {
	if d.CodeLifetime <= 0 {
		d.CodeLifetime = config.DefaultDevice.CodeLifetime
	}
	if d.Interval <= 0 {
		d.Interval = config.DefaultDevice.Interval
	}
	p.device = d
	if d.UserCodeNetworkPerHour > 0 {
		p.userCodeNets = throttle.New(d.UserCodeNetworkPerHour)
	}
	if d.UserCodeServerPerHour > 0 {
		p.userCodeTotal = throttle.New(d.UserCodeServerPerHour)
	}
}

// deviceCSRF binds the entry form to the browser, and each later form to
// the browser and the code being decided.
func (p *Provider) deviceCSRF(browser, codeHash string) string {
	return p.csrfToken(browser, "device|"+codeHash)
}

func (p *Provider) handleDevicePage(w http.ResponseWriter, r *http.Request) {
	browser := p.browser(w, r)
	code := r.URL.Query().Get("user_code")
	if r.URL.Query().Get("step") == deviceStepSignedIn && browser == p.existingBrowser(r) {
		// Back from the sign-in's factor steps (signInFor): straight to
		// the question, through the same lookup and limits as an entry.
		if dc, client, code, ok := p.deviceCode(w, r, browser, code); ok {
			p.deviceNext(w, r, browser, dc, client, code)
		}
		return
	}
	if c, _, ok := canonicalUserCode(code); ok {
		code = displayUserCode(c)
	} else if len(code) > 32 {
		code = code[:32]
	}
	p.ui.Device(w, http.StatusOK, ui.DevicePage{Step: ui.DeviceEnter, Action: PathDevice, CSRF: p.deviceCSRF(browser, ""), UserCode: code})
}

// deviceForm reads a posted form of the verification page and the browser
// that sent it. On failure it has answered.
func (p *Provider) deviceForm(w http.ResponseWriter, r *http.Request) (string, bool) {
	if e := readForm(w, r); e != nil {
		p.failPage(w, r, catalog.SignIn, "", e)
		return "", false
	}
	browser := p.existingBrowser(r)
	if browser == "" {
		p.failPage(w, r, catalog.SignIn, "", catalog.New(catalog.SessionCookieAbsent))
		return "", false
	}
	return browser, true
}

// handleDeviceEnter takes the typed code: a wrong one is said so on the
// form; a good one leads to the sign-in form, or with a session to the
// question.
func (p *Provider) handleDeviceEnter(w http.ResponseWriter, r *http.Request) {
	browser, ok := p.deviceForm(w, r)
	if !ok {
		return
	}
	if !p.csrfValid(browser, "device|", r.PostForm.Get("csrf")) {
		p.failPage(w, r, catalog.SignIn, "", catalog.New(catalog.CSRFTokenInvalid))
		return
	}
	dc, client, code, ok := p.deviceCode(w, r, browser, r.PostForm.Get("user_code"))
	if !ok {
		return
	}
	p.deviceNext(w, r, browser, dc, client, code)
}

// deviceStepSignedIn marks the verification page's address the sign-in
// returns to.
const deviceStepSignedIn = "signed-in"

// deviceReturn is where a sign-in for the code goes back to.
func deviceReturn(code string) string {
	return PathDevice + "?step=" + deviceStepSignedIn + "&user_code=" + url.QueryEscape(code)
}

// deviceNext shows the sign-in form when this browser has no session,
// otherwise the question once the session meets the client's policy
// (or a second-factor step that returns here).
func (p *Provider) deviceNext(w http.ResponseWriter, r *http.Request, browser string, dc *store.DeviceCode, client *store.Client, code string) {
	sess, user, err := p.currentSession(r.Context(), r)
	if err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	if user == nil {
		p.deviceSignIn(w, r, browser, dc, client, code, "", nil)
		return
	}
	if _, ok := p.sessionEnough(w, r, client, "", deviceReturn(code), sess); !ok {
		return
	}
	p.deviceQuestion(w, r, browser, dc, client, code, user)
}

// deviceQuestion asks the signed-in person whether the client may act
// for them on the device, showing the code to compare and the scopes as
// the consent page shows them.
func (p *Provider) deviceQuestion(w http.ResponseWriter, r *http.Request, browser string, dc *store.DeviceCode, client *store.Client, code string, user *store.User) {
	name := user.Name
	if name == "" {
		name = user.Username
	}
	p.ui.Device(w, http.StatusOK, ui.DevicePage{
		Step: ui.DeviceConfirm, Action: PathDeviceDecide, CSRF: p.deviceCSRF(browser, dc.UserCodeHash),
		UserCode: displayUserCode(code), Code: code,
		ClientName: clientName(client), ClientID: client.ID, UserName: name,
		Scopes:     p.consentScopes(r.Context(), &store.AuthRequest{Scopes: dc.Scopes, Resources: dc.Resources}),
		Unverified: client.RegistrationTokenHash != "",
	})
}

// deviceSignIn renders the sign-in form for a device code: the code
// travels in the form's interaction field.
func (p *Provider) deviceSignIn(w http.ResponseWriter, r *http.Request, browser string, dc *store.DeviceCode, client *store.Client, code, username string, e *catalog.Error) {
	page := ui.SignInPage{
		ClientName:   clientName(client),
		Action:       PathDeviceLogin,
		CancelAction: PathDeviceLogin,
		CSRF:         p.deviceCSRF(browser, dc.UserCodeHash),
		Interaction:  code,
		Username:     username,
	}
	status := http.StatusOK
	if e != nil {
		status = e.Status()
		page.Error, page.ErrorValues, page.ErrorName, page.Reference = e.Text(), e.Values(), string(e.Name()), trace.ID(r.Context())
	}
	p.ui.SignIn(w, status, page)
}

// postedCode reads the code a later step's form carries and checks the
// form's CSRF token against it. On failure it has answered.
func (p *Provider) postedCode(w http.ResponseWriter, r *http.Request, field string) (string, *store.DeviceCode, *store.Client, string, bool) {
	browser, ok := p.deviceForm(w, r)
	if !ok {
		return "", nil, nil, "", false
	}
	raw := r.PostForm.Get(field)
	c, _, _ := canonicalUserCode(raw)
	if !p.csrfValid(browser, "device|"+p.userCodeHash(c), r.PostForm.Get("csrf")) {
		p.failPage(w, r, catalog.SignIn, "", catalog.New(catalog.CSRFTokenInvalid))
		return "", nil, nil, "", false
	}
	dc, client, code, ok := p.deviceCode(w, r, browser, raw)
	return browser, dc, client, code, ok
}

func (p *Provider) handleDeviceLogin(w http.ResponseWriter, r *http.Request) {
	browser, dc, client, code, ok := p.postedCode(w, r, "interaction")
	if !ok {
		return
	}
	if r.PostForm.Get("cancel") != "" {
		http.Redirect(w, r, PathDevice, http.StatusSeeOther)
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	user, e, answered := p.checkSignIn(w, r, client.ID, username, r.PostForm.Get("password"))
	if answered {
		return
	}
	if e != nil {
		p.deviceSignIn(w, r, browser, dc, client, code, username, e)
		return
	}
	// The password is the first step of the pipeline, as on /authorize:
	// second factors follow if the policy asks, then the question.
	p.signInFor(w, r, client, "", deviceReturn(code), authn.Password(user.ID))
}

// handleDeviceDecide records the person's answer, once.
func (p *Provider) handleDeviceDecide(w http.ResponseWriter, r *http.Request) {
	browser, dc, client, code, ok := p.postedCode(w, r, "user_code")
	if !ok {
		return
	}
	ctx := r.Context()
	sess, user, err := p.currentSession(ctx, r)
	if err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	if user == nil {
		p.deviceSignIn(w, r, browser, dc, client, code, "", nil)
		return
	}
	approve := r.PostForm.Get("decision") == "allow"
	now := p.now()
	d := store.DeviceDecision{Approved: approve, UserID: user.ID}
	if approve {
		// The session must still meet the client's policy: a posted
		// approval cannot skip the question's step-up.
		acr, ok := p.sessionEnough(w, r, client, "", deviceReturn(code), sess)
		if !ok {
			return
		}
		d.SessionID, d.AuthTime, d.AMR, d.ACR = sess.ID, sess.AuthTime, sess.AMR, acr
		granted := dc.Scopes
		if prev, err := p.store.GetConsent(ctx, user.ID, client.ID); err == nil {
			granted = union(prev.Scopes, dc.Scopes)
		} else if !errors.Is(err, store.ErrNotFound) {
			p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
			return
		}
		if err := p.store.SaveConsent(ctx, &store.Consent{UserID: user.ID, ClientID: client.ID, Scopes: granted, GrantedAt: now}); err != nil {
			p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
			return
		}
	}
	stored, err := p.store.DecideDeviceCode(ctx, dc.Hash, d, now)
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		// Decided meanwhile, in another tab or by someone else, or expired.
		p.deviceEntryError(w, r, browser, client.ID, code, userCodeState(stored, code, now))
		return
	case err != nil:
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	p.ui.Device(w, http.StatusOK, ui.DevicePage{Step: ui.DeviceDone, ClientName: clientName(client), Approved: approve})
}

// deviceCode finds the device authorization of a typed user code. A
// malformed, wrong, expired or decided code is said so on the entry form
// (with nothing about other codes); wrong codes count against the
// network's and the replica's hourly allowance, and once either is used
// up every entry is refused before any lookup. On failure it has
// answered.
func (p *Provider) deviceCode(w http.ResponseWriter, r *http.Request, browser, raw string) (*store.DeviceCode, *store.Client, string, bool) {
	ctx := r.Context()
	now := p.now()
	// Counted before the lookup, given back unless the code was wrong.
	undo := func() {}
	network, counted := throttle.Network(r.RemoteAddr)
	if counted && p.userCodeNets != nil {
		u, wait := p.userCodeNets.Take(network, now)
		if wait > 0 {
			p.deviceThrottled(w, r, catalog.New(catalog.DeviceUserCodeThrottled, "retry_after", wait, "limit", p.userCodeNets.PerHour()).Internal("network", network.String()), wait)
			return nil, nil, "", false
		}
		undo = u
	}
	if p.userCodeTotal != nil {
		// One bucket for every network: the prefix is only its key.
		u, wait := p.userCodeTotal.Take(netip.Prefix{}, now)
		if wait > 0 {
			undo()
			p.deviceThrottled(w, r, catalog.New(catalog.DeviceUserCodeServerLimited, "retry_after", wait, "limit", p.userCodeTotal.PerHour()), wait)
			return nil, nil, "", false
		}
		prev := undo
		undo = func() { prev(); u() }
	}
	code, letters, ok := canonicalUserCode(raw)
	if !ok {
		undo()
		p.deviceEntryError(w, r, browser, "", raw, catalog.New(catalog.DeviceUserCodeMalformed, "length", userCodeLength, "alphabet", userCodeAlphabet, "got", letters))
		return nil, nil, "", false
	}
	dc, err := p.store.GetDeviceCodeByUserCode(ctx, p.userCodeHash(code))
	if errors.Is(err, store.ErrNotFound) {
		e := catalog.New(catalog.DeviceUserCodeUnknown, "user_code", displayUserCode(code))
		p.deviceEntryError(w, r, browser, "", displayUserCode(code), e)
		return nil, nil, "", false
	}
	undo()
	if err != nil {
		p.failPage(w, r, catalog.SignIn, "", failure.FromStore(err))
		return nil, nil, "", false
	}
	if e := userCodeState(dc, code, now); e != nil {
		p.deviceEntryError(w, r, browser, dc.ClientID, displayUserCode(code), e)
		return nil, nil, "", false
	}
	client, err := p.store.GetClient(ctx, dc.ClientID)
	if err != nil || client.Disabled {
		e := catalog.New(catalog.AuthorizeClientUnknown, "client_id", dc.ClientID)
		if err == nil {
			e = catalog.New(catalog.AuthorizeClientDisabled, "client_id", dc.ClientID)
		} else if !errors.Is(err, store.ErrNotFound) {
			e = failure.FromStore(err)
		}
		p.failPage(w, r, catalog.SignIn, dc.ClientID, e)
		return nil, nil, "", false
	}
	return dc, client, code, true
}

// userCodeState refuses a code that expired or was answered already.
func userCodeState(dc *store.DeviceCode, code string, now time.Time) *catalog.Error {
	shown := displayUserCode(code)
	if dc.DecidedAt != nil {
		what := "denied"
		if dc.Decision != nil && dc.Decision.Approved {
			what = "approved"
		}
		return catalog.New(catalog.DeviceUserCodeUsed, "user_code", shown, "decision", what, "ago", decidedAgo(dc, now))
	}
	if !now.Before(dc.ExpiresAt) {
		return catalog.New(catalog.DeviceUserCodeExpired, "user_code", shown, "ago", now.Sub(dc.ExpiresAt).Round(time.Second))
	}
	return nil
}

// deviceEntryError shows the entry form again with what was wrong, and a
// reference whose story is kept (the number of wrong codes is bounded by
// the allowances).
func (p *Provider) deviceEntryError(w http.ResponseWriter, r *http.Request, browser, clientID, typed string, e *catalog.Error) {
	p.failures.RecordInFull(r, catalog.SignIn, clientID, e, p.now())
	if len(typed) > 32 {
		typed = typed[:32]
	}
	p.ui.Device(w, e.Status(), ui.DevicePage{
		Step: ui.DeviceEnter, Action: PathDevice, CSRF: p.deviceCSRF(browser, ""), UserCode: typed,
		Error: e.Text(), ErrorValues: e.Values(), ErrorName: string(e.Name()), Reference: trace.ID(r.Context()),
	})
}

// deviceThrottled answers an entry refused by a limit with the catalog's
// page: what happened, until when, and why.
func (p *Provider) deviceThrottled(w http.ResponseWriter, r *http.Request, e *catalog.Error, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	p.failPage(w, r, catalog.SignIn, "", e)
}
