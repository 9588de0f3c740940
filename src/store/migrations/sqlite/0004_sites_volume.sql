-- 4: sites and volume (SPEC §16, §17). A site is stored as its key, '' meaning none (one
-- implicit site), so that it can be part of primary keys; tokens bound to a site name it.
ALTER TABLE ticks ADD COLUMN site TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN site TEXT;

-- The rollup gains the site.
CREATE TABLE daily_by_site (
    day        TEXT NOT NULL,
    horror_id  INTEGER NOT NULL REFERENCES horrors(id),
    source     TEXT NOT NULL,
    site       TEXT NOT NULL,
    count      INTEGER NOT NULL,
    cost_minor INTEGER NOT NULL,
    PRIMARY KEY (day, horror_id, source, site)
) WITHOUT ROWID;
INSERT INTO daily_by_site (day, horror_id, source, site, count, cost_minor)
    SELECT day, horror_id, source, '', count, cost_minor FROM daily;
DROP TABLE daily;
ALTER TABLE daily_by_site RENAME TO daily;

-- Units handled per local day and site.
CREATE TABLE volume (
    day        TEXT NOT NULL,
    site       TEXT NOT NULL,
    units      INTEGER NOT NULL CHECK (units BETWEEN 0 AND 1000000000000),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (day, site)
) WITHOUT ROWID;
