package manage

import (
	"slices"
	"strings"
	"unicode"

	"github.com/lucid-auth/lucid/internal/granttype"
	"github.com/lucid-auth/lucid/internal/store"
)

// checkGrantPolicies checks the token exchange (RFC 8693) and JWT bearer
// (RFC 7523) policies of a client against its grant types, drops duplicate
// list entries, and turns a policy that allows nothing into none. A policy
// without its grant type is kept, inert, so an operator may set them in
// either order; a grant type without a policy is refused, since it could
// never succeed.
func checkGrantPolicies(c *store.Client) error {
	if c.TokenExchange != nil {
		// A copy: the policy may be the caller's, and is rewritten here.
		x := *c.TokenExchange
		c.TokenExchange = &x
		auds, err := checkAudiences("token_exchange.audiences", x.Audiences)
		if err != nil {
			return err
		}
		x.Audiences = auds
		subjects := make([]string, 0, len(x.SubjectClients))
		for _, id := range x.SubjectClients {
			if err := checkClientID(id); err != nil {
				return invalid("token_exchange.subject_clients", "%q is not a client id", id)
			}
			if id != c.ID && !slices.Contains(subjects, id) {
				subjects = append(subjects, id)
			}
		}
		x.SubjectClients = subjects
		if len(x.SubjectClients) == 0 {
			x.SubjectClients = nil
		}
		if !x.Impersonation && !x.Delegation && x.Audiences == nil && x.SubjectClients == nil {
			c.TokenExchange = nil
		}
	}
	if slices.Contains(c.GrantTypes, string(granttype.TokenExchange)) {
		if c.Public() {
			return invalid("grant_types", "token exchange needs a confidential client: a public client cannot keep the tokens of others safe")
		}
		if x := c.TokenExchange; x == nil || !x.Impersonation && !x.Delegation {
			return invalid("token_exchange", "the token exchange grant needs a policy that allows impersonation, delegation or both (--exchange-impersonation, --exchange-delegation)")
		}
	}

	if c.JWTBearer != nil {
		b := *c.JWTBearer
		c.JWTBearer = &b
		issuers := make([]string, 0, len(b.Issuers))
		for _, iss := range b.Issuers {
			if err := CheckAPIID(iss); err != nil || strings.ContainsFunc(iss, unicode.IsSpace) {
				return invalid("jwt_bearer.issuers", "%q is not an issuer URL such as https://kubernetes.example.com", iss)
			}
			if !slices.Contains(issuers, iss) {
				issuers = append(issuers, iss)
			}
		}
		subjects := make([]string, 0, len(b.Subjects))
		for _, s := range b.Subjects {
			switch {
			case s == "" || s == "*":
				return invalid("jwt_bearer.subjects", "%q matches every subject; leave subjects empty to allow every subject of the issuers", s)
			case len(s) > 512 || strings.ContainsFunc(s, unicode.IsControl):
				return invalid("jwt_bearer.subjects", "%.60q is longer than 512 bytes or has control characters", s)
			case strings.Contains(strings.TrimSuffix(s, "*"), "*"):
				return invalid("jwt_bearer.subjects", "%q has a * that is not at the end; only a trailing * (a prefix) is supported", s)
			}
			if !slices.Contains(subjects, s) {
				subjects = append(subjects, s)
			}
		}
		b.Issuers, b.Subjects = issuers, subjects
		if len(b.Subjects) == 0 {
			b.Subjects = nil
		}
		if len(b.Issuers) == 0 {
			if len(b.Subjects) > 0 {
				return invalid("jwt_bearer.subjects", "subjects need at least one issuer (--jwt-bearer-issuer)")
			}
			c.JWTBearer = nil
		}
	}
	if slices.Contains(c.GrantTypes, string(granttype.JWTBearer)) && c.JWTBearer == nil {
		return invalid("jwt_bearer", "the JWT bearer grant needs at least one trusted issuer whose assertions the client may present (--jwt-bearer-issuer)")
	}
	return nil
}
