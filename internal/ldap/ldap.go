// Package ldap signs people in with their password at an LDAP directory
// (OpenLDAP, Active Directory) on github.com/go-ldap/ldap/v3:
// search-then-bind. Lucid binds with its own credentials, finds the one
// entry the typed username names (the name escaped into the configured
// filter), binds as that entry with the typed password, then reads the
// entry's attributes and groups as its own credentials again. The result
// is an upstream.Identity, so that the rules, group mapping, identity
// links and just-in-time accounts of upstream providers apply unchanged
// (provider/directory.go).
//
// Every failure is a *catalog.Error. A wrong password and a name the
// directory does not hold are the same sign_in_failed, and an empty
// password is refused before anything is sent: a bind with an empty
// password is an anonymous bind (RFC 4513 §5.1.2), which many
// directories accept.
package ldap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/lucid-auth/lucid/internal/catalog"
	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/upstream"
)

// Set is the enabled directories, in configuration order.
type Set struct {
	list []*Directory
}

// NewSet builds the enabled directories of the configuration.
func NewSet(dirs []config.Directory) (*Set, error) {
	s := &Set{}
	for _, raw := range dirs {
		if raw.Disabled {
			continue
		}
		d, err := New(raw)
		if err != nil {
			return nil, fmt.Errorf("directory %s: %w", raw.ID, err)
		}
		s.list = append(s.list, d)
	}
	return s, nil
}

// For is the directory that takes this typed username: the first whose
// usernames pattern matches it.
func (s *Set) For(username string) (*Directory, bool) {
	if s == nil {
		return nil, false
	}
	for _, d := range s.list {
		if d.users.MatchString(username) {
			return d, true
		}
	}
	return nil, false
}

// All lists the enabled directories.
func (s *Set) All() []*Directory {
	if s == nil {
		return nil
	}
	return s.list
}

// Directory is one configured directory.
type Directory struct {
	cfg   config.Directory
	users *regexp.Regexp
	tls   *tls.Config
	host  string
	slots chan struct{}
}

// ErrBusy is Acquire's answer when every connection stays taken.
var ErrBusy = errors.New("every connection to the directory is in use")

// busyWait is how long Acquire waits for a free connection.
const busyWait = 250 * time.Millisecond

// Acquire takes one of the directory's max_connections places for a
// sign-in; release gives it back. It waits briefly, then answers ErrBusy
// (or ctx's error), so a slow directory sheds its own load.
func (d *Directory) Acquire(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case d.slots <- struct{}{}:
		return func() { <-d.slots }, nil
	default:
	}
	t := time.NewTimer(busyWait)
	defer t.Stop()
	select {
	case d.slots <- struct{}{}:
		return func() { <-d.slots }, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// MaxConnections is the configured bound of Acquire.
func (d *Directory) MaxConnections() int { return cap(d.slots) }

// New builds a directory from its configuration.
func New(raw config.Directory) (*Directory, error) {
	cfg := raw.Resolved()
	users, err := regexp.Compile(cfg.Usernames)
	if err != nil {
		return nil, fmt.Errorf("usernames: %w", err)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("url %q is not an ldap:// or ldaps:// URL", cfg.URL)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.ServerName}
	if tc.ServerName == "" {
		tc.ServerName = u.Hostname()
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s holds no PEM certificate", cfg.CAFile)
		}
		tc.RootCAs = pool
	}
	return &Directory{cfg: cfg, users: users, tls: tc, host: u.Host, slots: make(chan struct{}, cfg.MaxConnections)}, nil
}

// ID is the directory's configured id; Name its label.
func (d *Directory) ID() string   { return d.cfg.ID }
func (d *Directory) Name() string { return d.cfg.Name }

// Issuer is what identity links record as the source of subjects: the
// directory's base DN, which stays when servers or URLs change.
func (d *Directory) Issuer() string { return "ldap:///" + d.cfg.BaseDN }

// Provisioning reports whether entries not yet linked get an account.
func (d *Directory) Provisioning() bool { return !d.cfg.NoProvisioning }

// Check applies the directory's rules (required groups…), as an
// upstream's are applied.
func (d *Directory) Check(id *upstream.Identity) *catalog.Error {
	return upstream.CheckRules(d.cfg.ID, d.cfg.Name, d.cfg.Rules, id)
}

