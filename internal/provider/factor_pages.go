package provider

import (
	"context"
	"encoding/base64"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/lucid-auth/lucid/internal/authn"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/throttle"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// The factor steps' pages: the second-factor page (an authenticator
// app's code, a recovery code, a passkey), the setup page (an
// authenticator app or a passkey, then recovery codes), and passkey
// sign-in from the sign-in page. Each attempt is counted against the
// client network's allowance (lockout.network_per_hour) before anything
// is checked, and each failure against the account's lockout, as a wrong
// password is.

// factorUser is the person whose sign-in the request carries; without one
// the browser goes back to the sign-in form.
func (p *Provider) factorUser(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client) (*store.User, bool) {
	if ar.Authn == nil || ar.Authn.UserID == "" {
		http.Redirect(w, r, PathLogin+"?interaction="+url.QueryEscape(ar.ID), http.StatusSeeOther)
		return nil, false
	}
	user, err := p.store.GetUser(r.Context(), ar.Authn.UserID)
	if err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return nil, false
	}
	if user.Disabled {
		p.failPage(w, r, catalog.SignIn, client.ID, catalog.New(catalog.SignInAccountDisabled).Internal("user_id", user.ID))
		return nil, false
	}
	return user, true
}

func (p *Provider) handleFactorPage(w http.ResponseWriter, r *http.Request) {
	ar, client, browser, ok := p.interaction(w, r, r.URL.Query().Get("interaction"))
	if !ok {
		return
	}
	user, ok := p.factorUser(w, r, ar, client)
	if !ok {
		return
	}
	p.showFactor(w, r, ar, client, browser, user, "", nil)
}

// showFactor renders the second-factor page, after a failed attempt of
// method with e's text and reference, as the sign-in form does.
func (p *Provider) showFactor(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client, browser string, user *store.User, method string, e *catalog.Error) {
	ctx := r.Context()
	en, err := p.enrolled(ctx, user.ID)
	if err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	page := ui.FactorPage{
		ClientName: clientName(client), UserName: displayName(user),
		Action: PathFactor, CSRF: p.csrfToken(browser, ar.ID), Interaction: ar.ID,
		TOTP: en.TOTP, Recovery: en.Recovery > 0, Method: method,
		PhishingResistant: ar.Authn != nil && ar.Authn.Want == authn.ACRPhishingResistant,
	}
	if en.Passkeys {
		wu, _, err := p.passkeyUser(ctx, user)
		if err == nil {
			var options *protocol.CredentialAssertion
			var session *webauthn.SessionData
			if options, session, err = p.webauthn.BeginLogin(wu); err == nil {
				page.Passkey, err = p.beginCeremony(ctx, ar, browser, ceremonyFactor, options, session)
			}
		}
		if err != nil {
			p.log.WarnContext(ctx, "could not begin a passkey second factor", "err", err)
		}
	}
	status := http.StatusOK
	if e != nil {
		status = e.Status()
		page.Error, page.ErrorValues, page.ErrorName, page.Reference = e.Text(), e.Values(), string(e.Name()), trace.ID(ctx)
	}
	p.ui.Factor(ui.WithLocales(w, ar.UILocales), status, page)
}

func (p *Provider) handleFactorSubmit(w http.ResponseWriter, r *http.Request) {
	ar, client, ok := p.postedForm(w, r)
	if !ok {
		return
	}
	user, ok := p.factorUser(w, r, ar, client)
	if !ok {
		return
	}
	method := r.PostForm.Get("method")
	proof, e, answered := p.factorAttempt(w, r, client.ID, user, func(ctx context.Context) (authn.Proof, *catalog.Error) {
		switch method {
		case "totp":
			return authn.OTP(user.ID), p.checkTOTP(ctx, user, r.PostForm.Get("code"))
		case "recovery":
			return authn.OTP(user.ID), p.checkRecoveryCode(ctx, user, r.PostForm.Get("code"))
		case "passkey":
			return p.checkPasskeyFactor(ctx, ar, user, r.PostForm.Get("credential"))
		}
		return authn.Proof{}, catalog.New(catalog.SecondFactorNotEnrolled, "factor", catalog.Clip(method, 40))
	})
	if answered {
		return
	}
	if e != nil {
		p.showFactor(w, r, ar, client, ar.Browser, user, method, e)
		return
	}
	p.Proved(w, r, ar, client, proof)
}

