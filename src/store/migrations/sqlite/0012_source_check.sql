-- 12: the tick's source CHECK, written as comparisons. SQLite evaluates `x IN (a, b, c, d)`
-- (more than two constants) by building a temporary b-tree of the list, once per executed
-- statement: with 0007's four sources, every tick's INSERT opened and closed one (3 % of
-- the server's CPU under tap load, docs/performance.md). Two `IN` pairs are plain
-- comparisons and accept exactly the same values, so the stored definition is edited in
-- place as in 0007 (nothing on disk changes).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (source IN (''internal'', ''complaint'', ''observer'', ''sheet''))',
                          'CHECK (source IN (''internal'', ''complaint'') OR source IN (''observer'', ''sheet''))')
 WHERE type = 'table' AND name = 'ticks';
PRAGMA writable_schema = RESET;
-- Other connections re-read the schema when its cookie moves; any DDL moves it.
CREATE TABLE schema_cookie_bump (x);
DROP TABLE schema_cookie_bump;
