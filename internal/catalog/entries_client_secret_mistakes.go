package catalog

// clientSecretMistakeEntries: see entries_mistakes.go. They tell apart what
// client_secret_wrong used to say for all: a secret's id sent as the
// secret, a secret retired by a rotation or a removal, whitespace around
// the right secret, and a secret sent to a client that has none because it
// signs with keys. Each is said only to a caller that presented the value
// in question, and none reveals a secret or the id of one the caller did
// not send.
var clientSecretMistakeEntries = []Entry{
	{Name: ClientSecretIDSent, Error: "invalid_client", Status: unauth, Title: "Secret id sent instead of the secret",
		Description: "The client secret presented for {client_id} is the id of one of its secrets, not the secret itself; send the secret's value, which was shown once when it was issued.",
		Causes: []string{
			"The secret id and the secret are printed next to each other when a secret is issued (by the command line or the admin API), and the id was copied into the application's configuration.",
			"The application was configured from a listing of the client, which shows only the ids of its secrets, never the secrets.",
		},
		ClientFix: []string{
			"Put the secret value in the application's configuration, the long value labelled as the secret, not its id.",
			"If nobody kept the secret value, ask the operator for a new secret: it cannot be shown again.",
		},
		OperatorFix: []string{
			"If the secret value was lost, issue a new one with `lucid client rotate-secret CLIENT_ID` (or `add-secret` to keep the old one working meanwhile) and hand over the value printed as the secret.",
		},
		Spec: "RFC 6749 §2.3.1", SpecURL: rfc6749 + "#section-2.3.1", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientSecretRetired, Error: "invalid_client", Status: unauth, Title: "Client secret was retired",
		Description: "The client secret presented for {client_id} was retired at {retired_at} ({how}); it no longer works. Use the client's current secret.",
		Causes: []string{
			"The secret was rotated and this application was not given the new one, or was given it but still runs with the old configuration.",
			"The operator removed this secret, for example after a leak, and the application was not updated.",
			"A rotation's grace period ended before every instance of the application had switched to the new secret.",
		},
		ClientFix: []string{
			"Deploy the client's current secret to every instance of the application, and restart those that read it only at start-up.",
			"Ask the operator for the current secret if you did not receive it.",
		},
		OperatorFix: []string{
			"`lucid explain TRACE_ID` names the retired secret's id. Hand the current secret to the client's owner, or issue one with `lucid client rotate-secret CLIENT_ID`; next time, rotate with `--grace` long enough for every instance to switch.",
			"Retired secrets are recognised for lifetimes.retired_secret after their retirement; after that they are reported as client_secret_wrong.",
		},
		Spec: "RFC 6749 §2.3.1", SpecURL: rfc6749 + "#section-2.3.1", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientSecretWhitespace, Error: "invalid_client", Status: unauth, Title: "Client secret has whitespace around it",
		Description: "The client secret presented for {client_id} has {where}; without it, the secret is right. Remove the surrounding whitespace.",
		Causes: []string{
			"The secret was read from a file or an environment variable that ends with a newline, for example one written with echo or a text editor.",
			"The secret was copied from a terminal or a web page together with a space or a line break.",
			"A configuration template (YAML block scalar, Helm, .env) added a trailing newline or indentation.",
		},
		ClientFix: []string{
			"Trim the secret where the application reads it (for example strings.TrimSpace in Go, .strip() in Python), or write the file without a trailing newline (printf '%s' instead of echo).",
		},
		Spec: "RFC 6749 §2.3.1", SpecURL: rfc6749 + "#section-2.3.1", Endpoints: []Endpoint{Token, Introspect, Revoke}},
	{Name: ClientSecretForKeyClient, Error: "invalid_client", Status: unauth, Title: "Secret sent by a client that authenticates with keys",
		Description: "The client {client_id} authenticates with its private key (private_key_jwt) and has no secret, but the request presented {used}; send a client_assertion signed with the client's private key.",
		Causes: []string{
			"The client was moved to private_key_jwt, and the application still sends the secret it used before (which was removed with the move).",
			"The application is configured with both a secret and a private key, and its library prefers the secret.",
			"The client assertion is signed with an HMAC algorithm (HS256, HS384, HS512), which uses a shared secret, instead of an asymmetric one.",
		},
		ClientFix: []string{
			"Remove client_secret and the Authorization Basic header, and send client_assertion_type and a client_assertion signed with the private key whose public key is registered (RS256, PS256, ES256 or EdDSA).",
		},
		OperatorFix: []string{
			"If the client should authenticate with a secret again, switch it back with `lucid client update CLIENT_ID --auth-method client_secret_basic` and issue a secret with `lucid client rotate-secret CLIENT_ID`.",
		},
		Spec: "RFC 7523 §2.2", SpecURL: rfc7523 + "#section-2.2", Endpoints: []Endpoint{Token, Introspect, Revoke}},
}
