package authn

import (
	"slices"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

func TestResultAMRAndACR(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name      string
		proofs    []Proof
		requested []string
		amr       []string
		acr       string
	}{
		{"password", []Proof{Password("u")}, nil, []string{"pwd"}, ACROneFactor},
		{"password and totp", []Proof{Password("u"), OTP("u")}, nil, []string{"pwd", "otp", "mfa"}, ACRMultiFactor},
		{"passkey with uv", []Proof{Passkey("u", true)}, nil, []string{"swk", "mfa"}, ACRMultiFactor},
		{"passkey without uv", []Proof{Passkey("u", false)}, nil, []string{"swk"}, ACROneFactor},
		{"passkey asked phr", []Proof{Passkey("u", true)}, []string{ACRPhishingResistant}, []string{"swk", "mfa"}, ACRPhishingResistant},
		{"password and totp asked phr first", []Proof{Password("u"), OTP("u")}, []string{ACRPhishingResistant, ACRMultiFactor}, []string{"pwd", "otp", "mfa"}, ACRMultiFactor},
		{"otp alone adds nothing", []Proof{OTP("u")}, nil, nil, ""},
		{"another user's second factor adds nothing", []Proof{Password("u"), OTP("v")}, nil, []string{"pwd"}, ACROneFactor},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r Result
			for _, p := range tc.proofs {
				r, _ = r.Add(p, now)
			}
			if got := r.AMR(); !slices.Equal(got, tc.amr) {
				t.Errorf("amr = %v, want %v", got, tc.amr)
			}
			if got := r.ACR(tc.requested); got != tc.acr {
				t.Errorf("acr = %q, want %q", got, tc.acr)
			}
			// A session's amr read back gives the same result.
			if back := FromAMR(r.UserID, r.AMR(), now); back.MultiFactor() != r.MultiFactor() {
				t.Errorf("FromAMR(%v) multi-factor = %v", r.AMR(), back.MultiFactor())
			}
		})
	}
}

func TestDecide(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	pwd, _ := Result{}.Add(Password("u"), now)
	mfa, _ := pwd.Add(OTP("u"), now)
	none, totpOnly, passkey := Enrolled{}, Enrolled{TOTP: true}, Enrolled{Passkeys: true}
	tests := []struct {
		name   string
		policy Policy
		result Result
		e      Enrolled
		next   Next
	}{
		{"off, nothing asked", Policy{Mode: Off, Interactive: true}, pwd, totpOnly, Done},
		{"optional without factors", Policy{Mode: Optional, Interactive: true}, pwd, none, Done},
		{"optional with totp", Policy{Mode: Optional, Interactive: true}, pwd, totpOnly, SecondFactor},
		{"required without factors enrols", Policy{Mode: Required, Interactive: true}, pwd, none, Enrol},
		{"client requires", Policy{Mode: Off, ClientRequires: true, Interactive: true}, pwd, none, Enrol},
		{"required and met", Policy{Mode: Required, Interactive: true}, mfa, totpOnly, Done},
		{"acr mfa steps up", Policy{Mode: Off, ACRValues: []string{ACRMultiFactor}, Interactive: true}, pwd, totpOnly, SecondFactor},
		{"acr mfa, none enrolled, off", Policy{Mode: Off, ACRValues: []string{ACRMultiFactor}, Interactive: true}, pwd, none, Unmet},
		{"acr mfa, none enrolled, optional enrols", Policy{Mode: Optional, ACRValues: []string{ACRMultiFactor}, Interactive: true}, pwd, none, Enrol},
		{"acr mfa with prompt=none", Policy{Mode: Optional, ACRValues: []string{ACRMultiFactor}}, pwd, totpOnly, Unmet},
		{"acr 1fa met", Policy{Mode: Off, ACRValues: []string{ACROneFactor}, Interactive: true}, pwd, totpOnly, Done},
		{"phr without passkeys on", Policy{Mode: Optional, ACRValues: []string{ACRPhishingResistant}, Interactive: true}, mfa, totpOnly, Unmet},
		{"phr with a passkey", Policy{Mode: Optional, ACRValues: []string{ACRPhishingResistant}, Passkeys: true, Interactive: true}, mfa, passkey, SecondFactor},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.policy.Decide(tc.result, tc.e)
			if d.Next != tc.next {
				t.Fatalf("next = %v (%+v), want %v", d.Next, d, tc.next)
			}
			if d.Next == Unmet && d.Reason == "" {
				t.Fatal("unmet without a reason")
			}
		})
	}
}

func TestVerifyTOTP(t *testing.T) {
	secret, url, qr, err := NewTOTP("Lucid", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(qr) < 100 || url == "" {
		t.Fatalf("qr %d bytes, url %q", len(qr), url)
	}
	now := time.Unix(1_800_000_015, 0)
	code := func(at time.Time) string {
		c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name string
		code string
		ok   bool
		step int64
	}{
		{"now", code(now), true, TOTPStep(now)},
		{"one step early", code(now.Add(-30 * time.Second)), true, TOTPStep(now) - 1},
		{"one step late", code(now.Add(30 * time.Second)), true, TOTPStep(now) + 1},
		{"two steps early", code(now.Add(-60 * time.Second)), false, 0},
		{"spaced", code(now)[:3] + " " + code(now)[3:], true, TOTPStep(now)},
		{"letters", "12a456", false, 0},
		{"short", "12345", false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			step, ok, err := VerifyTOTP(secret, tc.code, now)
			if err != nil || ok != tc.ok || ok && step != tc.step {
				t.Fatalf("VerifyTOTP = %d, %v, %v; want %d, %v", step, ok, err, tc.step, tc.ok)
			}
		})
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes := NewRecoveryCodes()
	if len(codes) != RecoveryCodes {
		t.Fatalf("%d codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		canon, ok := CanonicalRecoveryCode(c)
		if !ok || seen[canon] {
			t.Fatalf("code %q: canonical %q %v (or repeated)", c, canon, ok)
		}
		seen[canon] = true
		if lower, ok := CanonicalRecoveryCode(" " + string([]byte{c[0] | 0x20}) + c[1:]); !ok || lower != canon {
			t.Fatalf("typed in lower case with a space: %q %v", lower, ok)
		}
	}
	if _, ok := CanonicalRecoveryCode("O0O0O-I1I1I"); ok {
		t.Fatal("a code with 0, O, 1, I accepted")
	}
}
