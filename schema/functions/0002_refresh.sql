-- `crimemap refresh` as SQL functions: assign areas to crimes, fill parent codes and label points, rebuild the
-- aggregates, drop unused snap locations, publish a dataset version with NOTIFY. Applied (CREATE OR
-- REPLACE) by `crimemap migrate` after the migrations; tools/refresh.cpp calls crimemap_refresh()
-- inside its own transaction (the functions never commit). The temp tables are ON COMMIT DROP, so
-- each step runs at most once per transaction; the NOTIFY is delivered at commit.

-- A district's county (two-tier areas): an imported ONS lookup first, else the most common county
-- code of the district's postcodes (pseudo codes are NULL there); none for unitaries. Then every
-- area's parent codes: the containing area of each coarser kind, found from a point inside the
-- area, and a district's county. Returns the districts and those with a county.
CREATE OR REPLACE FUNCTION crimemap_refresh_parent_codes(OUT districts bigint, OUT districts_with_county bigint)
LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE refresh_counties ON COMMIT DROP AS
    SELECT a.code, coalesce(d.county, p.county) AS county FROM areas a
    LEFT JOIN district_counties d ON d.lad = a.code
    LEFT JOIN (SELECT DISTINCT ON (lad) lad, county FROM (
        SELECT lad, county, count(*) AS n FROM postcodes WHERE lad IS NOT NULL AND county IS NOT NULL GROUP BY 1, 2) c
      ORDER BY lad, n DESC, county) p ON p.lad = a.code
    WHERE a.kind = 'lad' AND coalesce(d.county, p.county) IS NOT NULL AND coalesce(d.county, p.county) <> a.code;

    -- An LSOA's ward and neighbourhood (which need not nest) are those holding its representative
    -- point: the same rule derives their populations (crimemap_refresh_populations).
    WITH parents(child, parent) AS (VALUES ('lsoa', 'msoa'), ('lsoa', 'lad'), ('lsoa', 'pfa'), ('lsoa', 'ward'),
        ('lsoa', 'neighbourhood'), ('msoa', 'lad'),
        ('msoa', 'pfa'), ('ward', 'lad'), ('ward', 'pfa'), ('neighbourhood', 'lad'), ('neighbourhood', 'pfa'),
        ('lad', 'pfa')),
    found AS (SELECT a.kind, a.code, coalesce((SELECT jsonb_object_agg(p.kind, p.code) FROM (
          SELECT DISTINCT ON (b.kind) b.kind, b.code FROM areas b JOIN parents pr ON pr.child = a.kind AND pr.parent = b.kind
          WHERE ST_Intersects(b.geom, ST_PointOnSurface(a.geom)) ORDER BY b.kind, b.code) p), '{}'::jsonb)
        || coalesce((SELECT jsonb_build_object('county', rc.county) FROM refresh_counties rc
          WHERE a.kind = 'lad' AND rc.code = a.code), '{}'::jsonb) AS pc
        FROM areas a)
    UPDATE areas a SET parent_codes = f.pc FROM found f
    WHERE a.kind = f.kind AND a.code = f.code AND a.parent_codes IS DISTINCT FROM f.pc;

    SELECT count(*), count(*) FILTER (WHERE parent_codes ? 'county') INTO districts, districts_with_county
    FROM areas WHERE kind = 'lad';
END
$$;

