package provider

import (
	"context"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/lucid-auth/lucid/internal/authn"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// Setting up a second factor during sign-in, when the policy asks for one
// and the person has none: an authenticator app (its secret waits, sealed,
// on the authorization request until a code from it confirms it) or a
// passkey; then recovery codes, shown once. Setting one up is itself the
// second step: the confirming code, or the new passkey, proves possession.

func (p *Provider) handleSetupPage(w http.ResponseWriter, r *http.Request) {
	ar, client, browser, ok := p.interaction(w, r, r.URL.Query().Get("interaction"))
	if !ok {
		return
	}
	user, ok := p.factorUser(w, r, ar, client)
	if !ok {
		return
	}
	p.showSetup(w, r, ar, client, browser, user, nil)
}

// showSetup renders the setup page, after a failure with e.
func (p *Provider) showSetup(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client, browser string, user *store.User, e *catalog.Error) {
	ctx := r.Context()
	page := ui.FactorSetupPage{
		ClientName: clientName(client), UserName: displayName(user),
		Action: PathFactorSetup, CSRF: p.csrfToken(browser, ar.ID), Interaction: ar.ID,
		PasskeyOnly: ar.Authn.Want == authn.ACRPhishingResistant,
	}
	if !page.PasskeyOnly {
		secret, qr, err := p.pendingTOTP(ctx, ar, user)
		if err != nil {
			p.failPage(w, r, catalog.SignIn, client.ID, catalog.New(catalog.ServerError).Wrap(err))
			return
		}
		page.Secret, page.QR = groupSecret(secret), template.URL(qr) //nolint:gosec // a data:image/png URI Lucid made
	}
	if p.webauthn != nil {
		wu, _, err := p.passkeyUser(ctx, user)
		if err == nil {
			var options *protocol.CredentialCreation
			var session *webauthn.SessionData
			if options, session, err = p.webauthn.BeginRegistration(wu, webauthn.WithExclusions(webauthn.Credentials(wu.creds).CredentialDescriptors())); err == nil {
				page.Passkey, err = p.beginCeremony(ctx, ar, browser, ceremonyRegister, options, session)
			}
		}
		if err != nil {
			p.log.WarnContext(ctx, "could not begin a passkey registration", "err", err)
		}
	}
	status := http.StatusOK
	if e != nil {
		status = e.Status()
		page.Error, page.ErrorValues, page.ErrorName, page.Reference = e.Text(), e.Values(), string(e.Name()), trace.ID(ctx)
	}
	p.ui.FactorSetup(ui.WithLocales(w, ar.UILocales), status, page)
}

// pendingTOTP is the TOTP secret being set up on ar, made and stored
// (sealed) the first time the page shows.
func (p *Provider) pendingTOTP(ctx context.Context, ar *store.AuthRequest, user *store.User) (secret, qr string, err error) {
	if len(ar.Authn.TOTPSecret) > 0 {
		u, err := p.secrets.Open(ar.Authn.TOTPSecret, totpAAD(user.ID))
		if err != nil {
			return "", "", err
		}
		return authn.TOTPFromURL(string(u))
	}
	secret, u, qr, err := authn.NewTOTP(p.authn.TOTPIssuer, user.Username)
	if err != nil {
		return "", "", err
	}
	sealed := p.secrets.Seal([]byte(u), totpAAD(user.ID))
	if _, err := p.store.UpdateAuthRequest(ctx, ar.ID, func(a *store.AuthRequest) error {
		if a.Authn == nil {
			return errors.New("the sign-in in progress is gone")
		}
		a.Authn.TOTPSecret = sealed
		return nil
	}); err != nil {
		return "", "", err
	}
	ar.Authn.TOTPSecret = sealed
	return secret, qr, nil
}

func (p *Provider) handleSetupSubmit(w http.ResponseWriter, r *http.Request) {
	ar, client, ok := p.postedForm(w, r)
	if !ok {
		return
	}
	user, ok := p.factorUser(w, r, ar, client)
	if !ok {
		return
	}
	switch r.PostForm.Get("method") {
	case "continue":
		// After the recovery codes: the proof of the new factor is on
		// the request already.
		p.advance(w, r, ar, client, progress(ar))
		return
	case "passkey":
		proof, e, answered := p.factorAttempt(w, r, client.ID, user, func(ctx context.Context) (authn.Proof, *catalog.Error) {
			return p.registerPasskey(ctx, ar, user, r.PostForm.Get("credential"))
		})
		if answered {
			return
		}
		if e != nil {
			p.showSetup(w, r, ar, client, ar.Browser, user, e)
			return
		}
		p.setUp(w, r, ar, client, user, proof)
	default:
		proof, e, answered := p.factorAttempt(w, r, client.ID, user, func(ctx context.Context) (authn.Proof, *catalog.Error) {
			return authn.OTP(user.ID), p.confirmTOTP(ctx, ar, user, r.PostForm.Get("code"))
		})
		if answered {
			return
		}
		if e != nil {
			p.showSetup(w, r, ar, client, ar.Browser, user, e)
			return
		}
		p.setUp(w, r, ar, client, user, proof)
	}
}

// confirmTOTP checks a code of the secret being set up and stores it as
// the person's factor, its time step spent.
func (p *Provider) confirmTOTP(ctx context.Context, ar *store.AuthRequest, user *store.User, code string) *catalog.Error {
	if len(ar.Authn.TOTPSecret) == 0 {
		return catalog.New(catalog.SecondFactorNotEnrolled, "factor", "authenticator app being set up")
	}
	u, err := p.secrets.Open(ar.Authn.TOTPSecret, totpAAD(user.ID))
	if err != nil {
		return catalog.New(catalog.ServerError).Wrap(err)
	}
	return p.enrolTOTP(ctx, user, u, code, "setting up")
}

// enrolTOTP checks code against the otpauth:// URL u of a secret being
// set up and stores it as user's factor, its time step spent. The sign-in
// setup page and the account page both set one up through it; reason
// tells the operator's record which.
func (p *Provider) enrolTOTP(ctx context.Context, user *store.User, u []byte, code, reason string) *catalog.Error {
	secret, _, err := authn.TOTPFromURL(string(u))
	if err != nil {
		return catalog.New(catalog.ServerError).Wrap(err)
	}
	step, ok, err := authn.VerifyTOTP(secret, code, p.now())
	if err != nil {
		return catalog.New(catalog.ServerError).Wrap(err)
	}
	if !ok {
		return catalog.New(catalog.SecondFactorCodeWrong).Internal("reason", reason)
	}
	err = p.store.CreateTOTP(ctx, &store.TOTP{UserID: user.ID, Sealed: p.secrets.Seal(u, totpAAD(user.ID)), LastStep: step, CreatedAt: p.now()})
	if errors.Is(err, store.ErrConflict) {
		// Set up meanwhile (another tab): this code is of another secret.
		return catalog.New(catalog.SecondFactorCodeWrong).Internal("reason", "an authenticator app was set up meanwhile")
	}
	if err != nil {
		return failure.FromStore(err)
	}
	return nil
}

// registerPasskey verifies a new credential and stores it.
func (p *Provider) registerPasskey(ctx context.Context, ar *store.AuthRequest, user *store.User, answer string) (authn.Proof, *catalog.Error) {
	if p.webauthn == nil {
		return authn.Proof{}, catalog.New(catalog.SecondFactorNotEnrolled, "factor", "passkey")
	}
	session, e := p.takeCeremony(ctx, ar, ceremonyRegister)
	if e != nil {
		return authn.Proof{}, e
	}
	return p.storePasskey(ctx, user, session, answer)
}

// storePasskey verifies answer, a new credential, against the
// registration ceremony session and stores it. The sign-in setup page and
// the account page both register passkeys through it.
func (p *Provider) storePasskey(ctx context.Context, user *store.User, session *webauthn.SessionData, answer string) (authn.Proof, *catalog.Error) {
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(answer))
	if err != nil {
		return authn.Proof{}, catalog.New(catalog.PasskeyRegistrationInvalid).Wrap(err).Internal("reason", "unreadable answer")
	}
	wu, _, err := p.passkeyUser(ctx, user)
	if err != nil {
		return authn.Proof{}, failure.FromStore(err)
	}
	cred, err := p.webauthn.CreateCredential(wu, *session, parsed)
	if err != nil {
		return authn.Proof{}, catalog.New(catalog.PasskeyRegistrationInvalid).Wrap(err).Internal("reason", protocolReason(err))
	}
	k := &store.Passkey{
		ID: base64.RawURLEncoding.EncodeToString(cred.ID), UserID: user.ID,
		Name:      "Passkey added " + p.now().UTC().Format("2 Jan 2006"),
		PublicKey: cred.PublicKey, SignCount: cred.Authenticator.SignCount,
		AAGUID: cred.Authenticator.AAGUID, AttestationType: cred.AttestationType,
		BackupEligible: cred.Flags.BackupEligible, BackupState: cred.Flags.BackupState, UserVerified: cred.Flags.UserVerified,
		CreatedAt: p.now(),
	}
	for _, t := range cred.Transport {
		k.Transports = append(k.Transports, string(t))
	}
	err = p.store.CreatePasskey(ctx, k)
	if errors.Is(err, store.ErrConflict) {
		return authn.Proof{}, catalog.New(catalog.PasskeyRegistrationInvalid).Internal("reason", "credential id already registered")
	}
	if err != nil {
		return authn.Proof{}, failure.FromStore(err)
	}
	return authn.Passkey(user.ID, cred.Flags.UserVerified), nil
}

