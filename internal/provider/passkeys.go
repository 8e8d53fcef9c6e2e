package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/cors"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/ui"
)

// Passkeys (WebAuthn, on github.com/go-webauthn/webauthn). Each ceremony's
// challenge is made when its page renders and waits on the authorization
// request (AuthnProgress.Ceremony); the first answer spends it
// (takeCeremony, inside the request's update), so an answer is accepted
// once, on whichever replica.

// Ceremony kinds.
const (
	ceremonyLogin    = "login"    // sign in with a passkey alone (discoverable)
	ceremonyFactor   = "factor"   // a passkey as the second factor
	ceremonyRegister = "register" // a new passkey during setup
)

// ceremonyLifetime bounds a challenge (WebAuthn Level 3 §15.1 suggests
// 5 minutes for user verification).
const ceremonyLifetime = 5 * time.Minute

func (p *Provider) setupWebAuthn() error {
	u, err := url.Parse(p.issuer)
	if err != nil {
		return fmt.Errorf("provider: issuer: %w", err)
	}
	rpID := p.authn.RPID
	if rpID == "" {
		rpID = u.Hostname()
	}
	if net.ParseIP(rpID) != nil {
		// Browsers bind passkeys to a domain, never to an address: an
		// issuer at an IP address serves no passkeys.
		p.log.Info("passkeys are off: the issuer's host is an IP address, and WebAuthn needs a domain name (authn.rp_id)", "host", rpID)
		return nil
	}
	timeout := webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyLifetime, TimeoutUVD: ceremonyLifetime}
	p.webauthn, err = webauthn.New(&webauthn.Config{
		RPID:                  rpID,
		RPDisplayName:         p.authn.TOTPIssuer,
		RPOrigins:             []string{cors.Of(p.issuer)},
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification:   protocol.UserVerificationRequirement(p.authn.UserVerification),
		},
		Timeouts: webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
	})
	if err != nil {
		return fmt.Errorf("provider: passkeys: %w", err)
	}
	return nil
}

// passkeyUser is a user as go-webauthn sees it. The user handle is the
// user id: random, and never shown.
type passkeyUser struct {
	u     *store.User
	creds []webauthn.Credential
}

func (w passkeyUser) WebAuthnID() []byte   { return []byte(w.u.ID) }
func (w passkeyUser) WebAuthnName() string { return w.u.Username }
func (w passkeyUser) WebAuthnDisplayName() string {
	if w.u.Name != "" {
		return w.u.Name
	}
	return w.u.Username
}
func (w passkeyUser) WebAuthnCredentials() []webauthn.Credential { return w.creds }

func (p *Provider) passkeyUser(ctx context.Context, u *store.User) (passkeyUser, []*store.Passkey, error) {
	keys, err := p.store.ListPasskeys(ctx, u.ID)
	if err != nil {
		return passkeyUser{}, nil, err
	}
	w := passkeyUser{u: u}
	for _, k := range keys {
		w.creds = append(w.creds, credentialOf(k))
	}
	return w, keys, nil
}

func credentialOf(k *store.Passkey) webauthn.Credential {
	id, _ := base64.RawURLEncoding.DecodeString(k.ID)
	c := webauthn.Credential{
		ID:              id,
		PublicKey:       k.PublicKey,
		AttestationType: k.AttestationType,
		Flags: webauthn.CredentialFlags{UserPresent: true, UserVerified: k.UserVerified,
			BackupEligible: k.BackupEligible, BackupState: k.BackupState},
		Authenticator: webauthn.Authenticator{AAGUID: k.AAGUID, SignCount: k.SignCount},
	}
	for _, t := range k.Transports {
		c.Transport = append(c.Transport, protocol.AuthenticatorTransport(t))
	}
	return c
}

// beginCeremony stores the ceremony's session data on the request and
// returns the form that runs it in the browser.
func (p *Provider) beginCeremony(ctx context.Context, ar *store.AuthRequest, browser, kind string, options any, session *webauthn.SessionData) (*ui.PasskeyForm, error) {
	opts, err := json.Marshal(options)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(session)
	if err != nil {
		return nil, err
	}
	if _, err := p.store.UpdateAuthRequest(ctx, ar.ID, func(a *store.AuthRequest) error {
		if a.Authn == nil {
			a.Authn = &store.AuthnProgress{}
		}
		a.Authn.Ceremony, a.Authn.CeremonyKind = data, kind
		return nil
	}); err != nil {
		return nil, err
	}
	f := &ui.PasskeyForm{Kind: "get", Options: string(opts), CSRF: p.csrfToken(browser, ar.ID), Interaction: ar.ID}
	switch kind {
	case ceremonyLogin:
		f.Action, f.Conditional, f.Label = PathLoginPasskey, true, "passkey.sign_in"
	case ceremonyFactor:
		f.Action, f.Label = PathFactor, "passkey.use"
	case ceremonyRegister:
		f.Action, f.Kind, f.Label = PathFactorSetup, "create", "passkey.create"
	}
	return f, nil
}

