#!/usr/bin/env python3
"""Adds DEMO team records (people, priorities, events, contact details) to the derived neighbourhoods.

The sample's neighbourhoods (made by derive_from_wards.py) are stand-ins, so their teams are made up
too. This script fills each <id>.json in west-mercia/ with, in police.uk's shapes:
  - contact_details: a team e-mail (example.org) and telephone (Ofcom's drama range 01632 960xxx);
  - people: a Sergeant and two or three PCSOs with made-up names, "Demo data:" bios, an example.org
    e-mail and a mobile from Ofcom's drama range (07700 900xxx);
  - priorities: 2-3, with hyphenated "issue-date"/"action-date" keys: the two crime categories that
    stand out most in the neighbourhood in the sample's crimes (2018-10 .. 2019-02), placed at the
    street with most of them, and for some teams a road-safety or environmental one. Issues start
    "Demo data:"; dates fall inside the sample months;
  - events: three "meeting"s with start_date/end_date: one in January 2019 (already past when the
    data ends) and two after the sample's last month (March and May 2019), so a meeting pack for
    2019-02 has next meetings. Descriptions start "Demo data:"; venues say "Demo venue".
Every record stays marked "demo": true, "derived": true. Nothing here is a real person, phone
number, priority or meeting.

Needs a database seeded with the sample (crimes assigned to these neighbourhoods by the refresh):
    crimemap seed data/sample --database-url URL
    data/sample/neighbourhoods/demo_teams.py URL
Only the Python standard library and psql are used. The output is deterministic (choices come from
SHA-256 of the neighbourhood id); running it again rewrites the same files.
"""
import csv
import datetime
import hashlib
import io
import json
import os
import re
import subprocess
import sys

FORCE = "west-mercia"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), FORCE)
FIRST_MONTH = datetime.date(2018, 10, 1)
LAST_DAY = datetime.date(2019, 2, 28)  # end of the sample's last month

FIRST_NAMES = ["Alex", "Amy", "Ben", "Beth", "Chris", "Claire", "Dan", "Dawn", "Ed", "Emma", "Fran", "Gary", "Gemma",
               "Hannah", "Ian", "Jade", "Jamie", "Jo", "Karen", "Kieran", "Laura", "Liam", "Lucy", "Mark", "Megan",
               "Nadia", "Neil", "Owen", "Paula", "Priya", "Rachel", "Rob", "Ruth", "Sam", "Sarah", "Shaun", "Tom",
               "Vicky", "Wes", "Zoe"]
SURNAMES = ["Ashby", "Bancroft", "Bickerton", "Brampton", "Caddick", "Chadwick", "Corbett", "Dalloway", "Edgerton",
            "Fairbourne", "Garside", "Hadley", "Harcourt", "Ingleby", "Kemble", "Lacey", "Lydiate", "Marlow",
            "Mayhew", "Norbury", "Oakley", "Pendle", "Pettifer", "Quarrie", "Radway", "Rushton", "Selwyn", "Shenton",
            "Stoddart", "Tarrant", "Thursby", "Upton", "Varley", "Wakeman", "Westcott", "Whitmore", "Wolverton",
            "Yardley"]

# police.uk's anonymised non-street places -> how a priority names them.
PLACES = {"Parking Area": "the car parks", "Supermarket": "the supermarkets", "Shopping Area": "the shopping area",
          "Petrol Station": "the petrol stations", "Sports/Recreation Area": "the sports and recreation grounds",
          "Park/Open Space": "the parks and open spaces", "Nightclub": "the late-night venues"}
STREET = re.compile(r"(Street|Road|Lane|Avenue|Close|Drive|Way|Place|Court|Crescent|Gardens|Grove|Hill|Square|Row|"
                    r"Walk|Terrace|Green|Parade|Precinct|Rise|View|Mews|Bank|Gate|End|Yard|Approach)$")

