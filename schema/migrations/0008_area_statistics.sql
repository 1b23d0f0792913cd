-- Small-area statistics for rates, deprivation and "similar areas" comparisons (issue 14).
--
-- Populations: where each areas.population came from. `crimemap import population` records the
-- file and its period ('mid-2019', from a header such as population_mid2019 or --period);
-- `crimemap refresh` derives the population of every MSOA, district and force area without one of
-- its own from the LSOAs whose representative point (ST_PointOnSurface) lies inside it
-- (population_method 'lsoa_sum'), and of every ward and neighbourhood -- which LSOAs need not nest
-- in -- by area share: each overlapping LSOA's population times the share of its surface inside
-- ('lsoa_share'); population_lsoas counts the LSOAs used.
ALTER TABLE areas ADD COLUMN population_method text
    CHECK (population_method IN ('file', 'boundary', 'lsoa_sum', 'lsoa_share'));
ALTER TABLE areas ADD COLUMN population_source text;   -- file name; for lsoa_sum the LSOAs' file
ALTER TABLE areas ADD COLUMN population_period text;   -- 'mid-2019'
ALTER TABLE areas ADD COLUMN population_lsoas integer; -- lsoa_sum: the LSOAs summed
UPDATE areas SET population_method = 'boundary', population_source = source WHERE population IS NOT NULL;

-- English Indices of Deprivation 2019 (MHCLG), one row per LSOA (2011 codes): the rank (1 = most
-- deprived of the 32,844 LSOAs in England) and decile (1 = the most deprived tenth) of the Index
-- of Multiple Deprivation and of each of its seven domains. Filled by `crimemap import
-- deprivation` for every LSOA in the file (not only those with a boundary), so that an area loaded
-- later finds its row.
CREATE TABLE lsoa_deprivation (
    lsoa_code        text PRIMARY KEY,
    lad_code         text,                 -- district of the file (2019 codes)
    imd_rank         integer NOT NULL,
    imd_decile       smallint NOT NULL CHECK (imd_decile BETWEEN 1 AND 10),
    income_rank      integer NOT NULL,
    income_decile    smallint NOT NULL CHECK (income_decile BETWEEN 1 AND 10),
    employment_rank  integer NOT NULL,
    employment_decile smallint NOT NULL CHECK (employment_decile BETWEEN 1 AND 10),
    education_rank   integer NOT NULL,
    education_decile smallint NOT NULL CHECK (education_decile BETWEEN 1 AND 10),
    health_rank      integer NOT NULL,
    health_decile    smallint NOT NULL CHECK (health_decile BETWEEN 1 AND 10),
    crime_rank       integer NOT NULL,
    crime_decile     smallint NOT NULL CHECK (crime_decile BETWEEN 1 AND 10),
    barriers_rank    integer NOT NULL,
    barriers_decile  smallint NOT NULL CHECK (barriers_decile BETWEEN 1 AND 10),
    living_environment_rank   integer NOT NULL,
    living_environment_decile smallint NOT NULL CHECK (living_environment_decile BETWEEN 1 AND 10),
    edition          text NOT NULL,        -- 'IoD2019'
    source           text                  -- file it came from
);

-- ONS 2011 area classification of each LSOA (supergroup 1..8 and group, e.g. '5b' "Aspiring
-- urban households"), with the MSOA, district, region and country the lookup carries. Filled by
-- `crimemap import classification` for every row of the lookup.
CREATE TABLE lsoa_classification (
    lsoa_code    text PRIMARY KEY,
    group_code   text NOT NULL,            -- '5b'
    group_name   text NOT NULL,            -- 'Aspiring urban households'
    supergroup   smallint NOT NULL CHECK (supergroup BETWEEN 1 AND 9),
    msoa_code    text,
    lad_code     text,                     -- 2017 codes
    region_code  text,
    country_code text,
    source       text
);
