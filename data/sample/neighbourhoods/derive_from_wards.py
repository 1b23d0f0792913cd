#!/usr/bin/env python3
"""Derives the DEMO neighbourhoods of data/sample from the Dec-2013 ward polygons.

No police.uk neighbourhood (NPT) boundaries were available (see ../../../../shared/data/PROVENANCE.md),
so for the demo we group the 2013 wards of each West Mercia district into contiguous groups of about
four wards (3-5, a few 2 or 6 where the geography leaves no choice) and write each group as a
police.uk-style KML boundary <id>.kml plus a team record <id>.json marked "demo": true,
"derived": true. They are NOT real policing neighbourhoods.

Needs a database where the sample's wards, districts and crimes are loaded (crimes are only used to
name each group after its busiest ward):
    crimemap seed data/sample --no-refresh --database-url URL   # (with this folder empty)
    data/sample/neighbourhoods/derive_from_wards.py URL
Only the Python standard library and psql are used. The output is deterministic.
The team records written here are bare (no people, priorities or events): run demo_teams.py
afterwards, on a database seeded with the new neighbourhoods, to give them their demo teams.
"""
import csv
import io
import json
import math
import os
import subprocess
import sys
from xml.sax.saxutils import escape

FORCE = "west-mercia"
# District -> id prefix (ids look like police.uk's short neighbourhood codes).
PREFIX = {
    "E06000019": "HE",  # Herefordshire
    "E06000020": "TW",  # Telford and Wrekin
    "E06000051": "SH",  # Shropshire
    "E07000234": "BR",  # Bromsgrove
    "E07000235": "MH",  # Malvern Hills
    "E07000236": "RE",  # Redditch
    "E07000237": "WO",  # Worcester
    "E07000238": "WY",  # Wychavon
    "E07000239": "WF",  # Wyre Forest
}
TARGET = 4
MAX = 6
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), FORCE)


