package provider

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/lucid-auth/lucid/internal/authn"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// The authentication pipeline (internal/authn) on the authorization
// request: each factor step hands Proved what it proved; the proofs so far
// wait on the request (AuthRequest.Authn) until the policy says they are
// enough, and only then does a session start (or a step-up's session get
// the stronger amr). The password form, the second-factor page, the setup
// page and passkey sign-in are the steps Lucid has; an upstream provider
// or LDAP plugs in by calling Proved with its own proof.

// Paths of the factor pages.
const (
	PathFactor       = "/login/factor"  // a second factor after the first
	PathFactorSetup  = "/login/setup"   // set one up during sign-in
	PathLoginPasskey = "/login/passkey" // sign in with a passkey alone
)

func (p *Provider) registerFactors(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathFactor, p.handleFactorPage)
	mux.HandleFunc("POST "+PathFactor, p.handleFactorSubmit)
	mux.HandleFunc("GET "+PathFactorSetup, p.handleSetupPage)
	mux.HandleFunc("POST "+PathFactorSetup, p.handleSetupSubmit)
	if p.webauthn != nil {
		mux.HandleFunc("POST "+PathLoginPasskey, p.handlePasskeySignIn)
	}
}

func (p *Provider) setupAuthn(c config.Authn) error {
	if c.SecondFactor == "" {
		c.SecondFactor = config.DefaultAuthn.SecondFactor
	}
	if c.TOTPIssuer == "" {
		c.TOTPIssuer = config.DefaultAuthn.TOTPIssuer
	}
	if c.UserVerification == "" {
		c.UserVerification = config.DefaultAuthn.UserVerification
	}
	p.authn = c
	if !c.Passkeys {
		return nil
	}
	return p.setupWebAuthn()
}

// progress is the result so far of ar's sign-in.
func progress(ar *store.AuthRequest) authn.Result {
	a := ar.Authn
	if a == nil {
		return authn.Result{}
	}
	r := authn.Result{UserID: a.UserID, Methods: a.Methods, At: a.At}
	for _, k := range a.Kinds {
		r.Kinds = append(r.Kinds, authn.Kind(k))
	}
	return r
}

// setProgress puts res on a, keeping a's other state.
func setProgress(a *store.AuthRequest, res authn.Result) {
	if a.Authn == nil {
		a.Authn = &store.AuthnProgress{}
	}
	a.Authn.UserID, a.Authn.Methods, a.Authn.At = res.UserID, res.Methods, res.At
	a.Authn.Kinds = a.Authn.Kinds[:0]
	for _, k := range res.Kinds {
		a.Authn.Kinds = append(a.Authn.Kinds, string(k))
	}
}

// policy is what ar's sign-in must reach for client.
func (p *Provider) policy(ar *store.AuthRequest, client *store.Client) authn.Policy {
	served, _ := authn.ParseACRValues(ar.ACRValues)
	return authn.Policy{
		Mode:           authn.Mode(p.authn.SecondFactor),
		ClientRequires: client.RequireSecondFactor,
		ACRValues:      served,
		Passkeys:       p.webauthn != nil,
		Interactive:    !contains(ar.Prompt, "none"),
	}
}

// decide runs the policy, reading what the person has set up only when
// the answer depends on it.
func (p *Provider) decide(ctx context.Context, pol authn.Policy, res authn.Result) (authn.Decision, error) {
	if pol.Settled(res) {
		return pol.Decide(res, authn.Enrolled{}), nil
	}
	e, err := p.enrolled(ctx, res.UserID)
	if err != nil {
		return authn.Decision{}, err
	}
	return pol.Decide(res, e), nil
}

// enrolled is what second factors the user has.
func (p *Provider) enrolled(ctx context.Context, userID string) (authn.Enrolled, error) {
	var e authn.Enrolled
	_, err := p.store.GetTOTP(ctx, userID)
	switch {
	case err == nil:
		e.TOTP = true
	case !errors.Is(err, store.ErrNotFound):
		return e, err
	}
	if p.webauthn != nil {
		keys, err := p.store.ListPasskeys(ctx, userID)
		if err != nil {
			return e, err
		}
		e.Passkeys = len(keys) > 0
	}
	if e.Recovery, err = p.store.CountRecoveryCodes(ctx, userID); err != nil {
		return e, err
	}
	return e, nil
}

// Proved is the pipeline's entry point: a factor step proved proof for
// the authorization request ar of client. It adds the proof to what the
// request's sign-in proved so far and goes on as the policy says: to the
// second-factor page, to the setup page, back to the client with
// unmet_authentication_requirements, or (enough) into a session and on to
// consent. A proof about another person than the earlier ones is refused.
// Every step that calls it has already applied the lockout and the
// network's limit to its own failures.
func (p *Provider) Proved(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client, proof authn.Proof) {
	res, ok := progress(ar).Add(proof, p.now())
	if !ok {
		p.failPage(w, r, catalog.SignIn, client.ID, catalog.New(catalog.InteractionUnknown).
			Internal("reason", "a factor proved another person than the sign-in's earlier steps", "proved", proof.UserID, "earlier", progress(ar).UserID))
		return
	}
	p.advance(w, r, ar, client, res)
}

