package catalog

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestAliasesResolve runs over every row of the alias tables: each names
// only existing entries, and either leads to at least one entry or says
// why Lucid has none, never both (an alias that said "no entry" and then
// listed seven was the bug this rule catches).
func TestAliasesResolve(t *testing.T) {
	claimsNone := regexp.MustCompile(`(?i)\b(has no (catalog )?entry|no (Lucid|catalog) entry)\b`)
	seen := map[string]bool{}
	for _, a := range Aliases() {
		t.Run(a.Source+"/"+a.Code, func(t *testing.T) {
			for _, c := range []string{a.Code, a.Also} {
				if c == "" {
					continue
				}
				key := strings.ToLower(c) + "|" + a.Source
				if seen[key] {
					t.Errorf("%s from %s is listed twice", c, a.Source)
				}
				seen[key] = true
			}
			if a.Code == "" || a.Source == "" {
				t.Fatalf("alias %+v lacks a code or source", a)
			}
			for _, n := range a.Names {
				if _, ok := Lookup(n); !ok {
					t.Errorf("names %q, which is not a catalog entry", n)
				}
			}
			es := aliasEntries(a)
			switch {
			case a.NotApplicable != "" && len(es) > 0:
				t.Errorf("marked not applicable (%s) but leads to %d entries", a.NotApplicable, len(es))
			case a.NotApplicable != "" && len(a.Names) > 0:
				t.Errorf("marked not applicable but names %v", a.Names)
			case a.NotApplicable == "" && len(es) == 0:
				t.Errorf("leads to no entry and does not say why")
			}
			if len(es) > 0 && claimsNone.MatchString(a.Meaning) {
				t.Errorf("meaning %q says there is no entry, but it leads to %d", a.Meaning, len(es))
			}
		})
	}
}

// Every RFC error the catalog uses must be explainable with its meaning.
func TestEveryErrorCodeHasAlias(t *testing.T) {
	for _, e := range All() {
		if e.Error == "" {
			continue
		}
		as, _ := Explain(e.Error)
		if !slices.ContainsFunc(as, func(a Alias) bool { return a.Code == e.Error }) {
			t.Errorf("error code %s (used by %s) has no alias explaining it", e.Error, e.Name)
		}
	}
}

