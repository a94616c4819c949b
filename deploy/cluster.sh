#!/usr/bin/env bash
# A local CrossMargin cluster on loopback: a private PostgreSQL, a private RabbitMQ and N nodes in cluster mode.
#
#   deploy/cluster.sh start [N]     start the servers and N nodes (default 3), wait until every node is ready
#   deploy/cluster.sh status        nodes (pid, url, ready?) and servers
#   deploy/cluster.sh env           the connection settings, as sourceable KEY=value lines
#   deploy/cluster.sh kill NODE     SIGKILL one node (node-2 or 2), for fail-over demos
#   deploy/cluster.sh restart NODE  start a killed node again (stopping it first when it still runs)
#   deploy/cluster.sh stop          stop the nodes (SIGTERM, SIGKILL after CM_STOP_TIMEOUT s), the servers; remove the run dir
#
# Environment:
#   CM_RUN_DIR        where everything lives (default deploy/.run); tests use their own so they never touch yours
#   CM_BASE_PORT      HTTP port of node-1; node-i listens on CM_BASE_PORT+i-1 (default 5081)
#   CM_SHARDS         shard count (default 16)
#   CM_NO_BUILD=1     skip `dotnet build` (the Release build must already be there)
#   CM_NODE_DLL       the node to run (default: the Release build's crossmargin-node.dll); the tests pass their own
#   CM_NODE_ARGS      extra `--Section:Key=value` arguments for every node
#   CM_SIMULATOR=1    run the market simulator on node-1 (it drives accounts on every node through the broker)
#   CM_PG_BIN         PostgreSQL server binaries (default: newest /usr/lib/postgresql/*/bin)
#   CM_RABBITMQ_BIN   RabbitMQ scripts (default /usr/lib/rabbitmq/bin)
#   CM_READY_TIMEOUT  seconds to wait for each node's /ready (default 120)
#   CM_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL for a node (default 20)
#
# As root (CI, these machines), the servers run as the postgres and rabbitmq users (runuser), since neither runs as
# root; as a normal user they run as that user and runuser is not needed.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN_DIR=${CM_RUN_DIR:-$REPO/deploy/.run}
BASE_PORT=${CM_BASE_PORT:-5081}
SHARDS=${CM_SHARDS:-16}
READY_TIMEOUT=${CM_READY_TIMEOUT:-120}
STOP_TIMEOUT=${CM_STOP_TIMEOUT:-20}
NODE_DLL=${CM_NODE_DLL:-$REPO/src/CrossMargin.Node/bin/Release/net10.0/crossmargin-node.dll}   # AssemblyName in CrossMargin.Node.csproj
DB_NAME=crossmargin
DB_USER=cm

die() { echo "cluster.sh: $*" >&2; exit 1; }
say() { echo "cluster.sh: $*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }

# Runs "$@" as USER when root, else as the current user.
as_user() {
  local user=$1; shift
  if is_root; then runuser -u "$user" -- "$@"; else "$@"; fi
}

pg_bin() {
  if [ -n "${CM_PG_BIN:-}" ]; then
    [ -x "$CM_PG_BIN/initdb" ] || die "CM_PG_BIN is '$CM_PG_BIN' but it has no initdb."
    echo "$CM_PG_BIN"; return
  fi
  local found
  found=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 3 -name initdb -path '*/bin/*' 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$found" ] || die "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb, CM_PG_BIN unset). Install them: apt-get install -y postgresql (./test.sh does), or set CM_PG_BIN."
  dirname "$found"
}

rabbit_bin() {
  local bin=${CM_RABBITMQ_BIN:-/usr/lib/rabbitmq/bin}
  if [ ! -x "$bin/rabbitmq-server" ] || [ ! -x "$bin/rabbitmqctl" ]; then die "RabbitMQ server binaries not found (no $bin/rabbitmq-server). Install them: apt-get install -y rabbitmq-server (./test.sh does), or set CM_RABBITMQ_BIN."; fi
  echo "$bin"
}

