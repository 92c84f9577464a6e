#!/usr/bin/env bash
# End-to-end run of the buildlog processor in real collectors, on this
# machine, over 127.0.0.1 only:
#
#   1. builds the back-end collector with the OpenTelemetry Collector Builder
#      (pinned below) from ../builder-config.yaml, and the Go helpers
#      (e2etool) and triage;
#   2. starts a sink (stand-in for the log store), three back ends (A, B, C)
#      with the README's back-tier pipeline, and a fourth (D) with a small
#      max_streams and a raised message limit for the fault cases;
#   3. sends the fixture logs (fixtures/**/*.log) over OTLP, lines of many
#      builds interleaved, each record carrying build.id, routed by the
#      consistent-hash ring of e2e/ring (the stand-in for the front tier's
#      load-balancing exporter) or, when OTELCOL_CONTRIB names an
#      otelcol-contrib binary, through two real front-tier replicas;
#   4. checks one summary per build with triage's primary, every build on one
#      back end, and the fault cases (crash and graceful restart, a burst past
#      max_streams, records without a build id, a 10 MiB line, a sender that
#      disconnects, a back end removed from the ring);
#   5. measures one back end with and without the processor at 1, 100 and
#      10,000 concurrent builds and writes the load table.
#
# Environment:
#   OTELCOL_CONTRIB  path to an otelcol-contrib (v0.165.x) binary: also run
#                    the main case through real front-tier replicas
#   E2E_COLLECTOR    path to an already built back-end collector (skips OCB)
#   E2E_WORK         work directory (default: a new one under /tmp); logs,
#                    configs, manifests, results.txt and load-table.md stay there
#   E2E_PORT_BASE    first of the 127.0.0.1 ports used (default 14300; 50 ports)
#   E2E_BENCH_LINES  lines per load measurement (default 200000)
#   E2E_BENCH_RUNS   runs of each load measurement; the table gives medians
#                    (default 3)
#   E2E_SKIP_BENCH=1 skip the load measurements
#   E2E_TIMEOUT      seconds before the whole run is stopped (default 900)
#
# Every process started here is stopped on exit, whatever happens.
set -euo pipefail

OCB_VERSION=v0.165.0

