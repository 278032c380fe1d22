{{/* The release's full name, at most 63 characters. */}}
{{- define "gra.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "gra.labels" -}}
app.kubernetes.io/name: gra-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: gra
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "gra.selectorLabels" -}}
app.kubernetes.io/name: gra-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "gra.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "gra.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The bridge's kubernetes.io/tls Secret. */}}
{{- define "gra.bridgeTLSSecretName" -}}
{{- .Values.bridge.tls.secretName | default (printf "%s-bridge-tls" (include "gra.fullname" .)) -}}
{{- end -}}

{{/*
The operator's rules, shared by the ClusterRole and the per-namespace Roles. Exactly what the
operator calls (tests/deploy checks it against the requests of a running operator); the same
rules are in manifests/rbac/operator-clusterrole.yaml, which says why for each.
*/}}
{{- define "gra.operatorRules" -}}
- apiGroups: ["gra.dev"]
  resources: ["runners"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["gra.dev"]
  resources: ["tracerjobs"]
  verbs: ["list", "watch", "delete"]
- apiGroups: ["gra.dev"]
  resources: ["runners/status"]
  verbs: ["update", "patch"]
- apiGroups: ["gra.dev"]
  resources: ["tracerjobs/status"]
  verbs: ["update"]
- apiGroups: ["gra.dev"]
  resources: ["runners/finalizers", "tracerjobs/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: [""]
  resources: ["pods/exec"]
  verbs: ["create", "get"]
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create", "update"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
{{- end -}}