// setUp records the proof of a factor just set up on the request and,
// unless the person has recovery codes, shows new ones before going on.
func (p *Provider) setUp(w http.ResponseWriter, r *http.Request, ar *store.AuthRequest, client *store.Client, user *store.User, proof authn.Proof) {
	ctx := r.Context()
	res, ok := progress(ar).Add(proof, p.now())
	if !ok {
		p.failPage(w, r, catalog.SignIn, client.ID, catalog.New(catalog.InteractionUnknown).Internal("reason", "a factor was set up for another person than the sign-in's"))
		return
	}
	n, err := p.store.CountRecoveryCodes(ctx, user.ID)
	if err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	var codes []string
	if n == 0 {
		if codes, err = p.newRecoveryCodes(ctx, user.ID); err != nil {
			p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
			return
		}
	}
	if ar, err = p.store.UpdateAuthRequest(ctx, ar.ID, func(a *store.AuthRequest) error {
		setProgress(a, res)
		a.Authn.TOTPSecret = nil
		return nil
	}); err != nil {
		p.failPage(w, r, catalog.SignIn, client.ID, failure.FromStore(err))
		return
	}
	if len(codes) == 0 {
		p.advance(w, r, ar, client, res)
		return
	}
	p.ui.RecoveryCodes(ui.WithLocales(w, ar.UILocales), http.StatusOK, ui.RecoveryCodesPage{
		Action: PathFactorSetup, CSRF: p.csrfToken(ar.Browser, ar.ID), Interaction: ar.ID, Codes: codes,
	})
}

// newRecoveryCodes replaces the user's recovery codes with new ones and
// returns them, to be shown once; only their hashes are stored.
func (p *Provider) newRecoveryCodes(ctx context.Context, userID string) ([]string, error) {
	codes := authn.NewRecoveryCodes()
	hashes := make([]string, len(codes))
	for i, c := range codes {
		canon, _ := authn.CanonicalRecoveryCode(c)
		hashes[i] = p.recoveryHash(userID, canon)
	}
	if err := p.store.ReplaceRecoveryCodes(ctx, userID, hashes, p.now()); err != nil {
		return nil, err
	}
	return codes, nil
}
