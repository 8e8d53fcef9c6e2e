package catalog

import "net/http"

// Account is the account page at /account, where a signed-in person
// manages their profile, password, factors, sessions, applications and
// linked identities.
const Account Endpoint = "account"

const accountNoClient = "Nothing to change in any application: this is the person's own account page."

// accountEntries are the failures of the account page.
var accountEntries = []Entry{
	{Name: AccountSignInIncomplete, Error: "access_denied", Status: http.StatusBadRequest, Title: "You are not signed in to your account",
		Description: "The sign-in for your account page did not finish ({error}). Open the account page again to sign in.",
		Causes: []string{
			"The person cancelled the sign-in that the account page started.",
			"The sign-in could not meet the server's requirements (for example a second factor that cannot be set up), or it expired.",
		},
		ClientFix:   []string{accountNoClient},
		OperatorFix: []string{"The failure's story under the sign-in endpoint, found by the trace id, says which step stopped it."},
		Spec:        "NIST SP 800-63B §4.2.3 (reauthentication)", SpecURL: nist63b, Endpoints: []Endpoint{Account}},
	{Name: AccountPasswordWrong, Error: "invalid_request", Status: http.StatusBadRequest, Title: "Your current password is wrong",
		Description: "The current password you entered is not the account's password, so nothing was changed.",
		Causes: []string{
			"A typing mistake, or the person remembers an older password.",
			"Someone else at an unlocked browser tries to take the account over by changing its password.",
		},
		ClientFix: []string{accountNoClient},
		OperatorFix: []string{
			"Failures count toward the account's lockout like failed sign-ins; a person who forgot the password uses the reset link (`/forgot`) or asks for `lucid user set-password`.",
		},
		Spec: "NIST SP 800-63B §4.2.3 (reauthentication)", SpecURL: nist63b, Endpoints: []Endpoint{Account}},
	{Name: AccountReauthRequired, Error: "login_required", Status: http.StatusForbidden, Title: "Sign in again first",
		Description: "Your account has no password of its own, and your sign-in is older than {window}; sign out and in again, then set the password within that time.",
		Causes: []string{
			"The account was created by a sign-in through another identity provider and has no password, so a recent sign-in stands in for the current password.",
		},
		ClientFix:   []string{accountNoClient},
		OperatorFix: []string{"Nothing to change; the window is fixed so that an unattended browser cannot set a password."},
		Spec:        "NIST SP 800-63B §4.2.3 (reauthentication)", SpecURL: nist63b, Endpoints: []Endpoint{Account}},
	{Name: AccountPasswordMismatch, Error: "invalid_request", Status: http.StatusBadRequest, Title: "The new passwords differ",
		Description: "The new password and its confirmation are not the same; nothing was changed.",
		Causes:      []string{"A typing mistake in one of the two fields."},
		ClientFix:   []string{accountNoClient},
		Spec:        "NIST SP 800-63B §3.1.1 (passwords)", SpecURL: nist63b, Endpoints: []Endpoint{Account}},
	{Name: AccountProfileInvalid, Error: "invalid_request", Status: http.StatusBadRequest, Title: "The profile was not saved",
		Description: "The {field} you entered cannot be used: {reason}. Nothing was changed.",
		Causes: []string{
			"The address is not an e-mail address, or another account already uses it.",
			"The name is longer than 200 characters or holds control characters.",
		},
		ClientFix:   []string{accountNoClient},
		OperatorFix: []string{"Two accounts cannot share an address; if the address is the person's, find the other account with `lucid user list`."},
		Spec:        "OpenID Connect Core 1.0 §5.1 (standard claims)", SpecURL: "https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims", Endpoints: []Endpoint{Account}},
	{Name: AccountLastSecondFactor, Error: "invalid_request", Status: http.StatusConflict, Title: "This is your last second factor",
		Description: "This server asks everyone for a second step at sign-in, and {factor} is the last one you have; set up another before you remove it.",
		Causes: []string{
			"The server requires a second factor of everyone and the person tries to remove their only authenticator app or passkey.",
		},
		ClientFix: []string{accountNoClient},
		OperatorFix: []string{
			"A person who lost every factor gets them reset with `lucid user reset-factors NAME` and sets a new one up at the next sign-in.",
		},
		Spec: "NIST SP 800-63B §6.1 (authenticator lifecycle)", SpecURL: nist63b, Endpoints: []Endpoint{Account}},
	{Name: AccountTOTPExists, Error: "invalid_request", Status: http.StatusConflict, Title: "You already have an authenticator app",
		Description: "An authenticator app is already set up for your account; remove it first to set up another.",
		Causes: []string{
			"The setup page was open in two tabs and the other one finished first.",
			"The person wants to move to a new phone: remove the old app on the account page, then set up the new one.",
		},
		ClientFix: []string{accountNoClient},
		Spec:      "RFC 6238", SpecURL: "https://www.rfc-editor.org/rfc/rfc6238", Endpoints: []Endpoint{Account}},
	{Name: AccountTOTPSetupExpired, Error: "invalid_request", Status: http.StatusBadRequest, Title: "Start the setup again",
		Description: "The authenticator app setup was started too long ago, or its form was changed; start it again from your account page.",
		Causes: []string{
			"The setup page stayed open longer than the setup allows (10 minutes).",
			"The form's hidden key was altered.",
		},
		ClientFix: []string{accountNoClient},
		Spec:      "RFC 6238", SpecURL: "https://www.rfc-editor.org/rfc/rfc6238", Endpoints: []Endpoint{Account}},
	{Name: AccountPasskeyUnknown, Error: "invalid_request", Status: http.StatusNotFound, Title: "No such passkey",
		Description: "Your account has no passkey with this id; it was removed meanwhile, perhaps in another tab.",
		Causes:      []string{"The passkey was removed in another tab or by an operator's reset.", "The form was altered to name someone else's passkey."},
		ClientFix:   []string{accountNoClient},
		Spec:        "WebAuthn Level 3", SpecURL: "https://www.w3.org/TR/webauthn-3/", Endpoints: []Endpoint{Account}},
	{Name: AccountPasskeyNameInvalid, Error: "invalid_request", Status: http.StatusBadRequest, Title: "Choose another name",
		Description: "A passkey's name has 1 to {max} characters and no control characters.",
		Causes:      []string{"The name was empty, too long, or held line breaks or other control characters."},
		ClientFix:   []string{accountNoClient},
		Spec:        "NIST SP 800-63B §3.1.1 (passwords)", SpecURL: nist63b, Endpoints: []Endpoint{Account}},
	{Name: AccountSessionUnknown, Error: "invalid_request", Status: http.StatusNotFound, Title: "That session has already ended",
		Description: "None of your sessions has this id; it ended meanwhile (signed out, expired) or was never yours.",
		Causes:      []string{"The session was signed out in another tab, or expired.", "The form was altered to name someone else's session."},
		ClientFix:   []string{accountNoClient},
		Spec:        "OpenID Connect Back-Channel Logout 1.0", SpecURL: "https://openid.net/specs/openid-connect-backchannel-1_0.html", Endpoints: []Endpoint{Account}},
	{Name: AccountApplicationUnknown, Error: "invalid_request", Status: http.StatusNotFound, Title: "That application has no access",
		Description: "You have not allowed application {client_id}, or its access was already withdrawn.",
		Causes:      []string{"The access was withdrawn in another tab or by an operator.", "The form was altered."},
		ClientFix:   []string{accountNoClient},
		Spec:        "RFC 6749 §10.3; RFC 7009", SpecURL: "https://www.rfc-editor.org/rfc/rfc7009", Endpoints: []Endpoint{Account}},
	{Name: AccountIdentityUnknown, Error: "invalid_request", Status: http.StatusNotFound, Title: "That identity is not linked",
		Description: "Your account has no linked identity at {upstream} with this subject; it was unlinked meanwhile.",
		Causes:      []string{"The identity was unlinked in another tab or by an operator.", "The form was altered."},
		ClientFix:   []string{accountNoClient},
		Spec:        "OpenID Connect Core 1.0 §2 (sub)", SpecURL: "https://openid.net/specs/openid-connect-core-1_0.html#IDToken", Endpoints: []Endpoint{Account}},
	{Name: AccountIdentityLastSignIn, Error: "invalid_request", Status: http.StatusConflict, Title: "This is your only way to sign in",
		Description: "Your account has no password and no other linked identity, so unlinking {upstream} would lock you out; set a password first.",
		Causes: []string{
			"The account was created by the first sign-in through this provider (a just-in-time account) and never got a password.",
		},
		ClientFix: []string{accountNoClient},
		OperatorFix: []string{
			"If the person really wants to leave the provider, set a password for them (`lucid user set-password NAME`) or let them set one on the account page first.",
		},
		Spec: "OpenID Connect Core 1.0 §2 (sub)", SpecURL: "https://openid.net/specs/openid-connect-core-1_0.html#IDToken", Endpoints: []Endpoint{Account}},
}
