-- police.uk stop and search (*-stop-and-search.csv, `crimemap import stops`): one row per stop,
-- replaced per (force, month). Served by /api/stops-street, stops-at-location, stops-no-location
-- and stops-force, listed per month in /api/crimes-street-dates, drawn by the `stops` tile layer.
CREATE TABLE stops (
    id                  bigserial PRIMARY KEY,
    force_id            text NOT NULL REFERENCES forces (id),
    month               date NOT NULL,           -- month of the stop (the file's)
    type                text NOT NULL,           -- 'Person search', 'Vehicle search', ...
    datetime            timestamptz,
    datetime_text       text NOT NULL,           -- police.uk's form: '2019-01-04T11:07:00+00:00'
    operation           boolean,
    operation_name      text,
    location_id         bigint,                  -- snap_locations.id (kept by refresh while used here)
    geom                geometry(Point, 4326),
    gender              text,
    age_range           text,
    self_defined_ethnicity text,
    officer_defined_ethnicity text,
    legislation         text,
    object_of_search    text,
    outcome             text,
    outcome_linked_to_object_of_search boolean,
    removal_of_more_than_outer_clothing boolean
);
CREATE INDEX stops_force_month_idx ON stops (force_id, month);
CREATE INDEX stops_location_idx ON stops (location_id);
CREATE INDEX stops_geom_idx ON stops USING gist (geom);

CREATE TABLE stop_loads (
    force_id     text NOT NULL REFERENCES forces (id),
    month        date NOT NULL,
    source       text NOT NULL,
    rows_loaded  bigint NOT NULL,
    rows_skipped bigint NOT NULL,
    loaded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (force_id, month)
);
