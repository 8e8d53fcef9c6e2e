package catalog

import "net/http"

// consoleDoc is where the console's sign-in and roles are described.
const consoleDoc = "https://github.com/lucid-auth/lucid/blob/main/README.md#the-web-console"

// Console is the web admin console under /console/.
const Console Endpoint = "console"

// operationsEntries are the failures of operating Lucid: telemetry,
// backups, migrations, and the web console's own refusals (the console's
// actions otherwise fail with the admin entries manage returns).
var operationsEntries = []Entry{
	{Name: ConsoleNotAdmin, Error: "access_denied", Status: http.StatusForbidden, Title: "Not a console administrator",
		Description: "You are signed in as {username}, who does not have the admin role, so the console is closed to you.",
		Causes:      []string{"The account was never granted the admin role.", "The role was revoked.", "You signed in with another account than the one you administer with."},
		ClientFix:   []string{"Sign out and sign in with an administrator's account, or ask an operator to grant yours the role."},
		OperatorFix: []string{"Grant the role: `lucid user grant-admin NAME`, POST /admin/users/ID/admin, or from the console by another administrator."},
		Spec:        "Lucid console", SpecURL: consoleDoc, Endpoints: []Endpoint{Console}},
	{Name: ConsoleFormExpired, Error: "invalid_request", Status: http.StatusForbidden, Title: "Console form expired or forged",
		Description: "The form was not sent from a console page of this sign-in (its CSRF token is missing or does not match), so nothing was changed.",
		Causes:      []string{"The console was signed in again since the page was loaded.", "Another site tried to submit a console form in your name."},
		ClientFix:   []string{"Reload the console page and submit the form again."},
		OperatorFix: []string{"Nothing, unless this repeats without anyone reloading: then look for a page elsewhere posting to /console/."},
		Spec:        "Lucid console", SpecURL: consoleDoc, Endpoints: []Endpoint{Console}},
	{Name: ConsoleSignInFailed, Error: "access_denied", Status: http.StatusUnauthorized, Title: "Console sign-in did not finish",
		Description: "Lucid's sign-in came back to the console with {error} instead of a signed-in session, so the console stays closed.",
		Causes:      []string{"You cancelled the sign-in.", "The sign-in asked for something the account cannot give (unmet_authentication_requirements: a second factor the account cannot set up here).", "The sign-in took longer than the authorization request lives."},
		ClientFix:   []string{"Open /console/ again and sign in; with a second factor, have it at hand."},
		OperatorFix: []string{"`lucid explain` with the trace id of the sign-in page's failure, if any, tells what the sign-in refused; the authn.second_factor setting decides when a factor is asked for."},
		Spec:        "Lucid console", SpecURL: consoleDoc, Endpoints: []Endpoint{Console}},
}
