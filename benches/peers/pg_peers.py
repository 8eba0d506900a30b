"""pgRouting on an exported graph, in a running PostgreSQL (benches/peers/run.sh starts a
throw-away cluster on 127.0.0.1 and runs this in its venv).

    python pg_peers.py DIR PORT PAIRS

Loads DIR's edges into a table (with the end coordinates for A*), then times pgr_dijkstra,
pgr_aStar and pgr_bdAstar one pair per call on the first PAIRS pairs, as every pgRouting application calls
them (the edge SQL is run by each call). Writes DIR/results/pgrouting-OP.json in the format of
senda_benches::peers::PeerResult. pgr_bdDijkstra is not used: it returns higher-than-optimal
costs on some pairs (pgRouting issue #3145).
"""

import json
import os
import sys
import time

import psycopg


def write(d, peer, graph, load_s, ms, cost, note):
    os.makedirs(os.path.join(d, "results"), exist_ok=True)
    with open(os.path.join(d, "results", peer + ".json"), "w") as f:
        json.dump({"peer": peer, "graph": graph, "load_s": load_s, "ms": ms,
                   "cost": cost, "note": note}, f)
    s = sorted(ms)
    q = lambda p: s[round((len(s) - 1) * p)]
    print(f"{peer:>22}: load {load_s:7.2f} s, {len(s)} pairs, p50 {q(0.5):9.3f} ms, "
          f"p99 {q(0.99):9.3f} ms", flush=True)


def copy_file(cur, sql, path):
    with cur.copy(sql) as cp, open(path, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                break
            cp.write(block)


def main():
    d, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    graph = os.path.basename(os.path.normpath(d))
    meta = json.load(open(os.path.join(d, "meta.json")))
    with open(os.path.join(d, "pairs.csv")) as f:
        next(f)
        pairs = [tuple(int(v) for v in line.split(",")) for line in f][:n]
    conn = psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                           autocommit=True)
    cur = conn.cursor()
    versions = cur.execute("SELECT pgr_version(), postgis_lib_version(), "
                           "current_setting('server_version')").fetchone()
    t0 = time.perf_counter()
    cur.execute("DROP TABLE IF EXISTS e; DROP TABLE IF EXISTS v")
    cur.execute("CREATE TABLE v (id bigint PRIMARY KEY, lon float8, lat float8, x float8, "
                "y float8)")
    cur.execute("CREATE TABLE e (id bigint PRIMARY KEY, source bigint, target bigint, "
                "cost float8)")
    copy_file(cur, "COPY v FROM STDIN WITH (FORMAT csv, HEADER true)",
              os.path.join(d, "nodes.csv"))
    copy_file(cur, "COPY e FROM STDIN WITH (FORMAT csv, HEADER true)",
              os.path.join(d, "edges.csv"))
    cur.execute("CREATE TABLE ea AS SELECT e.id, e.source, e.target, e.cost, a.x AS x1, "
                "a.y AS y1, b.x AS x2, b.y AS y2 FROM e JOIN v a ON a.id = e.source "
                "JOIN v b ON b.id = e.target")
    cur.execute("ANALYZE e; ANALYZE ea")
    load = time.perf_counter() - t0
    factor = meta["astar_factor"]
    ops = [
        ("dijkstra",
         "SELECT max(agg_cost) FROM pgr_dijkstra('SELECT id, source, target, cost FROM e', "
         "%s::bigint, %s::bigint, directed => true)",
         "pgr_dijkstra, one pair per call"),
        ("astar",
         "SELECT max(agg_cost) FROM pgr_aStar('SELECT id, source, target, cost, x1, y1, "
         f"x2, y2 FROM ea', %s::bigint, %s::bigint, directed => true, heuristic => 5, "
         f"factor => {factor!r})",
         "pgr_aStar (Euclidean heuristic x A* factor), one pair per call"),
        ("bdastar",
         "SELECT max(agg_cost) FROM pgr_bdAstar('SELECT id, source, target, cost, x1, y1, "
         f"x2, y2 FROM ea', %s::bigint, %s::bigint, directed => true, heuristic => 5, "
         f"factor => {factor!r})",
         "pgr_bdAstar (Euclidean heuristic x A* factor), one pair per call"),
    ]
    for op, sql, note in ops:
        ms, cost = [], []
        for s, t in pairs:
            t1 = time.perf_counter()
            c = cur.execute(sql, (s, t)).fetchone()[0]
            ms.append((time.perf_counter() - t1) * 1e3)
            cost.append(None if c is None else int(round(c)))
        write(d, f"pgrouting-{op}", graph, load, ms, cost,
              f"pgRouting {versions[0]}, PostGIS {versions[1]}, PostgreSQL {versions[2]}: "
              f"{note}")
    cur.execute("DROP TABLE ea; DROP TABLE e; DROP TABLE v")
    conn.close()


if __name__ == "__main__":
    main()