# A TCP port on 127.0.0.1 nobody listens on, below the kernel's ephemeral range: a port inside it (what binding port 0
# returns) can be handed to an outbound connection or another port-0 listener before the server binds it. Never one of
# the ports given as arguments (those picked already and not bound yet).
free_port() {
  local low=32768 port
  if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then read -r low _ </proc/sys/net/ipv4/ip_local_port_range; fi
  [ "$low" -gt 21000 ] 2>/dev/null || low=32768
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % (low - 20000)))
    case " $* " in *" $port "*) continue ;; esac
    port_busy "$port" || { echo "$port"; return; }
  done
  die "no free port found below $low"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Settings written by `start` (ports, node count); absent when no cluster runs from this run dir.
load_state() {
  [ -f "$RUN_DIR/state" ] || die "no cluster in $RUN_DIR (run: deploy/cluster.sh start)."
  # shellcheck source=/dev/null
  . "$RUN_DIR/state"
}

rabbit_env() {
  local dir=$RUN_DIR/rabbitmq
  # HOME is where the Erlang cookie is read: the node and rabbitmqctl share this private one.
  echo env "HOME=$dir" "RABBITMQ_NODENAME=$RABBIT_NODE" "RABBITMQ_NODE_PORT=$RABBIT_PORT" "RABBITMQ_DIST_PORT=$RABBIT_DIST_PORT" \
    "RABBITMQ_MNESIA_BASE=$dir/mnesia" "RABBITMQ_LOG_BASE=$dir/log" "RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins" \
    "RABBITMQ_PID_FILE=$dir/pid" "RABBITMQ_CONFIG_FILE=$dir/rabbitmq" "RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf"
}

rabbitmqctl_() {
  local -a environment
  read -r -a environment <<<"$(rabbit_env)"
  (cd "$RUN_DIR/rabbitmq" && as_user rabbitmq "${environment[@]}" "$(rabbit_bin)/rabbitmqctl" -n "$RABBIT_NODE" "$@")
}

pg_connection() { echo "Host=127.0.0.1;Port=$PG_PORT;Username=$DB_USER;Database=$DB_NAME"; }
rabbit_uri() { echo "amqp://guest:guest@127.0.0.1:$RABBIT_PORT/"; }
node_port() { echo $((BASE_PORT + $1 - 1)); }
node_url() { echo "http://127.0.0.1:$(node_port "$1")"; }
node_pid() { cat "$RUN_DIR/node-$1/pid" 2>/dev/null || true; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
# /ready answers 200 once the node serves; without curl, a plain HTTP/1.0 request through bash's /dev/tcp.
ready() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -m 2 "$(node_url "$1")/ready" >/dev/null 2>&1
  else
    # shellcheck disable=SC2016 # $0 belongs to the inner shell
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" && printf "GET /ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3 && head -1 <&3 | grep -q " 200 "' \
      "$(node_port "$1")" 2>/dev/null
  fi
}