-- Populations of the areas larger than an LSOA, from the LSOAs, for every MSOA, ward, district,
-- force area and neighbourhood without a population of its own (from a file or its boundaries):
--  * MSOAs, districts and force areas, which LSOAs nest in: the sum of the LSOAs whose
--    representative point (ST_PointOnSurface, as in parent_codes) lies inside ('lsoa_sum'; an
--    LSOA's force area is its district's, so a generalised force boundary loses no LSOA);
--  * wards and neighbourhoods, which they need not nest in: area share, each overlapping LSOA's
--    population times the share of its surface inside the area, rounded ('lsoa_share').
-- Only when every LSOA used has a population and together they cover at least 90 % of the area's
-- surface (so a force area with only some of its districts' LSOAs loaded gets none). Records the
-- method, the LSOAs' file and period and how many were used; a derived population that no longer
-- qualifies is removed. Returns counts per kind and outcome.
CREATE OR REPLACE FUNCTION crimemap_refresh_populations() RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    result jsonb;
BEGIN
    -- Shares are measured on geometries simplified to about 10 m: 4x faster on detailed
    -- boundaries, and a share moves by far less than the rounding of a population.
    CREATE TEMP TABLE refresh_share_geom ON COMMIT DROP AS
    SELECT kind, code, ST_MakeValid(ST_SimplifyPreserveTopology(geom, 0.0001)) AS g FROM areas
    WHERE kind = 'lsoa' OR (kind IN ('ward', 'neighbourhood')
        AND (population_method IS NULL OR population_method = 'lsoa_share'));
    CREATE INDEX ON refresh_share_geom USING gist (g);
    ANALYZE refresh_share_geom;
    CREATE TEMP TABLE refresh_population ON COMMIT DROP AS
    WITH nested AS (
        SELECT k.kind, k.code, sum(l.population)::float8 AS population, count(*)::integer AS lsoas,
            count(l.population)::integer AS with_population, sum(ST_Area(l.geom)) AS covered,
            string_agg(DISTINCT l.population_source, ', ') AS source,
            string_agg(DISTINCT l.population_period, ', ') AS period
        FROM areas l LEFT JOIN areas d ON d.kind = 'lad' AND d.code = l.parent_codes->>'lad'
        CROSS JOIN LATERAL (VALUES ('msoa', l.parent_codes->>'msoa'), ('lad', l.parent_codes->>'lad'),
            ('pfa', coalesce(d.parent_codes->>'pfa', l.parent_codes->>'pfa'))) AS k(kind, code)
        WHERE l.kind = 'lsoa' AND k.code IS NOT NULL GROUP BY 1, 2
    ), pieces AS (
        SELECT a.kind, a.code, p.population, p.population_source, p.population_period,
            CASE WHEN ST_Covers(a.g, l.g) THEN ST_Area(l.g) ELSE ST_Area(ST_Intersection(a.g, l.g)) END AS inside,
            ST_Area(l.g) AS whole
        FROM refresh_share_geom a JOIN refresh_share_geom l ON l.kind = 'lsoa' AND ST_Intersects(a.g, l.g)
        JOIN areas p ON p.kind = 'lsoa' AND p.code = l.code
        WHERE a.kind IN ('ward', 'neighbourhood')
    ), shared AS (
        SELECT kind, code, sum(population * inside / nullif(whole, 0)) AS population,
            count(*) FILTER (WHERE inside > 0)::integer AS lsoas,
            count(*) FILTER (WHERE inside > 0 AND population IS NOT NULL)::integer AS with_population,
            sum(inside) AS covered, string_agg(DISTINCT population_source, ', ') AS source,
            string_agg(DISTINCT population_period, ', ') AS period
        FROM pieces WHERE inside > 0 GROUP BY 1, 2
    ), per AS (
        SELECT *, 'lsoa_sum' AS method FROM nested UNION ALL SELECT *, 'lsoa_share' FROM shared
    )
    SELECT a.kind, a.code, round(p.population)::bigint AS population, p.lsoas, p.source, p.period,
        CASE WHEN a.kind IN ('ward', 'neighbourhood') THEN 'lsoa_share' ELSE 'lsoa_sum' END AS method,
        CASE WHEN p.code IS NULL THEN 'no_lsoas'
             WHEN p.with_population < p.lsoas THEN 'lsoas_without_population'
             WHEN p.covered < 0.9 * ST_Area(a.geom) THEN 'lsoas_cover_too_little'
             WHEN p.population > 2147483647 THEN 'too_large'
             ELSE 'derived' END AS outcome
    FROM areas a LEFT JOIN per p ON p.kind = a.kind AND p.code = a.code
    WHERE a.kind <> 'lsoa' AND (a.population_method IS NULL OR a.population_method IN ('lsoa_sum', 'lsoa_share'));

    UPDATE areas a SET population = r.population::integer, population_method = r.method,
        population_source = r.source, population_period = r.period, population_lsoas = r.lsoas
    FROM refresh_population r WHERE r.outcome = 'derived' AND a.kind = r.kind AND a.code = r.code
      AND (a.population, a.population_method, a.population_source, a.population_period, a.population_lsoas)
          IS DISTINCT FROM (r.population::integer, r.method, r.source, r.period, r.lsoas);
    UPDATE areas a SET population = NULL, population_method = NULL, population_source = NULL,
        population_period = NULL, population_lsoas = NULL
    FROM refresh_population r WHERE r.outcome <> 'derived' AND a.kind = r.kind AND a.code = r.code
      AND a.population_method IN ('lsoa_sum', 'lsoa_share');

    SELECT coalesce(jsonb_object_agg(kind, outcomes), '{}') INTO result FROM (
        SELECT kind, jsonb_object_agg(outcome, n) AS outcomes FROM (
            SELECT kind, outcome, count(*) AS n FROM refresh_population GROUP BY 1, 2) o GROUP BY 1) k;
    RETURN result;
END
$$;

-- Point-in-polygon once per snap location in use, then copied to its crimes: every located crime
-- gets the LSOA, MSOA, ward, LAD, police force area and neighbourhood whose polygon contains it
-- (NULL where no polygon of the kind does); crimes without a location get none.
CREATE OR REPLACE FUNCTION crimemap_refresh_assign_areas() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    kind text;
BEGIN
    CREATE TEMP TABLE refresh_points ON COMMIT DROP AS SELECT s.id, s.geom FROM snap_locations s
    WHERE EXISTS (SELECT 1 FROM crimes c WHERE c.location_id = s.id);
    CREATE INDEX ON refresh_points USING gist (geom);
    ANALYZE refresh_points;
    FOREACH kind IN ARRAY ARRAY['lsoa', 'msoa', 'ward', 'lad', 'pfa', 'neighbourhood'] LOOP
        EXECUTE format('ALTER TABLE refresh_points ADD COLUMN %I text', kind);
        -- Areas drive the loop (points found through their index), so consecutive ST_Intersects
        -- calls share one polygon and PostGIS reuses its prepared form: ~10x faster than per point.
        -- Planned with the kind as a literal (EXECUTE), like a plain statement.
        EXECUTE format('UPDATE refresh_points p SET %I = m.code FROM ('
                       ' SELECT DISTINCT ON (q.id) q.id, a.code FROM areas a'
                       ' JOIN refresh_points q ON ST_Intersects(a.geom, q.geom) WHERE a.kind = %L ORDER BY q.id, a.code) m'
                       ' WHERE m.id = p.id', kind, kind);
    END LOOP;
    -- Dynamic because refresh_points gets its columns above (static SQL would be parsed too early).
    EXECUTE 'UPDATE crimes c SET lsoa_code = p.lsoa, msoa_code = p.msoa, ward_code = p.ward, lad_code = p.lad,'
            ' pfa_code = p.pfa, neighbourhood_code = p.neighbourhood FROM refresh_points p WHERE c.location_id = p.id'
            ' AND (c.lsoa_code, c.msoa_code, c.ward_code, c.lad_code, c.pfa_code, c.neighbourhood_code)'
            ' IS DISTINCT FROM (p.lsoa, p.msoa, p.ward, p.lad, p.pfa, p.neighbourhood)';
    UPDATE crimes SET lsoa_code = NULL, msoa_code = NULL, ward_code = NULL, lad_code = NULL, pfa_code = NULL,
        neighbourhood_code = NULL
    WHERE location_id IS NULL AND (lsoa_code IS NOT NULL OR msoa_code IS NOT NULL OR ward_code IS NOT NULL
        OR lad_code IS NOT NULL OR pfa_code IS NOT NULL OR neighbourhood_code IS NOT NULL);
END
$$;

-- Rebuilds crime_monthly (see the table comment for the kinds); returns its number of rows.
CREATE OR REPLACE FUNCTION crimemap_refresh_monthly() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    DELETE FROM crime_monthly;
    WITH ins AS (INSERT INTO crime_monthly (area_kind, area_code, month, category, crimes)
        SELECT k.kind, k.code, c.month, c.category, count(*) FROM crimes c CROSS JOIN LATERAL (VALUES
            ('lsoa', c.lsoa_code), ('msoa', c.msoa_code), ('ward', c.ward_code), ('lad', c.lad_code), ('pfa', c.pfa_code),
            ('neighbourhood', c.neighbourhood_code), ('force', c.force_id), ('all', 'all'),
            ('none', CASE WHEN c.location_id IS NULL THEN c.force_id END)) AS k(kind, code)
        WHERE k.code IS NOT NULL GROUP BY 1, 2, 3, 4 RETURNING 1)
    SELECT count(*) INTO n FROM ins;
    RETURN n;
END
$$;

-- Drops the snap locations no crime, outcome or stop and search uses; returns how many.
CREATE OR REPLACE FUNCTION crimemap_refresh_drop_unused_locations() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    DELETE FROM snap_locations s WHERE NOT EXISTS (SELECT 1 FROM crimes c WHERE c.location_id = s.id)
        AND NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.location_id = s.id)
        AND NOT EXISTS (SELECT 1 FROM stops t WHERE t.location_id = s.id);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- What the crimes hold after assignment: totals, crimes per assigned kind, and how the file's LSOA
