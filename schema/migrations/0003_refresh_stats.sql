-- What each `crimemap refresh` measured (area assignment, file-vs-polygon LSOA agreement, timings),
-- kept with the dataset version it published.
ALTER TABLE dataset_versions ADD COLUMN stats jsonb NOT NULL DEFAULT '{}';

COMMENT ON TABLE crime_monthly IS
  'Monthly crime counts per area and category, rebuilt by crimemap refresh. area_kind is an areas.kind '
  '(lsoa, msoa, ward, lad, pfa, neighbourhood: crimes assigned by point-in-polygon), or ''force'' '
  '(area_code = police.uk force id: every crime of that force, with or without a location), '
  '''none'' (area_code = force id: crimes without a location), or ''all'' (area_code ''all'': every crime).';
COMMENT ON COLUMN dataset_versions.stats IS
  'JSON from crimemap refresh: assigned crimes per area kind, LSOA agreement between file and polygon, areas per kind, seconds.';
