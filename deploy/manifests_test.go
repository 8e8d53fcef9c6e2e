package deploy

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/lucid-auth/lucid/internal/config"
	"github.com/lucid-auth/lucid/internal/server"
	"github.com/lucid-auth/lucid/internal/store/backend"
)

// manifests are the decoded files of kubernetes/.
type manifests struct {
	deployments []*appsv1.Deployment
	jobs        []*batchv1.Job
	services    []*corev1.Service
	secrets     []*corev1.Secret
	configMaps  []*corev1.ConfigMap
	pdbs        []*policyv1.PodDisruptionBudget
}

// load decodes every document of kubernetes/*.yaml strictly (an unknown or
// misspelt field is an error) into its API type; an unexpected kind fails.
func load(t *testing.T) *manifests {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	m := &manifests{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(raw, []byte("\n---")) {
			if len(bytes.TrimSpace(doc)) == 0 {
				continue
			}
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal(doc, &tm); err != nil {
				t.Fatalf("%s #%d: %v", f, i, err)
			}
			var obj any
			switch tm.APIVersion + " " + tm.Kind {
			case "apps/v1 Deployment":
				o := &appsv1.Deployment{}
				m.deployments, obj = append(m.deployments, o), o
			case "batch/v1 Job":
				o := &batchv1.Job{}
				m.jobs, obj = append(m.jobs, o), o
			case "v1 Service":
				o := &corev1.Service{}
				m.services, obj = append(m.services, o), o
			case "v1 Secret":
				o := &corev1.Secret{}
				m.secrets, obj = append(m.secrets, o), o
			case "v1 ConfigMap":
				o := &corev1.ConfigMap{}
				m.configMaps, obj = append(m.configMaps, o), o
			case "policy/v1 PodDisruptionBudget":
				o := &policyv1.PodDisruptionBudget{}
				m.pdbs, obj = append(m.pdbs, o), o
			default:
				t.Fatalf("%s #%d: unexpected %s %s", f, i, tm.APIVersion, tm.Kind)
			}
			if err := yaml.UnmarshalStrict(doc, obj); err != nil {
				t.Fatalf("%s #%d (%s): %v", f, i, tm.Kind, err)
			}
		}
	}
	if len(m.deployments) != 1 || len(m.jobs) != 1 || len(m.services) != 1 || len(m.secrets) != 1 || len(m.configMaps) != 1 || len(m.pdbs) != 1 {
		t.Fatalf("want one Deployment, Job, Service, Secret, ConfigMap and PodDisruptionBudget; got %d %d %d %d %d %d",
			len(m.deployments), len(m.jobs), len(m.services), len(m.secrets), len(m.configMaps), len(m.pdbs))
	}
	return m
}