// advance goes on from res, the sign-in's proofs so far.
func (p *Provider) advance(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client, res authn.Result) {
	ctx := r.Context()
	pol := p.policy(ar, client)
	d, err := p.decide(ctx, pol, res)
	if err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	switch d.Next {
	case authn.Done:
		p.finishSignIn(w, r, ar, client, res, res.ACR(pol.ACRValues))
		return
	case authn.Unmet:
		p.dropInteraction(ctx, ar.ID)
		p.answerRequest(w, r, ar, catalog.New(catalog.ACRUnmet, "acr", acrOrSetting(d.Want), "reason", d.Reason).Internal("user_id", res.UserID))
		return
	}
	ar, err = p.store.UpdateAuthRequest(ctx, ar.ID, func(a *store.AuthRequest) error {
		setProgress(a, res)
		a.Authn.Want = d.Want
		return nil
	})
	if err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	to := PathFactor
	if d.Next == authn.Enrol {
		to = PathFactorSetup
	}
	http.Redirect(w, r, to+"?interaction="+url.QueryEscape(ar.ID), http.StatusSeeOther)
}

func acrOrSetting(want string) string {
	if want == "" {
		return "a second factor"
	}
	return want
}

// finishSignIn starts the browser's session with what res proved (or,
// for a step-up, gives the session its stronger amr) and goes on to
// consent.
func (p *Provider) finishSignIn(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client, res authn.Result, acr string) {
	ctx := r.Context()
	user, err := p.store.GetUser(ctx, res.UserID)
	if err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	if user.Disabled {
		p.failPage(w, r, catalog.SignIn, client.ID, catalog.New(catalog.SignInAccountDisabled).Internal("user_id", user.ID))
		return
	}
	var sess *store.Session
	if ar.Authn != nil && ar.Authn.StepUp {
		sess, err = p.upgradeSession(ctx, w, r, user, res.AMR())
	} else {
		sess, err = p.startSession(ctx, w, user, res.AMR())
	}
	if err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	p.recordSignIn(r, user.ID, signInVia(client), sess.AMR, nil)
	if ar.Return != "" {
		// A sign-in for Lucid's own page: back to it, signed in.
		p.dropInteraction(ctx, ar.ID)
		http.Redirect(w, r, ar.Return, http.StatusSeeOther)
		return
	}
	ar, err = p.store.UpdateAuthRequest(ctx, ar.ID, func(a *store.AuthRequest) error {
		a.UserID, a.SessionID, a.AuthTime, a.AMR, a.ACR = user.ID, sess.ID, sess.AuthTime, sess.AMR, acr
		a.Authn = nil
		return nil
	})
	if err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	p.consentStep(w, r, ar, client, user, true)
}

// upgradeSession gives the browser's session of user the stronger amr of
// a step-up, under a new cookie (a session that gained a factor gets a
// new secret) but the same public id (sid), so that its clients' tokens
// and logout still find it. Without that session it starts one.
func (p *Provider) upgradeSession(ctx context.Context, w http.ResponseWriter, r *http.Request, user *store.User, amr []string) (*store.Session, error) {
	old, u, err := p.currentSession(ctx, r)
	if err != nil {
		return nil, err
	}
	if old == nil || u.ID != user.ID {
		return p.startSession(ctx, w, user, amr)
	}
	v := secret.Token(32)
	s := *old
	s.Hash, s.AMR, s.AuthTime = secret.Hash(v), amr, p.now().Truncate(time.Second)
	if err := p.store.CreateSession(ctx, &s); err != nil {
		return nil, err
	}
	if err := p.store.DeleteSession(ctx, old.Hash); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	p.setCookie(w, sessionCookie, v, time.Until(s.ExpiresAt))
	return &s, nil
}

// stepUp is the authorization endpoint's check of a live session against
// the request's policy: done (ar gets its acr), or a stored request that
// continues on a factor page, or the client is told the request cannot be
// met. It reports whether the caller goes on to consent.
func (p *Provider) stepUp(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client, sess *store.Session) bool {
	ctx := r.Context()
	res := authn.FromAMR(sess.UserID, sess.AMR, sess.AuthTime)
	pol := p.policy(ar, client)
	d, err := p.decide(ctx, pol, res)
	if err != nil {
		p.failRedirect(w, r, replyFor(ar), failure.FromStore(err))
		return false
	}
	switch d.Next {
	case authn.Done:
		ar.ACR = res.ACR(pol.ACRValues)
		return true
	case authn.Unmet:
		p.failRedirect(w, r, replyFor(ar), catalog.New(catalog.ACRUnmet, "acr", acrOrSetting(d.Want), "reason", d.Reason).Internal("user_id", res.UserID))
		return false
	}
	ar.ID = secret.Token(24)
	// Nobody is signed in for this request until the step-up is done:
	// consent cannot be reached around it.
	ar.UserID, ar.SessionID, ar.AuthTime, ar.AMR = "", "", time.Time{}, nil
	ar.Authn = &store.AuthnProgress{StepUp: true, Want: d.Want}
	setProgress(ar, res)
	if err := p.store.CreateAuthRequest(ctx, ar); err != nil {
		p.failRedirect(w, r, replyFor(ar), failure.FromStore(err))
		return false
	}
	to := PathFactor
	if d.Next == authn.Enrol {
		to = PathFactorSetup
	}
	http.Redirect(w, r, to+"?interaction="+url.QueryEscape(ar.ID), http.StatusFound)
	return false
}

// acrValuesServed checks acr_values at the authorization endpoint: a
// request that names only values Lucid does not serve cannot be met.
func acrValuesServed(v string) *catalog.Error {
	served, asked := authn.ParseACRValues(v)
	if asked && len(served) == 0 {
		supported := ""
		for i, s := range authn.ACRValues {
			if i > 0 {
				supported += ", "
			}
			supported += s
		}
		return catalog.New(catalog.ACRValuesUnsupported, "acr_values", catalog.Clip(v, 200), "supported", supported)
	}
	return nil
}