// Authenticate checks username and password at the directory and returns
// who the entry is. The failures a person may cause (no such entry, a
// wrong or empty password) are sign_in_failed with the reason in the
// story; the caller counts them toward the name's lockout.
func (d *Directory) Authenticate(ctx context.Context, username, password string) (*upstream.Identity, *catalog.Error) {
	if password == "" || username == "" {
		return nil, catalog.New(catalog.SignInFailed).Internal("directory", d.cfg.ID, "reason", "empty username or password; the directory was not asked")
	}
	conn, e := d.connect(ctx)
	if e != nil {
		return nil, e
	}
	defer conn.Close()
	if e := d.serviceBind(conn); e != nil {
		return nil, e
	}

	attrs := []string{d.cfg.Attributes.Subject, d.cfg.Attributes.Username, d.cfg.Attributes.Email, d.cfg.Attributes.Name,
		"userAccountControl", "pwdAccountLockedTime"}
	if d.cfg.Groups.BaseDN == "" {
		attrs = append(attrs, d.cfg.Groups.MemberOf)
	}
	filter := strings.ReplaceAll(d.cfg.UserFilter, "{username}", goldap.EscapeFilter(username))
	res, err := conn.Search(goldap.NewSearchRequest(d.cfg.BaseDN, goldap.ScopeWholeSubtree, goldap.NeverDerefAliases,
		2, int(d.cfg.Timeout.Seconds()), false, filter, attrs, nil))
	if err != nil && !goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded) {
		return nil, d.opFailed(err, "searching people")
	}
	if res == nil || len(res.Entries) == 0 {
		// The same round trip a wrong password costs: a bind that cannot
		// succeed, so the answer's time does not tell the name is unknown.
		_ = conn.Bind("cn=lucid-no-such-entry,"+d.cfg.BaseDN, password)
		return nil, catalog.New(catalog.SignInFailed).Internal("directory", d.cfg.ID, "reason", "no directory entry matches the username")
	}
	if len(res.Entries) > 1 || err != nil {
		dns := make([]string, 0, len(res.Entries))
		for _, en := range res.Entries {
			dns = append(dns, en.DN)
		}
		return nil, catalog.New(catalog.DirectoryUserAmbiguous, "directory", d.cfg.Name).
			Internal("directory", d.cfg.ID, "filter", catalog.Clip(filter, 200), "matched", catalog.Clip(strings.Join(dns, "; "), 400))
	}
	entry := res.Entries[0]
	who := []any{"directory", d.cfg.ID, "dn", catalog.Clip(entry.DN, 200)}

	if err := conn.Bind(entry.DN, password); err != nil {
		var le *goldap.Error
		if errors.As(err, &le) && le.ResultCode == goldap.LDAPResultInvalidCredentials {
			// Active Directory tells a disabled or locked account apart
			// only when the password was right (data 533, 775).
			if reason := adRefusal(le); reason != "" {
				return nil, catalog.New(catalog.DirectoryAccountDisabled, "directory", d.cfg.Name, "reason", reason).Internal(who...)
			}
			return nil, catalog.New(catalog.SignInFailed).Internal(who...).Internal("reason", "the directory refused the password")
		}
		return nil, d.opFailed(err, "binding as the person").Internal(who...)
	}
	// Groups and the disabled filter are read with Lucid's rights, which
	// the person's entry may not have.
	if e := d.serviceBind(conn); e != nil {
		return nil, e
	}
	if reason, e := d.disabled(conn, entry); e != nil {
		return nil, e.Internal(who...)
	} else if reason != "" {
		return nil, catalog.New(catalog.DirectoryAccountDisabled, "directory", d.cfg.Name, "reason", reason).Internal(who...)
	}
	groups, e := d.groups(conn, entry, username)
	if e != nil {
		return nil, e.Internal(who...)
	}
	id := &upstream.Identity{
		Upstream: d.cfg.ID,
		Issuer:   d.Issuer(),
		Subject:  subject(entry, d.cfg.Attributes.Subject),
		Username: entry.GetAttributeValue(d.cfg.Attributes.Username),
		Name:     entry.GetAttributeValue(d.cfg.Attributes.Name),
		Email:    entry.GetAttributeValue(d.cfg.Attributes.Email),
		Groups:   groups,
		Mapped:   upstream.MapGroups(d.cfg.GroupMapping, groups),
		Claims:   map[string]any{},
	}
	id.EmailVerified = d.cfg.TrustEmail && id.Email != ""
	if id.Username == "" {
		id.Username = username
	}
	for _, a := range entry.Attributes {
		if len(a.Values) == 1 {
			id.Claims[a.Name] = a.Values[0]
		}
	}
	if id.Subject == "" {
		return nil, catalog.New(catalog.UpstreamSubjectMissing, "upstream", d.cfg.Name, "claim", d.cfg.Attributes.Subject).Internal(who...)
	}
	return id, nil
}