# Priority templates by police.uk category: (weight, issue, action). {where} is "around X" / "at X".
TEMPLATES = {
    "anti-social-behaviour": (1.0, "Anti-social behaviour {where}",
                              "Extra foot patrols {where} on Friday and Saturday evenings; two dispersal notices issued "
                              "and repeat names referred to the council's anti-social behaviour team."),
    "burglary": (1.6, "Burglaries of homes and sheds {where}",
                 "Crime prevention visits to the streets around the burglaries, with free window and shed alarms; "
                 "house-to-house enquiries completed and a suspect interviewed."),
    "vehicle-crime": (1.5, "Thefts from vehicles {where}",
                      "\"Lock it or lose it\" leaflets on windscreens and targeted patrols {where} in the early hours; "
                      "number plate checks with the roads policing unit."),
    "shoplifting": (1.2, "Shoplifting {where}",
                    "Meetings with store managers and the local shop-watch scheme; prolific offenders identified from "
                    "CCTV and two community protection warnings issued."),
    "drugs": (1.5, "Drug dealing and drug use {where}",
              "Intelligence from residents acted on with two warrants; patrols {where} and signposting to local "
              "support services."),
    "criminal-damage-arson": (1.2, "Criminal damage {where}",
                              "Patrols at the times the damage happens and work with the council to repair and light "
                              "the worst-hit spots; schools visited to talk about the cost of damage."),
    "bicycle-theft": (1.3, "Bicycle thefts {where}",
                      "Free bike marking sessions and advice on locks; new cycle stands requested in a covered, "
                      "overlooked spot."),
    "theft-from-the-person": (1.2, "Pickpocketing and bag thefts {where}",
                              "High-visibility patrols at busy times and \"purse bells\" handed out with advice."),
    "public-order": (1.0, "Rowdy behaviour and fights {where} late at night",
                     "Joint patrols with licensing officers on weekend nights and a meeting with the licensees."),
    "violent-crime": (0.6, "Assaults and violence {where}",
                      "Patrols at the times most assaults are reported; repeat victims and locations reviewed with "
                      "licensees, housing providers and victim support."),
}
# Extra priorities that are not a crime category (chosen for some teams).
EXTRA = [
    ("Speeding {where_ward}", "Community speed watch sessions with volunteers; repeat speeders sent warning letters and "
                              "the worst spots passed to the safer roads partnership."),
    ("Inconsiderate parking near schools {where_ward}", "Officers at school gates at drop-off and pick-up times, "
                                                        "with leaflets for drivers; persistent offenders ticketed."),
    ("Fly-tipping on lanes and lay-bys {where_ward}", "Joint work with the council's enforcement team; hidden "
                                                      "cameras at two hot spots and rubbish searched for evidence."),
    ("Thefts from farms and outbuildings {where_ward}", "Rural crime patrols and property marking for farm "
                                                        "equipment; a farm watch message group set up."),
]


