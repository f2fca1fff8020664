-- Counts the refreshes of a device's latencies. Stored answers are keyed by it, so an answer found
-- with a roofline estimate or an older model is not served once agents' measurements have replaced
-- that source (a latency budget could be exceeded by the old pick).
alter table device add column latency_revision bigint not null default 0;
