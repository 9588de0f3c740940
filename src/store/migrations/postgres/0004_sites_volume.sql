-- 4: sites and volume (SPEC §16, §17). A site is stored as its key, '' meaning none (one
-- implicit site), so that it can be part of primary keys; tokens bound to a site name it.
ALTER TABLE ticks ADD COLUMN site TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN site TEXT COLLATE "C";

-- The rollup gains the site.
ALTER TABLE daily ADD COLUMN site TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE daily DROP CONSTRAINT daily_pkey;
ALTER TABLE daily ADD PRIMARY KEY (day, horror_id, source, site);

-- Units handled per local day and site.
CREATE TABLE volume (
    day        TEXT COLLATE "C" NOT NULL,
    site       TEXT COLLATE "C" NOT NULL,
    units      BIGINT NOT NULL CHECK (units BETWEEN 0 AND 1000000000000),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (day, site)
);
