-- Reference tile engine: the crimes, areas, stops and labels layers rendered with ST_AsMVT, as martin and
-- pg_tileserv would. crimemapd --engine=postgis serves these; the in-memory engine is tested
-- against them (same totals per category, same area codes) and benchmarked against them.
-- Applied (CREATE OR REPLACE) by `crimemap migrate` after the migrations.

-- The integer world grid of geo/coords.hpp: Web Mercator scaled to [0, 2^32), y growing south.
CREATE OR REPLACE FUNCTION crimemap_world_x(lon double precision) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(greatest(floor((lon + 180.0) / 360.0 * 4294967296.0), 0), 4294967295)::bigint
$$;

CREATE OR REPLACE FUNCTION crimemap_world_y(lat double precision) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(greatest(floor((1.0 - asinh(tan(greatest(least(lat, 85.0511287798), -85.0511287798)
                                                  * (pi() / 180.0))) / pi()) / 2.0 * 4294967296.0), 0),
                 4294967295)::bigint
$$;

-- std::round: half away from zero, in double precision (round(float8) would round half to even).
CREATE OR REPLACE FUNCTION crimemap_round_half_away(v double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sign(v) * floor(abs(v) + 0.5)
$$;

-- crimes layer. z <= 13: grid clusters of 2^cell_bits x 2^cell_bits cells per tile (a cell is the
-- tile at z + cell_bits containing the crime), placed at the crime-weighted centre; z >= 14: one
-- feature per snap point. cats NULL = every category. 13 is the registry's crimes cluster_maxzoom
-- (core/layers.hpp); fields as the registry declares them (tests/integration/layer_fields_sql_test.cpp).
DROP FUNCTION IF EXISTS crimemap_crimes_mvt(integer, integer, integer, date, date, text[]);
CREATE OR REPLACE FUNCTION crimemap_crimes_mvt(z integer, x integer, y integer,
                                               month_from date, month_to date, cats text[],
                                               cell_bits integer DEFAULT 6)
RETURNS bytea LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    shift integer := 32 - z;
    tile_size numeric := 2::numeric ^ (32 - z);
    -- The tile in lon/lat, grown a little: the exact test is on world coordinates below.
    bbox geometry := ST_Expand(ST_Transform(ST_TileEnvelope(z, x, y), 4326), 1e-6);
    result bytea;
BEGIN
    IF z <= 13 THEN
        WITH pts AS (
            SELECT crimemap_world_x(l.lon) AS wx, crimemap_world_y(l.lat) AS wy, c.category
            FROM crimes c JOIN snap_locations l ON l.id = c.location_id
            WHERE c.geom && bbox
              AND c.month BETWEEN month_from AND month_to
              AND (cats IS NULL OR c.category = ANY (cats))
        ), in_tile AS (
            SELECT * FROM pts WHERE (wx >> shift) = x AND (wy >> shift) = y
        ), per_category AS (
            SELECT wx >> (shift - cell_bits) AS cx, wy >> (shift - cell_bits) AS cy, category,
                   count(*) AS n, sum(wx) AS sx, sum(wy) AS sy
            FROM in_tile GROUP BY 1, 2, 3
        ), cells AS (
            SELECT cx, cy, sum(n)::bigint AS count, sum(sx) / sum(n) AS mx, sum(sy) / sum(n) AS my,
                   jsonb_object_agg(category, n) AS categories
            FROM per_category GROUP BY cx, cy
        )
        -- Geometry is built directly in tile pixels (y down), so no ST_AsMVTGeom is needed.
        SELECT ST_AsMVT(f, 'crimes', 4096, 'geom', 'id') INTO result FROM (
            SELECT (cx << (z + cell_bits)) + cy AS id,
                   ST_MakePoint(least(greatest(round((mx - x * tile_size) * 4096 / tile_size), 0), 4095),
                                least(greatest(round((my - y * tile_size) * 4096 / tile_size), 0), 4095)) AS geom,
                   count, categories
            FROM cells
        ) f;
    ELSE
        WITH located AS (
            SELECT c.location_id, c.category, count(*) AS n
            FROM crimes c
            WHERE c.geom && bbox
              AND c.month BETWEEN month_from AND month_to
              AND (cats IS NULL OR c.category = ANY (cats))
            GROUP BY 1, 2
        ), per_location AS (
            SELECT l.id, l.name, crimemap_world_x(l.lon) AS wx, crimemap_world_y(l.lat) AS wy,
                   sum(n)::bigint AS count, jsonb_object_agg(category, n) AS categories
            FROM located JOIN snap_locations l ON l.id = located.location_id
            GROUP BY l.id
        )
        SELECT ST_AsMVT(f, 'crimes', 4096, 'geom', 'id') INTO result FROM (
            SELECT id, id AS location_id, name AS location, count, categories,
                   ST_MakePoint(least(greatest(round((wx - x * tile_size) * 4096 / tile_size), 0), 4095),
                                least(greatest(round((wy - y * tile_size) * 4096 / tile_size), 0), 4095)) AS geom
            FROM per_location
            WHERE (wx >> shift) = x AND (wy >> shift) = y
        ) f;
    END IF;
    RETURN coalesce(result, ''::bytea);
END
$$;

-- areas layer: polygons of one kind clipped to the tile with a 64-pixel buffer, with crime counts
-- for the months and categories from the monthly aggregates, the previous period of equal length
-- (when it lies inside the data: from the first month of `crimes` on), the percent change, the
-- population and the rate per 1,000 residents where known, and an LSOA's IMD decile. Fields as core/layers.hpp declares them
-- (tests/integration/layer_fields_sql_test.cpp); NULL columns are left out of a feature, as the
-- memory engine leaves them out. Rounding is half away from zero, as std::round.
CREATE OR REPLACE FUNCTION crimemap_areas_mvt(z integer, x integer, y integer, area_kind text,
                                              month_from date, month_to date, cats text[])
RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH period AS (
        SELECT p.prev_from, (month_from - interval '1 month')::date AS prev_to,
               p.prev_from >= (SELECT min(c.month) FROM crimes c) AS have_previous
        FROM (SELECT (month_from - make_interval(months => (extract(year from age(month_to, month_from))::int * 12
                                                             + extract(month from age(month_to, month_from))::int + 1)))::date
                     AS prev_from) p
    ), counted AS (
        SELECT ST_AsMVTGeom(a.geom_3857, ST_TileEnvelope(z, x, y), 4096, 64, true) AS geom,
               a.code, a.name, a.kind, a.population,
               (SELECT d.imd_decile::bigint FROM lsoa_deprivation d
                WHERE a.kind = 'lsoa' AND d.lsoa_code = a.code) AS imd_decile,
               coalesce((SELECT sum(m.crimes) FROM crime_monthly m
                         WHERE m.area_kind = a.kind AND m.area_code = a.code
                           AND m.month BETWEEN month_from AND month_to
                           AND (cats IS NULL OR m.category = ANY (cats))), 0)::bigint AS crimes,
               CASE WHEN period.have_previous THEN
                   coalesce((SELECT sum(m.crimes) FROM crime_monthly m
                             WHERE m.area_kind = a.kind AND m.area_code = a.code
                               AND m.month BETWEEN period.prev_from AND period.prev_to
                               AND (cats IS NULL OR m.category = ANY (cats))), 0)::bigint
               END AS previous
        FROM areas a, period
        WHERE a.kind = area_kind
          AND a.geom_3857 && ST_TileEnvelope(z, x, y, margin => 64.0 / 4096)
    )
    SELECT coalesce(ST_AsMVT(f, 'areas', 4096, 'geom'), ''::bytea) FROM (
        SELECT geom, code, name, kind, crimes, previous,
               CASE WHEN previous > 0 THEN
                   crimemap_round_half_away((crimes::float8 - previous::float8) * 100.0 / previous::float8 * 10.0) / 10.0
               END AS change,
               CASE WHEN population > 0 THEN population::bigint END AS population,
               CASE WHEN population > 0 THEN
                   crimemap_round_half_away(crimes::float8 * 1000.0 / population::float8 * 100.0) / 100.0
               END AS per_1000,
               imd_decile
        FROM counted
        WHERE geom IS NOT NULL
    ) f
$$;

-- The groups of the stops layer (core/stop_groups.cpp lists the same texts): police.uk's object of
-- search and outcome, case-insensitive; anything else, or blank, is 'other'.
CREATE OR REPLACE FUNCTION crimemap_stop_object_group(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN lower(btrim(t)) IN ('controlled drugs', 'psychoactive substances') THEN 'drugs'
        WHEN lower(btrim(t)) IN ('offensive weapons', 'firearms', 'anything to threaten or harm anyone', 'crossbows') THEN 'weapons'
        WHEN lower(btrim(t)) IN ('stolen goods') THEN 'stolen'
        WHEN lower(btrim(t)) IN ('article for use in theft') THEN 'theft'
        WHEN lower(btrim(t)) IN ('articles for use in criminal damage', 'fireworks') THEN 'damage'
        ELSE 'other' END
$$;

CREATE OR REPLACE FUNCTION crimemap_stop_outcome_group(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN lower(btrim(t)) IN ('a no further action disposal', 'nothing found - no further action') THEN 'nfa'
        WHEN lower(btrim(t)) IN ('arrest', 'suspect arrested') THEN 'arrest'
        WHEN lower(btrim(t)) IN ('summons / charged by post', 'suspect summonsed to court') THEN 'summons'
        WHEN lower(btrim(t)) IN ('caution (simple or conditional)', 'offender cautioned') THEN 'caution'
        WHEN lower(btrim(t)) IN ('community resolution', 'local resolution') THEN 'community'
        WHEN lower(btrim(t)) IN ('khat or cannabis warning', 'offender given drugs possession warning') THEN 'warning'
        WHEN lower(btrim(t)) IN ('penalty notice for disorder', 'offender given penalty notice') THEN 'penalty'
        ELSE 'other' END
$$;

-- stops layer: as crimes, grid clusters up to z13 and one feature per snap point from z14, for the
-- located stop-and-search records of the months; per feature the stops by object group (obj_*)
-- and outcome group (out_*), absent where none. Fields as core/layers.hpp declares them
-- (tests/integration/layer_fields_sql_test.cpp).
CREATE OR REPLACE FUNCTION crimemap_stops_mvt(z integer, x integer, y integer,
                                              month_from date, month_to date, cell_bits integer DEFAULT 6)
RETURNS bytea LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    shift integer := 32 - z;
    tile_size numeric := 2::numeric ^ (32 - z);
    bbox geometry := ST_Expand(ST_Transform(ST_TileEnvelope(z, x, y), 4326), 1e-6);
    result bytea;
BEGIN
    IF z <= 13 THEN
        SELECT ST_AsMVT(f, 'stops', 4096, 'geom', 'id') INTO result FROM (
            SELECT (cx << (z + cell_bits)) + cy AS id,
                   ST_MakePoint(least(greatest(round((mx - x * tile_size) * 4096 / tile_size), 0), 4095),
                                least(greatest(round((my - y * tile_size) * 4096 / tile_size), 0), 4095)) AS geom,
                   count, obj_drugs, obj_weapons, obj_stolen, obj_theft, obj_damage, obj_other,
                   out_nfa, out_arrest, out_summons, out_caution, out_community, out_warning, out_penalty, out_other
            FROM (
                SELECT wx >> (shift - cell_bits) AS cx, wy >> (shift - cell_bits) AS cy, count(*)::bigint AS count,
                       sum(wx) / count(*) AS mx, sum(wy) / count(*) AS my,
                   nullif(count(*) FILTER (WHERE og = 'drugs'), 0) AS obj_drugs,
                   nullif(count(*) FILTER (WHERE og = 'weapons'), 0) AS obj_weapons,
                   nullif(count(*) FILTER (WHERE og = 'stolen'), 0) AS obj_stolen,
                   nullif(count(*) FILTER (WHERE og = 'theft'), 0) AS obj_theft,
                   nullif(count(*) FILTER (WHERE og = 'damage'), 0) AS obj_damage,
                   nullif(count(*) FILTER (WHERE og = 'other'), 0) AS obj_other,
                   nullif(count(*) FILTER (WHERE rg = 'nfa'), 0) AS out_nfa,
                   nullif(count(*) FILTER (WHERE rg = 'arrest'), 0) AS out_arrest,
                   nullif(count(*) FILTER (WHERE rg = 'summons'), 0) AS out_summons,
                   nullif(count(*) FILTER (WHERE rg = 'caution'), 0) AS out_caution,
                   nullif(count(*) FILTER (WHERE rg = 'community'), 0) AS out_community,
                   nullif(count(*) FILTER (WHERE rg = 'warning'), 0) AS out_warning,
                   nullif(count(*) FILTER (WHERE rg = 'penalty'), 0) AS out_penalty,
                   nullif(count(*) FILTER (WHERE rg = 'other'), 0) AS out_other
                FROM (SELECT * FROM (
                    SELECT l.id AS location_id, l.name, crimemap_world_x(l.lon) AS wx, crimemap_world_y(l.lat) AS wy,
                           crimemap_stop_object_group(t.object_of_search) AS og,
                           crimemap_stop_outcome_group(t.outcome) AS rg
                    FROM stops t JOIN snap_locations l ON l.id = t.location_id
                    WHERE t.geom && bbox AND t.month BETWEEN month_from AND month_to) p
                 WHERE (p.wx >> shift) = x AND (p.wy >> shift) = y) pts
                GROUP BY 1, 2) cells
        ) f;
    ELSE
        SELECT ST_AsMVT(f, 'stops', 4096, 'geom', 'id') INTO result FROM (
            SELECT location_id AS id, location_id, nullif(name, '') AS location,
                   ST_MakePoint(least(greatest(round((wx - x * tile_size) * 4096 / tile_size), 0), 4095),
                                least(greatest(round((wy - y * tile_size) * 4096 / tile_size), 0), 4095)) AS geom,
                   count, obj_drugs, obj_weapons, obj_stolen, obj_theft, obj_damage, obj_other,
                   out_nfa, out_arrest, out_summons, out_caution, out_community, out_warning, out_penalty, out_other
            FROM (
                SELECT location_id, name, wx, wy, count(*)::bigint AS count,
                   nullif(count(*) FILTER (WHERE og = 'drugs'), 0) AS obj_drugs,
                   nullif(count(*) FILTER (WHERE og = 'weapons'), 0) AS obj_weapons,
                   nullif(count(*) FILTER (WHERE og = 'stolen'), 0) AS obj_stolen,
                   nullif(count(*) FILTER (WHERE og = 'theft'), 0) AS obj_theft,
                   nullif(count(*) FILTER (WHERE og = 'damage'), 0) AS obj_damage,
                   nullif(count(*) FILTER (WHERE og = 'other'), 0) AS obj_other,
                   nullif(count(*) FILTER (WHERE rg = 'nfa'), 0) AS out_nfa,
                   nullif(count(*) FILTER (WHERE rg = 'arrest'), 0) AS out_arrest,
                   nullif(count(*) FILTER (WHERE rg = 'summons'), 0) AS out_summons,
                   nullif(count(*) FILTER (WHERE rg = 'caution'), 0) AS out_caution,
                   nullif(count(*) FILTER (WHERE rg = 'community'), 0) AS out_community,
                   nullif(count(*) FILTER (WHERE rg = 'warning'), 0) AS out_warning,
                   nullif(count(*) FILTER (WHERE rg = 'penalty'), 0) AS out_penalty,
                   nullif(count(*) FILTER (WHERE rg = 'other'), 0) AS out_other
                FROM (SELECT * FROM (
                    SELECT l.id AS location_id, l.name, crimemap_world_x(l.lon) AS wx, crimemap_world_y(l.lat) AS wy,
                           crimemap_stop_object_group(t.object_of_search) AS og,
                           crimemap_stop_outcome_group(t.outcome) AS rg
                    FROM stops t JOIN snap_locations l ON l.id = t.location_id
                    WHERE t.geom && bbox AND t.month BETWEEN month_from AND month_to) p
                 WHERE (p.wx >> shift) = x AND (p.wy >> shift) = y) pts
                GROUP BY 1, 2, 3, 4) points
        ) f;
    END IF;
    RETURN coalesce(result, ''::bytea);
END
$$;

-- labels layer: each kind at the zooms core/layers.hpp gives it. Districts (z6-12) and wards
-- (z11-14) at areas.label_point (computed here where `crimemap refresh` has not stored one yet);
-- street names of the snap locations crimes use (z15+), without 'On or near ', one per name and
-- tile at its snap location with the lowest id; live postcodes at their centroid (z16+). A point
-- belongs to the tile holding it on the integer world grid, as in the memory engine.
CREATE OR REPLACE FUNCTION crimemap_labels_mvt(z integer, x integer, y integer)
RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH tile AS (
        SELECT ST_Expand(ST_Transform(ST_TileEnvelope(z, x, y), 4326), 1e-6) AS bbox, 32 - z AS shift,
               2::numeric ^ (32 - z) AS size
    ), places AS (
        SELECT a.name, CASE a.kind WHEN 'lad' THEN 'district' ELSE 'ward' END AS kind, a.code,
               ST_X(p.pt) AS lon, ST_Y(p.pt) AS lat
        FROM areas a CROSS JOIN LATERAL (SELECT coalesce(a.label_point, ST_PointOnSurface(a.geom)) AS pt) p, tile
        WHERE ((a.kind = 'lad' AND z BETWEEN 6 AND 12) OR (a.kind = 'ward' AND z BETWEEN 11 AND 14))
          AND a.geom && tile.bbox AND p.pt && tile.bbox
    ), snap AS (
        SELECT l.id, l.lon, l.lat,
               CASE WHEN l.name LIKE 'On or near %' THEN substr(l.name, 12) ELSE l.name END AS name
        FROM snap_locations l, tile
        WHERE z >= 15 AND l.geom && tile.bbox AND EXISTS (SELECT 1 FROM crimes c WHERE c.location_id = l.id)
    ), streets AS (
        SELECT DISTINCT ON (name) name, 'street' AS kind, NULL::text AS code, lon, lat
        FROM snap, tile
        WHERE name <> '' AND (crimemap_world_x(lon) >> tile.shift) = x AND (crimemap_world_y(lat) >> tile.shift) = y
        ORDER BY name, id
    ), postcodes AS (
        SELECT p.postcode AS name, 'postcode' AS kind, NULL::text AS code, p.lon, p.lat
        FROM postcodes p, tile
        WHERE z >= 16 AND p.terminated IS NULL AND p.geom && tile.bbox
    ), labels AS (
        SELECT * FROM places UNION ALL SELECT * FROM streets UNION ALL SELECT * FROM postcodes
    )
    SELECT coalesce(ST_AsMVT(f, 'labels', 4096, 'geom'), ''::bytea) FROM (
        SELECT name, kind, code,
               ST_MakePoint(least(greatest(round((wx - x * tile.size) * 4096 / tile.size), 0), 4095),
                            least(greatest(round((wy - y * tile.size) * 4096 / tile.size), 0), 4095)) AS geom
        FROM (SELECT *, crimemap_world_x(lon) AS wx, crimemap_world_y(lat) AS wy FROM labels) l, tile
        WHERE (wx >> tile.shift) = x AND (wy >> tile.shift) = y
    ) f
$$;
