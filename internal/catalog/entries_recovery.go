package catalog

import "net/http"

// Recovery is where a person recovers or creates an account: the pages
// /forgot, /reset, /verify-email and /signup.
const Recovery Endpoint = "recovery"

const (
	owaspForgot   = "https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html"
	nist63b       = "https://pages.nist.gov/800-63-4/sp800-63b.html"
	nistPasswords = nist63b + "#password"
	rfc5321       = "https://www.rfc-editor.org/rfc/rfc5321"
	rfc9110Status = "https://www.rfc-editor.org/rfc/rfc9110#section-15.5"
	mailFix       = "Check the mail settings (`mail.host`, `mail.port`, `mail.security`, `mail.username`, `mail.password`, `mail.from`) and the relay's log for the message; `GET /admin/outbox?state=dead` lists the messages given up on."
	newLinkFix    = "Ask for a new link: a link works once, for a short time, and only the newest one sent counts."
)

// recoveryEntries are the failures of password reset, e-mail verification, self-registration and the password policy.
var recoveryEntries = []Entry{
	{Name: PasswordResetUnavailable, Error: "not_found", Status: http.StatusNotFound, Page: true, Title: "Password reset is not available",
		Description: "This server sends no e-mail, so it cannot reset passwords; ask the administrator to set a new password for you.",
		Causes: []string{
			"The operator has not configured outgoing mail, and a reset link can only be sent by e-mail.",
		},
		ClientFix: []string{"Nothing to change in the application: the person asks the administrator for a new password."},
		OperatorFix: []string{
			"Configure an SMTP relay under `mail.*` (host, port, security, credentials, from address) to turn on password reset.",
			"Meanwhile set a password with `lucid user set-password NAME --password-stdin`.",
		},
		Spec: "OWASP Forgot Password Cheat Sheet", SpecURL: owaspForgot, Endpoints: []Endpoint{Recovery}},
	{Name: PasswordResetThrottled, Error: "temporarily_unavailable", Status: http.StatusTooManyRequests, Page: true, Title: "Too many reset requests from this network",
		Description: "Too many password resets were asked for from your network (the limit is {limit} an hour). Try again in {retry_after}.",
		Causes: []string{
			"Someone on this network is asking for reset mails for many accounts, to find which exist or to flood mailboxes.",
			"Many people share one public address (an office, a school, a mobile carrier) and together asked for many resets.",
		},
		ClientFix: []string{"Nothing to change in the application; the person waits for the time shown, or uses another network."},
		OperatorFix: []string{
			"If it is a shared address of your own users, raise `recovery.network_per_hour`; behind a reverse proxy, list it in `trusted_proxies`, or every person counts as the proxy's network.",
			"Each replica counts on its own; the limit across replicas is the setting times the number of replicas.",
		},
		Spec: "OWASP Forgot Password Cheat Sheet", SpecURL: owaspForgot, Endpoints: []Endpoint{Recovery}},
	{Name: PasswordResetLinkUnknown, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "This reset link is not valid",
		Description: "This password reset link is not one Lucid sent, or it was cut short; no password was changed.",
		Causes: []string{
			"The link was copied incompletely from the e-mail, or a mail program broke it across lines.",
			"The link is from another server, or so old that Lucid has forgotten it.",
		},
		ClientFix: []string{"Open the link exactly as it is in the e-mail, or ask for a new one on the sign-in page (Forgot your password?)."},
		Spec:      "OWASP Forgot Password Cheat Sheet", SpecURL: owaspForgot, Endpoints: []Endpoint{Recovery}},
	{Name: PasswordResetLinkExpired, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "This reset link has expired",
		Description: "This password reset link expired {ago} ago; a reset link works for {lifetime}. No password was changed.",
		Causes:      []string{"The e-mail was opened after the link's lifetime."},
		ClientFix:   []string{newLinkFix},
		OperatorFix: []string{"If mail arrives late, raise `lifetimes.password_reset` (at most 24h); short links limit what a stolen mailbox copy is worth."},
		Spec:        "OWASP Forgot Password Cheat Sheet", SpecURL: owaspForgot, Endpoints: []Endpoint{Recovery}},
	{Name: PasswordResetLinkUsed, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "This reset link was already used",
		Description: "This password reset link was already used, or a newer link of the same account was; a link works once.",
		Causes: []string{
			"The password was already reset with this link, or with a newer one sent to the same address.",
			"A mail scanner or a second click submitted the form before.",
		},
		ClientFix: []string{"If the password is already changed, sign in with it; otherwise " + newLinkFix},
		Spec:      "OWASP Forgot Password Cheat Sheet", SpecURL: owaspForgot, Endpoints: []Endpoint{Recovery}},

	{Name: EmailVerificationLinkUnknown, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "This verification link is not valid",
		Description: "This e-mail verification link is not one Lucid sent, or it was cut short; nothing was verified.",
		Causes: []string{
			"The link was copied incompletely from the e-mail.",
			"The link is from another server, or so old that Lucid has forgotten it.",
		},
		ClientFix: []string{"Open the link exactly as it is in the e-mail, or ask the administrator to send a new one."},
		Spec:      "NIST SP 800-63A-4 §3.1.2", SpecURL: "https://pages.nist.gov/800-63-4/sp800-63a.html", Endpoints: []Endpoint{Recovery}},
	{Name: EmailVerificationLinkExpired, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "This verification link has expired",
		Description: "This e-mail verification link expired {ago} ago; a verification link works for {lifetime}. The address stays unverified.",
		Causes:      []string{"The e-mail was opened after the link's lifetime."},
		ClientFix:   []string{"Ask the administrator to send a new link (setting the address again sends one)."},
		OperatorFix: []string{"Send a new link by setting the address again (`PATCH /admin/users/ID` with the same `email`); raise `lifetimes.email_verification` if people need longer."},
		Spec:        "NIST SP 800-63A-4 §3.1.2", SpecURL: "https://pages.nist.gov/800-63-4/sp800-63a.html", Endpoints: []Endpoint{Recovery}},
	{Name: EmailVerificationLinkUsed, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "This verification link was already used",
		Description: "This e-mail verification link was already used; a link works once.",
		Causes:      []string{"The address was already verified with this link, or the form was submitted twice."},
		ClientFix:   []string{"Nothing to do if the address is verified; otherwise ask for a new link."},
		Spec:        "NIST SP 800-63A-4 §3.1.2", SpecURL: "https://pages.nist.gov/800-63-4/sp800-63a.html", Endpoints: []Endpoint{Recovery}},
	{Name: EmailVerificationStale, Error: "invalid_request", Status: http.StatusConflict, Page: true, Title: "The address changed since this link was sent",
		Description: "This link verifies an address the account no longer has; the account's current address stays unverified.",
		Causes:      []string{"The account's e-mail address was changed after this link was sent; a link proves only the address it was sent to."},
		ClientFix:   []string{"Use the link sent to the account's current address."},
		Spec:        "NIST SP 800-63A-4 §3.1.2", SpecURL: "https://pages.nist.gov/800-63-4/sp800-63a.html", Endpoints: []Endpoint{Recovery}},

	{Name: SignupDisabled, Error: "not_found", Status: http.StatusNotFound, Page: true, Title: "Sign-up is not open",
		Description: "This server does not let people create their own accounts; ask the administrator for one.",
		Causes:      []string{"Self-registration is off, as it is by default."},
		ClientFix:   []string{"Do not link to /signup on this server; people get accounts from the administrator."},
		OperatorFix: []string{"Set `signup.enabled: true` (and configure `mail.*`, which sign-up needs to verify addresses) to let people register."},
		Spec:        "RFC 9110 §15.5.5", SpecURL: rfc9110Status + ".5", Endpoints: []Endpoint{Recovery}},
	{Name: SignupThrottled, Error: "temporarily_unavailable", Status: http.StatusTooManyRequests, Page: true, Title: "Too many sign-ups from this network",
		Description: "Too many accounts were created or tried from your network (the limit is {limit} an hour). Try again in {retry_after}.",
		Causes: []string{
			"A script is creating accounts from this network.",
			"Many people share one public address and signed up at once (a class, an event).",
		},
		ClientFix: []string{"Nothing to change in the application; the person waits for the time shown."},
		OperatorFix: []string{
			"Raise `signup.network_per_hour` for a shared address of your own users; behind a reverse proxy, list it in `trusted_proxies`.",
			"Each replica counts on its own.",
		},
		Spec: "RFC 6585 §4", SpecURL: "https://www.rfc-editor.org/rfc/rfc6585#section-4", Endpoints: []Endpoint{Recovery}},
	{Name: SignupUsernameTaken, Error: "conflict", Status: http.StatusConflict, Page: true, Title: "This username is taken",
		Description: "The username {username} belongs to an existing account; choose another.",
		Causes: []string{
			"Someone already registered this username; usernames are unique, case-insensitively.",
			"The person already has an account: they can sign in, or reset its password.",
		},
		ClientFix: []string{"Choose another username, or sign in to the existing account (Forgot your password? if needed)."},
		Spec:      "RFC 9110 §15.5.10", SpecURL: rfc9110Status + ".10", Endpoints: []Endpoint{Recovery}},
	{Name: SignupInvalid, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "Check the form",
		Description: "The {field} is not valid: {reason}.",
		Causes: []string{
			"A username with spaces, an @ or control characters, or longer than allowed.",
			"An e-mail address without an @ and a domain, or a name longer than allowed.",
		},
		ClientFix: []string{"Correct the field named and send the form again."},
		Spec:      "RFC 9110 §15.5.1", SpecURL: rfc9110Status + ".1", Endpoints: []Endpoint{Recovery}},

	{Name: PasswordTooShort, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "The password is too short",
		Description: "The password has {length} characters; use at least {min}. A few words with spaces make a long password that is easy to remember.",
		Causes:      []string{"The new password is shorter than the server's minimum length."},
		ClientFix:   []string{"Choose a longer password; no particular mix of letters, digits or symbols is required."},
		OperatorFix: []string{"`password.min_length` sets the minimum (8 to 64; NIST SP 800-63B-4 asks 15 where a password is the only factor)."},
		Spec:        "NIST SP 800-63B-4 §3.1.1.2", SpecURL: nistPasswords, Endpoints: []Endpoint{Recovery, Admin}},
	{Name: PasswordTooLong, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "The password is too long",
		Description: "The password is longer than {max} characters, the most Lucid accepts.",
		Causes:      []string{"The password, or something pasted by mistake, is longer than the bound that keeps each hash cheap to compute."},
		ClientFix:   []string{"Choose a password of at most the length shown."},
		Spec:        "NIST SP 800-63B-4 §3.1.1.2", SpecURL: nistPasswords, Endpoints: []Endpoint{Recovery, Admin}},
	{Name: PasswordCommon, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "This password is too common",
		Description: "This password is on the list of the most common passwords, which attackers try first; choose another.",
		Causes:      []string{"The password is among the 10,000 most common passwords (compared without regard to case) that Lucid ships."},
		ClientFix:   []string{"Choose a password that is not a common word, name or keyboard pattern; a few unrelated words work well."},
		Spec:        "NIST SP 800-63B-4 §3.1.1.2", SpecURL: nistPasswords, Endpoints: []Endpoint{Recovery, Admin}},
	{Name: PasswordMatchesAccount, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "The password repeats the account's name",
		Description: "The password is the account's {field}; anyone who knows the account could guess it.",
		Causes:      []string{"The new password equals the username or the e-mail address, compared without regard to case."},
		ClientFix:   []string{"Choose a password that has nothing to do with the username or address."},
		Spec:        "NIST SP 800-63B-4 §3.1.1.2", SpecURL: nistPasswords, Endpoints: []Endpoint{Recovery, Admin}},
	{Name: PasswordMismatch, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "The two passwords differ",
		Description: "The password and its repetition are not the same; nothing was changed.",
		Causes:      []string{"A typo in one of the two fields."},
		ClientFix:   []string{"Type the same new password in both fields."},
		Spec:        "RFC 9110 §15.5.1", SpecURL: rfc9110Status + ".1", Endpoints: []Endpoint{Recovery}},

	{Name: MailRejected, Error: "server_error", Status: http.StatusBadGateway, Title: "The mail relay refused a message",
		Description: "The SMTP server {server} refused the message to {to} ({stage}): {reply}. It is not attempted again.",
		Causes: []string{
			"The recipient address does not exist or its domain accepts no mail (a 5xx answer to RCPT).",
			"The relay requires authentication, or refuses the sender address for these credentials.",
			"The relay's policy (size, content, sender) refused the message.",
		},
		ClientFix:   []string{"Nothing in an application: the person's address, or the server's mail settings, need correcting."},
		OperatorFix: []string{mailFix, "Correct the user's address through the admin API (`PATCH /admin/users/ID`) if it is wrong."},
		Spec:        "RFC 5321 §4.2.1", SpecURL: rfc5321 + "#section-4.2.1", Endpoints: []Endpoint{Outbox}},
	{Name: MailDeliveryFailed, Error: "server_error", Status: http.StatusBadGateway, Title: "Could not hand a message to the mail relay",
		Description: "Attempt {attempt} to hand the message to {to} to the SMTP server {server} failed ({stage}): {reason}. It is attempted again later.",
		Causes: []string{
			"The relay is down, unreachable or slow (connection refused, timeout).",
			"The relay answered with a temporary failure (4xx), such as greylisting or a full queue.",
			"The TLS handshake failed: the relay's certificate is not trusted, or it does not offer STARTTLS.",
		},
		ClientFix:   []string{"Nothing in an application: Lucid retries with backoff."},
		OperatorFix: []string{mailFix, "A relay with a private CA needs `mail.ca_file`; retries go on until `outbox.max_attempts`."},
		Spec:        "RFC 5321 §4.2.1", SpecURL: rfc5321 + "#section-4.2.1", Endpoints: []Endpoint{Outbox}},
}
