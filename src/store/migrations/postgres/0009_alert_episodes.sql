-- 9: alerts are episodes (revision 2): one row per (episode, event), id
-- horror|site|opened|event. A claim is a lease separate from the retry schedule, so
-- that `horrors alerts send` can retry now without taking a delivery another instance
-- is making. Rows of revision 1 (one per alert day) are never sent again.
ALTER TABLE alert_deliveries ADD COLUMN leased_until BIGINT NOT NULL DEFAULT 0;
UPDATE alert_deliveries SET gave_up_at = created_at WHERE delivered_at IS NULL AND gave_up_at IS NULL;
