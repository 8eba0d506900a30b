#!/usr/bin/env bash
# Seeds the fuzz corpora with small real files (and cuts of larger ones) from the repository's
# default dataset (data/) and test data (tests/data/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="$here/../data"
tests="$here/../tests/data"
mkdir -p "$here"/corpus/{csv,geojson,cap,osm_xml,gtfs}
for f in "$data"/shelters/*.csv "$data"/incidents/*.csv "$tests"/incidents/*.csv "$tests"/hxl/*.csv; do
  head -c 20000 "$f" > "$here/corpus/csv/$(basename "$f")"
done
# UCDP GED: the repository's own fixture (the fuzzer cannot guess GED's column names).
head -c 20000 "$here/../tests/data/violence/ucdp_ged_mexico_sample.csv" > "$here/corpus/csv/ucdp_ged_sample.csv"
head -c 30000 "$data/naturalearth/mesoamerica_ne_10m_railroads.geojson" > "$here/corpus/geojson/rail-cut.geojson"
head -c 30000 "$data/naturalearth/mesoamerica_ne_10m_populated_places_simple.geojson" > "$here/corpus/geojson/places-cut.geojson"
cp "$tests"/weather/cap_samples/*.cap "$tests"/weather/cap_samples/mexico.xml "$here/corpus/cap/"
head -c 30000 "$tests/weather/smn_mexico_cap12_atom_2014_small.xml" > "$here/corpus/cap/smn-cut.xml"
# The rest of the stream is drained so that gzip does not die of SIGPIPE (fatal under pipefail).
gzip -dc "$tests/osm/monaco.osm.gz" | { head -c 40000 > "$here/corpus/osm_xml/monaco-cut.osm"; cat > /dev/null; }
# GTFS: the small test feeds (zips).
cp "$tests"/gtfs/*.zip "$here/corpus/gtfs/"
echo "corpora in $here/corpus"
