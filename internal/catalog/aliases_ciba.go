package catalog

// cibaAliases are the error codes of OpenID CIBA Core 1.0 §11 and §13.
// Being protocol codes, each also leads to every entry with that error.
var cibaAliases = []Alias{
	{Code: "unknown_user_id", Source: srcCIBA,
		Meaning: "Backchannel authentication: the hint (login_hint, id_token_hint or login_hint_token) names no user the server can ask."},
	{Code: "expired_login_hint_token", Source: srcCIBA,
		Meaning: "Backchannel authentication: the login_hint_token has expired."},
	{Code: "invalid_binding_message", Source: srcCIBA,
		Meaning: "Backchannel authentication: the binding_message is too long or holds characters the person's device cannot show."},
	{Code: "missing_user_code", Source: srcCIBA,
		Meaning: "Backchannel authentication: the client is registered to send the person's user_code and the request has none."},
	{Code: "invalid_user_code", Source: srcCIBA,
		Meaning: "Backchannel authentication: the user_code is not the person's code (or, after repeated wrong codes, none is checked for a while)."},
	{Code: "transaction_failed", Source: srcCIBA,
		Meaning: "Backchannel authentication: the server could not put the request to the person, so no tokens will come."},
	{Code: "authorization_pending", Source: srcCIBA,
		Meaning: "Backchannel authentication: the person has not decided yet; poll again after the interval."},
	{Code: "slow_down", Source: srcCIBA,
		Meaning: "Backchannel authentication: the client polls faster than the interval; it must add 5 seconds to it."},
	{Code: "expired_token", Source: srcCIBA,
		Meaning: "Backchannel authentication: the auth_req_id expired before tokens were issued."},
}

const srcCIBA = "OpenID CIBA Core"