// connect dials the directory (TLS for ldaps://, StartTLS when set) and
// bounds every operation by the timeout; the connection also closes when
// ctx ends.
func (d *Directory) connect(ctx context.Context) (*goldap.Conn, *catalog.Error) {
	dialer := &net.Dialer{Timeout: d.cfg.Timeout}
	conn, err := goldap.DialURL(d.cfg.URL, goldap.DialWithDialer(dialer), goldap.DialWithTLSConfig(d.tls))
	if err != nil {
		if tlsError(err) {
			return nil, catalog.New(catalog.DirectoryTLSFailed, "directory", d.cfg.Name, "reason", "the TLS handshake failed").Wrap(err).
				Internal("directory", d.cfg.ID, "address", d.host)
		}
		return nil, catalog.New(catalog.DirectoryUnreachable, "directory", d.cfg.Name).Wrap(err).
			Internal("directory", d.cfg.ID, "address", d.host)
	}
	conn.SetTimeout(d.cfg.Timeout)
	// A request that ends takes its directory operations with it.
	context.AfterFunc(ctx, func() { conn.Close() })
	if d.cfg.StartTLS {
		if err := conn.StartTLS(d.tls); err != nil {
			conn.Close()
			reason := "the directory refused StartTLS"
			if tlsError(err) {
				reason = "the TLS handshake failed"
			}
			return nil, catalog.New(catalog.DirectoryTLSFailed, "directory", d.cfg.Name, "reason", reason).Wrap(err).
				Internal("directory", d.cfg.ID, "address", d.host)
		}
	}
	return conn, nil
}

// serviceBind binds with Lucid's own credentials.
func (d *Directory) serviceBind(conn *goldap.Conn) *catalog.Error {
	err := conn.Bind(d.cfg.BindDN, d.cfg.BindPassword)
	if err == nil {
		return nil
	}
	var le *goldap.Error
	if errors.As(err, &le) && le.ResultCode != goldap.ErrorNetwork {
		return catalog.New(catalog.DirectorySearchBindRefused, "directory", d.cfg.Name, "bind_dn", catalog.Clip(d.cfg.BindDN, 120)).Wrap(err).
			Internal("directory", d.cfg.ID, "result_code", le.ResultCode, "result", goldap.LDAPResultCodeMap[le.ResultCode])
	}
	return d.opFailed(err, "binding as Lucid")
}

// opFailed names a failed operation: the network (unreachable) or the
// directory's refusal (search failed), with its result code kept.
func (d *Directory) opFailed(err error, doing string) *catalog.Error {
	var le *goldap.Error
	if !errors.As(err, &le) || le.ResultCode == goldap.ErrorNetwork || le.ResultCode == goldap.LDAPResultTimeLimitExceeded {
		return catalog.New(catalog.DirectoryUnreachable, "directory", d.cfg.Name).Wrap(err).
			Internal("directory", d.cfg.ID, "address", d.host, "while", doing)
	}
	reason := goldap.LDAPResultCodeMap[le.ResultCode]
	if reason == "" {
		reason = "result code " + strconv.Itoa(int(le.ResultCode))
	}
	return catalog.New(catalog.DirectorySearchFailed, "directory", d.cfg.Name, "reason", strings.ToLower(reason)).Wrap(err).
		Internal("directory", d.cfg.ID, "while", doing, "result_code", le.ResultCode)
}

