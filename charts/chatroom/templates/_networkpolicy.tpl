{{/* Rules of networkpolicies.yaml. */}}

{{/*
The client-facing port of comet or logic: from anyone, or from networkPolicy.clientsFrom plus the web client's proxy
and the helm test. Call with (dict "root" $ "port" "websocket").
*/}}
{{- define "chatroom.clientRule" -}}
- ports:
    - port: {{ .port }}
  {{- with .root.Values.networkPolicy.clientsFrom }}
  from:
    {{- toYaml . | nindent 4 }}
    {{- if $.root.Values.web.enabled }}
    {{- include "chatroom.peer" (dict "root" $.root "component" "web") | nindent 4 }}
    {{- end }}
    {{- include "chatroom.peer" (dict "root" $.root "component" "test") | nindent 4 }}
  {{- end }}
{{- end }}

{{/*
A goim compatibility listener (goim.compat), for networkPolicy.goimFrom, or else only the pods of the release's
namespace: these listeners take goim's mid or need no API key, so nothing outside reaches them by default.
*/}}
{{- define "chatroom.goimRule" -}}
{{- if .root.Values.goim.compat.enabled -}}
- ports:
    - port: {{ .port }}
  from:
    {{- with .root.Values.networkPolicy.goimFrom }}
    {{- toYaml . | nindent 4 }}
    {{- else }}
    - podSelector: {}
    {{- end }}
{{- end }}
{{- end }}

{{/* The admin port, for networkPolicy.metricsFrom only; nothing when it is empty (the port stays closed). */}}
{{- define "chatroom.metricsRule" -}}
{{- with .Values.networkPolicy.metricsFrom -}}
- ports:
    - port: admin
  from:
    {{- toYaml . | nindent 4 }}
{{- end }}
{{- end }}

{{- define "chatroom.dnsEgress" -}}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
  {{- with .Values.networkPolicy.dnsTo }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* Egress to an external service: its ports, to networkPolicy.external.<name>.to (any address when empty). */}}
{{- define "chatroom.externalEgress" -}}
- ports:
    {{- range .external.ports }}
    - port: {{ . }}
    {{- end }}
  {{- with .external.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{- define "chatroom.kafkaEgress" -}}
{{- if .Values.kafka.strimzi.enabled -}}
- ports:
    - port: {{ .Values.kafka.strimzi.port }}
  to:
    - podSelector:
        matchLabels:
          strimzi.io/cluster: {{ include "chatroom.kafkaClusterName" . }}
          strimzi.io/kind: Kafka
{{- else -}}
{{- include "chatroom.externalEgress" (dict "external" .Values.networkPolicy.external.kafka) }}
{{- end }}
{{- end }}

{{- define "chatroom.mysqlEgress" -}}
{{- if .Values.mysql.deploy -}}
- ports:
    - port: 3306
  to:
    {{- include "chatroom.peer" (dict "root" . "component" "mysql") | nindent 4 }}
{{- else -}}
{{- include "chatroom.externalEgress" (dict "external" .Values.networkPolicy.external.mysql) }}
{{- end }}
{{- end }}

{{- define "chatroom.redisEgress" -}}
{{- if .Values.redis.deploy -}}
- ports:
    - port: 6379
  to:
    {{- include "chatroom.peer" (dict "root" . "component" "redis") | nindent 4 }}
{{- else -}}
{{- include "chatroom.externalEgress" (dict "external" .Values.networkPolicy.external.redis) }}
{{- end }}
{{- end }}

{{/* What the web client's proxy and the helm test call: logic's HTTP API and the comets' WebSocket. */}}
{{- define "chatroom.frontEgress" -}}
- ports:
    - port: {{ .Values.logic.ports.http }}
  to:
    {{- include "chatroom.peer" (dict "root" . "component" "logic") | nindent 4 }}
- ports:
    - port: {{ .Values.comet.ports.websocket }}
  to:
    {{- include "chatroom.peer" (dict "root" . "component" "comet") | nindent 4 }}
{{- end }}