-- compares with the polygon's.
CREATE OR REPLACE FUNCTION crimemap_refresh_counts(
    OUT crimes bigint, OUT located bigint, OUT lsoa bigint, OUT msoa bigint, OUT ward bigint, OUT lad bigint,
    OUT pfa bigint, OUT neighbourhood bigint, OUT lsoa_compared bigint, OUT lsoa_disagree bigint,
    OUT located_outside_lsoa bigint, OUT file_lsoa_without_polygon bigint)
LANGUAGE sql STABLE AS $$
    SELECT count(*), count(location_id), count(lsoa_code), count(msoa_code), count(ward_code), count(lad_code),
        count(pfa_code), count(neighbourhood_code),
        count(*) FILTER (WHERE file_lsoa_code IS NOT NULL AND lsoa_code IS NOT NULL),
        count(*) FILTER (WHERE file_lsoa_code IS NOT NULL AND lsoa_code IS NOT NULL AND file_lsoa_code <> lsoa_code),
        count(*) FILTER (WHERE location_id IS NOT NULL AND lsoa_code IS NULL),
        count(*) FILTER (WHERE file_lsoa_code IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM areas a WHERE a.kind = 'lsoa' AND a.code = crimes.file_lsoa_code))
    FROM crimes
$$;

-- Records a dataset version (stats plus the number of areas of each kind) and sends
-- NOTIFY crimemap_dataset '<version>' (delivered at commit). Returns the version.
CREATE OR REPLACE FUNCTION crimemap_refresh_publish(crimes bigint, located bigint, stats jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
BEGIN
    INSERT INTO dataset_versions (crimes, located, first_month, last_month, note, stats)
    SELECT crimemap_refresh_publish.crimes, crimemap_refresh_publish.located, min(c.month), max(c.month),
        'crimemap refresh', crimemap_refresh_publish.stats ||
        jsonb_build_object('areas', (SELECT coalesce(jsonb_object_agg(kind, n), '{}') FROM
            (SELECT kind, count(*) AS n FROM areas GROUP BY kind) a))
    FROM crimes c RETURNING version INTO v;
    PERFORM pg_notify('crimemap_dataset', v::text);
    RETURN v;
END
$$;

-- District and ward labels (the labels tile layer): a point inside each polygon, recomputed every
-- refresh since an import may have replaced the geometry. Returns the areas labelled.
CREATE OR REPLACE FUNCTION crimemap_refresh_label_points() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    UPDATE areas SET label_point = ST_PointOnSurface(geom) WHERE kind IN ('lad', 'ward');
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- The whole refresh, in the caller's transaction: the crime-import lock, bulk settings for the
-- rest of the transaction, every step above, the stats and the new version. Running it twice
-- gives the same data (and a new version).
CREATE OR REPLACE FUNCTION crimemap_refresh(
    OUT version bigint, OUT crimes bigint, OUT located bigint, OUT lsoa bigint, OUT msoa bigint, OUT ward bigint,
    OUT lad bigint, OUT pfa bigint, OUT neighbourhood bigint, OUT lsoa_compared bigint, OUT lsoa_disagree bigint,
    OUT located_outside_lsoa bigint, OUT file_lsoa_without_polygon bigint, OUT monthly_rows bigint,
    OUT districts bigint, OUT districts_with_county bigint)
LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz := clock_timestamp();
    c record;
    stats jsonb;
    populations jsonb;
BEGIN
    PERFORM pg_advisory_xact_lock(7260491002);  -- same lock as crime imports
    -- JIT compilation costs more than it saves on these statements; hash aggregates want memory.
    PERFORM set_config('jit', 'off', true);
    PERFORM set_config('work_mem', '128MB', true);
    SELECT p.districts, p.districts_with_county INTO districts, districts_with_county FROM crimemap_refresh_parent_codes() p;
    populations := crimemap_refresh_populations();
    PERFORM crimemap_refresh_label_points();
    PERFORM crimemap_refresh_assign_areas();
    monthly_rows := crimemap_refresh_monthly();
    PERFORM crimemap_refresh_drop_unused_locations();
    SELECT * INTO c FROM crimemap_refresh_counts();
    crimes := c.crimes;
    located := c.located;
    lsoa := c.lsoa;
    msoa := c.msoa;
    ward := c.ward;
    lad := c.lad;
    pfa := c.pfa;
    neighbourhood := c.neighbourhood;
    lsoa_compared := c.lsoa_compared;
    lsoa_disagree := c.lsoa_disagree;
    located_outside_lsoa := c.located_outside_lsoa;
    file_lsoa_without_polygon := c.file_lsoa_without_polygon;
    stats := jsonb_build_object(
        'assigned', jsonb_build_object('lsoa', lsoa, 'msoa', msoa, 'ward', ward, 'lad', lad, 'pfa', pfa,
                                       'neighbourhood', neighbourhood),
        'lsoa_compared', lsoa_compared, 'lsoa_disagree', lsoa_disagree, 'located_outside_lsoa', located_outside_lsoa,
        'file_lsoa_without_polygon', file_lsoa_without_polygon, 'crime_monthly_rows', monthly_rows,
        'populations', populations,
        'seconds', round(extract(epoch FROM clock_timestamp() - started)::numeric, 2));
    version := crimemap_refresh_publish(crimes, located, stats);
END
$$;
