-- crimemap schema, version 1. Applied by `crimemap migrate` in one transaction.
-- Coordinates are WGS84 (EPSG:4326); areas also keep a Web Mercator copy for tiles.
CREATE EXTENSION IF NOT EXISTS postgis;

-- Police forces as police.uk names them (id is the police.uk slug, e.g. 'west-mercia').
CREATE TABLE forces (
    id           text PRIMARY KEY,
    name         text NOT NULL,               -- 'West Mercia Police'
    pfa_code     text,                        -- ONS police force area code, E23000016
    url          text,
    telephone    text,
    description  text,
    engagement_methods jsonb NOT NULL DEFAULT '[]'
);

-- One row per distinct snap point + street name (police.uk anonymises crimes to these points).
CREATE TABLE snap_locations (
    id    bigserial PRIMARY KEY,
    lon   double precision NOT NULL,
    lat   double precision NOT NULL,
    name  text NOT NULL,                       -- 'On or near Albert Road'
    geom  geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
    UNIQUE (lon, lat, name)
);
CREATE INDEX snap_locations_geom_idx ON snap_locations USING gist (geom);

-- Street-level crimes, one row per CSV row. Area codes *_code are assigned by `crimemap refresh`.
CREATE TABLE crimes (
    id              bigserial PRIMARY KEY,
    crime_id        text,                      -- police.uk Crime ID; NULL for anti-social behaviour
    month           date NOT NULL,             -- first day of the month
    force_id        text NOT NULL REFERENCES forces (id),  -- force whose file it came from
    reported_by     text NOT NULL,
    falls_within    text NOT NULL,
    location_id     bigint REFERENCES snap_locations (id),  -- NULL: no-location crime
    geom            geometry(Point, 4326),     -- copy of the snap point (NULL without location)
    location        text NOT NULL,             -- 'On or near …' or 'No Location'
    file_lsoa_code  text,                      -- LSOA code and name as published in the file
    file_lsoa_name  text,
    category        text NOT NULL,             -- police.uk slug, e.g. 'burglary'
    last_outcome    text,
    context         text,
    lsoa_code       text,                      -- assigned by point-in-polygon at refresh
    msoa_code       text,
    ward_code       text,
    lad_code        text,
    pfa_code        text,
    neighbourhood_code text
);
CREATE INDEX crimes_force_month_idx ON crimes (force_id, month);
CREATE INDEX crimes_month_category_idx ON crimes (month, category);
CREATE INDEX crimes_location_idx ON crimes (location_id);
CREATE INDEX crimes_geom_idx ON crimes USING gist (geom);
CREATE INDEX crimes_lsoa_idx ON crimes (lsoa_code);
CREATE INDEX crimes_neighbourhood_idx ON crimes (neighbourhood_code, month);

-- Which (force, month) files have been loaded, with their row counts.
CREATE TABLE crime_loads (
    force_id    text NOT NULL REFERENCES forces (id),
    month       date NOT NULL,
    source      text NOT NULL,
    rows_loaded integer NOT NULL,
    rows_skipped integer NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (force_id, month)
);

-- Areas of every kind. Codes are ONS GSS codes, or '<force>/<id>' for neighbourhoods.
CREATE TABLE areas (
    kind        text NOT NULL CHECK (kind IN ('lsoa', 'msoa', 'ward', 'lad', 'pfa', 'neighbourhood')),
    code        text NOT NULL,
    name        text NOT NULL,
    parent_codes jsonb NOT NULL DEFAULT '{}',  -- e.g. {"lad": "E06000019", "pfa": "E23000016"}
    population  integer,                       -- residents, where known
    derived     boolean NOT NULL DEFAULT false, -- true when made by us (demo neighbourhoods)
    source      text,
    geom        geometry(MultiPolygon, 4326) NOT NULL,
    geom_3857   geometry(MultiPolygon, 3857) NOT NULL,
    PRIMARY KEY (kind, code)
);
CREATE INDEX areas_geom_idx ON areas USING gist (geom);
CREATE INDEX areas_geom_3857_idx ON areas USING gist (geom_3857);
CREATE INDEX areas_code_idx ON areas (code);

-- ONS postcode directory (NSPL / ONSPD). pc_compact is upper case without spaces: 'HR11AA'.
CREATE TABLE postcodes (
    pc_compact   text PRIMARY KEY,
    postcode     text NOT NULL,                -- display form 'HR1 1AA'
    outcode      text NOT NULL,
    incode       text NOT NULL,
    lon          double precision,             -- NULL when the directory has no grid reference
    lat          double precision,
    eastings     integer,
    northings    integer,
    quality      smallint,                     -- osgrdind positional quality (1 best, 9 none)
    introduced   date,
    terminated   date,                         -- NULL while live
    country      text, region text, county text, lad text, ward text, parish text,
    lsoa text, msoa text, oa text, pcon text, pfa text, ccg text, nhs_ha text, ced text,
    geom         geometry(Point, 4326) GENERATED ALWAYS AS (
                    CASE WHEN lon IS NULL OR lat IS NULL THEN NULL
                         ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END) STORED
);
CREATE INDEX postcodes_geom_idx ON postcodes USING gist (geom);
CREATE INDEX postcodes_outcode_idx ON postcodes (outcode);
CREATE INDEX postcodes_prefix_idx ON postcodes (pc_compact text_pattern_ops);

