package catalog

import "net/http"

const (
	rfc6238   = "https://www.rfc-editor.org/rfc/rfc6238"
	rfc4226   = "https://www.rfc-editor.org/rfc/rfc4226"
	webauthn3 = "https://www.w3.org/TR/webauthn-3/"
	unmetSpec = "https://openid.net/specs/openid-connect-unmet-authentication-requirements-1_0.html"
)

// factorEntries are the failures of second factors, passkeys and step-up (TOTP, recovery codes, WebAuthn, acr policy).
var factorEntries = []Entry{
	{Name: SecondFactorCodeWrong, Error: "access_denied", Status: http.StatusUnauthorized, Page: true, Title: "Wrong code",
		Description: "The code from the authenticator app is not correct. Enter the code the app shows now.",
		Causes: []string{
			"A digit was mistyped, or the code of another account in the app was used.",
			"The phone's clock is off by more than 30 seconds, so its codes belong to another time.",
			"The app was set up with a secret that was replaced since (the second factor was set up again or reset).",
		},
		ClientFix: []string{
			"Nothing to change in the application; the person enters the current code, or uses a recovery code.",
		},
		OperatorFix: []string{
			"If the person lost the app or its codes never match, reset their factors with `lucid user reset-factors NAME`; they set one up again at the next sign-in.",
			"Every wrong code counts toward the account's lockout (`lockout.threshold`) and the network's limit (`lockout.network_per_hour`), as a wrong password does.",
		},
		Spec: "RFC 6238 §5.2", SpecURL: rfc6238 + "#section-5.2", Endpoints: []Endpoint{SignIn}},
	{Name: SecondFactorCodeReused, Error: "access_denied", Status: http.StatusUnauthorized, Page: true, Title: "Code already used",
		Description: "This code was already used to sign in. Wait for the app to show a new code, then enter that one.",
		Causes: []string{
			"The same code was entered twice within its 30 seconds, for example in two tabs, or after a page reload.",
			"Someone who saw or intercepted the code is replaying it.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the person waits for the next code.",
		},
		OperatorFix: []string{
			"Lucid records the last time step a code was accepted for and refuses that step and earlier ones, in one conditional write, across every replica. Repeated replays of a person's codes by someone else call for resetting their factors.",
		},
		Spec: "RFC 6238 §5.2", SpecURL: rfc6238 + "#section-5.2", Endpoints: []Endpoint{SignIn}},
	{Name: SecondFactorLocked, Error: "access_denied", Status: http.StatusTooManyRequests, Page: true, Title: "Too many wrong codes",
		Description: "Too many wrong attempts. Try again after {until}.",
		Causes: []string{
			"Wrong codes, recovery codes or passkey attempts were entered several times in a row (with the password failures before them, 5 with the default settings).",
			"Someone who knows the password is guessing the second factor.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the person waits until the time shown.",
		},
		OperatorFix: []string{
			"If the owner is locked out, `lucid user unlock NAME`; if someone else knows the password, set a new one and reset the factors (`lucid user reset-factors NAME`).",
			"The lock is the account's lockout (`lockout.threshold`, `lockout.base`, `lockout.max`), shared by the password and every second factor.",
		},
		Spec: "RFC 4226 §7.3", SpecURL: rfc4226 + "#section-7.3", Endpoints: []Endpoint{SignIn}},
	{Name: SecondFactorNotEnrolled, Error: "access_denied", Status: http.StatusBadRequest, Page: true, Title: "Second factor not set up",
		Description: "There is no {factor} set up for this account. Use another way to sign in.",
		Causes: []string{
			"The form of another factor was submitted, for example from an old tab, after the factor was removed or reset.",
			"The person has no recovery codes left, or never had any.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the person uses a factor they have.",
		},
		OperatorFix: []string{
			"`lucid user factors NAME` lists what the person has set up.",
		},
		Spec: "RFC 6238 §5", SpecURL: rfc6238 + "#section-5", Endpoints: []Endpoint{SignIn}},
	{Name: RecoveryCodeWrong, Error: "access_denied", Status: http.StatusUnauthorized, Page: true, Title: "Wrong recovery code",
		Description: "This recovery code is not one of this account's. Check it against the list you saved.",
		Causes: []string{
			"A character was mistyped (codes use no 0, O, 1, I or L).",
			"The code is from an older list, replaced when the second factor was set up again.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the person enters a code from their current list.",
		},
		OperatorFix: []string{
			"If the person lost their list and their app, reset their factors with `lucid user reset-factors NAME`.",
		},
		Spec: "NIST SP 800-63B §5.1.2", SpecURL: "https://pages.nist.gov/800-63-3/sp800-63b.html#sfa", Endpoints: []Endpoint{SignIn}},
	{Name: RecoveryCodeUsed, Error: "access_denied", Status: http.StatusUnauthorized, Page: true, Title: "Recovery code already used",
		Description: "This recovery code was used before; each code works once. Use another code from your list.",
		Causes: []string{
			"The person used this code on an earlier sign-in and did not cross it off.",
			"Someone else used a copy of the list.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the person uses an unused code.",
		},
		OperatorFix: []string{
			"If the person did not use it, someone has their list and password: set a new password and reset their factors.",
		},
		Spec: "NIST SP 800-63B §5.1.2", SpecURL: "https://pages.nist.gov/800-63-3/sp800-63b.html#sfa", Endpoints: []Endpoint{SignIn}},
	{Name: ACRUnmet, Error: "unmet_authentication_requirements", Status: http.StatusBadRequest, Title: "Authentication requirement cannot be met",
		Description: "The request asks for {acr}, and Lucid cannot sign this person in that way here: {reason}.",
		Causes: []string{
			"acr_values asks for a second factor (urn:lucid:acr:mfa) and the person has none, while second factors cannot be set up during sign-in (authn.second_factor is off).",
			"acr_values asks for phr (a passkey) and passkeys are off, or the person has none and cannot register one here.",
			"The request has prompt=none and only an interactive step (a second factor) would meet it.",
		},
		ClientFix: []string{
			"Ask for an acr value the person can meet, or repeat the request without prompt=none so that they can be asked.",
			"Read the acr claim of the ID token to learn how a person signed in, rather than requiring a level Lucid cannot give.",
		},
		OperatorFix: []string{
			"Set authn.second_factor to optional or required, so that people without a second factor set one up during sign-in; turn on authn.passkeys for phr.",
		},
		Spec: "OpenID Connect Unmet Authentication Requirements 1.0", SpecURL: unmetSpec, Endpoints: []Endpoint{Authorize}},
	{Name: ACRValuesUnsupported, Error: "unmet_authentication_requirements", Status: http.StatusBadRequest, Title: "No acr value Lucid serves",
		Description: "acr_values names {acr_values}, none of which Lucid serves; it serves {supported}.",
		Causes: []string{
			"The client was written for another provider's acr values (its own URNs, or numeric levels).",
			"A typing mistake in the acr value.",
		},
		ClientFix: []string{
			"Ask for one of the acr_values_supported of Lucid's discovery document: urn:lucid:acr:1fa, urn:lucid:acr:mfa or phr. Values Lucid does not serve are ignored when another is served.",
		},
		Spec: "OIDC Core §3.1.2.1", SpecURL: oidc + "#AuthRequest", Endpoints: []Endpoint{Authorize}},
	{Name: PasskeyCeremonyExpired, Error: "access_denied", Status: http.StatusBadRequest, Page: true, Title: "Passkey request expired",
		Description: "This passkey request is no longer valid. Try the passkey again.",
		Causes: []string{
			"The page was open for longer than its challenge lives, or the same answer was posted twice (each challenge is used once).",
			"The page was reloaded in another tab, which made a new challenge.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the person tries again from the page.",
		},
		Spec: "W3C WebAuthn Level 3 §13.4.3", SpecURL: webauthn3 + "#sctn-cryptographic-challenges", Endpoints: []Endpoint{SignIn}},
	{Name: PasskeyAssertionInvalid, Error: "access_denied", Status: http.StatusUnauthorized, Page: true, Title: "Passkey not accepted",
		Description: "The passkey's answer could not be verified. Try again, or sign in another way.",
		Causes: []string{
			"The answer was not made for this page's challenge, for this site (rp_id, origin), or its signature does not verify.",
			"The authenticator did not verify the person (PIN or biometric) while authn.user_verification is required.",
			"The answer was damaged on its way, or did not come from a browser.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the person tries again.",
		},
		OperatorFix: []string{
			"`lucid explain TRACE_ID` shows the library's reason. Check that authn.rp_id is the issuer's host and the issuer is the address people use.",
		},
		Spec: "W3C WebAuthn Level 3 §7.2", SpecURL: webauthn3 + "#sctn-verifying-assertion", Endpoints: []Endpoint{SignIn}},
	{Name: PasskeyUnknown, Error: "access_denied", Status: http.StatusUnauthorized, Page: true, Title: "Passkey not recognised",
		Description: "This passkey is not registered for any account here. It may have been removed; sign in another way.",
		Causes: []string{
			"The person's passkeys were removed or reset by an operator, while the authenticator still holds the credential.",
			"The passkey belongs to another server with the same rp_id (a test or staging Lucid).",
		},
		ClientFix: []string{
			"Nothing to change in the application; the person signs in with a password and registers a new passkey.",
		},
		OperatorFix: []string{
			"`lucid user factors NAME` lists the person's passkeys; the person may delete the stale one from their authenticator.",
		},
		Spec: "W3C WebAuthn Level 3 §7.2", SpecURL: webauthn3 + "#sctn-verifying-assertion", Endpoints: []Endpoint{SignIn}},
	{Name: PasskeyRegistrationInvalid, Error: "access_denied", Status: http.StatusBadRequest, Page: true, Title: "Passkey could not be registered",
		Description: "The new passkey could not be verified, so it was not saved. Try again.",
		Causes: []string{
			"The answer was not made for this page's challenge or this site (rp_id, origin).",
			"The authenticator uses an algorithm Lucid does not accept, or did not verify the person while authn.user_verification is required.",
			"The passkey is already registered (to this person or another).",
		},
		ClientFix: []string{
			"Nothing to change in the application; the person tries again, or sets up an authenticator app instead.",
		},
		OperatorFix: []string{
			"`lucid explain TRACE_ID` shows the library's reason.",
		},
		Spec: "W3C WebAuthn Level 3 §7.1", SpecURL: webauthn3 + "#sctn-registering-a-new-credential", Endpoints: []Endpoint{SignIn}},
}
