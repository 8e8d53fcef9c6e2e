package ui

import (
	"html/template"
	"net/http"

	"golang.org/x/text/language"
)

// The account page (/account) and its two steps (setting up an
// authenticator app, new recovery codes) live in their own templates;
// registering them here keeps ui.go's list untouched. Every word a person
// reads is in the templates, none in Go: the page data carries facts and
// codes (Done, ErrorName), the templates say them.
func init() {
	pageFiles["account"] = "templates/account.html"
	pageFiles["account_totp"] = "templates/account_totp.html"
	pageFiles["account_codes"] = "templates/account_codes.html"
}

// AccountPage is the signed-in person's account.
type AccountPage struct {
	CSRF string
	// Done names the change just made ("profile", "password", "totp",
	// "totp_removed", "passkey", "passkey_renamed", "passkey_removed",
	// "session", "withdrawn", "unlinked"), for the notice.
	Done string
	// Error, ErrorName, ErrorValues and Reference report a refused
	// change; ErrorValues say its person-facing message.
	Error       string
	ErrorName   string
	ErrorValues map[string]string
	Reference   string

	Username      string
	Name          string
	Email         string
	EmailVerified bool
	// Mail says a new address gets a verification link.
	Mail bool
	// PasswordUnset: the account has no password of its own (an
	// upstream sign-in's account); setting one asks for a recent sign-in
	// instead of the current password.
	PasswordUnset bool
	MinLength     int
	ReauthMinutes int

	TOTP          string // when the authenticator app was set up; "" without one
	RecoveryCodes int
	// Passkeys is nil while passkeys are off.
	PasskeysOn bool
	Passkeys   []AccountPasskey
	Passkey    *PasskeyForm // adds a passkey; nil while off

	Sessions     []AccountSession
	Applications []AccountApplication
	Identities   []AccountIdentity
	Activity     []AccountEvent
}

// AccountPasskey is one of the person's passkeys.
type AccountPasskey struct {
	ID, Name, Created, LastUsed string
}

// AccountSession is one signed-in browser session.
type AccountSession struct {
	ID, Created, AuthTime, Expires string
	AMR                            []string
	Current                        bool
}

// AccountApplication is a client the person allowed.
type AccountApplication struct {
	ClientID, Name, Since string
	Scopes                []Scope
}

// AccountIdentity is a linked upstream identity.
type AccountIdentity struct {
	UpstreamID, UpstreamName, Subject, Email, Since, LastUsed string
}

// AccountEvent is one recorded sign-in.
type AccountEvent struct {
	Time, Network, Via string
	AMR                []string
	OK                 bool
	Failure            string // the catalog entry of a failed one
}

// AccountTOTPPage sets up an authenticator app from the account page.
type AccountTOTPPage struct {
	CSRF    string
	Pending string // the sealed secret, carried by the form
	QR      template.URL
	Secret  string
	// Error, ErrorName, ErrorValues and Reference report a wrong code.
	Error       string
	ErrorName   string
	ErrorValues map[string]string
	Reference   string
}

// AccountCodesPage shows new recovery codes, once.
type AccountCodesPage struct {
	Codes []string
}

// Account renders the account page. Its forms post to Lucid only.
func (r *Renderer) Account(w http.ResponseWriter, status int, p AccountPage) {
	pol := r.passkeyPolicy(p.Passkey)
	pol.formAction, pol.wide = "'self'", true
	r.render(w, status, "account", msg{id: "title.account"}, p, pol)
}

// AccountTOTP renders the authenticator app setup of the account page.
func (r *Renderer) AccountTOTP(w http.ResponseWriter, status int, p AccountTOTPPage) {
	r.render(w, status, "account_totp", msg{id: "title.account_totp"}, p, policy{formAction: "'self'"})
}

// AccountCodes renders new recovery codes.
func (r *Renderer) AccountCodes(w http.ResponseWriter, status int, p AccountCodesPage) {
	r.render(w, status, "account_codes", msg{id: "title.account_codes"}, p, policy{formAction: "'self'"})
}

// AccountClientName is the display name of the account page's built-in
// client: a message, said in the page's language wherever a page shows
// the client (sign-in, second step, setup).
const AccountClientName = "account.client_name"

// clientName is name as a page in w's language shows it: the account
// page's client translated, any other client's name as it is.
func (r *Renderer) clientName(w http.ResponseWriter, name string) string {
	if name != AccountClientName {
		return name
	}
	return r.Text(w, name)
}

// Text is message id in the language of the page w renders, for a value
// the provider puts into a catalog entry the page shows (the name of the
// factor a refusal is about). A message missing in that language comes
// back in English, and is logged.
func (r *Renderer) Text(w http.ResponseWriter, id string, args ...any) string {
	tag := r.language(w)
	s, err := r.printer(tag).text(id, args...)
	if err != nil {
		r.log.Error("message failed", "id", id, "err", err)
		if s == "" {
			s, _ = r.printer(language.English).text(id, args...)
		}
	}
	return s
}
