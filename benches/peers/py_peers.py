"""networkx and igraph on an exported graph (benches/peers/run.sh runs this in its venv).

    python py_peers.py DIR PEER PAIRS

PEER is networkx or igraph; the first PAIRS pairs of DIR/pairs.csv are timed one by one and
DIR/results/PEER-OP.json is written in the format of senda_benches::peers::PeerResult.
"""

import csv
import json
import math
import os
import sys
import time


def read_csv(path, cols, conv):
    with open(path, newline="") as f:
        r = csv.reader(f)
        next(r)
        return [tuple(conv(row[c]) for c in cols) for row in r]


def write(d, peer, graph, load_s, ms, cost, note):
    os.makedirs(os.path.join(d, "results"), exist_ok=True)
    with open(os.path.join(d, "results", peer + ".json"), "w") as f:
        json.dump({"peer": peer, "graph": graph, "load_s": load_s, "ms": ms,
                   "cost": cost, "note": note}, f)
    s = sorted(ms)
    q = lambda p: s[round((len(s) - 1) * p)]
    print(f"{peer:>22}: load {load_s:7.2f} s, {len(s)} pairs, p50 {q(0.5):9.3f} ms, "
          f"p99 {q(0.99):9.3f} ms", flush=True)


def timed(pairs, f):
    ms, cost = [], []
    for s, t in pairs:
        t0 = time.perf_counter()
        c = f(s, t)
        ms.append((time.perf_counter() - t0) * 1e3)
        cost.append(None if c is None else int(round(c)))
    return ms, cost


def main():
    d, peer, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    graph = os.path.basename(os.path.normpath(d))
    meta = json.load(open(os.path.join(d, "meta.json")))
    pairs = read_csv(os.path.join(d, "pairs.csv"), (0, 1), int)[:n]
    factor = meta["astar_factor"]

    if peer == "networkx":
        import networkx as nx
    elif peer == "igraph":
        import igraph as ig
    else:
        sys.exit(f"unknown peer {peer!r}: expected networkx or igraph")

    t0 = time.perf_counter()
    edges = read_csv(os.path.join(d, "edges.csv"), (1, 2, 3), int)
    xy = read_csv(os.path.join(d, "nodes.csv"), (3, 4), float)

    def h(u, t):
        (x, y), (tx, ty) = xy[u], xy[t]
        return math.floor(factor * math.hypot(x - tx, y - ty))

    if peer == "networkx":
        g = nx.DiGraph()
        g.add_nodes_from(range(meta["nodes"]))
        # A DiGraph keeps one edge per ordered pair: keep the cheapest of parallel edges.
        best = {}
        for s, t, c in edges:
            if best.get((s, t), c + 1) > c:
                best[(s, t)] = c
        g.add_weighted_edges_from((s, t, c) for (s, t), c in best.items())
        load = time.perf_counter() - t0
        ver = nx.__version__

        def dij(s, t):
            try:
                return nx.dijkstra_path_length(g, s, t, weight="weight")
            except nx.NetworkXNoPath:
                return None

        def bidij(s, t):
            try:
                return nx.bidirectional_dijkstra(g, s, t, weight="weight")[0]
            except nx.NetworkXNoPath:
                return None

        def ast(s, t):
            try:
                return nx.astar_path_length(g, s, t, heuristic=lambda u, v: h(u, v),
                                            weight="weight")
            except nx.NetworkXNoPath:
                return None

        for op, f, note in [
            ("dijkstra", dij, "dijkstra_path_length"),
            ("bidijkstra", bidij, "bidirectional_dijkstra"),
            ("astar", ast, "astar_path_length, planar distance x A* factor"),
        ]:
            ms, cost = timed(pairs, f)
            write(d, f"networkx-{op}", graph, load, ms, cost, f"networkx {ver} {note}")
    elif peer == "igraph":
        g = ig.Graph(n=meta["nodes"], edges=[(s, t) for s, t, _ in edges], directed=True)
        w = [c for _, _, c in edges]
        g.es["weight"] = w
        load = time.perf_counter() - t0
        ver = ig.__version__

        def dij(s, t):
            c = g.distances(source=s, target=t, weights="weight", algorithm="dijkstra")[0][0]
            return None if math.isinf(c) else c

        def ast(s, t):
            p = g.get_shortest_path_astar(s, t, lambda _g, u, v: h(u, v), weights="weight",
                                          output="epath")
            if not p and s != t:
                return None
            return sum(w[e] for e in p)

        for op, f, note in [
            ("dijkstra", dij, "Graph.distances(algorithm='dijkstra'), one pair per call"),
            ("astar", ast, "Graph.get_shortest_path_astar, planar distance x A* factor"),
        ]:
            ms, cost = timed(pairs, f)
            write(d, f"igraph-{op}", graph, load, ms, cost, f"python-igraph {ver} {note}")


if __name__ == "__main__":
    main()
