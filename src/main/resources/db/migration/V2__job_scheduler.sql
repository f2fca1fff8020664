-- db-scheduler's task table (its documented PostgreSQL layout): every worker replica polls it,
-- picks due executions with a row lock, and heartbeats while running, so an execution whose
-- worker died is detected and run again.
create table scheduled_tasks (
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
create index scheduled_tasks_execution_time on scheduled_tasks (execution_time);
create index scheduled_tasks_last_heartbeat on scheduled_tasks (last_heartbeat);
create index scheduled_tasks_priority_execution_time on scheduled_tasks (priority desc, execution_time asc);

-- where a resumed training job picked up again, for the job's own record
alter table training_job add column resumed_from_epoch integer;
alter table training_job add column attempts integer not null default 0;
