-- 6: rollup rows per writer slot. Each instance's writer holds a slot of its own (a
-- session advisory lock), adds its ticks and voids to its own rows only, and readings sum
-- the slots. So no instance ever waits for a rollup row another one holds, even one frozen
-- in the middle of a write; the rows there were become slot 0.
ALTER TABLE daily ADD COLUMN slot BIGINT NOT NULL DEFAULT 0;
ALTER TABLE daily DROP CONSTRAINT daily_pkey;
ALTER TABLE daily ADD PRIMARY KEY (day, horror_id, source, site, slot);

ALTER TABLE daily_all ADD COLUMN slot BIGINT NOT NULL DEFAULT 0;
ALTER TABLE daily_all DROP CONSTRAINT daily_all_pkey;
ALTER TABLE daily_all ADD PRIMARY KEY (day, horror_id, source, slot);
