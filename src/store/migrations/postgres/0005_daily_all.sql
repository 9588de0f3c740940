-- 5: the rollup of every site together, beside the per-site one, so that the readings
-- most made (the whole organization's rankings, trends and control charts) stay as small
-- as before sites: one row per day, horror and source, however many sites there are.
CREATE TABLE daily_all (
    day        TEXT COLLATE "C" NOT NULL,
    horror_id  BIGINT NOT NULL REFERENCES horrors(id),
    source     TEXT NOT NULL,
    count      BIGINT NOT NULL,
    cost_minor BIGINT NOT NULL,
    PRIMARY KEY (day, horror_id, source)
);
INSERT INTO daily_all (day, horror_id, source, count, cost_minor)
    SELECT day, horror_id, source, SUM(count), SUM(cost_minor) FROM daily
    GROUP BY day, horror_id, source;
-- One site's readings seek to it.
CREATE INDEX daily_by_site ON daily(site, day);
