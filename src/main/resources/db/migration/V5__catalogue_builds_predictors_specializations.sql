-- Catalogue builds: sample subnets of a trained supernet, evaluate each after BN recalibration on
-- the whole validation split, store it with its costs. A build writes subnet by subnet and can be
-- resumed: what it already evaluated is skipped.
create table catalogue_build (
    id           uuid         primary key,
    supernet_id  uuid         not null references supernet (id) on delete cascade,
    state        varchar(16)  not null check (state in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    subnets      integer      not null check (subnets between 1 and 100000),
    seed         bigint       not null,
    done         integer      not null default 0 check (done >= 0),
    progress     jsonb,
    error        text,
    attempts     integer      not null default 0,
    created_at   timestamptz  not null default now(),
    updated_at   timestamptz  not null default now()
);
create index catalogue_build_supernet on catalogue_build (supernet_id, created_at desc);

-- Accuracy predictors fitted on a supernet's catalogue; a new version each time the catalogue grew.
create table accuracy_predictor (
    id              uuid             primary key,
    supernet_id     uuid             not null references supernet (id) on delete cascade,
    version         integer          not null check (version > 0),
    artifact_sha256 varchar(64)      not null references artifact (sha256),
    rows_seen       integer          not null check (rows_seen > 0),
    rows_sha256     varchar(64)      not null,
    report          jsonb            not null,
    created_at      timestamptz      not null default now(),
    unique (supernet_id, version)
);

-- Answered specializations: the same request (same supernet, device, budget, objective and
-- predictor) is answered from here without searching or exporting again.
create table specialization (
    id              uuid         primary key,
    request_sha256  varchar(64)  not null unique,
    supernet_id     uuid         not null references supernet (id) on delete cascade,
    device_id       bigint       not null references device (id) on delete cascade,
    subnet_id       bigint       not null references subnet (id) on delete cascade,
    onnx_sha256     varchar(64)  not null references artifact (sha256),
    request         jsonb        not null,
    response        jsonb        not null,
    created_at      timestamptz  not null default now()
);
create index specialization_listing on specialization (supernet_id, device_id, created_at desc);
