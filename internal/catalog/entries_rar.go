package catalog

import "net/http"

const (
	rfc9396     = "https://www.rfc-editor.org/rfc/rfc9396"
	rfc9396s2   = rfc9396 + "#section-2"
	rfc9396s5   = rfc9396 + "#section-5"
	rfc9396s6   = rfc9396 + "#section-6"
	rarCode     = "invalid_authorization_details"
	rarShapeFix = "Send authorization_details as a JSON array of objects, each with a type string, URL-encoded as one parameter (RFC 9396 §2), for example " + `[{"type":"payment_initiation","actions":["initiate"]}]` + "."
)

// rarEndpoints are where authorization_details is read.
var rarEndpoints = []Endpoint{Authorize, PAR, Token}

// rarEntries are the failures of rich authorization requests (RFC 9396):
// the authorization_details parameter, checked against the types the APIs
// register (each with a JSON Schema) and those the client may use, before
// anything is stored; at the token endpoint, against the grant.
var rarEntries = []Entry{
	{Name: RARNotJSON, Error: rarCode, Status: http.StatusBadRequest, Title: "authorization_details is not JSON",
		Description: "The authorization_details parameter is not valid JSON: {reason}.",
		Causes: []string{
			"The value was URL-encoded twice, or not at all, so that the server sees percent signs or a cut value.",
			"The client built the JSON by joining strings and left a quote, comma or bracket out.",
		},
		ClientFix: []string{"Serialise the details with a JSON encoder, then URL-encode the result once.", rarShapeFix},
		Spec:      "RFC 9396 §2", SpecURL: rfc9396s2, Endpoints: rarEndpoints},
	{Name: RARNotArray, Error: rarCode, Status: http.StatusBadRequest, Title: "authorization_details is not an array of objects",
		Description: "The authorization_details parameter must be a non-empty JSON array of objects; {reason}.",
		Causes: []string{
			"A single detail object was sent without the surrounding array.",
			"The array is empty, or holds strings (such as type names) instead of detail objects.",
		},
		ClientFix: []string{"Wrap each detail object in one array, even when there is a single one; leave the parameter out when there is none.", rarShapeFix},
		Spec:      "RFC 9396 §2", SpecURL: rfc9396s2, Endpoints: rarEndpoints},
	{Name: RARTooLarge, Error: rarCode, Status: http.StatusBadRequest, Title: "authorization_details too large",
		Description: "The authorization_details parameter {reason}; Lucid takes at most {max_details} details and {max_bytes} bytes in one request.",
		Causes: []string{
			"The client puts a whole catalogue of items into one request instead of what this authorization needs.",
			"The same detail is repeated many times by a loop in the client.",
		},
		ClientFix: []string{"Ask for what this transaction needs; split unrelated authorizations into separate requests."},
		Spec:      "RFC 9396 §2", SpecURL: rfc9396s2, Endpoints: rarEndpoints},
	{Name: RARTypeMissing, Error: rarCode, Status: http.StatusBadRequest, Title: "Authorization detail without type",
		Description: "Detail {index} of authorization_details has {reason}; every detail must name its type in a type string.",
		Causes: []string{
			"The client sends the type under another name, such as kind or @type.",
			"The type is a number, null or an empty string.",
		},
		ClientFix: []string{"Give every detail a type string, one of authorization_details_types_supported in the discovery document."},
		Spec:      "RFC 9396 §2", SpecURL: rfc9396s2, Endpoints: rarEndpoints},
	{Name: RARCommonFieldInvalid, Error: rarCode, Status: http.StatusBadRequest, Title: "Authorization detail field has the wrong shape",
		Description: "Detail {index} (type {type}) has a {field} field that is not {want}.",
		Causes: []string{
			"A single action or location was sent as a string instead of an array of strings.",
			"The identifier was sent as a number.",
		},
		ClientFix: []string{"RFC 9396 §2.2 fixes these fields for every type: locations, actions, datatypes and privileges are arrays of strings; identifier is a string."},
		Spec:      "RFC 9396 §2.2", SpecURL: rfc9396 + "#section-2.2", Endpoints: rarEndpoints},
	{Name: RARTypeUnknown, Error: rarCode, Status: http.StatusBadRequest, Title: "Unknown authorization details type",
		Description: "Detail {index} has the type {type}, which no API registered here defines; the types this server knows are: {supported}.",
		Causes: []string{
			"The type is misspelled, or named as another server calls it.",
			"The API that defines the type is not registered on this server, or was deleted.",
		},
		ClientFix:   []string{"Use one of authorization_details_types_supported from the discovery document, spelled exactly."},
		OperatorFix: []string{"Register the type with the API that serves it: `lucid api create IDENTIFIER --authorization-details FILE` or authorization_details_types in POST /admin/apis."},
		Spec:        "RFC 9396 §5", SpecURL: rfc9396s5, Endpoints: rarEndpoints},
	{Name: RARTypeNotAllowed, Error: rarCode, Status: http.StatusBadRequest, Title: "Authorization details type not allowed for this client",
		Description: "Client {client_id} may not ask for authorization details of type {type} (detail {index}); it may use: {allowed}.",
		Causes: []string{
			"The client was never given this type in its authorization_details_types metadata.",
			"A test client's configuration is used against a production server.",
		},
		ClientFix:   []string{"Ask only for the types this client is registered for."},
		OperatorFix: []string{"If the client should use the type, add it: `lucid client update CLIENT_ID --detail-type TYPE` (client metadata authorization_details_types, RFC 9396 §10)."},
		Spec:        "RFC 9396 §10", SpecURL: rfc9396 + "#section-10", Endpoints: rarEndpoints},
	{Name: RARSchemaViolation, Error: rarCode, Status: http.StatusBadRequest, Title: "Authorization detail does not match its type's schema",
		Description: "Detail {index} (type {type}) does not match the schema its API registered: at {location}, {message}.",
		Causes: []string{
			"A field the type requires is missing, or has the wrong type (a number sent as a string, or the reverse).",
			"A value is outside what the API allows, such as an unknown currency or a negative amount.",
			"The client is built against an older or newer version of the API's type.",
		},
		ClientFix:   []string{"Fix the field named in the description; the API's documentation describes each field of the type."},
		OperatorFix: []string{"If the schema is wrong, register the API again with the corrected schema."},
		Spec:        "RFC 9396 §5", SpecURL: rfc9396s5, Endpoints: rarEndpoints},
	{Name: RARNotGranted, Error: rarCode, Status: http.StatusBadRequest, Title: "Authorization detail not in the grant",
		Description: "Detail {index} (type {type}) of this token request is not one the user authorized; a token request may ask only for details of the grant, exactly as they were authorized. Nothing was issued.",
		Causes: []string{
			"The client changed a field (an amount, an account, an action) after the user approved the request.",
			"The client asks with details of another authorization, or of another user.",
			"The detail is written with a number in another form (1.0 for 1): Lucid compares details field by field, numbers as written.",
		},
		ClientFix: []string{"Leave authorization_details out to get every authorized detail, or send a subset of the details exactly as they were authorized; for anything more, start a new authorization."},
		Spec:      "RFC 9396 §6", SpecURL: rfc9396s6, Endpoints: []Endpoint{Token}},
	{Name: RARNotInSubject, Error: rarCode, Status: http.StatusBadRequest, Title: "Authorization detail not in the subject token",
		Description: "Detail {index} (type {type}) of this token exchange is not one the subject token carries: {reason}. An exchanged token may carry only a subset of the subject token's details, each exactly as written there. Nothing was issued.",
		Causes: []string{
			"The client changed a field (an amount, an account, an action) of a detail it copied from the subject token.",
			"The subject token carries no details, or details of another type, for example because it was issued for another API.",
		},
		ClientFix: []string{"Leave authorization_details out to keep every detail of the subject token, or send a subset of its details exactly as they appear in it (its authorization_details claim, or introspection)."},
		Spec:      "RFC 9396 §6", SpecURL: rfc9396s6, Endpoints: []Endpoint{Token}},
	{Name: RARExchangeNoDetails, Error: "invalid_request", Status: http.StatusBadRequest, Title: "authorization_details with a token type that carries none",
		Description: "This token exchange asks for a {requested} with authorization_details, but only an access token carries details; Lucid refuses them rather than ignore them. Nothing was issued.",
		Causes:      []string{"The client sends authorization_details with every exchange, also when it asks for an ID token or a refresh token."},
		ClientFix:   []string{"Leave authorization_details out, or ask for an access token (requested_token_type access_token or jwt)."},
		Spec:        "RFC 9396 §6", SpecURL: rfc9396s6, Endpoints: []Endpoint{Token}},
	{Name: RARGrantUnsupported, Error: "invalid_request", Status: http.StatusBadRequest, Title: "authorization_details not taken with this grant",
		Description: "This token request uses the {grant_type} grant, with which Lucid does not take authorization_details; it takes them with authorization_code, refresh_token and token exchange, to narrow what was authorized. Nothing was issued.",
		Causes: []string{
			"The client sends authorization_details with client_credentials or token exchange, which Lucid does not support for rich authorization requests yet.",
		},
		ClientFix: []string{"Ask for authorization details at the authorization endpoint (or a pushed request), then narrow them at the token endpoint with the code or the refresh token; leave the parameter out of other grants."},
		Spec:      "RFC 9396 §6", SpecURL: rfc9396s6, Endpoints: []Endpoint{Token}},
}