def psql(url, sql):
    out = subprocess.run(["psql", url, "-X", "-q", "--csv", "-c", sql], check=True, capture_output=True, text=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def h(*parts):
    return int(hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest(), 16)


def and_list(names):
    # Ward names may contain "and" themselves ("St Martins and Hinton"): a comma before the last one.
    if len(names) < 3:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def nth_weekday(year, month, weekday, n):
    d = datetime.date(year, month, 1)
    d += datetime.timedelta(days=(weekday - d.weekday()) % 7)
    return d + datetime.timedelta(weeks=n - 1)


def iso(d, hh=0, mm=0):
    return "%04d-%02d-%02dT%02d:%02d:00" % (d.year, d.month, d.day, hh, mm)


def main():
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CRIMEMAP_DATABASE_URL")
    if not url:
        sys.exit("usage: demo_teams.py DATABASE_URL")
    counts, totals = {}, {}
    for r in psql(url, "SELECT split_part(neighbourhood_code, '/', 2) AS id, category, count(*) AS n FROM crimes"
                       " WHERE neighbourhood_code LIKE '%s/%%' GROUP BY 1, 2" % FORCE):
        counts.setdefault(r["id"], {})[r["category"]] = int(r["n"])
        totals[r["category"]] = totals.get(r["category"], 0) + int(r["n"])
    places = {}
    for r in psql(url, "SELECT split_part(neighbourhood_code, '/', 2) AS id, category, location, count(*) AS n FROM crimes"
                       " WHERE neighbourhood_code LIKE '%s/%%' AND location_id IS NOT NULL GROUP BY 1, 2, 3" % FORCE):
        places.setdefault((r["id"], r["category"]), []).append((int(r["n"]), r["location"]))
    force_total = sum(totals.values()) or 1

    ids = sorted(f[:-5] for f in os.listdir(OUT) if f.endswith(".json"))
    used_names = set()
    serial = {"team": 0, "person": 0, "priorities": 0, "events": 0}

    def person_name(nid, k, team_firsts):
        # Unique in the sample, and no two first names alike within a team.
        i = 0
        while True:
            x = h(nid, "person", k, i)
            first, last = FIRST_NAMES[x % len(FIRST_NAMES)], SURNAMES[(x // 97) % len(SURNAMES)]
            name = "%s %s" % (first, last)
            if name not in used_names and first not in team_firsts:
                used_names.add(name)
                team_firsts.add(first)
                return name
            i += 1

    for nid in ids:
        path = os.path.join(OUT, nid + ".json")
        with open(path) as f:
            team = json.load(f)
        label = team["name"].replace(" (derived from 2013 wards)", "")
        wards = team["derived_from"]["names"]
        ward_list = and_list(wards)
        serial["team"] += 1
        slug = re.sub(r"[^a-z0-9]+", ".", label.lower()).strip(".")
        team_contact = {"email": "%s.demo@example.org" % slug, "telephone": "01632 960%03d" % serial["team"]}
        team["contact_details"] = team_contact

        # People: a Sergeant and two or three PCSOs, each covering some of the wards.
        people = []
        firsts = set()
        n_pcso = 2 + h(nid, "pcsos") % 2
        for k in range(1 + n_pcso):
            name = person_name(nid, k, firsts)
            serial["person"] += 1
            first = name.split()[0]
            if k == 0:
                rank = "Sergeant"
                bio = ("Demo data: a made-up officer, not a real person. Sergeant %s leads the demo neighbourhood team "
                       "for %s." % (name.split()[-1], ward_list))
            else:
                rank = "PCSO"
                patch = wards[(k - 1)::n_pcso] or wards[(k - 1) % len(wards):][:1]
                covers = and_list(patch)
                bio = ("Demo data: a made-up police community support officer, not a real person. %s looks after %s."
                       % (first, covers))
            people.append({"bio": bio,
                           "contact_details": {"email": "%s.demo@example.org" % name.lower().replace(" ", "."),
                                               "mobile": "07700 900%03d" % serial["person"]},
                           "name": name,
                           "rank": rank})
        team["people"] = people

        # Priorities: the categories that stand out (count weighted by how much more common they are
        # here than force-wide, and by how often teams take them on), at their busiest street.
        mine = counts.get(nid, {})
        n_all = sum(mine.values()) or 1
        scored = []
        for cat, (weight, _, _) in TEMPLATES.items():
            n = mine.get(cat, 0)
            if n < 5:
                continue
            lq = (n / n_all) / (totals.get(cat, 1) / force_total)
            scored.append((-(n * lq * weight), cat))
        chosen = [c for _, c in sorted(scored)[:2]]
        prios = []
        for j, cat in enumerate(chosen):
            where = "in %s" % label
            best = sorted(places.get((nid, cat), []), key=lambda t: (-t[0], t[1]))
            for n, loc in best:
                place = re.sub(r"'S\b", "'s", loc.replace("On or near ", "", 1))  # police.uk writes "St John'S"
                if place in PLACES and cat != "burglary":
                    where = "at %s in %s" % (PLACES[place], label)
                    break
                if re.fullmatch(r"[AB]\d+", place):
                    where = "along the %s in %s" % (place, label)
                    break
                if STREET.search(place):
                    where = "around %s, %s" % (place, label)
                    break
            _, issue, action = TEMPLATES[cat]
            issued = FIRST_MONTH + datetime.timedelta(days=h(nid, "issued", j) % 100)  # 2018-10-01 .. 2019-01-08
            while iso(issued) in (p["issue-date"] for p in prios):  # distinct dates: one order everywhere
                issued += datetime.timedelta(days=1)
            acted = min(issued + datetime.timedelta(days=21 + h(nid, "acted", j) % 35), LAST_DAY)
            prios.append({"action": "Demo data: " + action.format(where=where),
                          "issue-date": iso(issued),
                          "action-date": iso(acted),
                          "issue": "Demo data: " + issue.format(where=where)})
        if h(nid, "extra") % 3 != 0 or len(prios) < 2:
            issue, action = EXTRA[h(nid, "extra-kind") % len(EXTRA)]
            ward = wards[h(nid, "extra-ward") % len(wards)]
            issued = datetime.date(2019, 1, 1) + datetime.timedelta(days=h(nid, "issued", "x") % 45)
            while iso(issued) in (p["issue-date"] for p in prios):
                issued += datetime.timedelta(days=1)
            prios.append({"action": "Demo data: " + action, "issue-date": iso(issued), "action-date": None,
                          "issue": "Demo data: " + issue.format(where_ward="in " + ward)})
        prios.sort(key=lambda p: p["issue-date"], reverse=True)  # newest first, as police.uk lists them
        team["priorities"] = prios
        serial["priorities"] += len(prios)

        # Events: public meetings on the same weekday each time, January (past), March and May 2019.
        weekday = 1 + h(nid, "weekday") % 3  # Tuesday .. Thursday
        week = 2 + h(nid, "week") % 2
        hh, mm = [(18, 30), (19, 0), (19, 30)][h(nid, "time") % 3]
        venue = ["community centre", "village hall", "library meeting room", "church hall"][h(nid, "venue") % 4]
        events = []
        for month in (1, 3, 5):
            d = nth_weekday(2019, month, weekday, week)
            end_h, end_m = hh + 1 + (mm + 30) // 60, (mm + 30) % 60
            events.append({"contact_details": dict(team_contact),
                           "description": ("Demo data: a made-up public meeting of the demo neighbourhood team. Meet "
                                           "the officers, hear what has been done about the current priorities and "
                                           "help choose the next ones."),
                           "title": "%s neighbourhood meeting" % label,
                           "address": "Demo venue: %s, %s" % (venue, wards[h(nid, "venue-ward") % len(wards)]),
                           "type": "meeting",
                           "start_date": iso(d, hh, mm),
                           "end_date": iso(d, end_h, end_m)})
        team["events"] = events
        serial["events"] += len(events)

        with open(path, "w") as f:
            json.dump(team, f, indent=1, ensure_ascii=False)
            f.write("\n")
    print("%d demo teams: %d people, %d priorities, %d events" % (len(ids), serial["person"], serial["priorities"],
                                                                  serial["events"]))


if __name__ == "__main__":
    main()
