#!/usr/bin/env bash
# Side by side with the peers (issue 6): senda's route query against pgRouting, networkx,
# igraph and petgraph on the same graphs and the same seeded pairs, and senda's tile server
# against Martin serving the same layer. Installs what is missing, runs everything once,
# writes the raw figures to benches/peers/results.json and the table between the markers in
# benches/README.md. Not part of CI: it takes ~15 minutes (plus ~20 for a first Martin build).
#
#   benches/peers/run.sh            # from the repository root, as root (apt, the postgres user)
#
# Environment: PEERS_CACHE (default /work/peers-cache: venv, Martin, exports, the throw-away
# PostgreSQL cluster — nothing of it belongs in the repository), CARGO_TARGET_DIR as usual,
# PEERS_QUICK=1 for a short smoke run (small graphs, few pairs; does not touch the README),
# PEERS_TILES=0 to leave out the tile comparison (and Martin).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${PEERS_CACHE:-/work/peers-cache}
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
BIN=$TARGET/release
DATA=$CACHE/data
PEERS=$REPO/benches/peers
MARTIN_VERSION=1.14.0
MARTIN=$CACHE/martin/bin/martin
mkdir -p "$CACHE" "$DATA"
# Results of earlier runs would end up in this run's report.
rm -rf "$DATA"/*/results
log() { printf '\n== %s  %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- Martin: start its (long) build first, in the background, at the lowest priority.
MARTIN_BUILD=
if [ "${PEERS_TILES:-1}" = 1 ] && [ ! -x "$MARTIN" ]; then
  log "building Martin $MARTIN_VERSION in the background (log: $CACHE/martin-build.log)"
  # Default features clone a repository from the internet in a build script: left out.
  nice -n 19 cargo install martin --version "$MARTIN_VERSION" --locked --no-default-features \
    --features postgres,mbtiles,pmtiles --root "$CACHE/martin" \
    --target-dir "$CACHE/martin-build" >>"$CACHE/martin-build.log" 2>&1 &
  MARTIN_BUILD=$!
fi

# --- System packages (Debian): PostgreSQL 15 + PostGIS + pgRouting, wrk.
if [ ! -d /usr/share/postgresql/15/extension ] || ! ls /usr/share/postgresql/15/extension/pgrouting.control >/dev/null 2>&1 \
   || ! command -v wrk >/dev/null; then
  log "installing postgresql-15-postgis-3, postgresql-15-pgrouting, wrk"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 \
    postgresql-15-pgrouting wrk >/dev/null
fi

# --- Python peers in a venv.
if [ ! -x "$CACHE/venv/bin/python" ]; then
  log "creating the Python venv"
  python3 -m venv "$CACHE/venv"
fi
"$CACHE/venv/bin/pip" install -q networkx igraph "psycopg[binary]"
PY=$CACHE/venv/bin/python

# --- Our binaries.
log "building senda's side (release)"
(cd "$REPO" && cargo build --release -q -p senda-benches --bins -p senda-cli)

# --- Machine facts.
"$PY" - "$CACHE/machine.json" <<'PYEOF'
import json, os, platform, subprocess, sys, datetime
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
json.dump({
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "nproc": int(subprocess.check_output(["nproc"]).decode()),
    "cpu": cpu,
    "mem_gib": round(int(mem) / 2**20, 1),
    "loadavg_at_start": open("/proc/loadavg").read().split()[:3],
    "os": platform.platform(),
    "rustc": subprocess.check_output(["rustc", "--version"]).decode().strip(),
}, open(sys.argv[1], "w"), indent=1)
PYEOF

# --- Graphs: name, spec, pairs; then per peer how many of the pairs it runs.
# The real network: the Andorra extract in the repository's test data (as senda-testkit).
ANDORRA_PBF=$REPO/tests/data/osm/andorra.osm.pbf
[ -f "$ANDORRA_PBF" ] || { echo "missing $ANDORRA_PBF (see tests/data/README.md)" >&2; exit 1; }
ANDORRA=osm:$ANDORRA_PBF
if [ "${PEERS_QUICK:-0}" = 1 ]; then
  GRAPHS=("andorra $ANDORRA 20" "road-10k road:10000:42 10")
  declare -A N_PETGRAPH=([andorra]=20 [road-10k]=10) N_IGRAPH=([andorra]=20 [road-10k]=10)
  declare -A N_NETWORKX=([andorra]=20 [road-10k]=10) N_PG=([andorra]=10 [road-10k]=5)
else
  GRAPHS=("andorra $ANDORRA 200" "road-100k road:100000:42 100" "road-1m road:1000000:42 100")
  declare -A N_PETGRAPH=([andorra]=200 [road-100k]=100 [road-1m]=30)
  declare -A N_IGRAPH=([andorra]=200 [road-100k]=100 [road-1m]=20)
  declare -A N_NETWORKX=([andorra]=200 [road-100k]=50 [road-1m]=10)
  declare -A N_PG=([andorra]=100 [road-100k]=50 [road-1m]=10)
fi

# --- Throw-away PostgreSQL cluster on 127.0.0.1, stopped on exit.
PGBIN=/usr/lib/postgresql/15/bin
PGDIR=$CACHE/pg
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
SENDA_PID=
MARTIN_PID=
cleanup() {
  [ -n "$SENDA_PID" ] && kill "$SENDA_PID" 2>/dev/null || true
  [ -n "$MARTIN_PID" ] && kill "$MARTIN_PID" 2>/dev/null || true
  if [ -f "$PGDIR/data/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null || true; fi
}
trap cleanup EXIT
rm -rf "$PGDIR" && mkdir -p "$PGDIR"
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
PGPORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log "starting PostgreSQL on 127.0.0.1:$PGPORT"
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >/dev/null
# A throw-away cluster: durability off (fsync) to keep loading fast; memory for 1M-node graphs.
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -o "-p $PGPORT -c listen_addresses=127.0.0.1 -k $PGDIR -c shared_buffers=1GB -c work_mem=512MB -c maintenance_work_mem=1GB -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
"$PY" - "$PGPORT" <<'PYEOF'
import sys, psycopg
with psycopg.connect(host="127.0.0.1", port=int(sys.argv[1]), user="postgres", autocommit=True) as c:
    c.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    c.execute("CREATE EXTENSION IF NOT EXISTS pgrouting")
PYEOF

# --- Routing, graph by graph.
for g in "${GRAPHS[@]}"; do
  read -r name spec npairs <<<"$g"
  dir=$DATA/$name
  rm -rf "$dir/results"
  log "$name: export ($spec, $npairs pairs)"
  "$BIN/peers_export" "$spec" "$dir" "$npairs" 7
  log "$name: senda and petgraph"
  "$BIN/peers_route" "$spec" "$dir" "${N_PETGRAPH[$name]}"
  log "$name: igraph"
  "$PY" "$PEERS/py_peers.py" "$dir" igraph "${N_IGRAPH[$name]}"
  log "$name: networkx"
  "$PY" "$PEERS/py_peers.py" "$dir" networkx "${N_NETWORKX[$name]}"
  log "$name: pgRouting"
  "$PY" "$PEERS/pg_peers.py" "$dir" "$PGPORT" "${N_PG[$name]}"
done
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null

# --- Tiles: senda's /tiles/roads against Martin serving senda's PMTiles export of it.
TILES=$DATA/tiles
rm -rf "$TILES"
if [ "${PEERS_TILES:-1}" = 1 ]; then
mkdir -p "$TILES/results"
log "tiles: senda init + export + serve"
"$BIN/senda" init --db "$TILES/senda.db" >/dev/null 2>&1
"$BIN/peers_tiles" "$TILES/senda.db" "$TILES" >"$TILES/senda.out" 2>"$TILES/senda.err" &
SENDA_PID=$!
for _ in $(seq 120); do grep -q listening "$TILES/senda.out" 2>/dev/null && break; sleep 1; done
SENDA_ADDR=$(grep -o '127.0.0.1:[0-9]*' "$TILES/senda.out")
if [ -n "$MARTIN_BUILD" ]; then
  log "waiting for the Martin build (pid $MARTIN_BUILD)"
  wait "$MARTIN_BUILD" || { echo "Martin build failed: $CACHE/martin-build.log" >&2; exit 1; }
fi
MPORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$MARTIN" --listen-addresses "127.0.0.1:$MPORT" "$TILES/roads.pmtiles" >"$TILES/martin.log" 2>&1 &
MARTIN_PID=$!
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$MPORT/catalog" >/dev/null && break; sleep 1; done
"$MARTIN" --version >"$TILES/results/martin-version.txt"
# Same load on both: 2 threads, 16 connections, the same tiles in the same order.
bench() { # server url prefix suffix encoding
  # A first pass fills the caches ("cached" requests/s), then the measured run.
  wrk -t2 -c16 -d4s -s "$PEERS/tiles.lua" "$2" -- "$TILES/urls.txt" "$3" "$4" "$5" >/dev/null
  wrk -t2 -c16 -d15s -s "$PEERS/tiles.lua" "$2" -- "$TILES/urls.txt" "$3" "$4" "$5" \
    >"$TILES/results/$1-$5.txt"
  grep -E '^(LAT|RPS|ERRORS)' "$TILES/results/$1-$5.txt" | tr '\n' ' ' >&2; echo >&2
}
for enc in identity gzip; do
  log "tiles: senda, $enc"; bench senda "http://$SENDA_ADDR" /tiles/roads/ .mvt "$enc"
  log "tiles: martin, $enc"; bench martin "http://127.0.0.1:$MPORT" /roads/ "" "$enc"
done
kill "$SENDA_PID" "$MARTIN_PID"
wait "$SENDA_PID" "$MARTIN_PID" 2>/dev/null || true  # Martin drains its connections first
SENDA_PID=; MARTIN_PID=
fi

# --- The report.
log "report"
if [ "${PEERS_QUICK:-0}" = 1 ]; then
  "$PY" "$PEERS/report.py" "$CACHE" "$DATA" "$CACHE/results-quick.json" -
else
  "$PY" "$PEERS/report.py" "$CACHE" "$DATA" "$PEERS/results.json" "$REPO/benches/README.md"
fi