def psql(url, sql):
    out = subprocess.run(["psql", url, "-X", "-q", "--csv", "-c", sql], check=True, capture_output=True, text=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def main():
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CRIMEMAP_DATABASE_URL")
    if not url:
        sys.exit("usage: derive_from_wards.py DATABASE_URL")
    # Each ward with its district (from the source file name recorded in areas.source), centroid,
    # area and crimes inside it.
    wards = psql(url, """
        SELECT w.code, w.name, split_part(w.source, '.', 1) AS lad, ST_X(ST_PointOnSurface(w.geom)) AS x,
               ST_Y(ST_PointOnSurface(w.geom)) AS y, ST_Area(w.geom::geography) AS m2,
               (SELECT count(*) FROM crimes c WHERE ST_Intersects(w.geom, c.geom)) AS crimes
        FROM areas w WHERE w.kind = 'ward' ORDER BY w.code""")
    adjacency = psql(url, """
        SELECT a.code AS a, b.code AS b FROM areas a JOIN areas b
          ON a.kind = 'ward' AND b.kind = 'ward' AND a.code < b.code AND split_part(a.source, '.', 1) = split_part(b.source, '.', 1)
         AND ST_DWithin(a.geom, b.geom, 0.0003)""")
    lad_names = {r["code"]: r["name"] for r in psql(url, "SELECT code, name FROM areas WHERE kind = 'lad'")}
    info = {w["code"]: w for w in wards}
    neighbours = {w["code"]: set() for w in wards}
    for r in adjacency:
        neighbours[r["a"]].add(r["b"])
        neighbours[r["b"]].add(r["a"])

    def dist(a, b):
        return math.hypot(float(info[a]["x"]) - float(info[b]["x"]), float(info[a]["y"]) - float(info[b]["y"]))

    groups = []  # (lad, [ward codes])
    for lad in sorted(PREFIX):
        unassigned = sorted(c for c, w in info.items() if w["lad"] == lad)
        free = set(unassigned)
        lad_groups = []
        while free:
            # Start from the ward with the fewest free neighbours (edges first), westernmost on ties.
            seed = min(free, key=lambda c: (len(neighbours[c] & free), float(info[c]["x"]), c))
            group = [seed]
            free.discard(seed)
            while len(group) < TARGET:
                cands = set().union(*(neighbours[g] for g in group)) & free
                if not cands:
                    break
                best = min(cands, key=lambda c: (-len(neighbours[c] & set(group)), min(dist(c, g) for g in group), c))
                group.append(best)
                free.discard(best)
            lad_groups.append(group)
        # Merge groups of one or two wards into the smallest touching group that stays <= MAX.
        changed = True
        while changed:
            changed = False
            for g in sorted(lad_groups, key=len):
                if len(g) >= 3:
                    continue
                touching = [h for h in lad_groups if h is not g and any(n in h for w in g for n in neighbours[w])]
                if not touching:  # an island: join the nearest group
                    touching = sorted((h for h in lad_groups if h is not g), key=lambda h: min(dist(a, b) for a in g for b in h))[:1]
                touching = [h for h in touching if len(h) + len(g) <= MAX]
                if touching:
                    h = min(touching, key=lambda h: (len(h), min(dist(a, b) for a in g for b in h)))
                    h.extend(g)
                    lad_groups.remove(g)
                    changed = True
                    break
        # Stable order: west to east by the group's mean position, then north to south.
        lad_groups.sort(key=lambda g: (round(sum(float(info[c]["x"]) for c in g) / len(g), 3),
                                       -sum(float(info[c]["y"]) for c in g) / len(g)))
        groups += [(lad, sorted(g)) for g in lad_groups]

    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".kml") or f.endswith(".json"):
            os.remove(os.path.join(OUT, f))
    counters = {}
    used_names = {}
    records = []
    for lad, g in groups:
        counters[lad] = counters.get(lad, 0) + 1
        nid = "%s%02d" % (PREFIX[lad], counters[lad])
        principal = max(g, key=lambda c: (int(info[c]["crimes"]), float(info[c]["m2"]), c))
        base = info[principal]["name"]
        used_names.setdefault(base, []).append(nid)
        records.append((lad, g, nid, base))
    for lad, g, nid, base in records:
        label = base if len(used_names[base]) == 1 else "%s, %s" % (base, lad_names.get(lad, lad))
        name = "%s (derived from 2013 wards)" % label
        codes = ",".join("'%s'" % c for c in g)
        kml_geom = psql(url, "SELECT ST_AsKML(ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(geom)), 3)), 6) AS kml"
                             " FROM areas WHERE kind = 'ward' AND code IN (%s)" % codes)[0]["kml"]
        centre = psql(url, "SELECT ST_Y(p) AS lat, ST_X(p) AS lon FROM (SELECT ST_PointOnSurface(ST_Union(geom)) AS p"
                           " FROM areas WHERE kind = 'ward' AND code IN (%s)) s" % codes)[0]
        ward_names = [info[c]["name"] for c in g]
        description = ("Demo neighbourhood derived by crimemap from the December 2013 wards %s of %s. "
                       "It is not a police.uk neighbourhood policing team area." % (", ".join(ward_names), lad_names.get(lad, lad)))
        kml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
               '<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document>\n<name>%s</name>\n<Placemark>\n<name>%s</name>\n'
               '<description>%s</description>\n%s\n</Placemark>\n</Document>\n</kml>\n') % (nid, escape(name), escape(description), kml_geom)
        with open(os.path.join(OUT, nid + ".kml"), "w") as f:
            f.write(kml)
        team = {
            "id": nid,
            "name": name,
            "description": description,
            "url_force": None,
            "contact_details": {},
            "links": [],
            "centre": {"latitude": "%.6f" % float(centre["lat"]), "longitude": "%.6f" % float(centre["lon"])},
            "locations": [],
            "people": [],
            "demo": True,
            "derived": True,
            "derived_from": {"kind": "ward", "vintage": "WD13 (December 2013)", "lad": lad,
                             "lad_name": lad_names.get(lad, lad), "codes": g, "names": ward_names},
        }
        with open(os.path.join(OUT, nid + ".json"), "w") as f:
            json.dump(team, f, indent=1, ensure_ascii=False)
            f.write("\n")
    sizes = {}
    for _, g in groups:
        sizes[len(g)] = sizes.get(len(g), 0) + 1
    print("%d neighbourhoods from %d wards; group sizes %s" % (len(groups), len(info), dict(sorted(sizes.items()))))


if __name__ == "__main__":
    main()
