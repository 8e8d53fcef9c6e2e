package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/lucid-auth/lucid/internal/authn"
	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/failure"
	"github.com/lucid-auth/lucid/internal/store"
	"github.com/lucid-auth/lucid/internal/trace"
	"github.com/lucid-auth/lucid/internal/ui"
)

// The factors section of the account page: an authenticator app set up
// and removed, new recovery codes, passkeys added, renamed and removed,
// all through the sign-in setup's code (enrolTOTP, newRecoveryCodes,
// storePasskey). The account page has no authorization request to keep a
// pending secret or WebAuthn challenge on, so the form carries it sealed
// with the master key and bound to the person; a passkey challenge is
// spent once through the store's jti register.

// Additional data of the sealed values the account forms carry.
func accountTOTPAAD(userID string) []byte    { return []byte("account-totp|" + userID) }
func accountPasskeyAAD(userID string) []byte { return []byte("account-passkey|" + userID) }

// accountFactors fills the factors section.
func (p *Provider) accountFactors(ctx context.Context, page *ui.AccountPage, v accountVisit) error {
	u := v.user
	t, err := p.store.GetTOTP(ctx, u.ID)
	switch {
	case err == nil:
		page.TOTP = accountTime(t.CreatedAt)
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	if page.RecoveryCodes, err = p.store.CountRecoveryCodes(ctx, u.ID); err != nil {
		return err
	}
	if p.webauthn == nil {
		return nil
	}
	wu, keys, err := p.passkeyUser(ctx, u)
	if err != nil {
		return err
	}
	for _, k := range keys {
		page.Passkeys = append(page.Passkeys, ui.AccountPasskey{ID: k.ID, Name: k.Name, Created: accountTime(k.CreatedAt), LastUsed: accountTime(k.LastUsedAt)})
	}
	options, session, err := p.webauthn.BeginRegistration(wu, webauthn.WithExclusions(webauthn.Credentials(wu.creds).CredentialDescriptors()))
	if err == nil {
		var opts, data []byte
		if opts, err = json.Marshal(options); err == nil {
			if data, err = json.Marshal(session); err == nil {
				page.Passkey = &ui.PasskeyForm{
					Action: pathAccountPasskeys, Kind: "create", Options: string(opts), CSRF: page.CSRF, Label: "account.passkeys.add",
					Interaction: base64.RawURLEncoding.EncodeToString(p.secrets.Seal(data, accountPasskeyAAD(u.ID))),
				}
			}
		}
	}
	if err != nil {
		p.log.WarnContext(ctx, "could not begin a passkey registration", "err", err)
	}
	return nil
}

// handleAccountTOTP shows a new authenticator app secret to set up.
func (p *Provider) handleAccountTOTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, user, err := p.currentSession(ctx, r)
	if err != nil {
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	}
	if sess == nil {
		http.Redirect(w, r, PathAccount, http.StatusSeeOther)
		return
	}
	v := accountVisit{sess: sess, user: user, browser: p.browser(w, r)}
	if _, err := p.store.GetTOTP(ctx, user.ID); err == nil {
		p.accountRefused(w, r, v, catalog.New(catalog.AccountTOTPExists))
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	}
	secret, u, qr, err := authn.NewTOTP(p.authn.TOTPIssuer, user.Username)
	if err != nil {
		p.failPage(w, r, catalog.Account, "", catalog.New(catalog.ServerError).Wrap(err))
		return
	}
	// The pending secret rides in the form, sealed to this person, with
	// the end of its setup.
	until := strconv.FormatInt(p.now().Add(accountSetupLife).Unix(), 10)
	pending := base64.RawURLEncoding.EncodeToString(p.secrets.Seal([]byte(until+"|"+u), accountTOTPAAD(user.ID)))
	p.ui.AccountTOTP(w, http.StatusOK, ui.AccountTOTPPage{
		CSRF: p.csrfToken(v.browser, accountCSRF(user.ID)), Pending: pending,
		QR: template.URL(qr), Secret: groupSecret(secret), //nolint:gosec // a data:image/png URI Lucid made
	})
}

