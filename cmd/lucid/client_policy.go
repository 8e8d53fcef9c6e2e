package main

import (
	"context"
	"flag"
	"strings"

	"github.com/lucid-auth/lucid/internal/manage"
	"github.com/lucid-auth/lucid/internal/store"
)

// policyFlags are the flags of `client create` and `client update` that
// set a client's token exchange (RFC 8693) and JWT bearer (RFC 7523)
// policies. On update, list flags add values, --remove-… flags remove them.
type policyFlags struct {
	exAud, rmExAud, exSubj, rmExSubj listFlag
	imp, del                         bool
	jwtIss, rmJWTIss, jwtSub, rmSub  listFlag
}

func (f *policyFlags) register(fs *flag.FlagSet, update bool) {
	fs.Var(&f.exAud, "exchange-audience", "API identifier the client may get tokens for by token exchange (repeatable)")
	fs.Var(&f.exSubj, "exchange-subject-client", "another client whose tokens this one may exchange (repeatable; its own are always allowed)")
	fs.BoolVar(&f.imp, "exchange-impersonation", false, "allow token exchange by impersonation (no actor_token)")
	fs.BoolVar(&f.del, "exchange-delegation", false, "allow token exchange by delegation (with an actor_token)")
	fs.Var(&f.jwtIss, "jwt-bearer-issuer", "trusted issuer whose assertions the client may present with the JWT bearer grant (repeatable)")
	fs.Var(&f.jwtSub, "jwt-bearer-subject", "assertion subject the client may present; a trailing * allows a prefix (repeatable; default any)")
	if update {
		fs.Var(&f.rmExAud, "remove-exchange-audience", "remove a token exchange audience (repeatable)")
		fs.Var(&f.rmExSubj, "remove-exchange-subject-client", "remove a client from the exchangeable ones (repeatable)")
		fs.Var(&f.rmJWTIss, "remove-jwt-bearer-issuer", "remove a JWT bearer issuer (repeatable)")
		fs.Var(&f.rmSub, "remove-jwt-bearer-subject", "remove a JWT bearer subject (repeatable)")
	}
}

// exchangeSet and bearerSet report whether any flag of a policy was given.
func (f *policyFlags) exchangeSet(set map[string]bool) bool {
	return set["exchange-audience"] || set["remove-exchange-audience"] || set["exchange-subject-client"] ||
		set["remove-exchange-subject-client"] || set["exchange-impersonation"] || set["exchange-delegation"]
}

func (f *policyFlags) bearerSet(set map[string]bool) bool {
	return set["jwt-bearer-issuer"] || set["remove-jwt-bearer-issuer"] || set["jwt-bearer-subject"] || set["remove-jwt-bearer-subject"]
}

// exchange is the token exchange policy after the flags, starting from cur
// (nil on create). Manage turns a policy that allows nothing into none.
func (f *policyFlags) exchange(set map[string]bool, cur *store.ExchangePolicy) *store.ExchangePolicy {
	p := store.ExchangePolicy{}
	if cur != nil {
		p = *cur
	}
	p.Audiences = edit(p.Audiences, f.exAud, f.rmExAud)
	p.SubjectClients = edit(p.SubjectClients, f.exSubj, f.rmExSubj)
	if set["exchange-impersonation"] {
		p.Impersonation = f.imp
	}
	if set["exchange-delegation"] {
		p.Delegation = f.del
	}
	return &p
}

// bearer is the JWT bearer policy after the flags, starting from cur.
func (f *policyFlags) bearer(cur *store.JWTBearerPolicy) *store.JWTBearerPolicy {
	p := store.JWTBearerPolicy{}
	if cur != nil {
		p = *cur
	}
	p.Issuers = edit(p.Issuers, f.jwtIss, f.rmJWTIss)
	p.Subjects = edit(p.Subjects, f.jwtSub, f.rmSub)
	return &p
}

// patch puts the policies the flags change into p, reading the client
// only if a policy flag was given; it reports whether anything changed.
func (f *policyFlags) patch(ctx context.Context, s *session, id string, set map[string]bool, cur *store.Client, p *manage.ClientPatch) (bool, error) {
	ex, jb := f.exchangeSet(set), f.bearerSet(set)
	if !ex && !jb {
		return false, nil
	}
	if cur == nil {
		var err error
		if cur, err = s.svc.GetClient(ctx, id); err != nil {
			return false, err
		}
	}
	if ex {
		p.TokenExchange = f.exchange(set, cur.TokenExchange)
	}
	if jb {
		p.JWTBearer = f.bearer(cur.JWTBearer)
	}
	return true, nil
}

// policyFields are the lines `client show` prints for the policies.
func policyFields(c manage.ClientView) [][2]string {
	var kv [][2]string
	if x := c.TokenExchange; x != nil {
		var modes []string
		if x.Impersonation {
			modes = append(modes, "impersonation")
		}
		if x.Delegation {
			modes = append(modes, "delegation")
		}
		kv = append(kv,
			[2]string{"Token exchange", orDash(strings.Join(modes, ", "))},
			[2]string{"Exchange audiences", orDash(strings.Join(x.Audiences, " "))},
			[2]string{"Exchange subjects", "own tokens" + orEmpty(", clients ", strings.Join(x.SubjectClients, " "))},
		)
	}
	if b := c.JWTBearer; b != nil {
		subjects := "any"
		if len(b.Subjects) > 0 {
			subjects = strings.Join(b.Subjects, " ")
		}
		kv = append(kv,
			[2]string{"JWT bearer issuers", strings.Join(b.Issuers, " ")},
			[2]string{"JWT bearer subjects", subjects},
		)
	}
	return kv
}

func orEmpty(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}