-- Code -> name lookups for ONS codes not carried by polygons (regions, constituencies, ...).
CREATE TABLE code_names (
    kind text NOT NULL,      -- 'region', 'country', 'pcon', 'ward', 'lad', 'lsoa', 'pfa', 'ccg', ...
    code text NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (kind, code)
);

-- Neighbourhood policing teams (police.uk /api/{force}/{id}); area code = force || '/' || id.
CREATE TABLE neighbourhoods (
    force_id     text NOT NULL REFERENCES forces (id),
    id           text NOT NULL,
    name         text NOT NULL,
    description  text,
    url_force    text,
    population   integer,
    contact_details jsonb NOT NULL DEFAULT '{}',
    links        jsonb NOT NULL DEFAULT '[]',
    centre_lat   double precision,
    centre_lon   double precision,
    demo         boolean NOT NULL DEFAULT false,  -- demo team record for a derived neighbourhood
    PRIMARY KEY (force_id, id)
);

CREATE TABLE neighbourhood_people (
    force_id text NOT NULL, neighbourhood_id text NOT NULL,
    seq      integer NOT NULL,
    name     text NOT NULL,
    rank     text,
    bio      text,
    contact_details jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (force_id, neighbourhood_id, seq),
    FOREIGN KEY (force_id, neighbourhood_id) REFERENCES neighbourhoods ON DELETE CASCADE
);

CREATE TABLE neighbourhood_priorities (
    id          bigserial PRIMARY KEY,
    force_id text NOT NULL, neighbourhood_id text NOT NULL,
    issue       text NOT NULL,
    issue_date  timestamptz,
    action      text,
    action_date timestamptz,
    FOREIGN KEY (force_id, neighbourhood_id) REFERENCES neighbourhoods ON DELETE CASCADE
);

CREATE TABLE neighbourhood_events (
    id          bigserial PRIMARY KEY,
    force_id text NOT NULL, neighbourhood_id text NOT NULL,
    title       text NOT NULL,
    description text,
    address     text,
    type        text,
    start_date  timestamptz NOT NULL,
    end_date    timestamptz,
    contact_details jsonb NOT NULL DEFAULT '{}',
    FOREIGN KEY (force_id, neighbourhood_id) REFERENCES neighbourhoods ON DELETE CASCADE
);
CREATE INDEX neighbourhood_events_start_idx ON neighbourhood_events (force_id, neighbourhood_id, start_date);

-- Local-service performance indicators per area and period.
CREATE TABLE indicators (
    area_code   text NOT NULL,
    indicator   text NOT NULL,                 -- code, e.g. 'ASC1'
    name        text NOT NULL,
    period      text NOT NULL,                 -- '2016-17', '2019-01', '2020'
    value       double precision NOT NULL,
    unit        text,
    polarity    text CHECK (polarity IN ('higher_is_better', 'lower_is_better', 'neutral')),
    target      double precision,
    benchmark   double precision,              -- e.g. the national median published with the value
    area_group  text,                          -- comparator group, e.g. 'Unitary Authorities'
    PRIMARY KEY (area_code, indicator, period)
);
CREATE INDEX indicators_indicator_period_idx ON indicators (indicator, period);

-- Monthly crime counts per area and category, rebuilt by refresh (area_kind 'none' = no location).
CREATE TABLE crime_monthly (
    area_kind text NOT NULL,
    area_code text NOT NULL,
    month     date NOT NULL,
    category  text NOT NULL,
    crimes    integer NOT NULL,
    PRIMARY KEY (area_kind, area_code, month, category)
);
CREATE INDEX crime_monthly_month_idx ON crime_monthly (month);

-- Each refresh records a version; the server reloads its snapshot when it changes.
CREATE TABLE dataset_versions (
    version     bigserial PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    crimes      bigint NOT NULL,
    located     bigint NOT NULL,
    first_month date,
    last_month  date,
    note        text
);

-- Bearer tokens for team writes; only a SHA-256 hash is stored.
CREATE TABLE api_tokens (
    id               bigserial PRIMARY KEY,
    token_hash       text NOT NULL UNIQUE,
    force_id         text NOT NULL REFERENCES forces (id),
    neighbourhood_id text,                      -- NULL: every neighbourhood of the force
    label            text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    revoked_at       timestamptz
);

CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    token_id   bigint REFERENCES api_tokens (id),
    at         timestamptz NOT NULL DEFAULT now(),
    action     text NOT NULL,                   -- 'create', 'update', 'delete'
    entity     text NOT NULL,                   -- 'priority', 'event'
    entity_id  bigint,
    before     jsonb,
    after      jsonb
);