// The codes the seed documents and issue 10 name are all recognised: the
// AADSTS numbers with an entry, and Entra's condition names.
func TestProviderListsCovered(t *testing.T) {
	applicable := []int{
		// named by the seeds
		50058, 70008, 7000215, 7000222, 500113, 50011,
		// named by issue 10
		70011, 700025, 70001, 65004, 50012, 50013, 50006, 70005, 700054, 70007, 70003,
		900561, 50068, 650057, 500011, 90100, 90102, 90014, 90023, 50003, 50033, 90033, 700020,
		// added with the CORS entry
		9002326,
	}
	for _, n := range applicable {
		for _, in := range []string{"AADSTS" + itoa(n), itoa(n)} {
			x := ExplainText(in)
			if len(x.Aliases) == 0 || x.Aliases[0].Source != srcEntra || x.Aliases[0].NotApplicable != "" || len(x.Entries) == 0 {
				t.Errorf("%s: %+v", in, x)
			}
		}
	}
	for _, n := range []int{500021, 500022} { // tenant restrictions: named, not applicable
		as, es := Explain("AADSTS" + itoa(n))
		if len(as) != 1 || as[0].NotApplicable == "" || len(es) != 0 {
			t.Errorf("AADSTS%d: %+v %v", n, as, es)
		}
	}
	seedNames := strings.Fields(`AudienceUriValidationFailed AuthenticatedInvalidPrincipalNameFormat AuthenticationFailed
		BlockedByConditionalAccess BlockedByConditionalAccessOnSecurityPolicy BulkAADJTokenUnauthorized CertificateValidationFailed
		ChromeBrowserSsoInterruptRequired CmsiInterrupt ConditionalAccessFailed DesktopSsoAuthTokenInvalid
		DesktopSsoAuthenticationPackageNotSupported DesktopSsoLookupUserBySidFailed DeviceFlowAuthorizeWrongDatacenter
		DeviceOnlyTokensNotSupportedByResource DomainHintMustbePresent GuestUserInPendingState IdsLocked InteractionRequired
		InvalidAssertion InvalidMultipleResourcesScope InvalidNationalCloudId InvalidRequest InvalidRequestParameter
		InvalidRequestWithMultipleRequirements InvalidResourcelessScope InvalidSamlToken InvalidSessionId InvalidSessionKey
		InvalidSignature InvalidUriParameter MissingRequiredField MissingSigningKey MissingTenantRealmAndNoUserInformationProvided
		MsodsServiceUnavailable NoSuchInstanceForDiscovery NonConvergedAppV2GlobalEndpointNotSupported NotAllowedByOutboundPolicyTenant
		NotAllowedTenant NotSupported OnPremisePasswordValidationTimeSkew OnPremisePasswordValidatorErrorOccurredOnPrem
		OnPremiseStoreIsNotAvailable OrgIdWsFederationGuestNotAllowed OrgIdWsFederationMessageCreationFromUriFailed
		PKeyAuthInvalidJwtUnauthorized PartnerEncryptionCertificateMissing PasswordResetRegistrationRequiredInterrupt
		ProofUpBlockedDueToRisk ProofUpBlockedDueToSecurityInfoAcr RequestTimeout RequiredFeatureNotEnabled RetryableError
		SelectUserAccount SessionMissingMsaOAuth2RefreshToken SignoutInitiatorNotParticipant SsoArtifactInvalidOrExpired
		SsoUserAccountNotFoundInResourceTenant UnauthorizedClient UnauthorizedClientAppNotFoundInOrgIdTenant UnsupportedGrantType
		UnsupportedResponseMode UnsupportedResponseType UserAccountNotInDirectory UserAccountSelectionInvalid UserDeclinedConsent
		UserDisabled UserInformationNotProvided UserStrongAuthEnrollmentRequired UserUnauthorized
		V1ResourceV2GlobalEndpointNotSupported WeakRsaKey WindowsIntegratedAuthMissing XCB2BResourceCloudNotAllowedOnIdentityTenant
		PasswordChangeInvalidNewPasswordContainsMemberName PasswordChangeOnPremUserAccountLockedOutOrDisabled
		PasswordChangeOnPremisesConnectivityFailure PasswordChangePasswordDoesnotComplyFuzzyPolicy`)
	if len(seedNames) != 78 {
		t.Fatalf("%d seed names", len(seedNames))
	}
	for _, name := range seedNames {
		if as := matchAliases(name); len(as) == 0 || as[0].Source != srcEntra {
			t.Errorf("Entra condition %s is not recognised", name)
		}
	}
	// Okta's list: 368 conditions, one row each.
	codes := map[string]bool{}
	for _, a := range oktaConditions {
		if a.Source != srcOkta || codes[a.Code] {
			t.Errorf("row %s: source %s or listed twice", a.Code, a.Source)
		}
		codes[a.Code] = true
	}
	if len(codes) != 368 {
		t.Errorf("%d of Okta's 368 conditions", len(codes))
	}
}