// openPendingTOTP opens the form's pending secret: its otpauth:// URL.
func (p *Provider) openPendingTOTP(userID, pending string) ([]byte, *catalog.Error) {
	expired := catalog.New(catalog.AccountTOTPSetupExpired)
	raw, err := base64.RawURLEncoding.DecodeString(pending)
	if err != nil {
		return nil, expired.Internal("reason", "pending secret not base64url")
	}
	plain, err := p.secrets.Open(raw, accountTOTPAAD(userID))
	if err != nil {
		return nil, expired.Internal("reason", "pending secret does not open for this person")
	}
	until, u, ok := strings.Cut(string(plain), "|")
	end, err := strconv.ParseInt(until, 10, 64)
	if !ok || err != nil {
		return nil, expired.Internal("reason", "pending secret malformed")
	}
	if !p.now().Before(time.Unix(end, 0)) {
		return nil, expired.Internal("reason", "setup expired", "expired", time.Unix(end, 0).UTC().Format(time.RFC3339))
	}
	return []byte(u), nil
}

// accountTOTPConfirm checks a code of the pending secret and stores it;
// without recovery codes, new ones are shown once.
func (p *Provider) accountTOTPConfirm(w http.ResponseWriter, r *http.Request, v accountVisit) {
	ctx := r.Context()
	pending := r.PostForm.Get("pending")
	u, e := p.openPendingTOTP(v.user.ID, pending)
	if e != nil {
		p.accountRefused(w, r, v, e)
		return
	}
	if _, err := p.store.GetTOTP(ctx, v.user.ID); err == nil {
		p.accountRefused(w, r, v, catalog.New(catalog.AccountTOTPExists))
		return
	}
	// A code is a guess like any other factor's: the network's allowance
	// and the account's lockout apply.
	_, e, answered := p.factorAttempt(w, r, "", v.user, func(ctx context.Context) (authn.Proof, *catalog.Error) {
		return authn.OTP(v.user.ID), p.enrolTOTP(ctx, v.user, u, r.PostForm.Get("code"), "setting up on the account page")
	})
	if answered {
		return
	}
	if e != nil {
		secret, qr, err := authn.TOTPFromURL(string(u))
		if err != nil {
			p.failPage(w, r, catalog.Account, "", catalog.New(catalog.ServerError).Wrap(err))
			return
		}
		p.ui.AccountTOTP(w, e.Status(), ui.AccountTOTPPage{
			CSRF: p.csrfToken(v.browser, accountCSRF(v.user.ID)), Pending: pending,
			QR: template.URL(qr), Secret: groupSecret(secret), //nolint:gosec // a data:image/png URI Lucid made
			Error: e.Text(), ErrorValues: e.Values(), ErrorName: string(e.Name()), Reference: trace.ID(ctx),
		})
		return
	}
	n, err := p.store.CountRecoveryCodes(ctx, v.user.ID)
	if err != nil {
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	}
	if n > 0 {
		accountDone(w, r, "totp", "factors")
		return
	}
	p.accountShowCodes(w, r, v)
}

func (p *Provider) accountShowCodes(w http.ResponseWriter, r *http.Request, v accountVisit) {
	codes, err := p.newRecoveryCodes(r.Context(), v.user.ID)
	if err != nil {
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	}
	p.ui.AccountCodes(w, http.StatusOK, ui.AccountCodesPage{Codes: codes})
}

// accountRecoveryCodes replaces the recovery codes with new ones.
func (p *Provider) accountRecoveryCodes(w http.ResponseWriter, r *http.Request, v accountVisit) {
	p.accountShowCodes(w, r, v)
}

// lastSecondFactor refuses removing the person's last second factor
// while the server requires one of everyone; what names the one to go.
func (p *Provider) lastSecondFactor(ctx context.Context, userID, what string, removingTOTP bool) (*catalog.Error, error) {
	if authn.Mode(p.authn.SecondFactor) != authn.Required {
		return nil, nil
	}
	e, err := p.enrolled(ctx, userID)
	if err != nil {
		return nil, err
	}
	left := 0
	if e.TOTP && !removingTOTP {
		left++
	}
	if p.webauthn != nil {
		keys, err := p.store.ListPasskeys(ctx, userID)
		if err != nil {
			return nil, err
		}
		left += len(keys)
		if !removingTOTP {
			left--
		}
	}
	if left > 0 {
		return nil, nil
	}
	return catalog.New(catalog.AccountLastSecondFactor, "factor", what), nil
}

