// Package deploy holds Lucid's deployment files (a systemd unit, a
// Dockerfile, Kubernetes manifests) and the tests that check them against
// Lucid itself: the manifests decode strictly into the Kubernetes API
// types, their probes answer on a real Lucid, and every setting they give
// is one Lucid knows.
//
// It is a module of its own so that the Kubernetes API types it tests
// with (k8s.io/api and its dependencies) stay out of Lucid's go.mod: the
// server never needs them. Run its tests from this directory:
// go test ./...
package deploy
