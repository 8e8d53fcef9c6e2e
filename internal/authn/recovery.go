package authn

import (
	"crypto/rand"
	"strings"
)

// RecoveryCodes is how many single-use recovery codes a person gets.
const RecoveryCodes = 10

// recoveryAlphabet has no 0/O, 1/I/L: codes are read off paper.
const recoveryAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewRecoveryCodes makes RecoveryCodes codes of 10 characters (about 49
// bits each), shown as XXXXX-XXXXX.
func NewRecoveryCodes() []string {
	out := make([]string, RecoveryCodes)
	for i := range out {
		var s strings.Builder
		for n := 0; n < 10; {
			var b [1]byte
			_, _ = rand.Read(b[:])
			// Bytes past the last whole round of the alphabet are
			// dropped, so that every character is equally likely.
			if int(b[0]) >= 256/len(recoveryAlphabet)*len(recoveryAlphabet) {
				continue
			}
			if n == 5 {
				s.WriteByte('-')
			}
			s.WriteByte(recoveryAlphabet[int(b[0])%len(recoveryAlphabet)])
			n++
		}
		out[i] = s.String()
	}
	return out
}

// CanonicalRecoveryCode is the form a code is hashed in: upper case,
// without spaces or dashes, so that "abcde fghij" matches ABCDE-FGHIJ.
// ok is false for what cannot be a recovery code.
func CanonicalRecoveryCode(code string) (string, bool) {
	c := strings.ToUpper(NormalizeCode(code))
	if len(c) != 10 {
		return "", false
	}
	for _, r := range c {
		if !strings.ContainsRune(recoveryAlphabet, r) {
			return "", false
		}
	}
	return c, true
}
