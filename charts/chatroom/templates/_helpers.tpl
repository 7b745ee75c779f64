{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "chatroom.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every resource name: "<release>-chatroom", or the release name when it already contains the chart name.
Truncated to leave room for the longest suffix ("-comet-headless", 15 characters) within 63.
*/}}
{{- define "chatroom.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 48 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "chatroom.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "chatroom.labels" -}}
helm.sh/chart: {{ include "chatroom.chart" . }}
{{ include "chatroom.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: chatroom
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "chatroom.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chatroom.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one component's resources; call with (dict "root" $ "component" "comet"). */}}
{{- define "chatroom.componentLabels" -}}
{{ include "chatroom.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Selector of one component's pods; call with (dict "root" $ "component" "comet"). */}}
{{- define "chatroom.componentSelectorLabels" -}}
{{ include "chatroom.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* "repository:tag" or "repository@digest"; call with (dict "image" .Values.image "root" $). */}}
{{- define "chatroom.imageRef" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) }}
{{- end }}
{{- end }}

{{- define "chatroom.image" -}}
{{ include "chatroom.imageRef" (dict "image" .Values.image "root" .) }}
{{- end }}

{{- define "chatroom.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- include "chatroom.fullname" . }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "chatroom.jobServiceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- printf "%s-job" (include "chatroom.fullname" .) }}
{{- else }}
{{- default (include "chatroom.serviceAccountName" .) .Values.serviceAccount.jobName }}
{{- end }}
{{- end }}

{{/* The Secret with the token secret, API keys and in-cluster MySQL passwords. */}}
{{- define "chatroom.secretName" -}}
{{- default (include "chatroom.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "chatroom.cometHeadlessName" -}}
{{- printf "%s-comet-headless" (include "chatroom.fullname" .) }}
{{- end }}

{{- define "chatroom.kafkaClusterName" -}}
{{- default (include "chatroom.fullname" .) .Values.kafka.strimzi.clusterName }}
{{- end }}

{{/* CHATROOM_KAFKA_BROKERS. */}}
{{- define "chatroom.kafkaBrokers" -}}
{{- if .Values.kafka.strimzi.enabled }}
{{- printf "%s-kafka-bootstrap.%s.svc:%d" (include "chatroom.kafkaClusterName" .) .Release.Namespace (int .Values.kafka.strimzi.port) }}
{{- else }}
{{- required "kafka.bootstrapServers is required when kafka.strimzi.enabled is false" .Values.kafka.bootstrapServers }}
{{- end }}
{{- end }}

{{- define "chatroom.mysqlHost" -}}
{{- printf "%s-mysql.%s.svc" (include "chatroom.fullname" .) .Release.Namespace }}
{{- end }}

{{- define "chatroom.redisHost" -}}
{{- printf "%s-redis.%s.svc" (include "chatroom.fullname" .) .Release.Namespace }}
{{- end }}

{{/*
Environment variables of the MySQL connection (CHATROOM_MYSQL_URL): the in-cluster MySQL's URL is assembled from its
password with a dependent variable; an external one comes whole from its Secret.
*/}}
{{- define "chatroom.mysqlEnv" -}}
{{- if .Values.mysql.deploy -}}
- name: MYSQL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "chatroom.secretName" . }}
      key: {{ .Values.mysql.passwordKey }}
- name: CHATROOM_MYSQL_URL
  value: {{ printf "mysql://%s:$(MYSQL_PASSWORD)@%s:3306/%s" .Values.mysql.user (include "chatroom.mysqlHost" .) .Values.mysql.database | quote }}
{{- else -}}
- name: CHATROOM_MYSQL_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "mysql.external.existingSecret is required when mysql.deploy is false" .Values.mysql.external.existingSecret }}
      key: {{ .Values.mysql.external.urlKey }}
{{- end }}
{{- end }}

{{/* CHATROOM_REDIS_URL when it lives in a Secret (otherwise it is in the shared ConfigMap). */}}
{{- define "chatroom.redisEnv" -}}
{{- if and (not .Values.redis.deploy) .Values.redis.external.existingSecret -}}
- name: CHATROOM_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.external.existingSecret }}
      key: {{ .Values.redis.external.urlKey }}
{{- end }}
{{- end }}

{{- define "chatroom.redisUrl" -}}
{{- if .Values.redis.deploy }}
{{- printf "redis://%s:6379" (include "chatroom.redisHost" .) }}
{{- else if not .Values.redis.external.existingSecret }}
{{- required "redis.external.url or redis.external.existingSecret is required when redis.deploy is false" .Values.redis.external.url }}
{{- end }}
{{- end }}

{{/*
The annotation that rolls one component's pods when its configuration changes: the shared ConfigMap and the
component's own, nothing else (a logic or job setting, or a chart upgrade that changes neither, leaves the comets
and their WebSockets alone). Call with (dict "root" $ "component" "comet").
*/}}
{{- define "chatroom.configChecksum" -}}
{{- $shared := include (print .root.Template.BasePath "/config/shared.yaml") .root | fromYaml -}}
{{- $own := include (print .root.Template.BasePath "/config/" .component ".yaml") .root | fromYaml -}}
{{- /* The data only: the ConfigMaps' labels carry the chart's version. */}}
checksum/config: {{ list $shared.data $own.data | toJson | sha256sum }}
{{- end }}

{{/*
Labels of a component's pods: the selector labels and the component, without the chart's or the app's version
(a chart bump would change every pod template and roll every comet). Call with (dict "root" $ "component" "comet").
*/}}
{{- define "chatroom.podLabels" -}}
{{ include "chatroom.componentSelectorLabels" . }}
app.kubernetes.io/part-of: chatroom
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The Kafka settings of logic or job (comets do not use Kafka, so its settings are not in their ConfigMap), with the
component's SASL user. Call with (dict "root" $ "component" "logic").
*/}}
{{- define "chatroom.kafkaConfig" -}}
{{- $root := .root -}}
CHATROOM_BUS: kafka
CHATROOM_KAFKA_BROKERS: {{ include "chatroom.kafkaBrokers" $root | quote }}
CHATROOM_KAFKA_TOPIC: {{ $root.Values.kafka.topic.name | quote }}
CHATROOM_KAFKA_PARTITIONS: {{ $root.Values.kafka.topic.partitions | quote }}
CHATROOM_KAFKA_REPLICATION_FACTOR: {{ $root.Values.kafka.topic.replicas | quote }}
{{- $mechanism := include "chatroom.kafkaSaslMechanism" $root }}
{{- if ne $mechanism "none" }}
CHATROOM_KAFKA_SASL_MECHANISM: {{ $mechanism | quote }}
CHATROOM_KAFKA_USERNAME: {{ include "chatroom.kafkaUsername" . | quote }}
{{- end }}
{{- end }}

