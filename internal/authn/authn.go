// Package authn is Lucid's one authentication pipeline. Every factor is a
// small step (a password, a TOTP code, a recovery code, a passkey; later an
// upstream provider or LDAP) that reports what it proved for whom as a
// Proof; proofs of one sign-in add up to a Result, whose amr (RFC 8176)
// and acr are what ID tokens claim. A Policy decides, from the server's
// and the client's settings and the request's acr_values, whether the
// result is enough, what is still needed, or that the request cannot be
// met at all.
//
// The package holds no state and does no I/O: the provider keeps the
// result of a sign-in in progress on its authorization request and calls
// Decide after each step (provider/factors.go, Provider.Proved).
package authn

import (
	"slices"
	"time"
)

// Authentication method references (RFC 8176 §2) Lucid claims.
const (
	MethodPassword    = "pwd" // a password
	MethodOTP         = "otp" // a one-time password: TOTP or a recovery code
	MethodHardwareKey = "hwk" // proof of possession of a hardware-secured key
	MethodSoftwareKey = "swk" // proof of possession of a software-secured key
	MethodMFA         = "mfa" // two or more distinct kinds of factor
)

// Kind is the kind of a factor; two distinct kinds make a sign-in
// multi-factor (NIST SP 800-63B §4.2).
type Kind string

const (
	// Knowledge: something the person knows (a password).
	Knowledge Kind = "knowledge"
	// Possession: something the person has (an authenticator app, a
	// passkey, a printed recovery code).
	Possession Kind = "possession"
	// Verified: the authenticator itself verified the person (a PIN or a
	// biometric, WebAuthn's UV flag); Lucid does not learn which.
	Verified Kind = "verified"
	// Upstream: another identity provider vouched for the person; its own
	// amr, when it sends one, is carried as its methods.
	Upstream Kind = "upstream"
)

// Proof is what one factor step proved: that the person is UserID, by
// Methods (amr values) of Kinds. This is the entry point for every step,
// Lucid's own and those that plug in later (an upstream provider, LDAP):
// a step checks its factor and hands the provider a Proof.
type Proof struct {
	UserID  string
	Methods []string
	Kinds   []Kind
	// Second marks a proof given as a second factor: it can only add to a
	// result that already names the same user.
	Second bool
}

// Password is the proof of a verified password.
func Password(userID string) Proof {
	return Proof{UserID: userID, Methods: []string{MethodPassword}, Kinds: []Kind{Knowledge}}
}

// OTP is the proof of a TOTP code or a recovery code.
func OTP(userID string) Proof {
	return Proof{UserID: userID, Methods: []string{MethodOTP}, Kinds: []Kind{Possession}, Second: true}
}

// Passkey is the proof of a WebAuthn assertion. Lucid asks for attestation
// "none", so it cannot tell a hardware-bound key from a synced one: it
// claims the weaker swk. userVerified (the UV flag) adds the
// authenticator's own check of the person, a second kind.
func Passkey(userID string, userVerified bool) Proof {
	p := Proof{UserID: userID, Methods: []string{MethodSoftwareKey}, Kinds: []Kind{Possession}}
	if userVerified {
		p.Kinds = append(p.Kinds, Verified)
	}
	return p
}

// Result is what a sign-in has proved so far.
type Result struct {
	UserID  string    `json:"user_id"`
	Methods []string  `json:"methods"`
	Kinds   []Kind    `json:"kinds"`
	At      time.Time `json:"at"`
}

// Add returns r with p added, at now. ok is false when p is about another
// person than r, or is a second factor with nothing first: such a proof
// adds nothing.
func (r Result) Add(p Proof, now time.Time) (Result, bool) {
	if r.UserID != "" && r.UserID != p.UserID || r.UserID == "" && p.Second || p.UserID == "" {
		return r, false
	}
	out := Result{UserID: p.UserID, Methods: slices.Clone(r.Methods), Kinds: slices.Clone(r.Kinds), At: now}
	for _, m := range p.Methods {
		if !slices.Contains(out.Methods, m) && m != MethodMFA {
			out.Methods = append(out.Methods, m)
		}
	}
	for _, k := range p.Kinds {
		if !slices.Contains(out.Kinds, k) {
			out.Kinds = append(out.Kinds, k)
		}
	}
	return out, true
}

// MultiFactor reports two or more distinct kinds of factor.
func (r Result) MultiFactor() bool { return len(r.Kinds) >= 2 }

// AMR is the amr claim: the methods, and mfa when multi-factor.
func (r Result) AMR() []string {
	out := slices.Clone(r.Methods)
	if r.MultiFactor() {
		out = append(out, MethodMFA)
	}
	return out
}

// FromAMR rebuilds a result from a session's amr, for a step-up that
// adds to it: each method's kind, and mfa's meaning kept.
func FromAMR(userID string, amr []string, at time.Time) Result {
	r := Result{UserID: userID, At: at}
	for _, m := range amr {
		switch m {
		case MethodMFA:
			continue
		case MethodPassword:
			r.Kinds = appendKind(r.Kinds, Knowledge)
		case MethodOTP, MethodHardwareKey, MethodSoftwareKey:
			r.Kinds = appendKind(r.Kinds, Possession)
		default:
			r.Kinds = appendKind(r.Kinds, Upstream)
		}
		r.Methods = append(r.Methods, m)
	}
	// mfa recorded from a single step (a user-verified passkey) stays.
	if slices.Contains(amr, MethodMFA) && len(r.Kinds) < 2 {
		r.Kinds = appendKind(r.Kinds, Verified)
	}
	return r
}

func appendKind(ks []Kind, k Kind) []Kind {
	if slices.Contains(ks, k) {
		return ks
	}
	return append(ks, k)
}
