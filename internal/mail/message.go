// Package mail sends Lucid's e-mail: messages rendered from embedded
// templates (a text and an HTML part), stored sealed in the outbox as items
// of kind "mail", and handed to an SMTP relay by the outbox's worker, with
// its retries and backoff. A message is rendered when it is enqueued, so
// what the relay gets is what the database held; the content, links
// included, is sealed with the master key and never readable at rest.
package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Message is one e-mail to one person.
type Message struct {
	To      string `json:"to"` // a bare address
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
}

// errHeader refuses a value that would end a header line.
var errHeader = errors.New("mail: a header value contains a line break")

// CheckAddress accepts a single bare address (no display name, no list),
// the form Lucid stores and sends to.
func CheckAddress(addr string) error {
	if strings.ContainsAny(addr, "\r\n") {
		return errHeader
	}
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return fmt.Errorf("mail: %q is not an address: %w", addr, err)
	}
	if a.Address != addr {
		return fmt.Errorf("mail: %q is not a bare address", addr)
	}
	return nil
}

// compose writes the message as RFC 5322 text: a multipart/alternative of
// its text and HTML parts, each quoted-printable UTF-8, with CRLF lines.
func compose(from *mail.Address, m Message, now time.Time) ([]byte, error) {
	if err := CheckAddress(m.To); err != nil {
		return nil, err
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, errHeader
	}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from.String())
	header("To", (&mail.Address{Address: m.To}).String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+randomID()+"@"+domainOf(from.Address)+">")
	header("MIME-Version", "1.0")
	// RFC 3834: no vacation replies to a reset link.
	header("Auto-Submitted", "auto-generated")
	mw := multipart.NewWriter(&b)
	header("Content-Type", "multipart/alternative; boundary="+mw.Boundary())
	b.WriteString("\r\n")
	parts := []struct{ typ, body string }{{"text/plain", m.Text}}
	if m.HTML != "" {
		parts = append(parts, struct{ typ, body string }{"text/html", m.HTML})
	}
	for _, p := range parts {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(p.body)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func randomID() string {
	var r [16]byte
	_, _ = rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "localhost"
}
