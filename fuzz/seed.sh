#!/usr/bin/env bash
# Seeds the fuzz corpora with small real files (and cuts of larger ones) from ../shared/data.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="$here/../../shared/data"
mkdir -p "$here"/corpus/{csv,geojson,cap,osm_xml,gtfs}
for f in "$data"/shelters/*.csv "$data"/incidents/*.csv "$data"/hxl/*.csv; do
  head -c 20000 "$f" > "$here/corpus/csv/$(basename "$f")"
done
head -c 30000 "$data/naturalearth/mesoamerica_ne_10m_railroads.geojson" > "$here/corpus/geojson/rail-cut.geojson"
head -c 30000 "$data/naturalearth/mesoamerica_ne_10m_populated_places_simple.geojson" > "$here/corpus/geojson/places-cut.geojson"
cp "$data"/weather/cap_samples/*.cap "$data"/weather/cap_samples/mexico.xml "$here/corpus/cap/"
head -c 30000 "$data/weather/smn_mexico_cap12_atom_2014_small.xml" > "$here/corpus/cap/smn-cut.xml"
gzip -dc "$data/osm/monaco.osm.gz" | head -c 40000 > "$here/corpus/osm_xml/monaco-cut.osm"
# GTFS: the small test feeds (zips).
cp "$here"/../tests/data/gtfs/*.zip "$here/corpus/gtfs/"
echo "corpora in $here/corpus"
