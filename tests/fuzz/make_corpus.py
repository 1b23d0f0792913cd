#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer harnesses into tests/fuzz/corpus/<harness>/.

Seeds come from real requests (the README's examples and the unit tests), the sample data
(police.uk CSV rows of data/sample/crimes, an LSOA boundary of data/sample/boundaries as WKB) and
a few hand-made edge cases. Run it again after changing it; the files are committed (small: the
whole corpus stays well under 1 MB). Findings that were fixed are added by hand as
corpus/<harness>/regression-*.
"""
import gzip
import hashlib
import json
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, "..", ".."))
out_root = os.path.join(here, "corpus")


def put(harness, data, name=None):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(out_root, harness)
    os.makedirs(d, exist_ok=True)
    name = name or ("seed-" + hashlib.sha1(data).hexdigest()[:12])
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- request targets (README examples, tests) -------------------------------------------------
targets = [
    "/postcodes/hr11aa", "/postcodes/HR1%201AA", "/postcodes?lon=-2.710027&lat=52.060745&radius=500&limit=3",
    "/postcodes/HR11AA/nearest", "/postcodes/HR11AA/validate", "/postcodes/HR1%201A/autocomplete",
    "/postcodes?q=HR1", "/outcodes/HR1", "/terminated_postcodes/HR11BA", "/random/postcodes",
    "/postcodes/lon/-2.710027/lat/52.060745",
    "/api/crimes-street/burglary?lat=52.060745&lng=-2.710027&date=2019-01",
    "/api/crimes-street/all-crime?poly=52.05,-2.73:52.07,-2.73:52.07,-2.69&date=2019-01",
    "/api/crimes-at-location?date=2019-01&lat=52.0607&lng=-2.7100",
    "/api/crimes-no-location?category=all-crime&force=west-mercia&date=2019-01",
    "/api/crime-categories", "/api/crime-last-updated", "/api/crimes-street-dates", "/api/forces",
    "/api/forces/west-mercia", "/api/west-mercia/neighbourhoods", "/api/west-mercia/HE06",
    "/api/west-mercia/HE06/boundary", "/api/west-mercia/HE06/people", "/api/west-mercia/HE06/events",
    "/api/west-mercia/HE06/priorities", "/api/locate-neighbourhood?q=52.060745,-2.710027",
    "/v1/postcodes/HR1%201AA/summary?months=3", "/v1/areas/E06000019",
    "/v1/areas/west-mercia%2FHE06", "/v1/areas/E06000019/performance?indicator=ASC1",
    "/v1/neighbourhoods/west-mercia/HE06/meeting-pack?month=2019-02",
    "/v1/neighbourhoods/west-mercia/HE06/meeting-pack.json?month=2019-02",
    "/v1/neighbourhoods/west-mercia/HE06/meeting-pack.csv?month=2019-02",
    "/v1/neighbourhoods/west-mercia/HE06/priorities", "/v1/neighbourhoods/west-mercia/HE06/events",
    "/tiles/crimes,areas.json?kind=ward", "/tiles/crimes/11/1008/681.mvt?from=2018-10&to=2019-02&category=burglary",
    "/tiles/crimes.json?from=2018-12&to=2019-02", "/tiles/areas/10/504/346.pbf?kind=lsoa&v=3",
    "/tiles/crimes/0/0/0.mvt?cells=16", "/tiles/performance/8/126/86.mvt?indicator=ASC1&period=2019",
    "/catalog", "/health", "/ready", "/metrics", "/", "/a//b/?x=%41+b&&y=&z#frag", "/%zz", "/x?%",
]
for t in targets:
    put("request_target", t)
    put("api_get", t)

# --- postcodes ---------------------------------------------------------------------------------
for p in ["HR1 1AA", "hr11aa", " HR1  1AA ", "TF1 1AA", "W1A 0AX", "EC1A 1BB", "M1 1AE", "B33 8TH",
          "CR2 6XH", "DN55 1PT", "HR1", "tf10", "GIR 0AA", "HR1 1A"]:
    put("postcode", p)

# --- police.uk poly ------------------------------------------------------------------------------
for poly in ["52.05,-2.73:52.07,-2.73:52.07,-2.69", "52.0,-2.0:52.1,-2.0:52.1,-2.1:52.0,-2.0",
             "52,-2:52.1", "52,-2:x,y:1,1", "90,180:-90,-180:0,0", "+52.5e0,-2.1:52.6,-2.2:52.7,-2.1"]:
    put("police_poly", poly)

# --- JSON bodies ---------------------------------------------------------------------------------
bulk = [
    {"postcodes": ["HR1 1AA", "TF1 1AA"]},
    {"postcodes": ["HR1 1AA", "nonsense", None, 5]},
    {"geolocations": [{"longitude": -2.71, "latitude": 52.06, "radius": 500}]},
    {"geolocations": [{"longitude": -2.71, "latitude": 52.06, "radius": 2000, "limit": 3, "widesearch": True}]},
    {"geolocations": [{"longitude": "x", "latitude": 52.06}]},
    {"postcodes": []}, {}, [],
]
for b in bulk:
    put("api_bulk", json.dumps(b))
put("api_bulk", '{"postcodes":["HR1 1AA"],"postcodes":["TF1 1AA"]}')
put("api_bulk", '{"postcodes":[[["HR1 1AA"]]]}')

writes = [
    ("0", {"issue": "Street drinking in High Town", "action": "Evening patrols", "issue-date": "2019-02-01"}),
    ("0", {"issue": "Parking", "issue_date": "2019-02-01T10:00", "action_date": "2019-03-01"}),
    ("1", {"issue": "Parking", "issue-date": "2019-02-01"}),
    ("2", {"title": "Beat meeting", "start_date": "2019-03-12T19:00", "address": "Town Hall"}),
    ("2", {"title": "Surgery", "start_date": "2019-03-01T18:00", "end_date": "2019-03-01T17:00"}),
    ("3", {"title": "Surgery", "description": "Drop in", "type": "meeting", "start_date": "2019-03-01 18:00:00",
           "end_date": "2019-03-01T19:00:00", "contact_details": {"email": "x@example.org"}}),
]
for sel, body in writes:
    put("api_team_writes", sel + json.dumps(body))
put("api_team_writes", "0{")

# --- tile queries: "layers\nz\nx\ny\nquery" ------------------------------------------------------
for tq in ["crimes\n11\n1008\n681\nfrom=2018-10&to=2019-02&category=burglary",
           "crimes,areas\n10\n504\n346\nkind=lsoa", "areas\n8\n126\n86\nkind=neighbourhood",
           "crimes\n0\n0\n0\ncells=16&category=burglary,anti-social-behaviour",
           "performance\n8\n126\n86\nindicator=ASC1&period=2019", "crimes\n14\n8067\n5539\nfrom=2019-01&to=2019-02"]:
    put("tile_query", tq)

# --- police.uk CSV rows (the real sample) ---------------------------------------------------------
with gzip.open(os.path.join(root, "data/sample/crimes/2019-01/2019-01-west-mercia-street.csv.gz"), "rt",
               encoding="utf-8-sig") as f:
    lines = f.read().splitlines()
header, rows = lines[0], lines[1:]
located = [r for r in rows if ",,," not in r and r.split(",")[0]]
nolocation = [r for r in rows if "No Location" in r]
for i in range(0, 200, 40):
    put("crime_csv", "\n".join([header] + located[i:i + 3]) + "\n")
if nolocation:
    put("crime_csv", header + "\r\n" + nolocation[0] + "\r\n")
put("crime_csv", "\n".join(located[:2]) + "\n")  # rows without a header line
put("crime_csv", header + '\n,2019-01,"West Mercia Police","West Mercia Police",-2.7,52.0,"On or near ""A"", B",'
    'E01013999,Herefordshire 999Z,Burglary,,\n')
put("crime_csv", header + "\n,2019-13,x,x,-2.7,52.0,,,,Drugs,,\n")

# --- WKB ------------------------------------------------------------------------------------------
def wkb_point(x, y, big=False, srid=None):
    e = ">" if big else "<"
    t = 1 | (0x20000000 if srid else 0)
    b = struct.pack(e + "BI", 0 if big else 1, t)
    if srid:
        b += struct.pack(e + "I", srid)
    return b + struct.pack(e + "dd", x, y)


def wkb_polygon_body(rings, e="<"):
    b = struct.pack(e + "I", len(rings))
    for r in rings:
        b += struct.pack(e + "I", len(r))
        for x, y in r:
            b += struct.pack(e + "dd", x, y)
    return b


def wkb_polygon(rings, big=False, srid=None):
    e = ">" if big else "<"
    t = 3 | (0x20000000 if srid else 0)
    b = struct.pack(e + "BI", 0 if big else 1, t)
    if srid:
        b += struct.pack(e + "I", srid)
    return b + wkb_polygon_body(rings, e)


def wkb_multipolygon(polys, srid=None):
    b = struct.pack("<BI", 1, 6 | (0x20000000 if srid else 0))
    if srid:
        b += struct.pack("<I", srid)
    b += struct.pack("<I", len(polys))
    for p in polys:
        b += struct.pack("<BI", 1, 3) + wkb_polygon_body(p)
    return b


square = [(-2.73, 52.05), (-2.69, 52.05), (-2.69, 52.07), (-2.73, 52.07), (-2.73, 52.05)]
hole = [(-2.72, 52.055), (-2.71, 52.055), (-2.71, 52.06), (-2.72, 52.06), (-2.72, 52.055)]
put("wkb", wkb_point(-2.716, 52.0565))
put("wkb", wkb_point(-2.716, 52.0565, big=True, srid=4326))
put("wkb", wkb_point(float("nan"), float("nan")))
put("wkb", struct.pack("<BII", 1, 4, 2) + wkb_point(-2.7, 52.0) + wkb_point(-2.6, 52.1, big=True))
put("wkb", wkb_polygon([square, hole]))
put("wkb", wkb_polygon([square], big=True, srid=4326))
put("wkb", wkb_multipolygon([[square], [hole]], srid=4326))
put("wkb", struct.pack("<BI", 1, 1003) + struct.pack("<I", 1) + struct.pack("<I", 4) +
    b"".join(struct.pack("<ddd", x, y, 0.0) for x, y in square[:4]))  # ISO PolygonZ
# A real LSOA boundary of the sample (the smallest one), as PostGIS sends it (EWKB, SRID 4326).
with open(os.path.join(root, "data/sample/boundaries/lsoa/E06000019.geojson")) as f:
    feats = json.load(f)["features"]
def size(ft):
    return len(json.dumps(ft["geometry"]["coordinates"]))
ft = min(feats, key=size)
g = ft["geometry"]
polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
put("wkb", wkb_multipolygon([[[tuple(p[:2]) for p in ring] for ring in poly] for poly in polys], srid=4326),
    "seed-sample-lsoa")

# --- MVT round trip: libFuzzer's FuzzedDataProvider reads bytes; a few random-ish seeds ---------
import random
rng = random.Random(13)
for i in range(8):
    put("mvt_roundtrip", bytes(rng.randrange(256) for _ in range(64 * (i + 1))))

# --- HTTP Range: 8 bytes of file size (little-endian), then the header value -------------------
def range_seed(size, header):
    return struct.pack("<Q", size) + header.encode()
archive = 2 * 3919246  # even: the size is used as is (an odd one is folded under 4096)
for header in ["bytes=0-126", "bytes=0-16383", "bytes=127-8964", "bytes=9954-", "bytes=-100", "bytes=-0",
               "bytes=5000000-", "bytes=0-0,5-6", "bytes=5-1", "BYTES = 1 - 2", "items=0-1", "bytes=",
               "bytes=18446744073709551616-", "bytes=1-99999999999999999999999999", "bytes=-99999999999999999999",
               "\"fixed-tag\""]:
    put("http_range", range_seed(archive, header))
put("http_range", range_seed(1, "bytes=0-0"))  # odd size: folded to a 0-byte file
put("http_range", range_seed(2 * 127 + 1, "bytes=126-"))

# --- PMTiles directories and headers (core/pmtiles_writer) --------------------------------------
def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)
def directory(entries):  # (tile_id, offset, length, run_length), as the spec's section 4.2
    out = varint(len(entries))
    last = 0
    for e in entries:
        out += varint(e[0] - last)
        last = e[0]
    out += b"".join(varint(e[3]) for e in entries)
    out += b"".join(varint(e[2]) for e in entries)
    for i, e in enumerate(entries):
        contiguous = i > 0 and e[1] == entries[i - 1][1] + entries[i - 1][2]
        out += varint(0 if contiguous else e[1] + 1)
    return out
put("pmtiles_directory", directory([(0, 0, 100, 1), (1, 100, 50, 1), (5, 150, 10, 3), (19078479, 9, 10, 1)]))
put("pmtiles_directory", directory([(0, 0, 4000, 0), (4096, 4000, 3000, 0)]))  # a root of leaves
put("pmtiles_directory", b"\xff\xff\xff\xff\x0f")  # 4 G entries announced
header = (b"PMTiles\x03" + struct.pack("<11Q", 127, 300, 427, 50, 477, 0, 477, 1000, 10, 9, 9) +
          bytes([1, 2, 2, 1, 0, 14]) + struct.pack("<iiii", -45433700, 507816120, 11450140, 538120610) +
          bytes([8]) + struct.pack("<ii", -24571695, 524310885))
put("pmtiles_directory", header)

total = 0
for dirpath, _, files in os.walk(out_root):
    for fn in files:
        total += os.path.getsize(os.path.join(dirpath, fn))
print(f"corpus: {total} bytes under {os.path.relpath(out_root, root)}", file=sys.stderr)