// factorAttempt runs one attempt of a factor of user under the limits
// every factor shares: the network's allowance first, then the account's
// lock, then check; a failure counts toward the lock, a success clears
// the count. A failure to show on the page comes back as e, recorded,
// with Retry-After set; a server failure has been answered (answered).
func (p *Provider) factorAttempt(w http.ResponseWriter, r *http.Request, clientID string, user *store.User, check func(context.Context) (authn.Proof, *catalog.Error)) (proof authn.Proof, e *catalog.Error, answered bool) {
	ctx := r.Context()
	undo, wait := func() {}, time.Duration(0)
	network, counted := throttle.Network(r.RemoteAddr)
	if counted && p.signIns != nil {
		undo, wait = p.signIns.Take(network, p.now())
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		e := catalog.New(catalog.SignInThrottled, "retry_after", wait, "limit", p.signIns.PerHour()).Internal("network", network.String())
		p.record(r, catalog.SignIn, clientID, e)
		return proof, e, false
	}
	now := p.now()
	if now.Before(user.LockedUntil) {
		undo()
		e := catalog.New(catalog.SecondFactorLocked, "until", user.LockedUntil.UTC().Format("15:04:05 MST")).
			WithRetryAfter(user.LockedUntil.Sub(now)).
			Internal("user_id", user.ID, "locked_until", user.LockedUntil.UTC().Format(time.RFC3339))
		p.record(r, catalog.SignIn, clientID, e)
		e.SetRetryAfter(w.Header())
		return proof, e, false
	}
	proof, e = check(ctx)
	switch {
	case e == nil:
		undo()
		if user.FailedLogins > 0 {
			if _, err := p.store.UpdateUser(ctx, user.ID, func(u *store.User) error {
				u.FailedLogins, u.LockedUntil = 0, time.Time{}
				return nil
			}); err != nil {
				p.failPage(w, r, catalog.SignIn, clientID, failure.FromStore(err))
				return proof, nil, true
			}
		}
		return proof, nil, false
	case e.Status() >= 500:
		undo()
		p.failPage(w, r, catalog.SignIn, clientID, e)
		return proof, nil, true
	case e.Name() == catalog.SecondFactorNotEnrolled || e.Name() == catalog.PasskeyCeremonyExpired:
		// Not a guess: it costs neither the network's allowance nor
		// the account's count.
		undo()
	default:
		if locked, err := p.countFailure(ctx, user.ID, now); err != nil {
			p.failPage(w, r, catalog.SignIn, clientID, failure.FromStore(err))
			return proof, nil, true
		} else if !locked.IsZero() {
			e = catalog.New(catalog.SecondFactorLocked, "until", locked.UTC().Format("15:04:05 MST")).
				WithRetryAfter(locked.Sub(now)).
				Internal("user_id", user.ID, "reason", string(e.Name())+"; lock started")
		}
	}
	e = e.Internal("user_id", user.ID)
	if e.Name() != catalog.SecondFactorNotEnrolled && e.Name() != catalog.PasskeyCeremonyExpired {
		p.recordSignIn(r, user.ID, "", nil, e)
	}
	if counted && p.signIns != nil {
		p.failures.RecordInFull(r, catalog.SignIn, clientID, e, now)
	} else {
		p.record(r, catalog.SignIn, clientID, e)
	}
	e.SetRetryAfter(w.Header())
	return proof, e, false
}

