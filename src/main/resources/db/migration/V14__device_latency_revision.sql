-- Counts the changes of a device's latency source. Stored answers are keyed by it, so an answer found
-- with a roofline estimate or an older model is not served once agents' measurements have replaced
-- that source (a latency budget could be exceeded by the old pick). The fingerprint is what the
-- source was at the last refresh: a refresh that changes nothing keeps the revision, and the answers.
alter table device add column latency_revision bigint not null default 0;
alter table device add column latency_fingerprint text;
