#!/usr/bin/env python3
"""Cuts the UCDP GED Mexico slice for senda (see data/README.md and tests/data/README.md).

    python3 data/violence/cut.py SRC.csv             # the default data: data/violence/ucdp_ged_mexico_2014_2023.csv.gz
    python3 data/violence/cut.py --fixture SRC.csv   # the test fixture: tests/data/violence/ucdp_ged_mexico_sample.csv

SRC is ucdp_ged_mexico_1989_2023_slim.csv (DERIVED from netify-dev/netify@d0dceb6a
`data/mexico.rda`, GED 24.1). Rows are copied byte for byte (the header too); only which rows
are kept changes. The gzip is reproducible (no name, mtime 0), so re-running gives the same
bytes.

Default data: every event whose `date_start` is in 2014 or later (the years of the bundled
IOM Missing Migrants record), country-level ones included (senda's reader skips them and says
so).

Fixture: a few hundred rows that cover every type_of_violence, where_prec and date_prec value
in the source, chosen deterministically: every state-based event (type 1), every 4th
one-sided event (type 3), and for non-state events (type 2) up to 8 evenly spaced rows of each
(where_prec, date_prec) pair, plus the event with the largest `best` and the first rows with
`best` 0; in file order.
"""

import csv
import gzip
import io
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def read(src):
    raw = Path(src).read_bytes()
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    header = next(csv.reader([lines[0].decode("utf-8")]))
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        fields = next(csv.reader([line.decode("utf-8")]))
        # One record per line (GED text fields hold no line breaks in this slice).
        assert len(fields) == len(header), f"line {n}: {len(fields)} fields"
        rows.append((line, dict(zip(header, fields))))
    return lines[0], rows


def default_cut(header, rows):
    kept = [line for line, r in rows if int(r["date_start"][:4]) >= 2014]
    text = b"\n".join([header, *kept]) + b"\n"
    out = ROOT / "data/violence/ucdp_ged_mexico_2014_2023.csv.gz"
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(text)
    out.write_bytes(buf.getvalue())
    print(f"{out}: {len(kept)} events, {len(text)} bytes, {len(buf.getvalue())} gzipped")


def fixture_cut(header, rows):
    keep = set()
    one_sided = 0
    by_pair = defaultdict(list)
    zero_best = 0
    for i, (_, r) in enumerate(rows):
        tov = r["type_of_violence"]
        if tov == "1":
            keep.add(i)
        elif tov == "3":
            if one_sided % 4 == 0:
                keep.add(i)
            one_sided += 1
        else:
            by_pair[(r["where_prec"], r["date_prec"])].append(i)
        if r["best"] == "0" and zero_best < 3:
            keep.add(i)
            zero_best += 1
    for members in by_pair.values():
        step = max(1, len(members) // 8)
        keep.update(members[::step][:8])
    keep.add(max(range(len(rows)), key=lambda i: int(rows[i][1]["best"])))
    kept = [rows[i][0] for i in sorted(keep)]
    out = ROOT / "tests/data/violence/ucdp_ged_mexico_sample.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b"\n".join([header, *kept]) + b"\n")
    print(f"{out}: {len(kept)} events")


def main(argv):
    fixture = "--fixture" in argv
    args = [a for a in argv if a != "--fixture"]
    if len(args) != 1:
        sys.exit(__doc__)
    header, rows = read(args[0])
    (fixture_cut if fixture else default_cut)(header, rows)


if __name__ == "__main__":
    main(sys.argv[1:])