// countFailure counts one failed attempt of any factor against the
// account, by the password's rule (lockFor); locked is when a lock that
// this failure started ends.
func (p *Provider) countFailure(ctx context.Context, userID string, now time.Time) (locked time.Time, err error) {
	_, err = p.store.UpdateUser(ctx, userID, func(u *store.User) error {
		u.FailedLogins++
		if d := p.lockFor(u.FailedLogins); d > 0 {
			u.LockedUntil = now.Add(d)
			locked = u.LockedUntil
		}
		return nil
	})
	return locked, err
}

// totpAAD binds a sealed TOTP secret to its user: a sealed value copied
// to another user's row does not open.
func totpAAD(userID string) []byte { return []byte("totp|" + userID) }

// checkTOTP checks an authenticator app's code and spends its time step.
func (p *Provider) checkTOTP(ctx context.Context, user *store.User, code string) *catalog.Error {
	t, err := p.store.GetTOTP(ctx, user.ID)
	if errors.Is(err, store.ErrNotFound) {
		return catalog.New(catalog.SecondFactorNotEnrolled, "factor", "authenticator app")
	}
	if err != nil {
		return failure.FromStore(err)
	}
	url, err := p.secrets.Open(t.Sealed, totpAAD(user.ID))
	if err != nil {
		return catalog.New(catalog.ServerError).Wrap(err)
	}
	secret, _, err := authn.TOTPFromURL(string(url))
	if err != nil {
		return catalog.New(catalog.ServerError).Wrap(err)
	}
	step, ok, err := authn.VerifyTOTP(secret, code, p.now())
	switch {
	case err != nil:
		return catalog.New(catalog.ServerError).Wrap(err)
	case !ok:
		return catalog.New(catalog.SecondFactorCodeWrong)
	case step <= t.LastStep:
		return catalog.New(catalog.SecondFactorCodeReused).Internal("step", step, "last_step", t.LastStep)
	}
	// The conditional write decides between two uses at once.
	err = p.store.UseTOTPStep(ctx, user.ID, step, p.now())
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return catalog.New(catalog.SecondFactorCodeReused).Internal("step", step, "race", "lost")
	case errors.Is(err, store.ErrNotFound):
		return catalog.New(catalog.SecondFactorNotEnrolled, "factor", "authenticator app")
	case err != nil:
		return failure.FromStore(err)
	}
	return nil
}

// recoveryHash is the stored form of a recovery code: keyed with the
// master key, so that the table alone does not allow guessing codes
// offline.
func (p *Provider) recoveryHash(userID, canonical string) string {
	return p.secrets.Tag("recovery code", userID+"|"+canonical)
}

func (p *Provider) checkRecoveryCode(ctx context.Context, user *store.User, code string) *catalog.Error {
	canon, ok := authn.CanonicalRecoveryCode(code)
	if !ok {
		return catalog.New(catalog.RecoveryCodeWrong).Internal("reason", "not the shape of a recovery code")
	}
	err := p.store.UseRecoveryCode(ctx, user.ID, p.recoveryHash(user.ID, canon), p.now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return catalog.New(catalog.RecoveryCodeWrong)
	case errors.Is(err, store.ErrAlreadyUsed):
		return catalog.New(catalog.RecoveryCodeUsed)
	case err != nil:
		return failure.FromStore(err)
	}
	return nil
}