// loginPasskeyForm begins a discoverable sign-in for the sign-in page;
// nil while passkeys are off. A failure leaves the page without it.
func (p *Provider) loginPasskeyForm(ctx context.Context, ar *store.AuthRequest, browser string) *ui.PasskeyForm {
	if p.webauthn == nil {
		return nil
	}
	options, session, err := p.webauthn.BeginDiscoverableLogin()
	if err == nil {
		var f *ui.PasskeyForm
		if f, err = p.beginCeremony(ctx, ar, browser, ceremonyLogin, options, session); err == nil {
			return f
		}
	}
	p.log.WarnContext(ctx, "could not begin a passkey sign-in", "err", err)
	return nil
}

var errNoCeremony = errors.New("no pending passkey ceremony of this kind")

// takeCeremony spends the request's pending ceremony of kind: nil (and
// passkey_ceremony_expired) when there is none, it is of another kind, or
// another answer spent it first.
func (p *Provider) takeCeremony(ctx context.Context, ar *store.AuthRequest, kind string) (*webauthn.SessionData, *catalog.Error) {
	var data json.RawMessage
	_, err := p.store.UpdateAuthRequest(ctx, ar.ID, func(a *store.AuthRequest) error {
		if a.Authn == nil || len(a.Authn.Ceremony) == 0 || a.Authn.CeremonyKind != kind {
			return errNoCeremony
		}
		data = a.Authn.Ceremony
		a.Authn.Ceremony, a.Authn.CeremonyKind = nil, ""
		return nil
	})
	switch {
	case errors.Is(err, errNoCeremony):
		return nil, catalog.New(catalog.PasskeyCeremonyExpired).Internal("reason", "no pending "+kind+" ceremony")
	case err != nil:
		return nil, failure.FromStore(err)
	}
	var s webauthn.SessionData
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, catalog.New(catalog.ServerError).Wrap(err)
	}
	if !s.Expires.IsZero() && time.Now().After(s.Expires) {
		return nil, catalog.New(catalog.PasskeyCeremonyExpired).Internal("reason", "challenge expired", "expired", s.Expires.UTC().Format(time.RFC3339))
	}
	return &s, nil
}

// passkeyAssertion checks a sign-in answer against session: unknown
// says the credential is registered to nobody; user is the owner when it
// is known (also when the answer fails).
func (p *Provider) passkeyAssertion(ctx context.Context, session *webauthn.SessionData, answer string) (user *store.User, cred *webauthn.Credential, e *catalog.Error) {
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(answer))
	if err != nil {
		return nil, nil, catalog.New(catalog.PasskeyAssertionInvalid).Wrap(err).Internal("reason", "unreadable answer")
	}
	var key *store.Passkey
	var lookupErr error
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		k, err := p.store.GetPasskey(ctx, base64.RawURLEncoding.EncodeToString(rawID))
		if err != nil {
			lookupErr = err
			return nil, err
		}
		if string(userHandle) != k.UserID {
			lookupErr = store.ErrNotFound
			return nil, store.ErrNotFound
		}
		key = k
		u, err := p.store.GetUser(ctx, k.UserID)
		if err != nil {
			lookupErr = err
			return nil, err
		}
		user = u
		w, _, err := p.passkeyUser(ctx, u)
		if err != nil {
			lookupErr = err
		}
		return w, err
	}
	_, cred, err = p.webauthn.ValidatePasskeyLogin(handler, *session, parsed)
	switch {
	case errors.Is(lookupErr, store.ErrNotFound):
		return nil, nil, catalog.New(catalog.PasskeyUnknown).Internal("credential_id", catalog.Clip(parsed.ID, 100))
	case lookupErr != nil:
		return nil, nil, failure.FromStore(lookupErr)
	case err != nil:
		return user, nil, catalog.New(catalog.PasskeyAssertionInvalid).Wrap(err).Internal("user_id", key.UserID, "reason", protocolReason(err))
	}
	if err := p.store.UsePasskey(ctx, key.ID, cred.Authenticator.SignCount, p.now()); err != nil {
		return user, nil, failure.FromStore(err)
	}
	return user, cred, nil
}

// protocolReason is the library's detail of a refused ceremony, for the
// operator's record.
func protocolReason(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return catalog.Clip(pe.Details+" "+pe.DevInfo, 300)
	}
	return catalog.Clip(err.Error(), 300)
}
