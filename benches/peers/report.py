"""Collects the side-by-side figures written by benches/peers/run.sh.

    python report.py CACHE DATA RESULTS_JSON README|-

Reads DATA/GRAPH/{meta.json,results/*.json} and DATA/tiles/, writes every figure to
RESULTS_JSON and the tables between `<!-- peers:begin -->` and `<!-- peers:end -->` in README
(`-`: print them instead). Medians and p99 are nearest-rank over the pairs each peer ran (the
first k pairs of the same seeded list); a peer's ratio divides its p50 by senda's p50 over
the same k pairs. Costs are checked against petgraph's plain Dijkstra (the oracle), and
against senda for pairs beyond those petgraph ran.
"""

import json
import os
import re
import sys

ORDER = ["senda", "petgraph-dijkstra", "petgraph-bidijkstra", "petgraph-astar",
         "igraph-dijkstra", "igraph-astar", "networkx-dijkstra", "networkx-bidijkstra",
         "networkx-astar", "pgrouting-dijkstra", "pgrouting-astar", "pgrouting-bdastar"]
GRAPHS = ["andorra", "road-10k", "road-100k", "road-1m"]


def q(v, p):
    s = sorted(v)
    return s[round((len(s) - 1) * p)]


def fmt_ms(x):
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 100 else f"{x:.0f}"


def fmt_s(x):
    return f"{x:.3f}" if x < 1 else f"{x:.1f}"


