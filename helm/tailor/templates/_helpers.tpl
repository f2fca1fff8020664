{{- define "tailor.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tailor.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "tailor.secretName" -}}
{{- if .Values.database.existingSecret -}}
{{ .Values.database.existingSecret }}
{{- else -}}
{{ include "tailor.fullname" . }}-database
{{- end -}}
{{- end -}}

{{/* NetworkPolicy egress rule: name resolution (the database host, the API Service). */}}
{{- define "tailor.networkPolicy.dnsEgress" -}}
- to:
    {{- toYaml .Values.networkPolicy.dns.to | nindent 4 }}
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- end -}}

{{/*
The database's port for NetworkPolicy: as given, else the one database.url names, else PostgreSQL's 5432
(a URL kept in database.existingSecret cannot be read here: give the port if it is not 5432).
*/}}
{{- define "tailor.networkPolicy.databasePort" -}}
{{- if .Values.networkPolicy.database.port -}}
{{ .Values.networkPolicy.database.port }}
{{- else -}}
{{- $hostPort := regexFind "//[^/:,]+:[0-9]+" (default "" .Values.database.url) -}}
{{- if $hostPort -}}{{ regexFind "[0-9]+$" $hostPort }}{{- else -}}5432{{- end -}}
{{- end -}}
{{- end -}}

{{/* NetworkPolicy egress rule: the external PostgreSQL, on its port; at any address unless cidrs are given. */}}
{{- define "tailor.networkPolicy.databaseEgress" -}}
- ports:
    - protocol: TCP
      port: {{ include "tailor.networkPolicy.databasePort" . }}
  {{- with .Values.networkPolicy.database.cidrs }}
  to:
    {{- range . }}
    - ipBlock:
        cidr: {{ . | quote }}
    {{- end }}
  {{- end }}
{{- end -}}
