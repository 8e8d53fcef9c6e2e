package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"strconv"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/lucid-auth/lucid/internal/config"
)

// Relay hands messages to one SMTP server (mail.* settings).
type Relay struct {
	host, addr string
	security   string
	user, pass string
	from       *mail.Address
	tls        *tls.Config
	// helo is the name Lucid gives itself in EHLO.
	helo string
}

// NewRelay checks the settings and builds the relay; helo is the host
// name Lucid greets the relay with (its issuer's).
func NewRelay(c config.Mail, helo string) (*Relay, error) {
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("mail.from: %w", err)
	}
	tc := &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("mail.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mail.ca_file: %s holds no PEM certificate", c.CAFile)
		}
		tc.RootCAs = pool
	}
	if helo == "" {
		helo = "localhost"
	}
	return &Relay{
		host: c.Host, addr: net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), security: c.Security,
		user: c.Username, pass: c.Password, from: from, tls: tc, helo: helo,
	}, nil
}

// From is the sender address.
func (r *Relay) From() *mail.Address { return r.from }

// Server names the relay for the operator: host:port and the security.
func (r *Relay) Server() string { return r.addr + " (" + r.security + ")" }

// SendError is a failed hand-over to the relay: at which stage, and the
// relay's reply when it gave one.
type SendError struct {
	Stage string // connect, tls, hello, auth, sender, recipient, data
	// Reply is the relay's SMTP answer; nil when the failure was ours or
	// the network's.
	Reply *smtp.SMTPError
	Err   error
}

func (e *SendError) Error() string { return e.Stage + ": " + e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// Permanent reports a 5xx answer: the relay will not take the message as
// it is, however often it is offered.
func (e *SendError) Permanent() bool { return e.Reply != nil && e.Reply.Code >= 500 }

// Send hands one composed message for one recipient to the relay, within
// ctx's deadline.
func (r *Relay) Send(ctx context.Context, to string, msg []byte) error {
	fail := func(stage string, err error) error {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return &SendError{Stage: stage, Reply: se, Err: err}
		}
		return &SendError{Stage: stage, Err: err}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", r.addr)
	if err != nil {
		return fail("connect", err)
	}
	// The client's own timeouts are per command; the attempt's deadline
	// bounds them all, and closing the connection ends a stuck one.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	defer conn.Close()
	if r.security == config.MailTLS {
		tc := tls.Client(conn, r.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail("tls", err)
		}
		conn = tc
	}
	var c *smtp.Client
	if r.security == config.MailStartTLS {
		// EHLO, then STARTTLS; the handshake happens with the next
		// command, so a certificate refused shows up at the second EHLO.
		if c, err = smtp.NewClientStartTLS(conn, r.tls); err != nil {
			return fail("tls", err)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.CommandTimeout, c.SubmissionTimeout = time.Until(dl), time.Until(dl)
	}
	if err := c.Hello(r.helo); err != nil {
		var cv *tls.CertificateVerificationError
		if errors.As(err, &cv) {
			return fail("tls", err)
		}
		return fail("hello", err)
	}
	if r.user != "" {
		if err := c.Auth(sasl.NewPlainClient("", r.user, r.pass)); err != nil {
			return fail("auth", err)
		}
	}
	if err := c.Mail(r.from.Address, nil); err != nil {
		return fail("sender", err)
	}
	if err := c.Rcpt(to, nil); err != nil {
		return fail("recipient", err)
	}
	w, err := c.Data()
	if err != nil {
		return fail("data", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fail("data", err)
	}
	if err := w.Close(); err != nil {
		return fail("data", err)
	}
	// The relay has the message once DATA is accepted; a failed QUIT
	// changes nothing.
	_ = c.Quit()
	return nil
}

// compose is the message as this relay sends it.
func (r *Relay) compose(m Message, now time.Time) ([]byte, error) {
	return compose(r.from, m, now)
}