// TestManifestsHoldTogether: the objects refer to each other correctly
// and run Lucid the way docs/DEPLOYMENT.md says: several replicas behind
// a PodDisruptionBudget, probes on named ports, hardened containers with
// resources, the master key from the Secret, and a migration Job that is
// the only thing that migrates.
func TestManifestsHoldTogether(t *testing.T) {
	m := load(t)
	d, job, svc, sec, cm, pdb := m.deployments[0], m.jobs[0], m.services[0], m.secrets[0], m.configMaps[0], m.pdbs[0]
	pod := d.Spec.Template

	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
		t.Errorf("the Deployment runs %v replicas, want several", d.Spec.Replicas)
	}
	if ru := d.Spec.Strategy.RollingUpdate; ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 {
		t.Error("a rolling update should keep every replica until its successor is ready (maxUnavailable: 0)")
	}
	if !matches(d.Spec.Selector, pod.Labels) {
		t.Error("the Deployment's selector does not match its pods")
	}
	if !matches(&metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, pod.Labels) {
		t.Error("the Service does not select the Deployment's pods")
	}
	if matches(&metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, job.Spec.Template.Labels) {
		t.Error("the Service would send traffic to the migration Job")
	}
	if !matches(pdb.Spec.Selector, pod.Labels) || pdb.Spec.MaxUnavailable == nil && pdb.Spec.MinAvailable == nil {
		t.Error("the PodDisruptionBudget does not cover the Deployment's pods")
	}

	secretKeys := map[string]bool{}
	for k := range sec.StringData {
		secretKeys[k] = true
	}
	for k := range sec.Data {
		secretKeys[k] = true
	}
	known := config.EnvNames()
	for _, spec := range []corev1.PodSpec{pod.Spec, job.Spec.Template.Spec} {
		checkPod(t, spec, sec.Name, cm.Name, secretKeys, known)
	}

	c := pod.Spec.Containers[0]
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	for _, sp := range svc.Spec.Ports {
		if !portOK(sp.TargetPort, ports) {
			t.Errorf("Service port %s targets %s, which the container does not expose", sp.Name, sp.TargetPort.String())
		}
	}
	for name, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("the container has no HTTP %s probe", name)
			continue
		}
		if !portOK(p.HTTPGet.Port, ports) {
			t.Errorf("the %s probe uses port %s, which the container does not expose", name, p.HTTPGet.Port.String())
		}
	}
	if c.LivenessProbe != nil && c.LivenessProbe.HTTPGet != nil && c.LivenessProbe.HTTPGet.Path != "/livez" {
		t.Errorf("liveness probes %s; it must be /livez, which never waits for the database", c.LivenessProbe.HTTPGet.Path)
	}
	if c.ReadinessProbe != nil && c.ReadinessProbe.HTTPGet != nil && c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("readiness probes %s; it must be /readyz, which fails while draining", c.ReadinessProbe.HTTPGet.Path)
	}

	if args := strings.Join(job.Spec.Template.Spec.Containers[0].Args, " "); !strings.HasPrefix(args, "migrate up") {
		t.Errorf("the migration Job runs %q, want lucid migrate up", args)
	}
	if job.Spec.Template.Spec.RestartPolicy == corev1.RestartPolicyAlways {
		t.Error("a Job's pods cannot restart Always")
	}
	if args := strings.Join(c.Args, " "); !strings.HasPrefix(args, "serve") {
		t.Errorf("the Deployment runs %q, want lucid serve", args)
	}

	// The replicas never migrate; the grace period outlasts the drain.
	cfg := lucidConfig(t, cm)
	if cfg.MigrateOnStart {
		t.Error("the replicas' configuration leaves migrate_on_start on; the Job migrates")
	}
	if grace := pod.Spec.TerminationGracePeriodSeconds; grace == nil || time.Duration(*grace)*time.Second <= cfg.Timeouts.Drain+5*time.Second {
		t.Errorf("terminationGracePeriodSeconds %v does not outlast timeouts.drain (%s) and a request", grace, cfg.Timeouts.Drain)
	}
	// The default slots follow the node's CPUs, not the pod's limit.
	const hashMemory, baseMemory = 19 << 20, 128 << 20
	limit := c.Resources.Limits.Memory().Value()
	if cfg.Password.HashSlots == 0 || int64(cfg.Password.HashSlots)*hashMemory+baseMemory > limit {
		t.Errorf("password.hash_slots %d (0: one per node CPU) × 19 MiB does not fit the memory limit %d", cfg.Password.HashSlots, limit)
	}
	if len(cfg.TrustedProxies) == 0 {
		t.Error("behind an ingress, trusted_proxies must name the proxies, or every client shares one address for lockout and throttling")
	}
}

// checkPod: hardened containers with resources, LUCID_ variables Lucid
// knows, secret references to keys the Secret has, the master key from the
// Secret as a file, and the configuration from the ConfigMap.
func checkPod(t *testing.T, spec corev1.PodSpec, secretName, cmName string, secretKeys map[string]bool, known []string) {
	t.Helper()
	if spec.SecurityContext == nil || spec.SecurityContext.RunAsNonRoot == nil || !*spec.SecurityContext.RunAsNonRoot {
		t.Error("a pod may run as root (runAsNonRoot)")
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Error("a pod mounts a service account token it never uses")
	}
	for _, c := range spec.Containers {
		sc := c.SecurityContext
		switch {
		case sc == nil:
			t.Errorf("container %s has no securityContext", c.Name)
			continue
		case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
			t.Errorf("container %s has a writable root file system", c.Name)
		case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
			t.Errorf("container %s allows privilege escalation", c.Name)
		case sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL"):
			t.Errorf("container %s keeps its capabilities", c.Name)
		}
		if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("container %s has no memory request or limit", c.Name)
		}
		var masterKey bool
		for _, e := range c.Env {
			if strings.HasPrefix(e.Name, "LUCID_") && !slices.Contains(known, e.Name) {
				t.Errorf("container %s sets %s, which is no Lucid setting", c.Name, e.Name)
			}
			if e.Name == "LUCID_MASTER_KEY" {
				t.Errorf("container %s has the master key in its environment; mount it as a file (LUCID_MASTER_KEY_FILE)", c.Name)
			}
			if e.Name == "LUCID_MASTER_KEY_FILE" {
				masterKey = mountedFrom(spec, c, e.Value, secretName, secretKeys)
			}
			if r := e.ValueFrom; r != nil && r.SecretKeyRef != nil && (r.SecretKeyRef.Name != secretName || !secretKeys[r.SecretKeyRef.Key]) {
				t.Errorf("container %s: %s refers to %s/%s, which the Secret does not hold", c.Name, e.Name, r.SecretKeyRef.Name, r.SecretKeyRef.Key)
			}
		}
		if !masterKey {
			t.Errorf("container %s does not get the master key file from the Secret", c.Name)
		}
		if !slices.Contains(c.Args, "/etc/lucid/lucid.yaml") || !mountsConfigMap(spec, c, "/etc/lucid", cmName) {
			t.Errorf("container %s does not read the ConfigMap's lucid.yaml", c.Name)
		}
	}
}

