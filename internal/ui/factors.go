package ui

import (
	"html/template"
	"net/http"
)

// The pages of second factors and passkeys (internal/authn) live in their
// own templates; registering them here keeps ui.go's list untouched.
func init() {
	pageFiles["factor"] = "templates/factor.html"
	pageFiles["factor_setup"] = "templates/factor_setup.html"
	pageFiles["recovery_codes"] = "templates/recovery_codes.html"
}

// PasskeyForm is a form that runs a WebAuthn ceremony in the browser
// (static/passkey.js) and posts its answer as the field credential.
type PasskeyForm struct {
	Action      string
	CSRF        string
	Interaction string
	// Kind is "get" (sign in with a passkey) or "create" (register one).
	Kind string
	// Options are the ceremony's options as go-webauthn renders them
	// (JSON); the script decodes their base64url members.
	Options string
	// Conditional also offers the passkeys in the username field's
	// autofill (conditional mediation), where the browser supports it.
	Conditional bool
	Label       string // the button's text, or a message ID (passkey.*)
}

// FactorPage asks for a second factor after the first.
type FactorPage struct {
	ClientName  string
	UserName    string
	Action      string
	CSRF        string
	Interaction string
	// What the person can use: an authenticator app, a recovery code, a
	// passkey. PhishingResistant says only a passkey will do.
	TOTP              bool
	Recovery          bool
	Passkey           *PasskeyForm
	PhishingResistant bool
	// Method is the form that failed, to show its field again.
	Method      string
	Error       string
	ErrorValues map[string]string // as on SignInPage
	ErrorName   string
	Reference   string
}

// FactorSetupPage sets up a second factor during sign-in.
type FactorSetupPage struct {
	ClientName  string
	UserName    string
	Action      string
	CSRF        string
	Interaction string
	// QR is the otpauth:// URL as a PNG data: URI; Secret the same
	// secret for typing in, grouped in fours.
	QR      template.URL
	Secret  string
	Passkey *PasskeyForm
	// PasskeyOnly: the request needs a passkey (phr).
	PasskeyOnly bool
	Error       string
	ErrorValues map[string]string // as on SignInPage
	ErrorName   string
	Reference   string
}

// RecoveryCodesPage shows new recovery codes, once.
type RecoveryCodesPage struct {
	Action      string
	CSRF        string
	Interaction string
	Codes       []string
}

// Factor renders the second-factor page. Its forms post to Lucid and may
// be answered by a redirect to the client (RedirectTo unknown here), so
// form-action is left open, as on the sign-in page.
func (r *Renderer) Factor(w http.ResponseWriter, status int, p FactorPage) {
	p.ClientName = r.clientName(w, p.ClientName)
	r.render(w, status, "factor", msg{id: "title.factor"}, p, r.passkeyPolicy(p.Passkey))
}

// FactorSetup renders the page that sets up a second factor.
func (r *Renderer) FactorSetup(w http.ResponseWriter, status int, p FactorSetupPage) {
	p.ClientName = r.clientName(w, p.ClientName)
	r.render(w, status, "factor_setup", msg{id: "title.setup"}, p, r.passkeyPolicy(p.Passkey))
}

// RecoveryCodes renders the new recovery codes.
func (r *Renderer) RecoveryCodes(w http.ResponseWriter, status int, p RecoveryCodesPage) {
	r.render(w, status, "recovery_codes", msg{id: "title.codes"}, p, policy{})
}

// passkeyPolicy loads the passkey script from 'self' on a page that has
// a passkey form; the page has no inline script at all.
func (r *Renderer) passkeyPolicy(f *PasskeyForm) policy {
	if f == nil {
		return policy{}
	}
	return policy{asset: r.assets.url("passkey.js")}
}