// checkPasskeyFactor checks a passkey given as the second factor: the
// credential must be user's own (the ceremony allowed only theirs).
func (p *Provider) checkPasskeyFactor(ctx context.Context, ar *store.AuthRequest, user *store.User, answer string) (authn.Proof, *catalog.Error) {
	if p.webauthn == nil {
		return authn.Proof{}, catalog.New(catalog.SecondFactorNotEnrolled, "factor", "passkey")
	}
	session, e := p.takeCeremony(ctx, ar, ceremonyFactor)
	if e != nil {
		return authn.Proof{}, e
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(answer))
	if err != nil {
		return authn.Proof{}, catalog.New(catalog.PasskeyAssertionInvalid).Wrap(err).Internal("reason", "unreadable answer")
	}
	wu, keys, err := p.passkeyUser(ctx, user)
	if err != nil {
		return authn.Proof{}, failure.FromStore(err)
	}
	id := base64.RawURLEncoding.EncodeToString(parsed.RawID)
	known := false
	for _, k := range keys {
		known = known || k.ID == id
	}
	if !known {
		return authn.Proof{}, catalog.New(catalog.PasskeyUnknown).Internal("credential_id", catalog.Clip(parsed.ID, 100))
	}
	cred, err := p.webauthn.ValidateLogin(wu, *session, parsed)
	if err != nil {
		return authn.Proof{}, catalog.New(catalog.PasskeyAssertionInvalid).Wrap(err).Internal("reason", protocolReason(err))
	}
	if err := p.store.UsePasskey(ctx, id, cred.Authenticator.SignCount, p.now()); err != nil {
		return authn.Proof{}, failure.FromStore(err)
	}
	return authn.Passkey(user.ID, cred.Flags.UserVerified), nil
}

// handlePasskeySignIn signs in with a passkey alone (a discoverable
// credential) from the sign-in page; its failures are shown there.
func (p *Provider) handlePasskeySignIn(w http.ResponseWriter, r *http.Request) {
	ar, client, ok := p.postedForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	undo, wait := func() {}, time.Duration(0)
	network, counted := throttle.Network(r.RemoteAddr)
	if counted && p.signIns != nil {
		undo, wait = p.signIns.Take(network, p.now())
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		e := catalog.New(catalog.SignInThrottled, "retry_after", wait, "limit", p.signIns.PerHour()).Internal("network", network.String())
		p.record(r, catalog.SignIn, client.ID, e)
		p.showSignIn(w, r, ar, client, ar.Browser, "", e)
		return
	}
	session, e := p.takeCeremony(ctx, ar, ceremonyLogin)
	var user *store.User
	var proof authn.Proof
	if e == nil {
		var cred *webauthn.Credential
		user, cred, e = p.passkeyAssertion(ctx, session, r.PostForm.Get("credential"))
		switch {
		case e != nil:
		case user.Disabled:
			e = catalog.New(catalog.SignInAccountDisabled).Internal("user_id", user.ID)
		case p.now().Before(user.LockedUntil):
			e = catalog.New(catalog.AccountLocked, "until", user.LockedUntil.UTC().Format("15:04:05 MST")).Internal("user_id", user.ID)
		default:
			proof = authn.Passkey(user.ID, cred.Flags.UserVerified)
		}
	}
	if e == nil {
		undo()
		if user.FailedLogins > 0 {
			if _, err := p.store.UpdateUser(ctx, user.ID, func(u *store.User) error {
				u.FailedLogins, u.LockedUntil = 0, time.Time{}
				return nil
			}); err != nil {
				p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
				return
			}
		}
		p.Proved(w, r, ar, client, proof)
		return
	}
	if e.Status() >= 500 {
		undo()
		p.failPage(w, r, catalog.SignIn, client.ID, e)
		return
	}
	if e.Name() == catalog.PasskeyCeremonyExpired {
		undo()
	}
	// A refused answer for a known account counts toward its lock.
	if user != nil && e.Name() == catalog.PasskeyAssertionInvalid {
		if _, err := p.countFailure(ctx, user.ID, p.now()); err != nil {
			p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
			return
		}
	}
	if counted && p.signIns != nil {
		p.failures.RecordInFull(r, catalog.SignIn, client.ID, e, p.now())
	} else {
		p.record(r, catalog.SignIn, client.ID, e)
	}
	e.SetRetryAfter(w.Header())
	p.showSignIn(w, r, ar, client, ar.Browser, "", e)
}

// groupSecret shows a base32 secret in groups of four for typing.
func groupSecret(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}
