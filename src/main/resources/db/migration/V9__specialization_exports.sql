-- A specialization's export runs as a durable job on its own db-scheduler table, so that a worker
-- busy training for hours never keeps a waiting request from its model, and an export whose
-- process died is taken up again by another worker (or the same one restarted).
create table specialization_export_task (
    task_name             text                     not null,
    task_instance         text                     not null,
    task_data             bytea,
    execution_time        timestamp with time zone,
    picked                boolean                  not null,
    picked_by             text,
    last_success          timestamp with time zone,
    last_failure          timestamp with time zone,
    consecutive_failures  integer,
    last_heartbeat        timestamp with time zone,
    version               bigint                   not null,
    priority              smallint,
    state                 text,
    primary key (task_name, task_instance)
);
create index specialization_export_task_execution_time on specialization_export_task (execution_time);
create index specialization_export_task_last_heartbeat on specialization_export_task (last_heartbeat);
create index specialization_export_task_priority_execution_time
    on specialization_export_task (priority desc, execution_time asc);

-- Why the last export of a request could not be done (the pick cannot be exported, or it failed
-- three times): the waiting request answers 409 with it; the same request again tries afresh.
create table specialization_export_failure (
    request_sha256  text primary key,
    field           text not null,
    detail          text not null,
    failed_at       timestamp with time zone not null default now()
);
