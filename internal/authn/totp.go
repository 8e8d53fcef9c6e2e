package authn

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP (RFC 6238) as authenticator apps expect it: SHA-1, six digits,
// 30-second steps.
const (
	totpPeriod = 30
	totpDigits = otp.DigitsSix
	// TOTPSkew is how many steps either side of now a code is accepted
	// for: clocks of phones drift, and people type slowly.
	TOTPSkew = 1
)

// NewTOTP makes a new shared secret (160 bits) for account at issuer,
// with its otpauth:// URL and that URL as a PNG QR code in a data: URI
// (the pages' CSP allows data: images, so no route serves it).
func NewTOTP(issuer, account string) (secret, url, qr string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", "", fmt.Errorf("authn: new totp secret: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return "", "", "", fmt.Errorf("authn: totp qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", "", "", fmt.Errorf("authn: totp qr code: %w", err)
	}
	return key.Secret(), key.URL(), "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// NormalizeCode strips the spaces and dashes people type into codes.
func NormalizeCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, code)
}

// TOTPCodeShape reports whether code looks like a TOTP code at all.
func TOTPCodeShape(code string) bool {
	if len(code) != totpDigits.Length() {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// VerifyTOTP checks code against secret at now, within TOTPSkew steps;
// step is the time step (Unix time / 30 s) it matched, which the caller
// records so that no code of that step or an earlier one is accepted
// again. Every candidate is compared, in constant time.
func VerifyTOTP(secret, code string, now time.Time) (step int64, ok bool, err error) {
	code = NormalizeCode(code)
	if !TOTPCodeShape(code) {
		return 0, false, nil
	}
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}
	base := now.Unix() / totpPeriod
	for d := int64(-TOTPSkew); d <= TOTPSkew; d++ {
		s := base + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), opts)
		if err != nil {
			return 0, false, fmt.Errorf("authn: totp code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && !ok {
			step, ok = s, true
		}
	}
	return step, ok, nil
}

// TOTPStep is the time step of now.
func TOTPStep(now time.Time) int64 { return now.Unix() / totpPeriod }

// TOTPFromURL reads back what NewTOTP made from its otpauth:// URL: the
// secret and the QR code, for a setup page shown again.
func TOTPFromURL(u string) (secret, qr string, err error) {
	key, err := otp.NewKeyFromURL(u)
	if err != nil {
		return "", "", fmt.Errorf("authn: totp url: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return "", "", fmt.Errorf("authn: totp qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", "", fmt.Errorf("authn: totp qr code: %w", err)
	}
	return key.Secret(), "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}
