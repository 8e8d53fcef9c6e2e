// Package ldaptest runs a real OpenLDAP server (Debian's slapd) for
// tests: its own configuration and database in a temporary directory, on
// a loopback port, stopped by its PID when the test ends. Without slapd
// the test is skipped, unless CI is set: there it fails.
package ldaptest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Fixed names of the test directory.
const (
	Suffix       = "dc=example,dc=org"
	RootDN       = "cn=admin," + Suffix
	RootPassword = "root-secret"
	BindDN       = "cn=lucid,ou=services," + Suffix
	BindPassword = "lucid-secret"
	People       = "ou=people," + Suffix
	Groups       = "ou=groups," + Suffix
)

// Server is a running slapd.
type Server struct {
	URL  string // ldap://127.0.0.1:PORT
	Port int
	// With TLS: LDAPSURL is ldaps://127.0.0.1:PORT2 and CAFile the PEM
	// of the CA that signed the server's certificate (for 127.0.0.1);
	// StartTLS works on URL too.
	LDAPSURL string
	CAFile   string
	dir      string
	cmd      *exec.Cmd
	t        testing.TB
}

// binaries finds slapd and ldapadd.
func binaries(t testing.TB) (slapd, ldapadd string) {
	t.Helper()
	var err error
	for _, p := range []string{"/usr/sbin/slapd", "slapd"} {
		if slapd, err = exec.LookPath(p); err == nil {
			break
		}
	}
	if err == nil {
		ldapadd, err = exec.LookPath("ldapadd")
	}
	if err != nil {
		msg := "OpenLDAP is not installed (apt-get install slapd ldap-utils): " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return slapd, ldapadd
}

const conf = `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
database mdb
maxsize 16777216
suffix "{suffix}"
rootdn "{rootdn}"
rootpw {rootpw}
directory {dir}/db
overlay memberof
access to attrs=userPassword by self read by anonymous auth by * none
access to * by users read by * none
`

// Start runs slapd with the test directory's base entries: the service
// account Lucid binds as, ou=people and ou=groups. Load adds more.
func Start(t testing.TB) *Server { return start(t, false) }

// StartTLS is Start with a certificate: StartTLS on URL, and LDAPSURL.
func StartTLS(t testing.TB) *Server { return start(t, true) }

func start(t testing.TB, withTLS bool) *Server {
	t.Helper()
	slapd, _ := binaries(t)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	c := strings.NewReplacer("{dir}", dir, "{suffix}", Suffix, "{rootdn}", RootDN, "{rootpw}", RootPassword).Replace(conf)
	port := freePort(t)
	s := &Server{URL: fmt.Sprintf("ldap://127.0.0.1:%d", port), Port: port, dir: dir, t: t}
	if withTLS {
		s.CAFile = writeCertificates(t, dir)
		c = fmt.Sprintf("TLSCACertificateFile %[1]s/ca.pem\nTLSCertificateFile %[1]s/server.pem\nTLSCertificateKeyFile %[1]s/server.key\n", dir) + c
		s.LDAPSURL = fmt.Sprintf("ldaps://127.0.0.1:%d", freePort(t))
	}
	if err := os.WriteFile(filepath.Join(dir, "slapd.conf"), []byte(c), 0o600); err != nil {
		t.Fatal(err)
	}
	s.start(slapd)
	t.Cleanup(s.Stop)
	s.Load(fmt.Sprintf(`dn: %[1]s
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=services,%[1]s
objectClass: organizationalUnit
ou: services

dn: %[2]s
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: lucid
userPassword: %[3]s

dn: %[4]s
objectClass: organizationalUnit
ou: people

dn: %[5]s
objectClass: organizationalUnit
ou: groups
`, Suffix, BindDN, BindPassword, People, Groups))
	return s
}

func (s *Server) start(slapd string) {
	s.t.Helper()
	var out bytes.Buffer
	// -d keeps slapd in the foreground, so that its PID is ours to stop.
	listen := s.URL + "/"
	if s.LDAPSURL != "" {
		listen += " " + s.LDAPSURL + "/"
	}
	cmd := exec.Command(slapd, "-f", filepath.Join(s.dir, "slapd.conf"), "-h", listen, "-d", "0")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("slapd: %v", err)
	}
	s.cmd = cmd
	for range 100 {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", s.Port), 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Stop()
	s.t.Fatalf("slapd did not start: %s", out.String())
}

// Stop stops slapd (its PID, SIGTERM then a kill) and waits for it.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}

// Load adds LDIF entries with ldapadd as the root DN, over the protocol,
// so that overlays (memberof) see them.
func (s *Server) Load(ldif string) {
	s.t.Helper()
	_, ldapadd := binaries(s.t)
	cmd := exec.Command(ldapadd, "-x", "-H", s.URL, "-D", RootDN, "-w", RootPassword)
	cmd.Stdin = strings.NewReader(ldif)
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("ldapadd: %v: %s", err, out)
	}
}

// Person is the LDIF of a person under ou=people (or the branch ou).
func Person(uid, password, name, mail, extra string) string {
	if extra != "" {
		extra = strings.TrimSuffix(extra, "\n") + "\n"
	}
	return fmt.Sprintf("dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nmail: %s\nuserPassword: %s\n%s\n",
		uid, People, uid, name, name, mail, password, extra)
}

// Group is the LDIF of a groupOfNames under ou=groups with these people.
func Group(cn string, uids ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dn: cn=%s,%s\nobjectClass: groupOfNames\ncn: %s\n", cn, Groups, cn)
	for _, u := range uids {
		fmt.Fprintf(&b, "member: uid=%s,%s\n", u, People)
	}
	b.WriteString("\n")
	return b.String()
}

// writeCertificates makes a CA and a server certificate for 127.0.0.1
// signed by it, in dir; it returns the CA's file.
func writeCertificates(t testing.TB, dir string) string {
	t.Helper()
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ldaptest CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames: []string{"localhost"}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ca.pem", "CERTIFICATE", caDER)
	write("server.pem", "CERTIFICATE", der)
	write("server.key", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key))
	return filepath.Join(dir, "ca.pem")
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
