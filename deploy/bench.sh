# deploy/bench.sh — `deploy/dev bench`, sourced by deploy/dev (uses its build, pg_start, pg_stop, say, die).
# What it measures and how to read the numbers: docs/performance.md.

bench_psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$BENCH_PG_DIR/run" -p 5432 -U anliegen "$@"; }

bench_wait_ready() {
  local port="$1" i
  for i in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "anliegen serve did not become ready (log: $BENCH_DIR/gateway.log)"
}

bench_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Peak resident size of a process in MB (VmHWM: the high-water mark since it started).
bench_peak_rss_mb() { awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }

# CPU time (ms) used so far by a process (all its threads), or by the first of them with the children
# it has waited for (fields 16, 17) and the rest as they are: for PostgreSQL `bench_cpu_ms
# $(bench_pg_pids)`, where backends of finished connections count through the postmaster.
bench_cpu_ms() {
  local hz total first=1 p
  hz="$(getconf CLK_TCK)"
  total=0
  for p in "$@"; do
    if [[ -r "/proc/$p/stat" ]]; then
      if ((first)); then
        total=$((total + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat")))
      else
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
      fi
    fi
    first=0
  done
  echo $((total * 1000 / hz))
}
# The postmaster and its client backends (not the checkpointer, WAL writer or autovacuum launcher,
# whose work belongs to no single phase).
bench_pg_pids() {
  local pm
  pm="$(head -n 1 "$BENCH_PG_DIR/data/postmaster.pid")"
  echo "$pm" $(pgrep -P "$pm" -f 'postgres: anliegen ')
}
# Microseconds of CPU per request: bench_cpu_per <ms before> <ms after> <requests>
bench_cpu_per() { python3 -c "print(round(($2 - $1) * 1000 / max($3, 1)))"; }

bench_value() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

cmd_bench() {
  local concurrency="${ANLIEGEN_BENCH_CONCURRENCY:-64}" duration="${ANLIEGEN_BENCH_DURATION:-30}"
  local rows="${ANLIEGEN_BENCH_ROWS:-1000000}" reads=1
  while (($#)); do
    case "$1" in
      --concurrency) concurrency="${2:?}"; shift 2 ;;
      --duration) duration="${2:?}"; shift 2 ;;
      --rows) rows="${2:?}"; shift 2 ;;
      --skip-reads) reads=0; shift ;;
      *) die "unknown bench option '$1' (--concurrency N, --duration S, --rows N, --skip-reads)" ;;
    esac
  done
  ensure_packages curl python3 time procps
  CMAKE_EXTRA=(-DANLIEGEN_BENCH=ON)
  build "$ROOT/build/release" Release OFF OFF anliegen anliegen-load
  local bin="$ROOT/build/release/bin/anliegen" load="$ROOT/build/release/bin/anliegen-load"

  BENCH_DIR="$(mktemp -d /tmp/anliegen-bench.XXXXXX)"
  BENCH_PG_DIR="$BENCH_DIR/pg"
  BENCH_GATEWAY_PID=""
  chmod 755 "$BENCH_DIR"
  cleanup_bench() {
    [[ -n "$BENCH_GATEWAY_PID" ]] && kill -TERM "$BENCH_GATEWAY_PID" 2>/dev/null && wait "$BENCH_GATEWAY_PID" 2>/dev/null
    pg_stop "$BENCH_PG_DIR" immediate
    rm -rf "$BENCH_DIR"
  }
  trap cleanup_bench EXIT
  pg_start "$BENCH_PG_DIR" 5432 ""
  bench_psql -d postgres -c "CREATE DATABASE anliegen"

  local port secret="bench-secret-$RANDOM$RANDOM"
  port="$(bench_free_port)"
  export ANLIEGEN_DATABASE_URL="host=$BENCH_PG_DIR/run port=5432 user=anliegen dbname=anliegen"
  export ANLIEGEN_LISTEN="127.0.0.1:$port"
  export WHATSAPP_APP_SECRET="$secret" WHATSAPP_VERIFY_TOKEN=bench WHATSAPP_ACCESS_TOKEN=bench
  # Automatic answers are queued in the outbox inside the measured transaction; sending them is not
  # measured: this instance sends nothing (ANLIEGEN_OUTBOX_WORKERS=0). Against a real platform the
  # senders wait ~150 ms per call and cost little CPU; against an address that refuses at once they
  # would claim and retry thousands of rows a second, which no real deployment does.
  export WHATSAPP_GRAPH_URL="http://127.0.0.1:9" ANLIEGEN_OUTBOX_RETRY_BASE_MS=600000 ANLIEGEN_OUTBOX_WORKERS=0
  "$bin" migrate >/dev/null
  "$bin" serve >"$BENCH_DIR/gateway.log" 2>&1 &
  BENCH_GATEWAY_PID=$!
  bench_wait_ready "$port"

  say "ingest: $concurrency connections for ${duration}s of signed WhatsApp deliveries"
  local ingest gw0 pg0 cpu_gw cpu_pg cpu_load ok
  gw0="$(bench_cpu_ms "$BENCH_GATEWAY_PID")"
  pg0="$(bench_cpu_ms $(bench_pg_pids))"
  ingest="$(/usr/bin/time -f '%U %S' -o "$BENCH_DIR/load.time" "$load" --port "$port" --mode whatsapp \
    --concurrency "$concurrency" --duration "$duration" --secret "$secret" --run-id "$(date +%s)" \
    --acked "$BENCH_DIR/acked.txt")"
  ok="$(bench_value ok "$ingest")"
  cpu_gw="$(bench_cpu_per "$gw0" "$(bench_cpu_ms "$BENCH_GATEWAY_PID")" "$ok")"
  cpu_pg="$(bench_cpu_per "$pg0" "$(bench_cpu_ms $(bench_pg_pids))" "$ok")"
  cpu_load="$(read -r u s <"$BENCH_DIR/load.time"; python3 -c "print(round(($u + $s) * 1e6 / max($ok, 1)))")"
  local rss_mb
  rss_mb="$(bench_peak_rss_mb "$BENCH_GATEWAY_PID")"
  bench_psql -d anliegen -c "CREATE TABLE bench_acked (id text NOT NULL)" \
    -c "\\copy bench_acked FROM '$BENCH_DIR/acked.txt'"
  local check lost duplicated stored
  check="$(bench_psql -d anliegen -tA -F ' ' -f "$ROOT/bench/check_acked.sql")"
  read -r lost duplicated stored <<<"$check"
  say "ingest: $ingest; stored $stored, lost $lost, duplicated $duplicated; peak RSS ${rss_mb} MB"

  say "PostgreSQL ceiling: pgbench, one row per transaction, $concurrency clients for ${duration}s"
  bench_psql -d anliegen -f "$ROOT/bench/ceiling_setup.sql"
  # The autovacuum the ingest calls for runs now, not inside pgbench's CPU measurement.
  bench_psql -d anliegen -c "VACUUM (ANALYZE)"
  local pgbench_out ceiling pgbench_tx cpu_ceiling_pg cpu_pgbench
  pg0="$(bench_cpu_ms $(bench_pg_pids))"
  pgbench_out="$(/usr/bin/time -f '%U %S' -o "$BENCH_DIR/pgbench.time" "$PG_BIN/pgbench" -n -h "$BENCH_PG_DIR/run" \
    -p 5432 -U anliegen -c "$concurrency" -j 2 -T "$duration" -f "$ROOT/bench/ceiling.sql" anliegen 2>&1)"
  ceiling="$(sed -n 's/^tps = \([0-9.]*\) .*without initial connection time.*/\1/p' <<<"$pgbench_out" | cut -d. -f1)"
  [[ -n "$ceiling" ]] || die "pgbench failed: $pgbench_out"
  pgbench_tx="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$pgbench_out")"
  cpu_ceiling_pg="$(bench_cpu_per "$pg0" "$(bench_cpu_ms $(bench_pg_pids))" "$pgbench_tx")"
  cpu_pgbench="$(read -r u s <"$BENCH_DIR/pgbench.time"; python3 -c "print(round(($u + $s) * 1e6 / max($pgbench_tx, 1)))")"
  say "pgbench: $ceiling transactions/s"

  local list_out="" byid_out="" report_s="" seed_s=""
  if ((reads)); then
    say "seeding a year: $rows Anliegen"
    local t0=$SECONDS
    bench_psql -d anliegen -v rows="$rows" -f "$ROOT/bench/seed_year.sql"
    seed_s=$((SECONDS - t0))
    # A year-old database has been vacuumed (visibility map, hint bits) and checkpointed long ago; without
    # this, autovacuum of the million fresh rows would run during the read measurements below.
    bench_psql -d anliegen -c "VACUUM (ANALYZE)" -c "CHECKPOINT"
    local token
    token="$("$bin" token create --role admin --name bench 2>/dev/null | tail -n 1)"
    bench_psql -d anliegen -tA -c "SELECT '/api/v1/cases?unit=' || u.code || '&status=' || s
                                     FROM units u, unnest(ARRAY['new','in_progress','answered','closed']) s
                                    WHERE u.active" >"$BENCH_DIR/list.txt"
    bench_psql -d anliegen -tA -c "SELECT '/api/v1/cases/' || id FROM anliegen
                                    WHERE reference LIKE 'S-%' ORDER BY random() LIMIT 10000" >"$BENCH_DIR/byid.txt"
    say "case list (first page by unit and status) and case by id, 16 connections for 10 s each"
    list_out="$("$load" --port "$port" --mode get --concurrency 16 --duration 10 --targets "$BENCH_DIR/list.txt" --token "$token")"
    byid_out="$("$load" --port "$port" --mode get --concurrency 16 --duration 10 --targets "$BENCH_DIR/byid.txt" --token "$token")"
    if "$bin" report weekly --help >/dev/null 2>&1; then
      say "weekly report over the seeded year"
      local t1
      t1=$(date +%s.%N)
      "$bin" report weekly --format json --out "$BENCH_DIR/report.json" >/dev/null
      report_s="$(python3 -c "print(f'{$(date +%s.%N) - $t1:.2f}')")"
    fi
  fi

  local rps p50 p99 ratio
  rps="$(bench_value rps "$ingest")"
  p50="$(bench_value p50_ms "$ingest")"
  p99="$(bench_value p99_ms "$ingest")"
  ratio="$(python3 -c "print(f'{$rps / $ceiling:.2f}')")"
  {
    echo
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
    printf '%-38s %s\n' "ingest (signed WhatsApp, $concurrency conn)" "$ingest"
    printf '%-38s %s\n' "  stored / lost / duplicated" "$stored / $lost / $duplicated"
    printf '%-38s %s MB\n' "  gateway peak resident size" "$rss_mb"
    printf '%-38s gateway %s, PostgreSQL %s, load generator %s\n' "  CPU per delivery (microseconds)" "$cpu_gw" "$cpu_pg" "$cpu_load"
    printf '%-38s %s tps\n' "pgbench one-row ceiling" "$ceiling"
    printf '%-38s PostgreSQL %s, pgbench %s\n' "  CPU per transaction (microseconds)" "$cpu_ceiling_pg" "$cpu_pgbench"
    if ((reads)); then
      printf '%-38s %s s\n' "seed $rows Anliegen" "$seed_s"
      printf '%-38s %s\n' "case list, first page" "$list_out"
      printf '%-38s %s\n' "case by id" "$byid_out"
      [[ -n "$report_s" ]] && printf '%-38s %s s\n' "weekly report over the year" "$report_s"
    fi
    echo "ingest_rps=$rps p50_ms=$p50 p99_ms=$p99 pg_ceiling_tps=$ceiling ratio=$ratio lost=$lost duplicated=$duplicated"
  }
}
