{{/*
Resource names are "<release>-<name in config/>", so that release
"serverimage" renders the names `kubectl kustomize config/default` gives
(namePrefix serverimage-). fullnameOverride replaces the release name.
*/}}
{{- define "serverimage-operator.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "serverimage-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: serverimage-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/*
The Deployment's and the metrics Service's selector, and the pod labels:
the same as config/manager, so that both installs select alike.
*/}}
{{- define "serverimage-operator.selectorLabels" -}}
control-plane: controller-manager
{{- end -}}

{{- define "serverimage-operator.podLabels" -}}
{{ include "serverimage-operator.selectorLabels" . }}
app.kubernetes.io/name: serverimage-operator
{{- end -}}

{{- define "serverimage-operator.serviceAccountName" -}}
{{ include "serverimage-operator.fullname" . }}-controller-manager
{{- end -}}