def graph_figures(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    res = {}
    for f in os.listdir(os.path.join(d, "results")):
        if f.endswith(".json"):
            r = json.load(open(os.path.join(d, "results", f)))
            res[r["peer"]] = r
    senda = res["senda"]
    oracle = res.get("petgraph-dijkstra", {"cost": []})["cost"]
    rows = []
    for peer in ORDER + sorted(set(res) - set(ORDER)):
        if peer not in res:
            continue
        r = res[peer]
        k = len(r["ms"])
        ref = [oracle[i] if i < len(oracle) else senda["cost"][i] for i in range(k)]
        bad = [i for i in range(k) if r["cost"][i] != ref[i]]
        rows.append({
            "peer": peer,
            "load_s": r["load_s"],
            "pairs": k,
            "p50_ms": q(r["ms"], 0.5),
            "p99_ms": q(r["ms"], 0.99),
            "senda_p50_ms_same_pairs": q(senda["ms"][:k], 0.5),
            "ratio_p50_vs_senda": q(r["ms"], 0.5) / q(senda["ms"][:k], 0.5),
            "cost_disagreements": len(bad),
            "disagreeing_pairs": bad[:20],
            "note": r["note"],
            "ms": [round(x, 4) for x in r["ms"]],
        })
    return {"meta": meta, "peers": rows}


def parse_wrk(path):
    out = {}
    for line in open(path):
        m = re.match(r"LAT p50=([\d.]+) p99=([\d.]+) mean=([\d.]+)", line)
        if m:
            out.update(p50_ms=float(m[1]), p99_ms=float(m[2]), mean_ms=float(m[3]))
        m = re.match(r"RPS ([\d.]+)", line)
        if m:
            out["req_per_s"] = float(m[1])
        m = re.match(r"ERRORS (\d+)", line)
        if m:
            out["errors"] = int(m[1])
    return out


def main():
    cache, data, out_json, readme = sys.argv[1:5]
    machine = json.load(open(os.path.join(cache, "machine.json")))
    graphs = {}
    for g in GRAPHS:
        d = os.path.join(data, g)
        if os.path.isdir(os.path.join(d, "results")):
            graphs[g] = graph_figures(d)
    tiles = {}
    td = os.path.join(data, "tiles")
    if os.path.isdir(td):
        tiles["senda_export"] = json.load(open(os.path.join(td, "senda-tiles.json")))
        v = os.path.join(td, "results", "martin-version.txt")
        tiles["martin_version"] = open(v).read().strip() if os.path.exists(v) else None
        for server in ["senda", "martin"]:
            for enc in ["identity", "gzip"]:
                p = os.path.join(td, "results", f"{server}-{enc}.txt")
                if os.path.exists(p):
                    tiles[f"{server}-{enc}"] = parse_wrk(p)
    results = {"machine": machine, "graphs": graphs, "tiles": tiles}
    with open(out_json, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")

    m = machine
    lines = [
        f"Run of {m['date']}: {m['nproc']} cores ({m['cpu']}), {m['mem_gib']} GiB, "
        f"{m['rustc']}; load average at the start {' / '.join(m['loadavg_at_start'])} "
        "(other jobs shared the machine). Raw figures: `benches/peers/results.json`.",
        "",
        "Routing: fastest vehicle route between two nodes, one pair per call, the same seeded "
        "pairs for every peer (each peer runs the first *k* of them). *load* = reading the "
        "export and building the peer's graph (senda: `RoadGraph::build` from the segments, then the CCH's nested-dissection order, structure and customization — once per network; "
        "pgRouting: `COPY` into tables). *÷ senda* = the peer's p50 over senda's p50 on the "
        "same *k* pairs (above 1: senda is faster). *costs*: against petgraph's Dijkstra.",
        "",
        "| graph | peer | load (s) | pairs | p50 (ms) | p99 (ms) | ÷ senda | costs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for g, fig in graphs.items():
        meta = fig["meta"]
        label = f"{g} ({meta['nodes']:,} nodes, {meta['edges']:,} edges)"
        for r in fig["peers"]:
            costs = "identical" if r["cost_disagreements"] == 0 else \
                f"**{r['cost_disagreements']} differ**"
            ratio = "1" if r["peer"] == "senda" else f"{r['ratio_p50_vs_senda']:.1f}×"
            lines.append(f"| {label} | {r['peer']} | {fmt_s(r['load_s'])} | {r['pairs']} | "
                         f"{fmt_ms(r['p50_ms'])} | {fmt_ms(r['p99_ms'])} | {ratio} | {costs} |")
            label = ""
    if tiles:
        e = tiles["senda_export"]
        lines += [
            "",
            f"Tiles: the `roads` layer over southern Mexico–Guatemala–El Salvador, zooms 6–12 "
            f"(default data). senda serves `/tiles/roads/z/x/y.mvt` from its in-memory cache; "
            f"Martin ({tiles.get('martin_version')}) serves senda's PMTiles export of the same "
            f"layer ({e['tiles_written']:,} tiles, {e['pack_bytes']:,} bytes, exported in "
            f"{e['export_s']:.2f} s). Load: `wrk -t2 -c16 -d15s` cycling over the same "
            f"{e['urls']:,} tiles, after a 4 s warm-up pass (so both are cached); *gzip* "
            "sends `Accept-Encoding: gzip`. Client and servers share the 2 cores.",
            "",
            "| server | encoding | requests/s | p50 (ms) | p99 (ms) | senda ÷ Martin (req/s) |",
            "|---|---|---|---|---|---|",
        ]
        for enc in ["identity", "gzip"]:
            s, mt = tiles.get(f"senda-{enc}"), tiles.get(f"martin-{enc}")
            for name, r in [("senda", s), ("Martin", mt)]:
                if r:
                    ratio = f"{s['req_per_s'] / mt['req_per_s']:.2f}×" \
                        if name == "senda" and s and mt else ""
                    err = f" ({r['errors']} errors)" if r.get("errors") else ""
                    lines.append(f"| {name} | {enc} | {r['req_per_s']:,.0f}{err} | "
                                 f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {ratio} |")
        lines += [
            "",
            f"senda cold render (no cache, `TileSource::render` of the same tiles, no HTTP): "
            f"p50 {e['cold_render_p50_ms']:.3f} ms, p99 {e['cold_render_p99_ms']:.2f} ms.",
        ]
    table = "\n".join(lines)
    if readme == "-":
        print(table)
        return
    text = open(readme).read()
    begin, end = "<!-- peers:begin -->", "<!-- peers:end -->"
    if begin not in text or end not in text:
        sys.exit(f"{readme}: no {begin} … {end} markers")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    open(readme, "w").write(f"{head}{begin}\n{table}\n{end}{tail}")
    print(table)


if __name__ == "__main__":
    main()