{{/* The SASL mechanism of the services' Kafka connections: the Strimzi listener's, or kafka.sasl's. */}}
{{- define "chatroom.kafkaSaslMechanism" -}}
{{- if .Values.kafka.strimzi.enabled -}}
{{ ternary "scram-sha-512" "none" (eq .Values.kafka.strimzi.authentication "scram-sha-512") }}
{{- else -}}
{{ .Values.kafka.sasl.mechanism }}
{{- end }}
{{- end }}

{{/* The KafkaUser of logic or job (its name is the SASL user name); call with (dict "root" $ "component" "job"). */}}
{{- define "chatroom.kafkaUsername" -}}
{{- if .root.Values.kafka.strimzi.enabled -}}
{{ printf "%s-%s" (include "chatroom.fullname" .root) .component }}
{{- else -}}
{{ required "kafka.sasl.username is required with kafka.sasl.mechanism" .root.Values.kafka.sasl.username }}
{{- end }}
{{- end }}

{{/* CHATROOM_KAFKA_PASSWORD from the KafkaUser's Secret (Strimzi's User Operator writes it) or kafka.sasl's. */}}
{{- define "chatroom.kafkaPasswordEnv" -}}
{{- if ne (include "chatroom.kafkaSaslMechanism" .root) "none" -}}
- name: CHATROOM_KAFKA_PASSWORD
  valueFrom:
    secretKeyRef:
      {{- if .root.Values.kafka.strimzi.enabled }}
      name: {{ include "chatroom.kafkaUsername" . }}
      key: password
      {{- else }}
      name: {{ required "kafka.sasl.existingSecret is required with kafka.sasl.mechanism" .root.Values.kafka.sasl.existingSecret }}
      key: {{ .root.Values.kafka.sasl.passwordKey }}
      {{- end }}
{{- end }}
{{- end }}

