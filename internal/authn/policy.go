package authn

import (
	"slices"
	"strings"
)

// Authentication context class references Lucid serves (acr,
// acr_values_supported), from weakest to strongest.
const (
	// ACROneFactor: any completed sign-in (a password, or a passkey whose
	// authenticator did not verify the person).
	ACROneFactor = "urn:lucid:acr:1fa"
	// ACRMultiFactor: two distinct kinds of factor (password and TOTP,
	// password and passkey, a user-verified passkey).
	ACRMultiFactor = "urn:lucid:acr:mfa"
	// ACRPhishingResistant is the OpenID EAP ACR Values "phr": the
	// sign-in used a WebAuthn credential, bound to Lucid's origin.
	ACRPhishingResistant = "phr"
)

// ACRValues are the acr values Lucid serves, for discovery.
var ACRValues = []string{ACROneFactor, ACRMultiFactor, ACRPhishingResistant}

// Satisfies reports whether r meets acr.
func (r Result) Satisfies(acr string) bool {
	switch acr {
	case ACROneFactor:
		return len(r.Methods) > 0
	case ACRMultiFactor:
		return r.MultiFactor()
	case ACRPhishingResistant:
		return slices.Contains(r.Methods, MethodSoftwareKey) || slices.Contains(r.Methods, MethodHardwareKey)
	}
	return false
}

// ACR is the acr claim of r: the first of requested it meets, else the
// strongest level it meets.
func (r Result) ACR(requested []string) string {
	for _, v := range requested {
		if r.Satisfies(v) {
			return v
		}
	}
	if r.MultiFactor() {
		return ACRMultiFactor
	}
	if len(r.Methods) > 0 {
		return ACROneFactor
	}
	return ""
}

// Mode is the second-factor setting (authn.second_factor).
type Mode string

const (
	// Off: a second factor is asked for only when a client's acr_values
	// ask for one, and never set up during sign-in.
	Off Mode = "off"
	// Optional: people who set up a second factor are asked for it.
	Optional Mode = "optional"
	// Required: everyone is asked; who has none sets one up during
	// sign-in.
	Required Mode = "required"
)

// Enrolled is what second factors a person has.
type Enrolled struct {
	TOTP     bool
	Passkeys bool
	// Recovery counts unused recovery codes.
	Recovery int
}

// Any reports a second factor to ask for.
func (e Enrolled) Any() bool { return e.TOTP || e.Passkeys }

// Policy is what a sign-in must reach.
type Policy struct {
	Mode Mode
	// ClientRequires is the client's require_second_factor.
	ClientRequires bool
	// ACRValues are the request's acr_values, in order of preference.
	ACRValues []string
	// Passkeys: WebAuthn is on, so phr can be met.
	Passkeys bool
	// Interactive is false for prompt=none: nothing can be asked.
	Interactive bool
}

// Next is what a sign-in needs after its latest step.
type Next int

const (
	// Done: the result is enough.
	Done Next = iota
	// SecondFactor: ask for one of the person's second factors.
	SecondFactor
	// Enrol: the person has no second factor and must set one up now.
	Enrol
	// Unmet: the request asks for more than this person can give here
	// (unmet_authentication_requirements); Reason says why.
	Unmet
)

// Decision is Decide's answer.
type Decision struct {
	Next Next
	// Want is the acr value the decision works toward ("" when only the
	// second-factor setting asks).
	Want string
	// Reason explains Unmet in words for the person and the developer.
	Reason string
}

// ParseACRValues splits acr_values into the values Lucid serves, in the
// client's order, and reports whether any was asked for at all.
func ParseACRValues(s string) (served []string, asked bool) {
	for _, v := range strings.Fields(s) {
		asked = true
		if slices.Contains(ACRValues, v) && !slices.Contains(served, v) {
			served = append(served, v)
		}
	}
	return served, asked
}

// Decide says what r still needs under p, for a person with e.
func (p Policy) Decide(r Result, e Enrolled) Decision {
	// The request's acr_values first: met by any of them is enough.
	if len(p.ACRValues) > 0 {
		for _, v := range p.ACRValues {
			if r.Satisfies(v) {
				return p.settingOnly(r, e, v)
			}
		}
		// Work toward the first value this person can reach here.
		for _, v := range p.ACRValues {
			if d, ok := p.toward(r, e, v); ok {
				return d
			}
		}
		return Decision{Next: Unmet, Want: p.ACRValues[0], Reason: p.unmetReason(e)}
	}
	return p.settingOnly(r, e, "")
}

// settingOnly applies the second-factor setting once the acr is met.
func (p Policy) settingOnly(r Result, e Enrolled, acr string) Decision {
	mode := p.Mode
	if p.ClientRequires {
		mode = Required
	}
	if r.MultiFactor() {
		return Decision{Next: Done, Want: acr}
	}
	switch {
	case mode == Optional && e.Any(), mode == Required && e.Any():
		return p.ask(Decision{Next: SecondFactor, Want: acr})
	case mode == Required:
		return p.ask(Decision{Next: Enrol, Want: acr})
	}
	return Decision{Next: Done, Want: acr}
}

func (p Policy) ask(d Decision) Decision {
	if !p.Interactive {
		return Decision{Next: Unmet, Want: d.Want, Reason: "the sign-in needs a second factor and the request allows no interaction (prompt=none)"}
	}
	return d
}

// toward is the step that brings r to acr, when this person can take it.
func (p Policy) toward(r Result, e Enrolled, acr string) (Decision, bool) {
	enrolAllowed := p.Mode != Off || p.ClientRequires
	switch acr {
	case ACROneFactor:
		return Decision{}, false // a completed sign-in always meets it
	case ACRMultiFactor:
		switch {
		case e.Any() || e.Recovery > 0:
			return p.ask(Decision{Next: SecondFactor, Want: acr}), true
		case enrolAllowed:
			return p.ask(Decision{Next: Enrol, Want: acr}), true
		}
	case ACRPhishingResistant:
		switch {
		case !p.Passkeys:
		case e.Passkeys:
			return p.ask(Decision{Next: SecondFactor, Want: acr}), true
		case enrolAllowed:
			return p.ask(Decision{Next: Enrol, Want: acr}), true
		}
	}
	return Decision{}, false
}

func (p Policy) unmetReason(e Enrolled) string {
	switch {
	case !p.Interactive:
		return "the request allows no interaction (prompt=none) and the session does not meet it"
	case !e.Any() && e.Recovery == 0:
		return "the person has no second factor set up, and second factors cannot be set up during sign-in on this server (authn.second_factor is off)"
	case !p.Passkeys:
		return "passkeys are not enabled on this server (webauthn.enabled)"
	}
	return "the person has no passkey registered, and none can be registered during sign-in on this server"
}

// Settled reports that Decide answers Done for r whatever the person has
// set up, so that the caller need not look it up: nothing asks for more
// than one factor, or r already meets what is asked.
func (p Policy) Settled(r Result) bool {
	if len(p.ACRValues) == 0 {
		return r.MultiFactor() || p.Mode == Off && !p.ClientRequires
	}
	for _, v := range p.ACRValues {
		if r.Satisfies(v) {
			return r.MultiFactor() || p.Mode == Off && !p.ClientRequires
		}
	}
	return false
}
