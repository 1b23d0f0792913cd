-- police.uk outcomes (*-outcomes.csv, `crimemap import outcomes`): one row per outcome of a crime,
-- replaced per (force, month) like crimes. Served by /api/outcomes-for-crime and
-- /api/outcomes-at-location; where no outcomes file is loaded for a force and month those answer
-- from crimes.last_outcome instead.
CREATE TABLE outcomes (
    id              bigserial PRIMARY KEY,
    crime_id        text NOT NULL,             -- police.uk persistent id of the crime
    month           date NOT NULL,             -- month of the outcome
    force_id        text NOT NULL REFERENCES forces (id),
    reported_by     text NOT NULL,
    falls_within    text NOT NULL,
    location_id     bigint,                    -- snap_locations.id (kept by refresh while used here)
    geom            geometry(Point, 4326),
    location        text NOT NULL,
    file_lsoa_code  text,
    file_lsoa_name  text,
    outcome_name    text NOT NULL,             -- as written: 'Offender fined'
    outcome_code    text NOT NULL              -- police.uk API code: 'fined'
);
CREATE INDEX outcomes_crime_id_idx ON outcomes (crime_id);
CREATE INDEX outcomes_force_month_idx ON outcomes (force_id, month);
CREATE INDEX outcomes_location_idx ON outcomes (location_id);
CREATE INDEX outcomes_geom_idx ON outcomes USING gist (geom);
-- outcomes-for-crime looks crimes up by their persistent id.
CREATE INDEX crimes_crime_id_idx ON crimes (crime_id);

CREATE TABLE outcome_loads (
    force_id     text NOT NULL REFERENCES forces (id),
    month        date NOT NULL,
    source       text NOT NULL,
    rows_loaded  bigint NOT NULL,
    rows_skipped bigint NOT NULL,
    loaded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (force_id, month)
);
