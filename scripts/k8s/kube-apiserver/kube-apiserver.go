//go:build tools

// Package build pins k8s.io/kubernetes for `go build k8s.io/kubernetes/cmd/kube-apiserver` (scripts/k8s/install-tools.sh).
// `go install k8s.io/kubernetes/cmd/kube-apiserver@v1.x` is refused because that module replaces its k8s.io/* staging
// modules with local directories; as a dependency of this module, the replacements in go.mod below point them at the
// published k8s.io/* v0.x releases of the same Kubernetes version instead.
package build

import _ "k8s.io/kubernetes/cmd/kube-apiserver/app"
