#!/usr/bin/env bash
# Optional: Prometheus and Grafana (kube-prometheus-stack) into namespace "monitoring", configured by
# k8s/kube-prometheus-stack-values.yaml to pick up chatroom's ServiceMonitor, PrometheusRule and dashboard.
# Then install chatroom with metrics.*.enabled=true (docs/kubernetes.md), or run `tilt up -- --monitoring`.
# Usage: k8s/install-monitoring.sh   (KUBE_PROMETHEUS_STACK_VERSION=<chart version> to pin one)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version_args=()
if [ -n "${KUBE_PROMETHEUS_STACK_VERSION:-}" ]; then
  version_args=(--version "$KUBE_PROMETHEUS_STACK_VERSION")
fi
helm upgrade --install kube-prometheus-stack kube-prometheus-stack \
  --repo https://prometheus-community.github.io/helm-charts \
  "${version_args[@]}" \
  --namespace monitoring --create-namespace \
  --values "$here/kube-prometheus-stack-values.yaml" \
  --wait --timeout 15m
echo "Grafana: kubectl -n monitoring port-forward svc/kube-prometheus-stack-grafana 3000:80 (admin / chatroom)"
