# Sourced by the benchmark scripts (bench-dnsd, bench-scale): starting and stopping dnsd,
# NSD and Knot from throw-away configurations on 127.0.0.1, and reading their memory.
# The caller sets: work (a temporary directory, removed on exit), build (the build
# directory whose dnsd runs), baseline (another build directory, for the server "base"),
# zone (the origin), pids (an array: every PID started here is added, for the cleanup);
# optionally server_cpus (taskset list, default 0) and dnsd_threads (default 1).
# shellcheck shell=bash disable=SC2154

free_ports() {  # N ports free on 127.0.0.1 for UDP and TCP
  python3 - "$1" <<'EOF'
import socket, sys
held, ports = [], []
while len(ports) < int(sys.argv[1]):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(t.getsockname())
    except OSError:
        t.close(); u.close(); continue
    held += [t, u]; ports.append(t.getsockname()[1])
print(" ".join(map(str, ports)))
EOF
}

# --- servers ------------------------------------------------------------------------------
# start_server NAME PORT ZONEFILE [dnsd source options...]: writes the configuration,
# starts the server pinned to the CPUs $server_cpus (default 0) in the foreground of a
# background job, sets $server_pid and adds it to $pids. dnsd runs with --threads
# $dnsd_threads (default 1); NSD and Knot single-worker.
# (dnsd-health and dnsd-inventory are dnsd too: their sources come in the options.)
start_server() {
  local name=$1 port=$2 zonefile=$3 dir="$work/$1-$2"
  shift 3
  mkdir -p "$dir"
  case $name in
    dnsd*|base)
      local binary=$build/dnsd
      [ "$name" = base ] && binary=$baseline/dnsd
      taskset -c "${server_cpus:-0}" "$binary" "$@" --listen "127.0.0.1:$port" --threads "${dnsd_threads:-1}" >"$dir/log" 2>&1 &
      ;;
    nsd)
      cat >"$dir/nsd.conf" <<EOF
server:
  ip-address: 127.0.0.1
  port: $port
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$dir"
  database: ""
  zonelistfile: "$dir/zone.list"
  xfrdfile: "$dir/xfrd.state"
  xfrdir: "$dir"
  pidfile: "$dir/nsd.pid"
  verbosity: 1
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "$zone"
  zonefile: "$zonefile"
EOF
      taskset -c "${server_cpus:-0}" nsd -d -c "$dir/nsd.conf" >"$dir/log" 2>&1 &
      ;;
    knot)
      cat >"$dir/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$port
    rundir: "$dir"
    pidfile: "$dir/knot.pid"
    background-workers: 1
    udp-workers: 1
    tcp-workers: 1
control:
    listen: "$dir/knot.sock"
database:
    storage: "$dir"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$dir"
    journal-content: none
    zonefile-sync: -1
zone:
  - domain: $zone
    file: "$zonefile"
EOF
      taskset -c "${server_cpus:-0}" knotd -c "$dir/knot.conf" >"$dir/log" 2>&1 &
      ;;
  esac
  server_pid=$!
  pids+=("$server_pid")
}

stop_server() {  # PID
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

tree() {  # PID and its descendants (NSD forks a server child and xfrd)
  local p c kids
  for p in "$@"; do
    echo "$p"
    kids=$(cat /proc/"$p"/task/*/children 2>/dev/null || true)
    for c in $kids; do tree "$c"; done
  done
}

memory_kb() {  # "PSS RSS HWM" summed over PID's process tree, in kB (HWM: VmHWM, peak RSS)
  local pss=0 rss=0 hwm=0 p v
  for p in $(tree "$1"); do
    v=$(awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0)
    pss=$((pss + ${v:-0}))
    v=$(awk '/^VmRSS:/ { print $2 }' /proc/"$p"/status 2>/dev/null || echo 0)
    rss=$((rss + ${v:-0}))
    v=$(awk '/^VmHWM:/ { print $2 }' /proc/"$p"/status 2>/dev/null || echo 0)
    hwm=$((hwm + ${v:-0}))
  done
  echo "$pss $rss $hwm"
}

settled_memory_kb() {  # PID [MAX_SECONDS]: "PSS RSS HWM SECONDS" once the RSS of PID's tree has
  # stayed within 1% over the last 2 s (sampled every 0.5 s), or after MAX_SECONDS (default
  # 30); SECONDS is how long that took. A server may free its loading's memory some seconds
  # after it answers (a thread that drops the parsed zone), so one reading at a fixed moment
  # can catch it halfway.
  local max=${2:-30} samples=() start now rss p v lo hi s
  start=$(date +%s.%N)
  while :; do
    rss=0
    for p in $(tree "$1"); do
      v=$(awk '/^VmRSS:/ { print $2 }' /proc/"$p"/status 2>/dev/null || echo 0)
      rss=$((rss + ${v:-0}))
    done
    samples+=("$rss")
    now=$(date +%s.%N)
    if [ "${#samples[@]}" -ge 5 ]; then
      lo=${samples[-1]} hi=${samples[-1]}
      for s in "${samples[@]: -5}"; do
        [ "$s" -lt "$lo" ] && lo=$s
        [ "$s" -gt "$hi" ] && hi=$s
      done
      [ $(( (hi - lo) * 100 )) -le "$hi" ] && break
    fi
    awk -v a="$start" -v b="$now" -v m="$max" 'BEGIN { exit !(b - a >= m) }' && break
    sleep 0.5
  done
  echo "$(memory_kb "$1") $(awk -v a="$start" -v b="$now" 'BEGIN { printf "%.1f", b - a }')"
}