# node-2, 2 -> 2
node_index() {
  local index=${1#node-}
  if ! [[ "$index" =~ ^[0-9]+$ ]] || [ "$index" -lt 1 ] || [ "$index" -gt "$NODES" ]; then
    die "no node '$1' (nodes: node-1..node-$NODES)."
  fi
  echo "$index"
}

start_postgres() {
  local bin dir=$RUN_DIR/postgres
  bin=$(pg_bin)
  mkdir -p "$dir"
  # initdb refuses to run as root: the cluster belongs to the postgres user.
  if is_root; then chown postgres:postgres "$dir"; fi
  as_user postgres "$bin/initdb" -D "$dir/data" -A trust -U "$DB_USER" -E UTF8 --no-locale --no-sync >"$RUN_DIR/postgres-initdb.log" 2>&1 \
    || die "initdb failed: $(cat "$RUN_DIR/postgres-initdb.log")"
  # wal_compression=lz4: full-page images (written after every checkpoint) compressed; README, "Operate a cluster".
  as_user postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-p $PG_PORT -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c wal_compression=lz4" start >/dev/null \
    || die "PostgreSQL did not start: $(tail -20 "$dir/log" 2>/dev/null)"
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d postgres -qAt -c "CREATE DATABASE $DB_NAME" >/dev/null \
    || die "could not create database $DB_NAME"
  say "PostgreSQL on 127.0.0.1:$PG_PORT (database $DB_NAME, user $DB_USER, trust)"
}

start_rabbitmq() {
  local bin dir=$RUN_DIR/rabbitmq
  bin=$(rabbit_bin)
  mkdir -p "$dir/mnesia" "$dir/log"
  # The accounts exchange is x-modulus-hash (rabbitmq_sharding); the consistent-hash exchange is the alternative type.
  echo '[rabbitmq_consistent_hash_exchange,rabbitmq_sharding].' >"$dir/enabled_plugins"
  printf '%s\n' "listeners.tcp.default = 127.0.0.1:$RABBIT_PORT" "disk_free_limit.absolute = 50MB" \
    "log.console = true" "log.console.level = warning" >"$dir/rabbitmq.conf"
  # Our own, so the system's /etc/rabbitmq/rabbitmq-env.conf (node name, ports) does not apply. It raises the soft
  # open-file limit to the hard one: under runuser the broker got 1024 (a file handle cache of 927), which a few
  # hundred quorum queues use up; a classic queue deleted after that waits for a handle for ever, and so do its
  # connection's close and rabbitmqctl stop.
  echo 'ulimit -S -n "$(ulimit -H -n)" 2>/dev/null || true' >"$dir/rabbitmq-env.conf"
  head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/.erlang.cookie"
  chmod 400 "$dir/.erlang.cookie"
  if is_root; then chown -R rabbitmq:rabbitmq "$dir"; fi
  local -a environment
  read -r -a environment <<<"$(rabbit_env)"
  local -a as_rabbitmq=()
  if is_root; then as_rabbitmq=(runuser -u rabbitmq --); fi
  # setsid: the broker outlives this script and a Ctrl-C in its terminal.
  # The redirections are on the subshell, so nothing left running holds this script's stdout (a caller's pipe).
  (cd "$dir" && exec setsid "${as_rabbitmq[@]}" "${environment[@]}" "$bin/rabbitmq-server") >"$RUN_DIR/rabbitmq.out" 2>&1 </dev/null &
  local waited=0
  # await_startup fails at once while the node is not registered yet, so it is polled.
  until rabbitmqctl_ await_startup --timeout 30 >/dev/null 2>&1; do
    waited=$((waited + 1))
    [ "$waited" -lt 90 ] || die "RabbitMQ did not start within 90 s: $(tail -20 "$RUN_DIR/rabbitmq.out")"
    sleep 1
  done
  say "RabbitMQ $RABBIT_NODE on 127.0.0.1:$RABBIT_PORT (plugins: rabbitmq_sharding, rabbitmq_consistent_hash_exchange)"
}

start_node() {
  local i=$1 dir port
  dir=$RUN_DIR/node-$i
  port=$(node_port "$i")
  port_busy "$port" && die "port $port (node-$i) is in use; set CM_BASE_PORT to another base."
  mkdir -p "$dir/data"
  local -a extra=()
  if [ -n "${CM_NODE_ARGS:-}" ]; then read -r -a extra <<<"$CM_NODE_ARGS"; fi
  # One simulated venue for the whole cluster: a second would trade the same accounts under the same message ids.
  local simulator=false
  if [ "${CM_SIMULATOR:-}" = 1 ] && [ "$i" = 1 ]; then simulator=true; fi
  # The pid written is the dotnet process itself (exec), so kill/status act on the node, not on a wrapper shell.
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  (cd "$dir" && exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$dir/pid" \
    dotnet "$NODE_DLL" --config-dir "$REPO/config" \
    "--Node:Name=node-$i" "--Node:HttpUrl=http://127.0.0.1:$port" "--Node:DataDirectory=$dir/data" \
    "--Simulator:Enabled=$simulator" \
    "--Cluster:Enabled=true" "--Cluster:NodeId=node-$i" "--Cluster:PostgresConnectionString=$(pg_connection)" \
    "--Cluster:ShardCount=$SHARDS" \
    "--RabbitMq:Uri=$(rabbit_uri)" "--RabbitMq:ShardCount=$SHARDS" "--RabbitMq:Prefix=cm" \
    "${extra[@]}") >"$dir/out.log" 2>&1 </dev/null &
  local waited=0
  until [ -s "$dir/pid" ]; do sleep 0.1; waited=$((waited + 1)); [ "$waited" -lt 100 ] || die "node-$i did not start"; done
}

wait_ready() {
  local i=$1 pid deadline=$((SECONDS + READY_TIMEOUT))
  pid=$(node_pid "$i")
  until ready "$i"; do
    alive "$pid" || die "node-$i (pid $pid) exited; its output ($RUN_DIR/node-$i/out.log):
$(tail -30 "$RUN_DIR/node-$i/out.log")"
    [ "$SECONDS" -lt "$deadline" ] || die "node-$i not ready within $READY_TIMEOUT s; see $RUN_DIR/node-$i/out.log"
    sleep 0.5
  done
  say "node-$i ready at $(node_url "$i") (pid $pid)"
}

stop_node() {
  local i=$1 pid deadline
  pid=$(node_pid "$i")
  alive "$pid" || return 0
  kill -CONT "$pid" 2>/dev/null || true   # a node frozen by a demo or test must be able to act on SIGTERM
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if alive "$pid"; then
    say "node-$i (pid $pid) still running after $STOP_TIMEOUT s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

cmd_start() {
  local count=${1:-3}
  [[ "$count" =~ ^[1-9][0-9]*$ ]] || die "start: N must be a positive number, not '$count'."
  if [ -f "$RUN_DIR/state" ]; then die "a cluster already runs from $RUN_DIR (deploy/cluster.sh stop first)."; fi
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH."
  if is_root; then command -v runuser >/dev/null 2>&1 || die "runuser (util-linux) is needed when running as root."; fi
  pg_bin >/dev/null
  rabbit_bin >/dev/null
  mkdir -p "$RUN_DIR"
  # The servers' users must reach their directories under the run dir.
  chmod 755 "$RUN_DIR"

  # Build first: a failed build should not leave servers behind.
  if [ "${CM_NO_BUILD:-}" != 1 ]; then
    say "building the node (dotnet build -c Release src/CrossMargin.Node)"
    dotnet build -c Release "$REPO/src/CrossMargin.Node" -nologo -v q >"$RUN_DIR/build.log" 2>&1 \
      || { cat "$RUN_DIR/build.log" >&2; rm -rf "$RUN_DIR"; die "the build failed"; }
  fi
  [ -f "$NODE_DLL" ] || die "$NODE_DLL is missing (build with: dotnet build -c Release src/CrossMargin.Node)."

  NODES=$count
  local taken="" i
  for i in $(seq 1 "$count"); do taken="$taken $(node_port "$i")"; done
  PG_PORT=$(free_port $taken)
  RABBIT_PORT=$(free_port $taken "$PG_PORT")
  RABBIT_DIST_PORT=$(free_port $taken "$PG_PORT" "$RABBIT_PORT")
  RABBIT_NODE="cm-$$-$RANDOM@localhost"
  printf '%s\n' "NODES=$NODES" "PG_PORT=$PG_PORT" "RABBIT_PORT=$RABBIT_PORT" "RABBIT_DIST_PORT=$RABBIT_DIST_PORT" \
    "RABBIT_NODE=$RABBIT_NODE" "BASE_PORT=$BASE_PORT" "SHARDS=$SHARDS" >"$RUN_DIR/state"

  # A start that fails half-way leaves nothing running behind it.
  trap 'say "start failed: stopping what was started"; cmd_stop' EXIT
  start_postgres
  start_rabbitmq
  local i
  for i in $(seq 1 "$NODES"); do start_node "$i"; done
  for i in $(seq 1 "$NODES"); do wait_ready "$i"; done
  cmd_env >"$RUN_DIR/env"
  trap - EXIT
  say "cluster of $NODES nodes up; settings: deploy/cluster.sh env (also $RUN_DIR/env)"
}

cmd_stop() {
  [ -d "$RUN_DIR" ] || { say "nothing runs from $RUN_DIR"; return 0; }
  if [ -f "$RUN_DIR/state" ]; then
    load_state
    local i
    local -a stoppers=()
    for i in $(seq 1 "$NODES"); do stop_node "$i" & stoppers+=("$!"); done
    # Only these: after a failed start the broker is a child of this shell too, and a bare `wait` would wait for it.
    wait "${stoppers[@]}"
    if [ -f "$RUN_DIR/rabbitmq/pid" ]; then
      # With the pid file, rabbitmqctl waits until the broker's process is gone, so the directory can go next.
      rabbitmqctl_ stop "$RUN_DIR/rabbitmq/pid" >/dev/null 2>&1 || say "RabbitMQ was not running"
    fi
    if [ -f "$RUN_DIR/postgres/data/postmaster.pid" ]; then
      as_user postgres "$(pg_bin)/pg_ctl" -D "$RUN_DIR/postgres/data" -m fast -w -t 30 stop >/dev/null || say "PostgreSQL did not stop cleanly"
    fi
  fi
  rm -rf "$RUN_DIR"
  say "stopped; removed $RUN_DIR"
}

cmd_status() {
  load_state
  local i pid state
  printf '%-8s %-8s %-24s %s\n' NODE PID URL STATE
  for i in $(seq 1 "$NODES"); do
    pid=$(node_pid "$i")
    if ! alive "$pid"; then state=dead
    elif [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = T ]; then state=stopped
    elif ready "$i"; then state=ready
    else state=not-ready
    fi
    printf '%-8s %-8s %-24s %s\n' "node-$i" "${pid:--}" "$(node_url "$i")" "$state"
  done
  if as_user postgres "$(pg_bin)/pg_ctl" -D "$RUN_DIR/postgres/data" status >/dev/null 2>&1; then state=running; else state=down; fi
  echo "postgres 127.0.0.1:$PG_PORT $state"
  local handles=""
  if rabbitmqctl_ status >/dev/null 2>&1; then
    state=running
    handles="; file handle limit $(rabbitmqctl_ eval 'file_handle_cache:get_limit().' 2>/dev/null | tr -d '[:space:]')"
  else state=down; fi
  echo "rabbitmq 127.0.0.1:$RABBIT_PORT $state ($RABBIT_NODE$handles)"
}

cmd_env() {
  load_state
  local i
  echo "CM_RUN_DIR=$RUN_DIR"
  echo "CM_NODES=$NODES"
  echo "CM_SHARDS=$SHARDS"
  echo "CM_PG_PORT=$PG_PORT"
  echo "CM_PG_CONNECTION='$(pg_connection)'"
  echo "CM_RABBITMQ_URI=$(rabbit_uri)"
  echo "CM_RABBITMQ_NODE=$RABBIT_NODE"
  for i in $(seq 1 "$NODES"); do
    echo "CM_NODE_${i}_URL=$(node_url "$i")"
    echo "CM_NODE_${i}_PID=$(node_pid "$i")"
  done
}

cmd_kill() {
  [ $# -eq 1 ] || die "usage: deploy/cluster.sh kill NODE"
  load_state
  local i pid
  i=$(node_index "$1")
  pid=$(node_pid "$i")
  alive "$pid" || die "node-$i is not running."
  kill -KILL "$pid"
  say "node-$i (pid $pid) killed with SIGKILL"
}

cmd_restart() {
  [ $# -eq 1 ] || die "usage: deploy/cluster.sh restart NODE"
  load_state
  local i
  i=$(node_index "$1")
  stop_node "$i"
  rm -f "$RUN_DIR/node-$i/pid"
  CM_NO_BUILD=1 start_node "$i"
  wait_ready "$i"
}

usage() { sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

main() {
  [ $# -ge 1 ] || usage
  local verb=$1; shift
  case "$verb" in
    start) cmd_start "$@" ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    kill) cmd_kill "$@" ;;
    restart) cmd_restart "$@" ;;
    -h|--help|help) usage ;;
    *) say "unknown command '$verb'"; usage ;;
  esac
}

main "$@"
