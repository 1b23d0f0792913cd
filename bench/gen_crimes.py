#!/usr/bin/env python3
"""Writes a synthetic police.uk street-level crime CSV for benchmarks (bench/import).

Same header and field shapes as the real files (see ../data/sample/crimes): 64-hex Crime IDs
(empty for anti-social behaviour), one month, West Mercia names, snap points reused by many crimes
(~1 distinct point + street per 12 crimes, as in the real sample), LSOA codes and names, the
14 crime types in roughly real proportions, ~0.4 % rows without a location. Deterministic (seeded).

    bench/gen_crimes.py --rows 1000000 --month 2030-01 --out bench/out/2030-01-west-mercia-street.csv
"""
import argparse
import random

TYPES = [
    ("Violence and sexual offences", 34), ("Anti-social behaviour", 22), ("Criminal damage and arson", 8),
    ("Other theft", 7), ("Public order", 7), ("Shoplifting", 6), ("Vehicle crime", 4), ("Burglary", 4),
    ("Drugs", 2), ("Other crime", 2), ("Theft from the person", 1), ("Bicycle theft", 1),
    ("Possession of weapons", 1), ("Robbery", 1),
]
OUTCOMES = ["Investigation complete; no suspect identified", "Unable to prosecute suspect", "Under investigation",
            "Status update unavailable", "Offender given a caution", "Awaiting court outcome",
            "Local resolution", "Further investigation is not in the public interest"]
STREETS = ["High Street", "Church Lane", "Station Road", "Mill Lane", "Victoria Road", "Park Road", "School Lane",
           "The Green", "Bridge Street", "London Road", "Broad Street", "Castle Street", "Albert Road", "Supermarket",
           "Petrol Station", "Parking Area", "Sports/Recreation Area", "Nightclub", "Shopping Area", "Hospital"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--month", default="2030-01")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20181001)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    names, weights = zip(*TYPES)
    cum = []
    total = 0
    for w in weights:
        total += w
        cum.append(total)
    n_points = max(1, a.rows // 12)
    points = []
    for i in range(n_points):
        lon = round(rnd.uniform(-3.2, -1.8), 6)
        lat = round(rnd.uniform(51.85, 52.95), 6)
        lsoa = "E0%07d" % rnd.randint(1000000, 1034000)
        points.append(("%.6f" % lon, "%.6f" % lat, "On or near " + rnd.choice(STREETS), lsoa,
                       "Synthetic %03d%s" % (rnd.randint(1, 40), rnd.choice("ABCDE"))))
    force = "West Mercia Police"
    with open(a.out, "w", newline="") as f:
        f.write("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
                "Last outcome category,Context\n")
        buf = []
        for i in range(a.rows):
            r = rnd.random() * total
            t = 0
            while cum[t] < r:
                t += 1
            ctype = names[t]
            asb = ctype == "Anti-social behaviour"
            cid = "" if asb else "%064x" % rnd.getrandbits(256)
            outcome = "" if asb else rnd.choice(OUTCOMES)
            if rnd.random() < 0.004:
                buf.append("%s,%s,%s,%s,,,No Location,,,%s,%s,\n" % (cid, a.month, force, force, ctype, outcome))
            else:
                lon, lat, loc, lsoa, lname = points[rnd.randrange(n_points)]
                buf.append("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,\n" % (cid, a.month, force, force, lon, lat, loc, lsoa, lname,
                                                                    ctype, outcome))
            if len(buf) >= 10000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))


if __name__ == "__main__":
    main()