// disabled says why an entry whose password verified may not sign in
// ("" when it may): Active Directory's ACCOUNTDISABLE flag, a ppolicy
// lock, or the configured disabled filter.
func (d *Directory) disabled(conn *goldap.Conn, entry *goldap.Entry) (string, *catalog.Error) {
	if v := entry.GetAttributeValue("userAccountControl"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n&0x2 != 0 {
			return "userAccountControl has ACCOUNTDISABLE", nil
		}
	}
	if entry.GetAttributeValue("pwdAccountLockedTime") != "" {
		return "the password policy locked it", nil
	}
	if d.cfg.DisabledFilter == "" {
		return "", nil
	}
	res, err := conn.Search(goldap.NewSearchRequest(entry.DN, goldap.ScopeBaseObject, goldap.NeverDerefAliases,
		1, int(d.cfg.Timeout.Seconds()), false, d.cfg.DisabledFilter, []string{"1.1"}, nil))
	if err != nil {
		return "", d.opFailed(err, "checking the disabled filter")
	}
	if len(res.Entries) > 0 {
		return "the entry matches the disabled filter", nil
	}
	return "", nil
}

// groups are the entry's group names: the first RDN value of each
// memberOf DN, or the name attribute of each group the group search finds.
func (d *Directory) groups(conn *goldap.Conn, entry *goldap.Entry, username string) ([]string, *catalog.Error) {
	var out []string
	add := func(g string) {
		if g = strings.TrimSpace(g); g != "" {
			for _, have := range out {
				if have == g {
					return
				}
			}
			out = append(out, g)
		}
	}
	if d.cfg.Groups.BaseDN == "" {
		for _, dn := range entry.GetAttributeValues(d.cfg.Groups.MemberOf) {
			if p, err := goldap.ParseDN(dn); err == nil && len(p.RDNs) > 0 && len(p.RDNs[0].Attributes) > 0 {
				add(p.RDNs[0].Attributes[0].Value)
			}
		}
		return out, nil
	}
	filter := strings.NewReplacer("{dn}", goldap.EscapeFilter(entry.DN), "{username}", goldap.EscapeFilter(username)).Replace(d.cfg.Groups.Filter)
	res, err := conn.Search(goldap.NewSearchRequest(d.cfg.Groups.BaseDN, goldap.ScopeWholeSubtree, goldap.NeverDerefAliases,
		0, int(d.cfg.Timeout.Seconds()), false, filter, []string{d.cfg.Groups.NameAttribute}, nil))
	if err != nil {
		return nil, d.opFailed(err, "searching groups")
	}
	for _, g := range res.Entries {
		add(g.GetAttributeValue(d.cfg.Groups.NameAttribute))
	}
	return out, nil
}

// subject reads the stable identifier: objectGUID is 16 bytes, written
// as Active Directory writes it; dn is the entry's name.
func subject(entry *goldap.Entry, attr string) string {
	switch strings.ToLower(attr) {
	case "dn":
		return entry.DN
	case "objectguid":
		b := entry.GetRawAttributeValue(attr)
		if len(b) != 16 {
			return ""
		}
		return fmt.Sprintf("%08x-%04x-%04x-%x-%x", binary.LittleEndian.Uint32(b[0:4]), binary.LittleEndian.Uint16(b[4:6]),
			binary.LittleEndian.Uint16(b[6:8]), b[8:10], b[10:16])
	}
	return entry.GetAttributeValue(attr)
}

// adRefusal reads Active Directory's sub-code of a refused bind ("data
// 533"), which it gives only when the password was right.
func adRefusal(e *goldap.Error) string {
	msg := ""
	if e.Err != nil {
		msg = e.Err.Error()
	}
	switch {
	case strings.Contains(msg, "data 533"):
		return "the account is disabled"
	case strings.Contains(msg, "data 775"):
		return "the account is locked out"
	case strings.Contains(msg, "data 701"):
		return "the account has expired"
	}
	return ""
}

// tlsError reports a failure of the TLS layer: a handshake or a
// certificate that does not verify.
func tlsError(err error) bool {
	var (
		cv  *tls.CertificateVerificationError
		rh  tls.RecordHeaderError
		ua  x509.UnknownAuthorityError
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
		alt tls.AlertError
	)
	return errors.As(err, &cv) || errors.As(err, &rh) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) ||
		errors.As(err, &alt) || strings.Contains(err.Error(), "tls:")
}
