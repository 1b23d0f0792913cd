-- Two-tier areas: the county (upper-tier authority) over each district (lower-tier authority).
-- Indicators of county services (adult social care, ...) are published for the county only; the
-- performance tile layer shows a district without a value of its own its county's value.
--
-- Filled by `crimemap import lookups` from an ONS lookup CSV (LADyyCD + CTYyyCD, or LTLAyyCD +
-- UTLAyyCD columns). `crimemap refresh` stores each district's county in areas.parent_codes.county:
-- from this table, or failing that from the postcode directory (the most common county code among
-- the district's postcodes).
CREATE TABLE district_counties (
    lad    text PRIMARY KEY,   -- E07000234
    county text NOT NULL,      -- E10000034
    source text                -- file it came from
);
