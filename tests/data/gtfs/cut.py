#!/usr/bin/env python3
"""Derives the GTFS test fixtures in this folder from the project's shared data (run by hand,
never by the tests or the build): `python3 cut.py SHARED_DATA_DIR`.

- cdmx_semovi_cut.zip: Mexico City SEMOVI, routes Metro 1 and 2, Tren Ligero, Cablebús 1,
  Trolebús 1 and RTP 300-B and Ordinario4 L1, with every trip, stop time and
  frequency of those routes, the stops they use plus the first three stops no trip uses,
  agency.txt and calendar.txt.
- ni_esteli_cut.zip: Estelí buses, routes 1 and 3, every trip and stop time of them, the
  stops they use and their parent stations, agency.txt and calendar.txt.
Rows keep their original order; files are written back with the same columns.
"""
import csv, io, os, sys, zipfile

def read(src, name):
    if os.path.isdir(src):
        path = os.path.join(src, name)
        if not os.path.exists(path):
            return None, None
        f = open(path, encoding="utf-8-sig", newline="")
    else:
        z = zipfile.ZipFile(src)
        if name not in z.namelist():
            return None, None
        f = io.TextIOWrapper(z.open(name), encoding="utf-8-sig", newline="")
    r = csv.DictReader(f)
    return r.fieldnames, list(r)

def write(z, name, fields, rows):
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    z.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), out.getvalue(), zipfile.ZIP_DEFLATED)

def cut(src, dst, keep_routes, extra_unused_stops):
    tables = {n: read(src, n) for n in ["agency.txt", "calendar.txt", "routes.txt", "trips.txt",
                                        "stop_times.txt", "frequencies.txt", "stops.txt"]}
    routes = [r for r in tables["routes.txt"][1] if r["route_id"] in keep_routes]
    trips = [t for t in tables["trips.txt"][1] if t["route_id"] in keep_routes]
    trip_ids = {t["trip_id"] for t in trips}
    stop_times = [s for s in tables["stop_times.txt"][1] if s["trip_id"] in trip_ids]
    used = {s["stop_id"] for s in stop_times}
    stops_all = tables["stops.txt"][1]
    parents = {s.get("parent_station", "") for s in stops_all if s["stop_id"] in used} - {""}
    unused = [s["stop_id"] for s in stops_all if s["stop_id"] not in used and s["stop_id"] not in parents]
    keep_stops = used | parents | set(unused[:extra_unused_stops])
    stops = [s for s in stops_all if s["stop_id"] in keep_stops]
    with zipfile.ZipFile(dst, "w") as z:
        for name, rows in [("agency.txt", tables["agency.txt"][1]), ("calendar.txt", tables["calendar.txt"][1]),
                           ("routes.txt", routes), ("trips.txt", trips), ("stop_times.txt", stop_times),
                           ("stops.txt", stops)]:
            write(z, name, tables[name][0], rows)
        if tables["frequencies.txt"][0]:
            freq = [f for f in tables["frequencies.txt"][1] if f["trip_id"] in trip_ids]
            write(z, "frequencies.txt", tables["frequencies.txt"][0], freq)
    print(dst, len(routes), "routes", len(trips), "trips", len(stop_times), "stop times", len(stops), "stops")

shared = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
cut(os.path.join(shared, "gtfs/cdmx_semovi_2025"), os.path.join(here, "cdmx_semovi_cut.zip"),
    {"CMX0200L1", "CMX0200L2", "CMX0600L1", "CMX0800L1", "CMX0400L1", "CMX05300B", "CMX05E4L1"}, 3)
cut(os.path.join(shared, "gtfs/ni_esteli_bus_gtfs.zip"), os.path.join(here, "ni_esteli_cut.zip"),
    {"1", "3"}, 0)