{{- define "chatroom.jobGroup" -}}
{{ default "chatroom-job" .Values.job.env.CHATROOM_JOB_GROUP }}
{{- end }}

{{/*
The container's command: the image's entrypoint runs `chatroom <command>`; with dev.watch it runs node --watch on the
service's entry file instead, so that synced sources restart it. Call with (dict "root" $ "command" "comet").
*/}}
{{- define "chatroom.args" -}}
{{- if and .root.Values.dev.watch (ne .command "migrate") -}}
args: ["node", "--watch", "services/{{ .command }}/src/main.ts"]
{{- else -}}
args: [{{ .command | quote }}]
{{- end }}
{{- end }}

{{/* Liveness and readiness probes on the admin port; call with (dict "probes" .Values.comet). */}}
{{- define "chatroom.probes" -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: admin
  {{- toYaml .probes.livenessProbe | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: admin
  {{- toYaml .probes.readinessProbe | nindent 2 }}
startupProbe:
  httpGet:
    path: /healthz
    port: admin
  periodSeconds: 2
  failureThreshold: 60
{{- end }}

{{/* Volumes every chatroom container needs with a read-only root filesystem. */}}
{{- define "chatroom.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end }}

{{- define "chatroom.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* A soft spread of one component's pods over nodes; call with (dict "root" $ "component" "comet"). */}}
{{- define "chatroom.spreadOverNodes" -}}
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "chatroom.componentSelectorLabels" . | nindent 6 }}
{{- end }}

{{/* A NetworkPolicy peer: one component's pods; call with (dict "root" $ "component" "job"). */}}
{{- define "chatroom.peer" -}}
- podSelector:
    matchLabels:
      {{- include "chatroom.componentSelectorLabels" . | nindent 6 }}
{{- end }}

{{/*
The WebSocket timeouts of ingress.controller's annotations (YAML map, possibly empty): /ws connections stay open for
hours, idle between heartbeats, and most controllers cut an idle proxied connection after a minute.
*/}}
{{- define "chatroom.ingressTimeoutAnnotations" -}}
{{- $seconds := int .Values.ingress.webSocketTimeoutSeconds -}}
{{- if eq .Values.ingress.controller "nginx" -}}
nginx.ingress.kubernetes.io/proxy-read-timeout: {{ $seconds | quote }}
nginx.ingress.kubernetes.io/proxy-send-timeout: {{ $seconds | quote }}
nginx.ingress.kubernetes.io/proxy-buffering: "off"
nginx.ingress.kubernetes.io/proxy-body-size: "1m"
{{- else if eq .Values.ingress.controller "haproxy" -}}
haproxy.org/timeout-tunnel: {{ printf "%ds" $seconds | quote }}
{{- else if eq .Values.ingress.controller "alb" -}}
alb.ingress.kubernetes.io/load-balancer-attributes: {{ printf "idle_timeout.timeout_seconds=%d" $seconds | quote }}
{{- end }}
{{- end }}
