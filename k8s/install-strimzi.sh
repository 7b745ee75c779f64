#!/usr/bin/env bash
# Installs the Strimzi operator (the chart's Kafka, Kafka node pools and topic) into namespace "strimzi", watching
# every namespace. Pinned: the chart targets Strimzi 1.2 (API kafka.strimzi.io/v1, Kafka 4.2/4.3, KRaft only).
# Needs helm and a kubectl context on the cluster. Usage: k8s/install-strimzi.sh
set -euo pipefail
STRIMZI_VERSION="1.2.0"
helm upgrade --install strimzi oci://quay.io/strimzi-helm/strimzi-kafka-operator \
  --version "$STRIMZI_VERSION" \
  --namespace strimzi --create-namespace \
  --set watchAnyNamespace=true \
  --wait --timeout 10m
kubectl wait crd/kafkas.kafka.strimzi.io crd/kafkanodepools.kafka.strimzi.io crd/kafkatopics.kafka.strimzi.io \
  --for=condition=Established --timeout=120s
echo "Strimzi $STRIMZI_VERSION is running in namespace strimzi"
