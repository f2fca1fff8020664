-- A refit owed to a device, kept in the database: measured_version counts the measurements stored, in
-- their own transactions; refreshed_version is the count a refresh of the device's latencies read
-- before its own reads. A device with measured_version > refreshed_version is owed one: the refresh
-- queued in memory was lost (the process stopped, the database went away while it ran) and a sweep
-- runs it again.
alter table device
    add column measured_version bigint not null default 0,
    add column refreshed_version bigint not null default 0;
