package catalog

import "net/http"

const rfc8628 = "https://www.rfc-editor.org/rfc/rfc8628"

// DeviceAuthorization is the device authorization endpoint (RFC 8628 §3.1).
// The verification page a person uses reports its failures under SignIn.
const DeviceAuthorization Endpoint = "device_authorization"

// deviceEntries are the failures of the device authorization grant (RFC
// 8628): the device authorization endpoint, the polling at the token
// endpoint, and the verification page where a person enters the user code.
var deviceEntries = []Entry{
	{Name: DeviceGrantNotAllowed, Error: "unauthorized_client", Status: http.StatusBadRequest, Title: "This client may not use the device flow",
		Description: "Client {client_id} is not registered for the device authorization grant; its registered grant types: {allowed}.",
		Causes: []string{
			"The client was registered for other grants (authorization_code, client_credentials) and the device flow was never turned on for it.",
			"The device or command-line tool is configured with the client_id of another application.",
		},
		ClientFix: []string{
			"Use the client_id registered for the device flow, or ask the operator to add the grant type urn:ietf:params:oauth:grant-type:device_code to this client.",
		},
		OperatorFix: []string{
			"Add the grant type to the client: `lucid client update CLIENT_ID --grant-type urn:ietf:params:oauth:grant-type:device_code`.",
		},
		Spec: "RFC 8628 §3.1", SpecURL: rfc8628 + "#section-3.1", Endpoints: []Endpoint{DeviceAuthorization}},
	{Name: DeviceCodeUnknown, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "Unknown device_code",
		Description: "No device authorization has this device_code; it was never issued here, was cut short, or expired so long ago that it was forgotten.",
		Causes: []string{
			"The device sent the user_code, or a code from another server, as the device_code.",
			"The device_code was truncated or changed on its way into the token request.",
			"The device authorization expired more than an hour ago, after which Lucid forgets it.",
		},
		ClientFix: []string{
			"Poll with the device_code of the device authorization response, unchanged, at the token endpoint of the same issuer.",
			"Start a new device authorization when the old one has expired.",
		},
		Spec: "RFC 8628 §3.5", SpecURL: rfc8628 + "#section-3.5", Endpoints: []Endpoint{Token}},
	{Name: DeviceCodeExpired, Error: "expired_token", Status: http.StatusBadRequest, Title: "Device code expired",
		Description: "The device authorization expired {ago} ago, before it was approved and redeemed; a device code lives {lifetime}.",
		Causes: []string{
			"Nobody entered the user code on the verification page in time.",
			"The person approved, but the device stopped polling and came back after the expiry.",
		},
		ClientFix: []string{
			"Start a new device authorization and show the person the new user code; start it when the person is ready, not ahead of time.",
		},
		OperatorFix: []string{
			"If people need longer to get to the verification page, raise `device.code_lifetime` (at most 30m).",
		},
		Spec: "RFC 8628 §3.5", SpecURL: rfc8628 + "#section-3.5", Endpoints: []Endpoint{Token}},
	{Name: DeviceCodeUsed, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "Device code already redeemed",
		Description: "This device_code was already exchanged for tokens {ago} ago; a device code is redeemed once, and because it was presented again every token issued from it has now been revoked.",
		Causes: []string{
			"The device kept polling after it received its tokens, or two processes of the device poll with the same device_code.",
			"Someone who copied the device_code is trying to use it.",
		},
		ClientFix: []string{
			"Stop polling once the token endpoint answers with tokens, and keep the device_code in one process only; the tokens of the first answer no longer work, so start a new device authorization.",
		},
		OperatorFix: []string{
			"If an attack is suspected, `lucid explain TRACE_ID` names the client and the token family that was revoked.",
		},
		Spec: "RFC 8628 §3.4", SpecURL: rfc8628 + "#section-3.4", Endpoints: []Endpoint{Token}},
	{Name: DeviceCodeOtherClient, Error: "invalid_grant", Status: http.StatusBadRequest, Title: "Device code issued to another client",
		Description: "The device_code was issued to another client than {client_id}, the client of this token request; it was not used.",
		Causes: []string{
			"The device polls with a different client_id or credentials than it used for the device authorization request.",
			"A device_code was copied between applications.",
		},
		ClientFix: []string{
			"Poll with the same client, and the same client authentication, that asked for the device authorization.",
		},
		Spec: "RFC 8628 §3.4", SpecURL: rfc8628 + "#section-3.4", Endpoints: []Endpoint{Token}},
	{Name: DeviceAuthorizationPending, Error: "authorization_pending", Status: http.StatusBadRequest, Title: "Waiting for the person",
		Description: "The person has not yet approved or denied this device authorization; poll again in {interval}, at most until it expires in {remaining}.",
		Causes: []string{
			"This is the normal answer while the person enters the user code and signs in on another device.",
		},
		ClientFix: []string{
			"Keep polling, waiting the interval of the device authorization response (plus 5 s for every slow_down) between requests.",
		},
		Spec: "RFC 8628 §3.5", SpecURL: rfc8628 + "#section-3.5", Endpoints: []Endpoint{Token}},
	{Name: DeviceSlowDown, Error: "slow_down", Status: http.StatusBadRequest, Title: "Polling too fast",
		Description: "This device_code was polled again {elapsed} after the last poll, sooner than its interval allows; the interval is now {interval}, for this and every later poll.",
		Causes: []string{
			"The device polls without waiting the interval of the device authorization response.",
			"The device did not add 5 s to its interval after an earlier slow_down.",
			"Several processes of the device poll with the same device_code.",
		},
		ClientFix: []string{
			"Wait at least the interval between polls, and add 5 s to it on every slow_down answer (RFC 8628 §3.5).",
		},
		OperatorFix: []string{
			"Each replica remembers the last poll of a device code on its own: behind a load balancer that spreads one device's polls over replicas, a device may poll faster without being slowed.",
		},
		Spec: "RFC 8628 §3.5", SpecURL: rfc8628 + "#section-3.5", Endpoints: []Endpoint{Token}},
	{Name: DeviceAccessDenied, Error: "access_denied", Status: http.StatusBadRequest, Title: "The person denied the device",
		Description: "The person denied this device authorization on the verification page {ago} ago.",
		Causes: []string{
			"The person did not recognise the device or the application, or changed their mind.",
		},
		ClientFix: []string{
			"Stop polling and tell the person that access was denied; start a new device authorization only if they ask again.",
		},
		Spec: "RFC 8628 §3.5", SpecURL: rfc8628 + "#section-3.5", Endpoints: []Endpoint{Token}},
	{Name: DeviceUserCodeMalformed, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "That is not a device code",
		Description: "A device code has {length} letters from {alphabet}; the code entered has {got} letters, or characters that never appear in a code.",
		Causes: []string{
			"A letter was mistyped, left out or added, or a digit was typed for a letter.",
			"Something other than the code shown on the device was pasted into the field.",
		},
		ClientFix: []string{
			"Show the user code in large, grouped letters (as Lucid gives it) so that it is easy to copy.",
		},
		Spec: "RFC 8628 §6.1", SpecURL: rfc8628 + "#section-6.1", Endpoints: []Endpoint{SignIn}},
	{Name: DeviceUserCodeUnknown, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "Wrong device code",
		Description: "No device is waiting for the code {user_code}. Check the code on the device and enter it again.",
		Causes: []string{
			"A letter of the code was mistyped.",
			"The device started a new sign-in and now shows another code.",
			"The code expired more than an hour ago, after which Lucid forgets it.",
		},
		ClientFix: []string{
			"Show the user code until the device gets its tokens, and show the new code at once when the device starts over.",
		},
		OperatorFix: []string{
			"Wrong codes count against the network and the server limits (`device.user_code_network_per_hour`, `device.user_code_server_per_hour`); `lucid explain TRACE_ID` shows the network.",
		},
		Spec: "RFC 8628 §3.3", SpecURL: rfc8628 + "#section-3.3", Endpoints: []Endpoint{SignIn}},
	{Name: DeviceUserCodeExpired, Error: "expired_token", Status: http.StatusBadRequest, Page: true, Title: "Device code expired",
		Description: "The code {user_code} expired {ago} ago. Start the sign-in on the device again to get a new code.",
		Causes: []string{
			"The code was entered more than the device code lifetime after the device showed it.",
		},
		ClientFix: []string{
			"When a device authorization expires, start a new one and show its code.",
		},
		OperatorFix: []string{
			"If people need longer, raise `device.code_lifetime` (at most 30m).",
		},
		Spec: "RFC 8628 §3.5", SpecURL: rfc8628 + "#section-3.5", Endpoints: []Endpoint{SignIn}},
	{Name: DeviceUserCodeUsed, Error: "invalid_request", Status: http.StatusBadRequest, Page: true, Title: "Device code already used",
		Description: "The code {user_code} was already {decision} {ago} ago; each code is answered once. If that was not you, start again on the device.",
		Causes: []string{
			"The page was submitted twice, or reloaded after the decision.",
			"Someone else entered the code first.",
		},
		ClientFix: []string{
			"Nothing to change in the application; start a new device authorization if the person needs to decide again.",
		},
		Spec: "RFC 8628 §3.3", SpecURL: rfc8628 + "#section-3.3", Endpoints: []Endpoint{SignIn}},
	{Name: DeviceUserCodeThrottled, Error: "temporarily_unavailable", Status: http.StatusTooManyRequests, Page: true, Title: "Too many wrong device codes from this network",
		Description: "Too many wrong device codes came from your network (the limit is {limit} an hour). Try again in {retry_after}.",
		Causes: []string{
			"Someone on this network is guessing device codes.",
			"Many people share one public address and together mistyped codes often.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the person waits for the time shown, or uses another network.",
		},
		OperatorFix: []string{
			"If it is a shared address of your own users, raise `device.user_code_network_per_hour`; behind a reverse proxy, list it in `trusted_proxies`, or every person counts as the proxy's network.",
			"Each replica counts on its own; the limit across replicas is the setting times the number of replicas.",
		},
		Spec: "RFC 8628 §5.1", SpecURL: rfc8628 + "#section-5.1", Endpoints: []Endpoint{SignIn}},
	{Name: DeviceUserCodeServerLimited, Error: "temporarily_unavailable", Status: http.StatusTooManyRequests, Page: true, Title: "Too many wrong device codes on this server",
		Description: "This server received too many wrong device codes from everywhere (the limit is {limit} an hour), so it takes no codes for now. Try again in {retry_after}.",
		Causes: []string{
			"Someone is guessing device codes from many networks at once.",
		},
		ClientFix: []string{
			"Nothing to change in the application; the person waits for the time shown.",
		},
		OperatorFix: []string{
			"Look at the recorded failures (`lucid explain`) for the networks sending wrong codes; if the traffic is legitimate, raise `device.user_code_server_per_hour`.",
			"Each replica counts on its own.",
		},
		Spec: "RFC 8628 §5.1", SpecURL: rfc8628 + "#section-5.1", Endpoints: []Endpoint{SignIn}},
}
