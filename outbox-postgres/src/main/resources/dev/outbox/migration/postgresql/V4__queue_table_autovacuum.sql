-- Vacuum the message table's partitions as a queue needs: soon and without pausing.
--
-- Every message is inserted, updated at its claim and updated again at its acknowledgement, so a
-- partition collects dead row versions at the rate messages flow, in a table whose live pending
-- part is small. The pending indexes keep an entry for each dead version until vacuum removes it,
-- and the claim steps over those entries. With PostgreSQL's defaults a partition is vacuumed only
-- once a fifth of it is dead (a day's partition of millions of rows: hundreds of thousands of dead
-- entries in front of the claim), and vacuum pauses every 200 page costs. Here it runs after 1% of
-- the partition plus 1,000 rows have died, statistics follow after 2% plus 1,000 changes, and
-- vacuum of these small, hot partitions works 10 times as long between its pauses.
--
-- Partitioned parents take no storage parameters, so they are set on every partition there is now,
-- and partition maintenance creates every new partition with the same settings.
DO $$
DECLARE
    part regclass;
BEGIN
    FOR part IN
        SELECT relid FROM pg_partition_tree(to_regclass(quote_ident(current_schema()) || '.'
                                                       || quote_ident('${outbox_table}')))
         WHERE isleaf
    LOOP
        EXECUTE format('ALTER TABLE %s SET (autovacuum_vacuum_scale_factor = 0.01,'
                       ' autovacuum_vacuum_threshold = 1000,'
                       ' autovacuum_analyze_scale_factor = 0.02,'
                       ' autovacuum_analyze_threshold = 1000,'
                       ' autovacuum_vacuum_cost_limit = 2000)', part);
    END LOOP;
END
$$;
