// Package recovery lets people help themselves with their accounts: a
// forgotten password reset through a link sent by e-mail (/forgot,
// /reset), an address confirmed through a link (/verify-email), and, when
// the operator allows it, an account created by its owner (/signup).
//
// A link carries a 256-bit secret; the store keeps only its SHA-256
// (store.UserToken), the message holding it is sealed in the outbox until
// the relay takes it, and it is spent by one conditional write that also
// spends the user's older links of the same kind. Opening a link (GET)
// only shows a form; the form's POST spends it, so that a mail scanner
// that follows links spends nothing.
package recovery

import (
	"context"
	"fmt"
	"time"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/mail"
	"github.com/lucid-auth/lucid/internal/secret"
	"github.com/lucid-auth/lucid/internal/store"
)

// Paths of the recovery pages, relative to the issuer.
const (
	PathForgot = "/forgot"
	PathReset  = "/reset"
	PathVerify = "/verify-email"
	PathSignup = "/signup"
)

// Links mints single-use links and mails them. The server uses it, and the
// CLI too (a user created or changed there gets its verification mail
// from the server's outbox worker).
type Links struct {
	Issuer    string
	Store     store.UserTokenStore
	Mailer    *mail.Mailer
	Lifetimes config.Lifetimes
	Now       func() time.Time
}

func (l *Links) now() time.Time {
	if l.Now == nil {
		return time.Now()
	}
	return l.Now()
}

// mint stores a new token of purpose for u's current address and returns
// the link that carries it.
func (l *Links) mint(ctx context.Context, u *store.User, purpose, path string, life time.Duration) (string, error) {
	token := secret.Token(32)
	now := l.now()
	t := &store.UserToken{Hash: secret.Hash(token), Purpose: purpose, UserID: u.ID, Email: u.Email, CreatedAt: now, ExpiresAt: now.Add(life)}
	if err := l.Store.CreateUserToken(ctx, t); err != nil {
		return "", fmt.Errorf("store the %s link: %w", purpose, err)
	}
	return l.Issuer + path + "?token=" + token, nil
}

func data(u *store.User, link string, life time.Duration) mail.Data {
	return mail.Data{Name: u.Name, Username: u.Username, Email: u.Email, Link: link, Valid: mail.Duration(life)}
}

// SendReset mails u a password reset link.
func (l *Links) SendReset(ctx context.Context, u *store.User) error {
	life := l.Lifetimes.PasswordReset
	link, err := l.mint(ctx, u, store.PurposePasswordReset, PathReset, life)
	if err != nil {
		return err
	}
	return l.Mailer.Send(ctx, mail.TemplateReset, u.Email, data(u, link, life))
}

// SendVerification mails u a link that confirms its current address. It
// is manage.Service's EmailChanged hook.
func (l *Links) SendVerification(ctx context.Context, u *store.User) error {
	life := l.Lifetimes.EmailVerification
	link, err := l.mint(ctx, u, store.PurposeVerifyEmail, PathVerify, life)
	if err != nil {
		return err
	}
	return l.Mailer.Send(ctx, mail.TemplateVerify, u.Email, data(u, link, life))
}

// SendSignupExists tells the owner of an address that someone tried to
// sign up with it, and where to reset the password if it was them.
func (l *Links) SendSignupExists(ctx context.Context, u *store.User) error {
	return l.Mailer.Send(ctx, mail.TemplateSignupExists, u.Email, data(u, l.Issuer+PathForgot, 0))
}
