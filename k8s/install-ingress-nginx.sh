#!/usr/bin/env bash
# Installs ingress-nginx on the kind cluster of k8s/kind-cluster.yaml: the controller binds the node's ports 80 and
# 443 (mapped to the host), so that the chart's Ingress answers on http://localhost/. Any other controller works with
# the chart too: set ingress.className and your controller's WebSocket timeouts in ingress.annotations.
# Usage: k8s/install-ingress-nginx.sh
set -euo pipefail
INGRESS_NGINX_CHART_VERSION="4.12.1"
helm upgrade --install ingress-nginx ingress-nginx \
  --repo https://kubernetes.github.io/ingress-nginx \
  --version "$INGRESS_NGINX_CHART_VERSION" \
  --namespace ingress-nginx --create-namespace \
  --set controller.hostPort.enabled=true \
  --set controller.service.type=NodePort \
  --set-string controller.nodeSelector.ingress-ready=true \
  --set controller.ingressClassResource.default=true \
  --wait --timeout 10m
echo "ingress-nginx is serving http://localhost/"
