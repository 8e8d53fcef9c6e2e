package ui

import "net/http"

// Account recovery and sign-up pages live in their own template;
// registering it here keeps ui.go's list untouched.
func init() { pageFiles["recovery"] = "templates/recovery.html" }

// Steps of the recovery pages.
const (
	RecoveryForgot     = "forgot"      // ask for a reset link
	RecoveryForgotSent = "forgot_sent" // the same answer for every account, or none
	RecoveryReset      = "reset"       // choose a new password (from the link)
	RecoveryResetDone  = "reset_done"
	RecoveryVerify     = "verify" // confirm an address (from the link)
	RecoveryVerifyDone = "verify_done"
	RecoverySignup     = "signup"      // create an account
	RecoverySignupSent = "signup_sent" // check your e-mail
)

// RecoveryPage is a step of the forgotten-password, verification or
// sign-up pages.
type RecoveryPage struct {
	Step   string
	Action string // the form's POST URL
	CSRF   string
	// Interaction is the sign-in the person came from; BackURL leads back
	// to it.
	Interaction string
	BackURL     string
	// Token is the link's secret, carried from the link to the form.
	Token string
	// Identifier is what the forgot form was given.
	Identifier string
	Username   string
	Email      string
	Name       string
	// MinLength is the password policy's minimum.
	MinLength int
	// Valid is how long a link works, in words.
	Valid string
	// Error, ErrorName and Reference report a failed form, as on the
	// sign-in page.
	Error       string
	ErrorValues map[string]string // as on SignInPage
	ErrorName   string
	Reference   string
}

// Recovery renders a step of the recovery pages. Their forms post to
// Lucid only, and nothing they answer redirects elsewhere.
func (r *Renderer) Recovery(w http.ResponseWriter, status int, p RecoveryPage) {
	title := map[string]string{
		RecoveryForgot: "title.forgot", RecoveryForgotSent: "title.check_mail",
		RecoveryReset: "title.reset", RecoveryResetDone: "title.reset_done",
		RecoveryVerify: "title.verify", RecoveryVerifyDone: "title.verify_done",
		RecoverySignup: "title.signup", RecoverySignupSent: "title.check_mail",
	}[p.Step]
	r.render(w, status, "recovery", msg{id: title}, p, policy{formAction: "'self'"})
}
