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

{{/* The operator's rules, shared by the ClusterRole and the per-namespace Roles. */}}
{{- define "gra.operatorRules" -}}
- apiGroups: ["gra.dev"]
  resources: ["runners", "tracerjobs"]
  verbs: ["get", "list", "watch", "update", "patch"]
- apiGroups: ["gra.dev"]
  resources: ["runners/status", "tracerjobs/status"]
  verbs: ["get", "update", "patch"]
- apiGroups: ["gra.dev"]
  resources: ["runners/finalizers", "tracerjobs/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["pods", "persistentvolumeclaims", "services", "configmaps", "secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods/exec"]
  verbs: ["create", "get"]
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
- apiGroups: ["", "events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch", "update"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
{{- end -}}