func itoa(n int) string {
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestExplain(t *testing.T) {
	byError := func(code string) []Name {
		var out []Name
		for _, e := range All() {
			if e.Error == code {
				out = append(out, e.Name)
			}
		}
		return out
	}
	without := func(ns []Name, n Name) []Name {
		return slices.DeleteFunc(slices.Clone(ns), func(x Name) bool { return x == n })
	}
	cases := []struct {
		name       string
		in         string
		entry      Name   // the entry the text names; "" for none
		wantSource string // an alias from this source must be returned; "" for none
		want       []Name // must all be returned
		only       bool   // and nothing else
		not        []Name // must not be returned
		first      Name   // the first entry, when it matters
		traceID    string
	}{
		{name: "RFC code", in: "invalid_grant", wantSource: "RFC 6749", want: byError("invalid_grant"), only: true},
		{name: "RFC code in capitals", in: "INVALID_CLIENT", wantSource: "RFC 6749", want: byError("invalid_client"), only: true},
		{name: "AADSTS code", in: "AADSTS70008", wantSource: srcEntra, want: []Name{CodeExpired, RefreshExpired, RefreshIdleExpired}},
		{name: "AADSTS lower case", in: "aadsts70008", wantSource: srcEntra, want: []Name{CodeExpired, RefreshExpired, RefreshIdleExpired}},
		{name: "AADSTS line", in: "AADSTS70008: The provided authorization code or refresh token has expired", wantSource: srcEntra, want: []Name{CodeExpired, RefreshIdleExpired}},
		{name: "AADSTS line with a dash", in: "AADSTS50011 - The redirect URI does not match", wantSource: srcEntra, want: []Name{RedirectURINotRegistered}, only: true},
		{name: "bare number", in: "70008", wantSource: srcEntra, want: []Name{CodeExpired}},
		{name: "issue's AADSTS70011", in: "AADSTS70011", wantSource: srcEntra, want: []Name{ScopeUnknown, ScopeNotAllowed}},
		{name: "issue's 700025", in: "700025", wantSource: srcEntra, want: []Name{ClientPublicSecret}, only: true},
		{name: "issue's 900561", in: "AADSTS900561", wantSource: srcEntra, want: []Name{MethodNotAllowed}, only: true},
		{name: "AADSTS54005", in: "AADSTS54005", wantSource: srcEntra, want: []Name{CodeReused}, only: true},
		{name: "AADSTS50148", in: "AADSTS50148", wantSource: srcEntra, want: []Name{VerifierMismatch}, only: true},
		{name: "tenant restriction", in: "AADSTS500021", wantSource: srcEntra, only: true},
		{name: "Entra condition name", in: "IdsLocked", wantSource: srcEntra, want: []Name{AccountLocked}},
		{name: "UserDisabled", in: "UserDisabled", wantSource: srcEntra, want: []Name{SignInAccountDisabled, GrantUserInactive}, first: SignInAccountDisabled, not: []Name{SignInFailed}},
		{name: "InvalidAssertion", in: "invalidassertion", wantSource: srcEntra, want: []Name{AssertionMalformed, JWTBearerExpired}},
		{name: "conditional access", in: "BlockedByConditionalAccess", wantSource: srcEntra, only: true},
		{name: "unknown AADSTS", in: "AADSTS99999999", only: true},
		{name: "Okta API code", in: "E0000069", wantSource: srcOkta, want: []Name{AccountLocked}, only: true},
		{name: "Okta condition", in: "invalid_client_secret", wantSource: srcOkta, want: []Name{ClientSecretWrong, ClientSecretIDSent, ClientSecretRetired, ClientSecretWhitespace}},
		{name: "Okta DPoP condition", in: "invalid_dpop_proof_invalid_htm", wantSource: srcOkta, want: []Name{DPoPProofMethod}, only: true},
		{name: "Okta condition equal to an RFC code", in: "invalid_scope", wantSource: srcOkta, want: byError("invalid_scope"), only: true},
		{name: "Keycloak phrase", in: "code not valid", wantSource: srcKeycloak, want: []Name{CodeUnknown, CodeExpired, CodeReused}},
		{name: "Keycloak phrase with a colon", in: "Invalid parameter: redirect_uri", wantSource: srcKeycloak, want: []Name{RedirectURINotRegistered}},

		// The wrong answers of issue 10.
		{name: "Keycloak unauthorized_client is a secret problem", in: "unauthorized_client: Invalid client or Invalid client credentials",
			wantSource: srcKeycloak, want: []Name{ClientSecretWrong, ClientSecretExpired}, not: byError("unauthorized_client")},
		{name: "Keycloak body", in: `{"error":"unauthorized_client","error_description":"Invalid client or Invalid client credentials"}`,
			wantSource: srcKeycloak, want: []Name{ClientSecretWrong}, not: byError("unauthorized_client")},
		{name: "invalid_target has its entries", in: "invalid_target", wantSource: "RFC 8707", want: byError("invalid_target"), only: true},
		{name: "login_required shows its siblings", in: "login_required", entry: LoginRequired, wantSource: "OpenID Connect Core", want: without(byError("login_required"), LoginRequired), only: true},
		{name: "server_error shows its siblings", in: "server_error", entry: ServerError, wantSource: "RFC 6749", want: without(byError("server_error"), ServerError), only: true},
		{name: "insufficient_scope shows its siblings", in: "insufficient_scope", entry: InsufficientScope, wantSource: "RFC 6750", want: []Name{UserInfoOpenIDMissing}, only: true},

		// Foreign codes re-pointed at the entries of issue 10's other helpers.
		{name: "AADSTS7000215 is the secret's id", in: "AADSTS7000215",
			wantSource: srcEntra, want: []Name{ClientSecretIDSent, ClientSecretWrong, ClientSecretWhitespace}, only: true, first: ClientSecretIDSent},
		{name: "AADSTS7000222 also a retired secret", in: "AADSTS7000222", wantSource: srcEntra, want: []Name{ClientSecretExpired, ClientSecretRetired}, only: true},
		{name: "AADSTS70002 secret mistakes", in: "AADSTS70002", wantSource: srcEntra, want: []Name{ClientSecretWrong, ClientSecretIDSent, ClientSecretRetired, ClientSecretWhitespace}},
		{name: "AADSTS50057 is the disabled-account page", in: "AADSTS50057", wantSource: srcEntra, want: []Name{SignInAccountDisabled, GrantUserInactive, UserInfoUserInactive}, only: true, first: SignInAccountDisabled},
		{name: "AADSTS500113 client without redirect URIs", in: "AADSTS500113", wantSource: srcEntra, want: []Name{AuthorizeClientNoRedirectURIs}, only: true},
		{name: "AADSTS500011 unknown API", in: "AADSTS500011", wantSource: srcEntra, want: []Name{ResourceUnknown}, not: []Name{ResourceNotAllowed}, first: ResourceUnknown},
		{name: "AADSTS700023 API scope without its resource", in: "AADSTS700023", wantSource: srcEntra, want: []Name{ScopeNeedsResource}, first: ScopeNeedsResource},
		{name: "AADSTS70000 wrong kind of credential", in: "AADSTS70000", wantSource: srcEntra, want: []Name{CodeDamaged, CodeIsRefreshToken, RefreshIsCode, RefreshIsToken}},
		{name: "AADSTS9002326 cross-origin", in: `{"error":"invalid_request","error_codes":[9002326]}`, wantSource: srcEntra, want: []Name{CORSOriginNotAllowed}, only: true},
		{name: "AADSTS9002327 not applicable", in: "AADSTS9002327", wantSource: srcEntra, only: true},
		{name: "Okta origin not allowed", in: "illegal_origin_browser_request", wantSource: srcOkta, want: []Name{CORSOriginNotAllowed}, only: true},
		{name: "Okta untrusted origin", in: "not_trusted_origin_browser_request", wantSource: srcOkta, want: []Name{CORSOriginNotAllowed}, only: true},
		{name: "Okta browser-only grant rule", in: "unsupported_grant_type_browser_request", wantSource: srcOkta, only: true},
		{name: "Okta POST with query parameters", in: "query_parameters_not_allowed_in_authorize_post_requests", wantSource: srcOkta, want: []Name{AuthorizePostParamsInQuery}, only: true},
		{name: "Okta HMAC assertion without a secret", in: "client_assertion_invalid_no_secret", wantSource: srcOkta, want: []Name{ClientSecretForKeyClient}, first: ClientSecretForKeyClient},
		{name: "Okta refresh token that was never issued", in: "invalid_refresh_token", wantSource: srcOkta, want: []Name{RefreshNotRequested, RefreshScopeNotAllowed, RefreshIsToken, RefreshDamaged}},
		{name: "Okta ID token as access token", in: "access_token_invalid", wantSource: srcOkta, want: []Name{AccessTokenIsIDToken, AccessTokenWrongKind, AccessTokenDamaged}},
		{name: "Keycloak damaged code", in: "Code not valid", wantSource: srcKeycloak, want: []Name{CodeDamaged, CodeIsToken}},
		{name: "Keycloak secret mistakes", in: "Invalid client credentials", wantSource: srcKeycloak, want: []Name{ClientSecretIDSent, ClientSecretRetired, ClientSecretWhitespace}},

		// Lucid's own names and responses.
		{name: "catalog name", in: "authorization_code_reused", entry: CodeReused, only: true},
		{name: "quoted catalog name", in: "  `authorization_code_reused` ", entry: CodeReused, only: true},
		{name: "Lucid description line", in: "authorization_code_reused: The authorization code was already redeemed", entry: CodeReused, only: true},
		{name: "Lucid JSON body", in: `HTTP/1.1 400 Bad Request
Content-Type: application/json

{"error":"invalid_grant","error_description":"authorization_code_reused: The authorization code was already redeemed at 10:02:15Z.","error_uri":"https://id.example.com/errors/authorization_code_reused","error_code":"authorization_code_reused","trace_id":"0123456789abcdef0123456789abcdef"}`,
			entry: CodeReused, only: true, traceID: "0123456789abcdef0123456789abcdef"},
		{name: "Lucid redirect", in: "https://app.example.com/cb?error=access_denied&error_description=consent_denied%3A+The+user+denied+consent&state=xyz&iss=https%3A%2F%2Fid.example.com",
			entry: ConsentDenied, only: true},
		{name: "redirect fragment with an RFC code", in: "https://app.example.com/cb#state=1&error=login_required", wantSource: "OpenID Connect Core", want: byError("login_required"), only: true},
		{name: "query string", in: "error=invalid_scope&error_description=Scope+not+known", wantSource: "RFC 6749", want: byError("invalid_scope")},
		{name: "WWW-Authenticate with Lucid's description", in: `WWW-Authenticate: Bearer realm="https://id.example.com", error="invalid_token", error_description="access_token_expired: The access token expired 5m0s ago"`,
			entry: AccessTokenExpired, only: true},
		{name: "challenge alone", in: `Bearer error="insufficient_scope", scope="orders:read"`, wantSource: "RFC 6750", want: byError("insufficient_scope"), only: true},
		{name: "challenge from another server", in: `www-authenticate: Bearer authorization_uri="https://login.example/authorize", error="invalid_token", error_description="The access token is missing."`,
			wantSource: "RFC 6750", want: byError("invalid_token")},
		{name: "Entra JSON body", in: `{"error":"invalid_scope","error_description":"AADSTS70011: The provided value for the input parameter 'scope' isn't valid.\r\nTrace ID: x","error_codes":[70011],"timestamp":"2016-01-09 02:02:12Z"}`,
			wantSource: srcEntra, want: []Name{ScopeUnknown, ScopeNotAllowed}},
		{name: "Entra error_codes only", in: `{"error":"invalid_client","error_codes":[7000222]}`, wantSource: srcEntra, want: []Name{ClientSecretExpired, ClientSecretRetired}, only: true},
		{name: "Okta API body", in: `{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorId":"oae1"}`, wantSource: srcOkta, want: []Name{AdminUnauthorized}},
		{name: "RFC body from another server", in: `{"error":"invalid_grant","error_description":"The authorization code is invalid or has expired."}`,
			wantSource: "RFC 6749", want: byError("invalid_grant")},
		{name: "nonsense", in: "no_such_code", only: true},
		{name: "broken JSON", in: `{"error": `, only: true},
		{name: "empty", in: "", only: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := ExplainText(tc.in)
			if tc.entry == "" && x.Entry != nil || tc.entry != "" && (x.Entry == nil || x.Entry.Name != tc.entry) {
				t.Errorf("entry %v, want %q", x.Entry, tc.entry)
			}
			if tc.wantSource == "" && len(x.Aliases) != 0 {
				t.Errorf("got aliases %+v, want none", x.Aliases)
			}
			if tc.wantSource != "" && (len(x.Aliases) == 0 || x.Aliases[0].Source != tc.wantSource && !slices.ContainsFunc(x.Aliases, func(a Alias) bool { return a.Source == tc.wantSource })) {
				t.Errorf("got aliases %+v, want one from %s", x.Aliases, tc.wantSource)
			}
			var got []Name
			for _, e := range x.Entries {
				if slices.Contains(got, e.Name) || x.Entry != nil && e.Name == x.Entry.Name {
					t.Errorf("%s returned twice", e.Name)
				}
				got = append(got, e.Name)
			}
			for _, n := range tc.want {
				if !slices.Contains(got, n) {
					t.Errorf("entries %v lack %s", got, n)
				}
			}
			if tc.only {
				for _, n := range got {
					if !slices.Contains(tc.want, n) {
						t.Errorf("unexpected entry %s", n)
					}
				}
			}
			for _, n := range tc.not {
				if slices.Contains(got, n) {
					t.Errorf("entries %v include %s", got, n)
				}
			}
			if tc.first != "" && (len(got) == 0 || got[0] != tc.first) {
				t.Errorf("entries %v, want %s first", got, tc.first)
			}
			if x.TraceID != tc.traceID {
				t.Errorf("trace id %q, want %q", x.TraceID, tc.traceID)
			}
		})
	}
	if x := ExplainText("AADSTS99999999"); !slices.Contains(x.Unknown, "AADSTS99999999") {
		t.Errorf("unknown AADSTS code not reported: %+v", x)
	}
	// Explain puts the named entry first, then its siblings.
	if _, es := Explain("login_required"); len(es) < 2 || es[0].Name != LoginRequired {
		t.Errorf("Explain(login_required) = %v", es)
	}
}

func TestAliasesReturnsACopy(t *testing.T) {
	a := Aliases()
	for i := range a {
		if len(a[i].Names) > 0 {
			a[i].Names[0] = "changed"
			break
		}
	}
	for _, b := range Aliases() {
		if slices.Contains(b.Names, "changed") {
			t.Fatal("Aliases exposes the table's Names slices")
		}
	}
	_, _ = Explain("AADSTS70008")
	x := ExplainText("AADSTS70008")
	x.Aliases[0].Names[0] = "changed"
	if slices.Contains(ExplainText("AADSTS70008").Aliases[0].Names, "changed") {
		t.Fatal("ExplainText exposes the table's Names slices")
	}
}

// FuzzExplainText: any paste is answered without a panic, within bounds.
func FuzzExplainText(f *testing.F) {
	for _, s := range []string{"invalid_grant", `{"error":"x","error_codes":[1e300,-1]}`, `Bearer error="a\`, "error=%zz&x", "a: b - c", `WWW-Authenticate: Bearer ,,=,"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x := ExplainText(s)
		if x.Entry != nil && slices.Contains(x.Entries, x.Entry) {
			t.Errorf("entry listed among its siblings")
		}
	})
}
