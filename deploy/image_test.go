package deploy

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestContainerImage builds deploy/Dockerfile from this checkout and runs
// the image the way docs/DEPLOYMENT.md tells operators to: read-only root,
// no capabilities, no new privileges, a volume for SQLite, the master key
// as a mounted file. The running container must become ready, serve
// discovery for its issuer, take a client created by the CLI inside it,
// issue a token, and stop cleanly on SIGTERM.
//
// It needs a Docker daemon. Without one it skips, unless
// LUCID_REQUIRE_DOCKER is set (CI sets it). LUCID_GO_IMAGE names the
// build stage's base image when golang:1.26-bookworm cannot be pulled
// (deploy/go-base-image.sh makes one from Debian's packages).
func TestContainerImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a container image (minutes)")
	}
	if err := exec.Command("docker", "info").Run(); err != nil {
		if os.Getenv("LUCID_REQUIRE_DOCKER") != "" {
			t.Fatalf("LUCID_REQUIRE_DOCKER is set but no Docker daemon answers: %v", err)
		}
		t.Skip("no Docker daemon answers `docker info`; set LUCID_REQUIRE_DOCKER to make this a failure")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	suffix := strings.ToLower(rand.Text()[:10])
	image, name, volume := "lucid-image-test:"+suffix, "lucid-image-test-"+suffix, "lucid-image-test-"+suffix

	args := []string{"build", "--network", "host", "--force-rm", "-q", "-f", "Dockerfile"}
	if base := os.Getenv("LUCID_GO_IMAGE"); base != "" {
		args = append(args, "--build-arg", "GO_IMAGE="+base)
	}
	if proxy, err := exec.Command("go", "env", "GOPROXY").Output(); err == nil {
		args = append(args, "--build-arg", "GOPROXY="+strings.TrimSpace(string(proxy)))
	}
	// The build stage first, under a tag of its own, so that removing the
	// tag removes it (the classic builder would leave it behind unnamed);
	// the final build then takes its layers from the cache. The classic
	// builder, because it uses a base image that exists only locally.
	stage := image + "-build"
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", image, stage).Run() })
	for _, step := range [][]string{{"--target", "build", "-t", stage}, {"-t", image}} {
		build := exec.CommandContext(ctx, "docker", append(append(args, step...), "..")...)
		build.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("docker build %s: %v\n%s", strings.Join(step, " "), err, tail(out))
		}
	}

	// The image's own promises.
	inspect := docker(t, ctx, "image", "inspect", "-f", "{{.Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}", image)
	if want := `65532:65532|["/usr/local/bin/lucid"]|["serve"]`; inspect != want {
		t.Errorf("image config %s, want %s", inspect, want)
	}
	if out, err := exec.CommandContext(ctx, "docker", "run", "--rm", "--entrypoint", "/bin/sh", image, "-c", "true").CombinedOutput(); err == nil {
		t.Errorf("the image has a shell: %s", out)
	}

	key := filepath.Join(t.TempDir(), "master.key")
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	if err := os.WriteFile(key, []byte(base64.StdEncoding.EncodeToString(master)), 0o644); err != nil {
		t.Fatal(err)
	}
	docker(t, ctx, "volume", "create", volume)
	t.Cleanup(func() { _ = exec.Command("docker", "volume", "rm", "-f", volume).Run() })
	// The issuer names the port, so the port is chosen here, not by Docker.
	port := freePort(t)
	issuer := fmt.Sprintf("http://127.0.0.1:%d", port)
	docker(t, ctx, "run", "-d", "--name", name, "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
		"-p", fmt.Sprintf("127.0.0.1:%d:8080", port), "-v", volume+":/var/lib/lucid", "-v", key+":/run/secrets/master-key:ro",
		"-e", "LUCID_MASTER_KEY_FILE=/run/secrets/master-key", "-e", "LUCID_ISSUER="+issuer, image)
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := exec.Command("docker", "logs", name).CombinedOutput()
			t.Logf("container log:\n%s", tail(out))
		}
		_ = exec.Command("docker", "rm", "-f", name).Run()
	})

	if err := waitReady(ctx, issuer+"/readyz"); err != nil {
		t.Fatal(err)
	}
	var disc struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	getJSON(t, issuer+"/.well-known/openid-configuration", &disc)
	if disc.Issuer != issuer || disc.TokenEndpoint != issuer+"/token" {
		t.Errorf("discovery: issuer %q, token endpoint %q", disc.Issuer, disc.TokenEndpoint)
	}
	if v := docker(t, ctx, "exec", name, "/usr/local/bin/lucid", "version"); !strings.HasPrefix(v, "lucid ") {
		t.Errorf("lucid version in the container: %q", v)
	}

	// The CLI in the container, on the container's database, then a token.
	docker(t, ctx, "exec", name, "/usr/local/bin/lucid", "api", "create", "--scope", "orders:read", "https://orders.example")
	secret := strings.TrimRight(base64.RawURLEncoding.EncodeToString(master), "=")
	create := exec.CommandContext(ctx, "docker", "exec", "-i", name, "/usr/local/bin/lucid", "client", "create",
		"--id", "image-test", "--name", "image test", "--grant-type", "client_credentials",
		"--audience", "https://orders.example", "--scope", "orders:read", "--secret-stdin")
	create.Stdin = strings.NewReader(secret + "\n")
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("lucid client create in the container: %v\n%s", err, out)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, issuer+"/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"orders:read"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("image-test", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" || tok.TokenType != "Bearer" {
		t.Fatalf("token request: status %d, %+v, %v", resp.StatusCode, tok, err)
	}

	// SIGTERM: drained, logged, exit status 0.
	docker(t, ctx, "stop", "-t", "20", name)
	if code := docker(t, ctx, "inspect", "-f", "{{.State.ExitCode}}", name); code != "0" {
		t.Errorf("exit status after docker stop: %s", code)
	}
	logs, _ := exec.CommandContext(ctx, "docker", "logs", name).CombinedOutput()
	if !bytes.Contains(logs, []byte(`"msg":"stopped"`)) {
		t.Errorf("no shutdown line in the container log:\n%s", tail(logs))
	}
}

// docker runs a docker command that must succeed and returns its trimmed
// output.
func docker(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, tail(out))
	}
	return strings.TrimSpace(string(out))
}

func waitReady(ctx context.Context, u string) error {
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready within 60 s: %s", u, last)
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// freePort is a loopback port free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// tail keeps the end of a long command output.
func tail(b []byte) string {
	const keep = 4000
	if len(b) > keep {
		b = b[len(b)-keep:]
	}
	return string(b)
}
