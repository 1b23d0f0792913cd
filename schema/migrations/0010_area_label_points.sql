-- The labels tile layer writes district and ward names at a point inside the polygon
-- (ST_PointOnSurface), computed by `crimemap refresh` (crimemap_refresh_label_points) so that a
-- snapshot load need not compute it; NULL until then (the loader computes it for those).
ALTER TABLE areas ADD COLUMN label_point geometry(Point, 4326);
