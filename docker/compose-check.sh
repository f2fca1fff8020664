#!/usr/bin/env bash
# Runs docker-compose.yml's roles for real and checks what the deployment promises: the API replica
# queues work and never trains, the worker runs training, catalogue builds and specialization exports,
# a fresh stack answers a specialization, the API answers 503 with Retry-After while its database is
# down and recovers without a restart, a worker stopped with SIGTERM hands its job back at once, and a
# worker killed with SIGKILL has its job taken up again; the worker queues the default run after the
# quick supernet's catalogue, and a second worker replica takes queued work while the first trains.
# Writes a Markdown report (default bench/results/compose-check.md). Needs a Docker engine and
# docker-compose (v1 or v2), curl and jq; on a machine without Docker Hub, build the base images first
# (docker/offline/build-base-images.sh) and export the variables it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
report=${1:-bench/results/compose-check.md}
timeline=${report%.md}-timeline.txt
project=${COMPOSE_PROJECT:-tailor-check}
api=http://localhost:8080/api/v1
if docker compose version >/dev/null 2>&1; then compose=(docker compose -p "$project"); else compose=(docker-compose -p "$project"); fi

started=$(date +%s)
log() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$timeline" >&2; }
elapsed() { echo $(( $(date +%s) - $1 )); }
status_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
job_field() { curl -s "$api/training-jobs/$1" | jq -r "$2"; }
wait_for() { # seconds, description, command...
  local limit=$1 what=$2; shift 2
  local t0; t0=$(date +%s)
  until "$@"; do
    if (( $(elapsed "$t0") > limit )); then log "FAILED: $what not within ${limit}s"; exit 1; fi
    sleep 2
  done
}
failures=0
check() { # description, expected, actual
  if [[ "$2" == "$3" ]]; then echo "| $1 | $3 | pass |" >> "$rows"; else echo "| $1 | $3 (expected $2) | FAIL |" >> "$rows"; failures=$((failures+1)); fi
}
rows=$(mktemp)
: > "$timeline"

log "building and starting ${compose[*]} (fresh volumes)"
"${compose[@]}" down -v >/dev/null 2>&1 || true
"${compose[@]}" build -q api >/dev/null
"${compose[@]}" up -d >/dev/null 2>&1
t_up=$(date +%s)
wait_for 180 "API readiness" bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' localhost:8080/actuator/health/readiness) == 200 ]]"
log "API ready after $(elapsed "$t_up") s"
key=$("${compose[@]}" logs api | grep -o 'tlr_[A-Za-z0-9_-]\{20,\}' | head -1)
[[ -n "$key" ]] || { log "FAILED: no first operator key in the API's log"; exit 1; }

# 1. a fresh stack: 503 with progress first, then a specialization exported by the worker
before=$(curl -s -o /dev/null -w '%{http_code} %header{retry-after}' -X POST "$api/specializations" \
  -H 'Content-Type: application/json' -d '{"device":"host-cpu","latencyMs":0.2}')
check "specialization before any supernet: status and Retry-After" "503 30" "$before"
specialize() { [[ $(curl -s -o /tmp/compose-check-spec.json -w '%{http_code}' -X POST "$api/specializations" \
  -H 'Content-Type: application/json' -d '{"device":"host-cpu","latencyMs":0.2}') == 201 ]]; }
wait_for 1800 "a first specialization" specialize
t_first=$(elapsed "$t_up")
log "first specialization after $t_first s: $(jq -c '{config: .configSha256, accuracy: .accuracy, latency: .latency.ms}' /tmp/compose-check-spec.json)"
onnx_status=$(curl -s -o /tmp/compose-check.onnx -w '%{http_code}' -X POST "$api/specializations" \
  -H 'Content-Type: application/json' -H 'Accept: application/octet-stream' -d '{"device":"host-cpu","latencyMs":0.2}')
check "the same request as ONNX bytes" "200" "$onnx_status"
echo "| first specialization on a fresh stack | after $t_first s | |" >> "$rows"

api_jobs=$("${compose[@]}" logs api | grep -c -E '\[(training|catalogue|export)[^]]*\]' || true)
worker_jobs=$("${compose[@]}" logs worker | grep -c -E '\[(training|catalogue|export)[^]]*\]' || true)
check "job log lines in the API replica's log" "0" "$api_jobs"
check "the worker's log has job lines" "yes" "$([[ $worker_jobs -gt 0 ]] && echo yes || echo "no ($worker_jobs)")"

# 2. the database stopped under the API and started again, while the worker builds the catalogue
supernet=$(curl -s "$api/supernets" | jq -r '.items[0].id')
build_state() { curl -s "$api/supernets/$supernet/catalogue-builds" | jq -r '.items[0].state'; }
check "the catalogue build is under way when the database stops" "running" "$(build_state)"
"${compose[@]}" stop postgres >/dev/null 2>&1
down=$(curl -s -o /tmp/compose-check-down.json -w '%{http_code} %header{retry-after}' "$api/supernets")
check "GET /supernets with the database stopped: status and Retry-After present" "503 yes" \
  "$(awk '{print $1, ($2 != "" ? "yes" : "no")}' <<< "$down")"
check "its body is a problem" "application/problem+json" \
  "$(curl -s -o /dev/null -w '%{content_type}' "$api/supernets")"
"${compose[@]}" start postgres >/dev/null 2>&1
t_db=$(date +%s)
wait_for 120 "recovery after the database came back" bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' $api/supernets) == 200 ]]"
echo "| GET /supernets after the database came back | 200 after $(elapsed "$t_db") s, API not restarted | pass |" >> "$rows"