here=$(cd "$(dirname "$0")" && pwd)
mod=$(dirname "$here")
root=$(cd "$mod/../.." && pwd)
work=${E2E_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/buildlog-e2e.XXXXXX")}
mkdir -p "$work/bin" "$work/logs" "$work/configs" "$work/out"
base=${E2E_PORT_BASE:-14300}
bench_lines=${E2E_BENCH_LINES:-200000}
bench_runs=${E2E_BENCH_RUNS:-3}
started=$(date +%s)
results=$work/results.txt
: >"$results"

log() { printf '%s [%4ss] %s\n' "$(date -u +%H:%M:%S)" "$(($(date +%s) - started))" "$*" >&2; }

# ---- processes ------------------------------------------------------------

declare -A PID=()
ALL=()

# start NAME CMD...: run CMD in the background, output to logs/NAME.log.
start() {
	local name=$1
	shift
	"$@" >>"$work/logs/$name.log" 2>&1 &
	PID[$name]=$!
	ALL+=("$!")
}

# stop NAME [SIGNAL]: signal the process and wait for it (SIGKILL after 20s).
stop() {
	local name=$1 sig=${2:-TERM} pid=${PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill "-$sig" "$pid" 2>/dev/null || true
	for _ in $(seq 200); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	unset "PID[$name]"
}

# descendants PID: the process ids below PID (children, their children...),
# deepest first.
descendants() {
	local child
	for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		descendants "$child"
		echo "$child"
	done
}

cleanup() {
	local rc=$? tree
	trap - EXIT INT TERM
	# The processes started in the background, then anything else that was
	# below this shell (a build or a sender cut short by the time limit, the
	# watchdog's sleep).
	tree=$(descendants $$)
	for pid in "${ALL[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${ALL[@]}"; do
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for pid in $tree; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	log "stopped every process; work directory $work"
	exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# Stop the whole run after E2E_TIMEOUT seconds: whatever runs in the
# foreground (the builder, a sender) is stopped too, so the shell's trap
# runs at once.
watchdog() {
	sleep "${E2E_TIMEOUT:-900}" &
	wait $!
	echo "e2e: time is up (E2E_TIMEOUT=${E2E_TIMEOUT:-900}s)" >&2
	for pid in $(descendants $$); do
		[ "$pid" = "$BASHPID" ] || kill -TERM "$pid" 2>/dev/null || true
	done
	kill -TERM $$
}
watchdog &
ALL+=("$!")

# wait_port PORT: until something listens on 127.0.0.1:PORT (30s at most).
wait_port() {
	for _ in $(seq 300); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "nothing listens on 127.0.0.1:$1" >&2
	return 1
}

# ---- ports ----------------------------------------------------------------
# Back ends A B C D and the bench back end L: OTLP receiver, sink listener
# and Prometheus metrics port of each.
declare -A OTLP=([A]=$((base + 1)) [B]=$((base + 2)) [C]=$((base + 3)) [D]=$((base + 4)) [L]=$((base + 5)))
declare -A SINK=([A]=$((base + 11)) [B]=$((base + 12)) [C]=$((base + 13)) [D]=$((base + 14)) [L]=$((base + 15)))
declare -A METRICS=([A]=$((base + 21)) [B]=$((base + 22)) [C]=$((base + 23)) [D]=$((base + 24)))
FRONT1=$((base + 31))
FRONT2=$((base + 32))
SINK_HTTP=$((base + 40))
sink_url=http://127.0.0.1:$SINK_HTTP

ep() { echo "$1=127.0.0.1:${OTLP[$1]}"; }
RING_ABC="$(ep A),$(ep B),$(ep C)"
RING_AB="$(ep A),$(ep B)"

# ---- build ----------------------------------------------------------------

log "building e2etool and triage"
(cd "$mod" && go build -o "$work/bin/e2etool" ./e2e/e2etool)
(cd "$root" && go build -o "$work/bin/triage" ./examples/triage)
tool=$work/bin/e2etool

if [ -n "${E2E_COLLECTOR:-}" ]; then
	collector=$E2E_COLLECTOR
	log "using the collector $collector"
else
	log "building the back-end collector with OCB $OCB_VERSION (builder-config.yaml)"
	# The module's manifest, building into the work directory rather than
	# the checkout (generated Go under the tree would trouble gofmt -l):
	# output_path, the processor's path and the core module's replace
	# made absolute.
	sed -e "s|^  output_path: .*|  output_path: $work/build|" \
		-e "s|^    path: \./\$|    path: $mod|" \
		-e "s|=> \.\./\.\./\.\.\$|=> $root|" \
		"$mod/builder-config.yaml" >"$work/configs/builder-config.yaml"
	grep -q "output_path: $work/build" "$work/configs/builder-config.yaml" &&
		grep -q "path: $mod\$" "$work/configs/builder-config.yaml" &&
		grep -q "=> $root\$" "$work/configs/builder-config.yaml" ||
		{ echo "builder-config.yaml: output_path, path or replaces not where run.sh expects them" >&2; exit 1; }
	# The builder resolves modules itself: CI's -mod=readonly is not for it.
	(cd "$mod" && env -u GOFLAGS GOBIN="$work/bin" go install "go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION")
	env -u GOFLAGS "$work/bin/builder" --config "$work/configs/builder-config.yaml" >"$work/logs/ocb.log" 2>&1 ||
		{ tail -30 "$work/logs/ocb.log" >&2; exit 1; }
	collector=$work/build/otelcol-buildlog
fi
"$collector" --version >&2

# The fixtures, and triage's verdict on each (exit 1 means "found issues").
cd "$root"
mapfile -t fixtures < <(ls fixtures/*/*.log | sort)
log "${#fixtures[@]} fixture logs; classifying them with triage"
"$work/bin/triage" --format json "${fixtures[@]}" >"$work/out/triage.json" || [ $? -eq 1 ]

# ---- configurations -------------------------------------------------------

# backend NAME PROCESSORS IDLE MAX_STREAMS RECV_MIB METRICS(yes/no)
backend() {
	local name=$1 procs=$2 idle=$3 maxs=$4 mib=$5 metrics=$6
	local recv="" tel="      level: none"
	[ "$mib" = default ] || recv="        max_recv_msg_size_mib: $mib"
	if [ "$metrics" = yes ]; then
		tel="      level: normal
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: ${METRICS[$name]}"
	fi
	cat >"$work/configs/$name.yaml" <<EOF
# Back end $name: the README's back tier, on 127.0.0.1, exporting to the sink.
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${OTLP[$name]}
$recv
processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 80
    spike_limit_percentage: 20
  buildlog:
    build_id:
      attribute: build.id
    idle_timeout: $idle
    max_streams: $maxs
    end_of_build:
      attribute: build.event
      values: [finished]
  batch: {}
exporters:
  otlp_grpc:
    endpoint: 127.0.0.1:${SINK[$name]}
    tls:
      insecure: true
service:
  telemetry:
    metrics:
$tel
  pipelines:
    logs:
      receivers: [otlp]
      processors: [$procs]
      exporters: [otlp_grpc]
EOF
}

# front N PORT: the README's front tier with a static resolver over A, B, C.
front() {
	cat >"$work/configs/front$1.yaml" <<EOF
# Front tier replica $1: the README's front-tier exporter, static resolver.
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:$2
exporters:
  load_balancing:
    routing_key: attributes
    routing_attributes: [build.id]
    protocol:
      otlp:
        timeout: 10s
        tls:
          insecure: true
    resolver:
      static:
        hostnames: [127.0.0.1:${OTLP[A]}, 127.0.0.1:${OTLP[B]}, 127.0.0.1:${OTLP[C]}]
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [otlp]
      processors: []
      exporters: [load_balancing]
EOF
}

full="memory_limiter, buildlog, batch"
for b in A B C; do backend "$b" "$full" 5s 5000 default yes; done
backend D "$full" 3s 50 16 yes

start_backend() {
	start "$1" "$collector" --config "$work/configs/$1.yaml"
	wait_port "${OTLP[$1]}"
}

# ---- run ------------------------------------------------------------------

log "starting the sink and back ends A B C D"
start sink "$tool" sink -http "127.0.0.1:$SINK_HTTP" \
	-listen "A=127.0.0.1:${SINK[A]},B=127.0.0.1:${SINK[B]},C=127.0.0.1:${SINK[C]},D=127.0.0.1:${SINK[D]},L=127.0.0.1:${SINK[L]}"
wait_port "$SINK_HTTP"
for b in A B C D; do start_backend "$b"; done

failures=0
# check CASE -manifest FIRST[,SECOND] ARGS...: run one check, record its
# outcome under the name of the first manifest.
check() {
	local name=$1 label
	label=$(basename "${3%%,*}" .json)
	label=${label%1}
	shift
	if "$tool" check -case "$name" -sink "$sink_url" -triage "$work/out/triage.json" "$@" >"$work/out/check-$label.txt" 2>&1; then
		log "PASS $label ($name)"
	else
		log "FAIL $label ($name)"
		failures=$((failures + 1))
	fi
	{ echo "== $label ($name)"; cat "$work/out/check-$label.txt"; } | tee -a "$results" >&2
}
M=$work/out
send() { "$tool" send "$@" >>"$work/logs/send.log" 2>&1 || { tail -5 "$work/logs/send.log" >&2; return 1; }; }

log "main: every fixture, 4 builds each, interleaved, routed by the ring over A B C"
send -ring "$RING_ABC" -prefix main -copies 4 -end -manifest "$M/main.json" "${fixtures[@]}"
check main -manifest "$M/main.json"

log "noid: 200 records without build.id to A"
send -ring "$RING_ABC" -prefix noid -copies 0 -noid 200 -noid-to A -manifest "$M/noid.json" "${fixtures[0]}"
check noid -manifest "$M/noid.json" -metrics "A=http://127.0.0.1:${METRICS[A]}/metrics"

log "bigline: a 10 MiB line to A (default receiver) and to D (max_recv_msg_size_mib 16)"
send -ring "$(ep A)" -prefix bigA -copies 0 -bigline-mib 10 -bigline-out "$M/bigline.log" -end -manifest "$M/bigA.json" || true
send -ring "$(ep D)" -prefix bigD -copies 0 -bigline-mib 10 -end -manifest "$M/bigD.json"
"$work/bin/triage" --format json "$M/bigline.log" >"$M/bigline-triage.json" || [ $? -eq 1 ]
check bigline -manifest "$M/bigA.json,$M/bigD.json" -bigline-triage "$M/bigline-triage.json"

log "disconnect and removal: half of each build over the ring A B C; the sender of 'disc' then stops"
send -ring "$RING_ABC" -prefix disc -to 0.5 -manifest "$M/disc.json" "${fixtures[@]}"
send -ring "$RING_ABC" -prefix rm -copies 2 -to 0.5 -manifest "$M/rm1.json" "${fixtures[@]}"
log "removal: the second half over the ring without C (C keeps running)"
send -ring "$RING_AB" -prefix rm -copies 2 -from 0.5 -end -manifest "$M/rm2.json" "${fixtures[@]}"
check disconnect -manifest "$M/disc.json"
check removal -manifest "$M/rm1.json,$M/rm2.json"

log "crash (quiet): half of B's builds, a pause, SIGKILL B, restart it, the second half"
send -ring "$RING_ABC" -only B -prefix quiet -copies 3 -to 0.5 -manifest "$M/quiet1.json" "${fixtures[@]}"
sleep 1.5 # B's batch processor exports what it holds: only the sessions die
stop B KILL
start_backend B
send -ring "$RING_ABC" -only B -prefix quiet -copies 3 -from 0.5 -end -manifest "$M/quiet2.json" "${fixtures[@]}"
check crash -manifest "$M/quiet1.json,$M/quiet2.json" -all-records

log "crash: half of B's builds, SIGKILL B as soon as the sender is answered, restart it, the second half"
send -ring "$RING_ABC" -only B -prefix crash -copies 3 -to 0.5 -manifest "$M/crash1.json" "${fixtures[@]}"
# No pause: what B's batch processor still holds (accepted, answered, not
# yet exported) dies with it, as in a real crash.
stop B KILL
start_backend B
send -ring "$RING_ABC" -only B -prefix crash -copies 3 -from 0.5 -end -manifest "$M/crash2.json" "${fixtures[@]}"
check crash -manifest "$M/crash1.json,$M/crash2.json"

log "graceful: half of B's builds, SIGTERM B, start it again, the second half"
send -ring "$RING_ABC" -only B -prefix grace -copies 3 -to 0.5 -manifest "$M/grace1.json" "${fixtures[@]}"
stop B TERM
start_backend B
send -ring "$RING_ABC" -only B -prefix grace -copies 3 -from 0.5 -end -manifest "$M/grace2.json" "${fixtures[@]}"
check graceful -manifest "$M/grace1.json,$M/grace2.json"

log "burst: 150 builds at once, 10 lines at a time, into D (max_streams 50)"
send -ring "$(ep D)" -prefix burst -copies 2 -limit 150 -chunk 10 -end -manifest "$M/burst.json" "${fixtures[@]}"
check burst -manifest "$M/burst.json"

if [ -n "${OTELCOL_CONTRIB:-}" ]; then
	log "front tier: two $OTELCOL_CONTRIB replicas with the README's load-balancing exporter"
	front 1 "$FRONT1"
	front 2 "$FRONT2"
	start front1 "$OTELCOL_CONTRIB" --config "$work/configs/front1.yaml"
	start front2 "$OTELCOL_CONTRIB" --config "$work/configs/front2.yaml"
	wait_port "$FRONT1"
	wait_port "$FRONT2"
	send -via "F1=127.0.0.1:$FRONT1,F2=127.0.0.1:$FRONT2" -prefix front -copies 2 -end -manifest "$M/front.json" "${fixtures[@]}"
	check main -manifest "$M/front.json"
	stop front1
	stop front2
	routing="through two otelcol-contrib front-tier replicas ($("$OTELCOL_CONTRIB" --version 2>&1 | head -1))"
else
	routing="by the load generator's ring (e2e/ring, standing in for the front tier's load-balancing exporter; OTELCOL_CONTRIB not set)"
fi
echo "routing of the main case: $routing" | tee -a "$results" >&2

for b in A B C D; do stop "$b"; done

# ---- load -----------------------------------------------------------------

if [ "${E2E_SKIP_BENCH:-}" != 1 ]; then
	bench=$M/bench.jsonl
	: >"$bench"
	# Runs alternate between the pipelines so a change in the machine's
	# other load falls on both.
	for run in $(seq "$bench_runs"); do
		for pipeline in buildlog none; do
			if [ "$pipeline" = buildlog ]; then procs=$full sums=true; else procs="memory_limiter, batch" sums=false; fi
			backend L "$procs" 10m 20000 default no
			for n in 1 100 10000; do
				log "load: run $run/$bench_runs, pipeline $pipeline, $n concurrent builds, $bench_lines lines"
				start_backend L
				"$tool" bench -endpoint "127.0.0.1:${OTLP[L]}" -pid "${PID[L]}" -sink "$sink_url" \
					-pipeline "$pipeline" -summaries="$sums" -builds "$n" -lines "$bench_lines" -out "$bench" \
					"${fixtures[@]}" >>"$work/logs/bench.log" 2>&1 || { tail -5 "$work/logs/bench.log" >&2; exit 1; }
				stop L
			done
		done
	done
	{
		echo "Load measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, $bench_lines lines per run, median of $bench_runs runs (lowest–highest throughput in brackets):"
		echo
		"$tool" table "$bench"
	} >"$M/load-table.md"
	cat "$M/load-table.md" | tee -a "$results" >&2
fi

wall=$(($(date +%s) - started))
echo "wall time ${wall}s; $failures failed case(s); details in $work" | tee -a "$results" >&2
[ "$failures" -eq 0 ]