// mountedFrom reports whether path in container c is a key of the Secret.
func mountedFrom(spec corev1.PodSpec, c corev1.Container, path, secretName string, secretKeys map[string]bool) bool {
	for _, vm := range c.VolumeMounts {
		rel, ok := strings.CutPrefix(path, strings.TrimSuffix(vm.MountPath, "/")+"/")
		if !ok {
			continue
		}
		for _, v := range spec.Volumes {
			if v.Name != vm.Name || v.Secret == nil || v.Secret.SecretName != secretName {
				continue
			}
			for _, it := range v.Secret.Items {
				if it.Path == rel && secretKeys[it.Key] {
					return true
				}
			}
		}
	}
	return false
}

func mountsConfigMap(spec corev1.PodSpec, c corev1.Container, at, name string) bool {
	for _, vm := range c.VolumeMounts {
		if vm.MountPath != at {
			continue
		}
		for _, v := range spec.Volumes {
			if v.Name == vm.Name && v.ConfigMap != nil && v.ConfigMap.Name == name {
				return true
			}
		}
	}
	return false
}

func matches(sel *metav1.LabelSelector, labels map[string]string) bool {
	if sel == nil || len(sel.MatchLabels) == 0 {
		return false
	}
	for k, v := range sel.MatchLabels {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func portOK(p intstr.IntOrString, ports map[string]int32) bool {
	if p.Type == intstr.String {
		_, ok := ports[p.StrVal]
		return ok
	}
	for _, n := range ports {
		if n == p.IntVal {
			return true
		}
	}
	return false
}

// lucidConfig loads the ConfigMap's lucid.yaml with Lucid's own loader,
// which refuses a key it does not know, and validates it.
func lucidConfig(t *testing.T, cm *corev1.ConfigMap) config.Config {
	t.Helper()
	data, ok := cm.Data["lucid.yaml"]
	if !ok {
		t.Fatal("the ConfigMap has no lucid.yaml")
	}
	path := filepath.Join(t.TempDir(), "lucid.yaml")
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("Lucid refuses the ConfigMap's lucid.yaml: %v", err)
	}
	cfg.MasterKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	if err := cfg.Validate(); err != nil {
		t.Fatalf("the ConfigMap's lucid.yaml is invalid: %v", err)
	}
	return cfg
}

// TestProbesAnswerOnARealLucid: the Deployment's probe paths are routes of
// a Lucid built from the ConfigMap's configuration (on SQLite here), and
// answer 200 once it serves.
func TestProbesAnswerOnARealLucid(t *testing.T) {
	m := load(t)
	cfg := lucidConfig(t, m.configMaps[0])
	cfg.Database = "sqlite:" + filepath.Join(t.TempDir(), "lucid.db")
	ctx := context.Background()
	st, err := backend.Open(ctx, cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := server.New(ctx, &cfg, st, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Close(ctx)
	}()
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()

	c := m.deployments[0].Spec.Template.Spec.Containers[0]
	probes := map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe}
	for name, p := range probes {
		if p == nil || p.HTTPGet == nil {
			continue
		}
		resp, err := http.Get(ts.URL + p.HTTPGet.Path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("the %s probe's %s answers %d on a healthy Lucid", name, p.HTTPGet.Path, resp.StatusCode)
		}
	}
	// And a path Lucid does not serve would not: the check above can fail.
	resp, err := http.Get(ts.URL + "/healthz-not-a-route")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("an unknown path answers %d", resp.StatusCode)
	}
}