// accountTOTPRemove removes the authenticator app.
func (p *Provider) accountTOTPRemove(w http.ResponseWriter, r *http.Request, v accountVisit) {
	ctx := r.Context()
	if e, err := p.lastSecondFactor(ctx, v.user.ID, p.ui.Text(w, "account.factor.totp"), true); err != nil {
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	} else if e != nil {
		p.accountRefused(w, r, v, e)
		return
	}
	if err := p.store.DeleteTOTP(ctx, v.user.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	}
	accountDone(w, r, "totp_removed", "factors")
}

// accountPasskeyAdd registers the passkey the page's ceremony made.
func (p *Provider) accountPasskeyAdd(w http.ResponseWriter, r *http.Request, v accountVisit) {
	ctx := r.Context()
	if p.webauthn == nil {
		p.accountRefused(w, r, v, catalog.New(catalog.SecondFactorNotEnrolled, "factor", "passkey"))
		return
	}
	session, e := p.accountCeremony(ctx, v.user.ID, r.PostForm.Get("interaction"))
	if e == nil {
		_, e = p.storePasskey(ctx, v.user, session, r.PostForm.Get("credential"))
	}
	if e != nil {
		p.accountRefused(w, r, v, e)
		return
	}
	accountDone(w, r, "passkey", "factors")
}

// accountCeremony opens the registration ceremony a form carries and
// spends its challenge, once.
func (p *Provider) accountCeremony(ctx context.Context, userID, sealed string) (*webauthn.SessionData, *catalog.Error) {
	expired := catalog.New(catalog.PasskeyCeremonyExpired)
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return nil, expired.Internal("reason", "ceremony not base64url")
	}
	data, err := p.secrets.Open(raw, accountPasskeyAAD(userID))
	if err != nil {
		return nil, expired.Internal("reason", "ceremony does not open for this person")
	}
	var s webauthn.SessionData
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, catalog.New(catalog.ServerError).Wrap(err)
	}
	if s.Expires.IsZero() || !time.Now().Before(s.Expires) {
		return nil, expired.Internal("reason", "challenge expired")
	}
	switch err := p.store.UseJTI(ctx, "account-passkey", s.Challenge, s.Expires); {
	case errors.Is(err, store.ErrAlreadyUsed):
		return nil, expired.Internal("reason", "challenge already answered")
	case err != nil:
		return nil, failure.FromStore(err)
	}
	return &s, nil
}

// accountPasskeyRename names a passkey.
func (p *Provider) accountPasskeyRename(w http.ResponseWriter, r *http.Request, v accountVisit) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if name == "" || utf8.RuneCountInString(name) > passkeyNameMax || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		p.accountRefused(w, r, v, catalog.New(catalog.AccountPasskeyNameInvalid, "max", passkeyNameMax))
		return
	}
	id := r.PostForm.Get("id")
	switch err := p.store.RenamePasskey(r.Context(), v.user.ID, id, name); {
	case errors.Is(err, store.ErrNotFound):
		p.accountRefused(w, r, v, catalog.New(catalog.AccountPasskeyUnknown).Internal("credential_id", catalog.Clip(id, 100)))
		return
	case err != nil:
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	}
	accountDone(w, r, "passkey_renamed", "factors")
}

// accountPasskeyRemove removes a passkey.
func (p *Provider) accountPasskeyRemove(w http.ResponseWriter, r *http.Request, v accountVisit) {
	ctx := r.Context()
	id := r.PostForm.Get("id")
	k, err := p.store.GetPasskey(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && k.UserID != v.user.ID {
		p.accountRefused(w, r, v, catalog.New(catalog.AccountPasskeyUnknown).Internal("credential_id", catalog.Clip(id, 100)))
		return
	}
	if err != nil {
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	}
	if e, err := p.lastSecondFactor(ctx, v.user.ID, p.ui.Text(w, "account.factor.passkey", "Name", k.Name), false); err != nil {
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	} else if e != nil {
		p.accountRefused(w, r, v, e)
		return
	}
	switch err := p.store.DeletePasskey(ctx, v.user.ID, id); {
	case errors.Is(err, store.ErrNotFound):
		p.accountRefused(w, r, v, catalog.New(catalog.AccountPasskeyUnknown).Internal("credential_id", catalog.Clip(id, 100)))
		return
	case err != nil:
		p.failPage(w, r, catalog.Account, "", failure.FromStore(err))
		return
	}
	accountDone(w, r, "passkey_removed", "factors")
}