wait_for 1800 "the catalogue build to finish" bash -c "[[ \$(curl -s $api/supernets/$supernet/catalogue-builds | jq -r '.items[0].state') != running ]]"
check "the catalogue build that ran through the outage, at its end" "succeeded" "$(build_state)"

# 3. the worker queues the default run once the quick supernet's catalogue is built; a second worker
# replica takes queued work while the first one trains it
job_named() { curl -s "$api/training-jobs" | jq -r --arg n "$1" '[.items[] | select((.settings.name // .name) == $n)][0].id // empty'; }
default_running() { local id; id=$(job_named bootstrap); [[ -n "$id" && $(job_field "$id" .state) == running ]]; }
wait_for 300 "the default training run to start" default_running
default_job=$(job_named bootstrap)
check "the default run (deps, all defaults) queued by the worker after the quick catalogue" "running" "$(job_field "$default_job" .state)"
"${compose[@]}" up -d --no-recreate --scale worker=2 >/dev/null 2>&1
job=$(curl -s -X POST "$api/training-jobs" -H 'Content-Type: application/json' -H "Authorization: Bearer $key" \
  -d '{"schedule":"deps","epochs":3,"maxStepsPerEpoch":40,"name":"compose-check"}' | jq -r .id)
both_running() { [[ $(job_field "$job" .state) == running && $(job_field "$default_job" .state) == running ]]; }
t_second=$(date +%s)
wait_for 300 "a second worker replica to take the new job while the first trains" both_running
check "a job queued while the default run trains, with 2 worker replicas: both jobs' states" "running running" \
  "$(job_field "$job" .state) $(job_field "$default_job" .state)"
echo "| second replica took the queued job | after $(elapsed "$t_second") s | |" >> "$rows"

# 4. the workers stopped (SIGTERM) mid-job hand their jobs back; killed (SIGKILL) ones are taken up again
running_past() { [[ $(job_field "$job" '.progress.globalStep // 0') -ge $1 ]]; }
wait_for 1800 "the job to pass step 50 (one epoch checkpointed)" running_past 50
attempts=$(job_field "$job" .attempts)
default_attempts=$(job_field "$default_job" .attempts)
t_stop=$(date +%s)
"${compose[@]}" stop -t 30 worker >/dev/null 2>&1
stop_s=$(elapsed "$t_stop")
echo "| both worker replicas exit after SIGTERM mid-job | $stop_s s (grace 30 s) | $([[ $stop_s -le 30 ]] && echo pass || echo FAIL) |" >> "$rows"
"${compose[@]}" start worker >/dev/null 2>&1
t_start=$(date +%s)
taken_up() { [[ $(job_field "$job" .attempts) -gt $1 ]]; }
wait_for 1800 "the stopped job to be taken up again" taken_up "$attempts"
# the attempt is counted before its checkpoint is read back: wait for the epoch it resumes from
resumed() { [[ $(job_field "$job" .resumedFromEpoch) != null ]]; }
wait_for 120 "the restarted job to read its checkpoint back" resumed
echo "| stopped job taken up by a restarted worker | after $(elapsed "$t_start") s, attempt $(job_field "$job" .attempts), resumed from epoch $(job_field "$job" .resumedFromEpoch) | pass |" >> "$rows"
wait_for 600 "the job to pass step 90" running_past 90
attempts=$(job_field "$job" .attempts)
"${compose[@]}" kill -s KILL worker >/dev/null 2>&1
t_kill=$(date +%s)
"${compose[@]}" start worker >/dev/null 2>&1
wait_for 1800 "the killed worker's job to be taken up again" taken_up "$attempts"
wait_for 120 "the revived job to read its checkpoint back" resumed
echo "| killed (SIGKILL) job taken up again | after $(elapsed "$t_kill") s, attempt $(job_field "$job" .attempts), resumed from epoch $(job_field "$job" .resumedFromEpoch) | pass |" >> "$rows"
wait_for 900 "the job to finish" bash -c "[[ \$(curl -s $api/training-jobs/$job | jq -r .state) == succeeded ]]"
check "that job's end state" "succeeded" "$(job_field "$job" .state)"
check "that job registered a supernet" "yes" "$([[ $(job_field "$job" .supernetId) != null ]] && echo yes || echo no)"
# a row's state says nothing about a dead worker: its attempts say whether it was taken up again
default_taken_up() { [[ $(job_field "$default_job" .attempts) -ge $((default_attempts + 2)) ]]; }
for _ in $(seq 300); do default_taken_up && break; sleep 2; done
check "the default run after both workers were stopped and killed: state, attempts added" "running 2" \
  "$(job_field "$default_job" .state) $(( $(job_field "$default_job" .attempts) - default_attempts ))"
check "the API container's health" "healthy" "$(docker inspect -f '{{.State.Health.Status}}' "$("${compose[@]}" ps -q api)")"

{
  echo "# docker-compose roles, run for real"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(docker version -f 'Docker engine {{.Server.Version}}' 2>/dev/null),"
  echo "${compose[*]}, images: JDK ${TAILOR_JDK_IMAGE:-eclipse-temurin:17-jdk}, JRE ${TAILOR_JRE_IMAGE:-eclipse-temurin:17-jre},"
  echo "PostgreSQL ${TAILOR_POSTGRES_IMAGE:-postgres:17}. Command: \`bash docker/compose-check.sh\`; the whole run took $(elapsed "$started") s."
  echo
  echo "| check | measured | result |"
  echo "| --- | --- | --- |"
  cat "$rows"
  echo
  echo "Failures: $failures. The timeline is in \`$(basename "$timeline")\`."
} > "$report"
rm -f "$rows"
log "report written to $report ($failures failures)"
"${compose[@]}" down -v >/dev/null 2>&1
exit $(( failures > 0 ))
