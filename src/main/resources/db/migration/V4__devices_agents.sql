-- Device agents authenticate with a per-device token; only its SHA-256 is kept.
alter table device add column agent_token_sha256 varchar(64);

-- Classes of the supernet's dataset: a subnet's layer plan (and so its latency) depends on it.
alter table supernet add column num_classes integer check (num_classes > 0);

-- A measurement task handed to an agent is leased for a while, so that several agents of one
-- device share the work instead of repeating it.
create table measurement_lease (
    device_id     bigint       not null references device (id) on delete cascade,
    task_id       varchar(600) not null,
    leased_until  timestamptz  not null,
    primary key (device_id, task_id)
);

-- Edge devices with their vendors' published peak FP32 compute and memory bandwidth, for roofline
-- estimates until an agent measures them. Peak = cores x clock x FP32 FLOP per cycle:
--   jetson-nano       128 Maxwell CUDA cores x 0.9216 GHz x 2 (FMA)          = 235.9 GFLOP/s; LPDDR4 64-bit 25.6 GB/s
--   jetson-orin-nano  1024 Ampere CUDA cores x 0.625 GHz x 2 (FMA)           = 1280 GFLOP/s;  LPDDR5 128-bit 68 GB/s
--   raspberry-pi-4    4 Cortex-A72 x 1.5 GHz x 8 (one 128-bit FMA per cycle) = 48 GFLOP/s;    LPDDR4-3200 32-bit 12.8 GB/s
--   raspberry-pi-5    4 Cortex-A76 x 2.4 GHz x 16 (two 128-bit FMA per cycle) = 153.6 GFLOP/s; LPDDR4X-4267 32-bit 17.1 GB/s
insert into device (name, description, runtime, execution_provider, peak_gflops, memory_gbps, measurement) values
    ('jetson-nano', 'NVIDIA Jetson Nano 4GB (128-core Maxwell GPU); peak and bandwidth from the vendor spec',
     'onnxruntime', 'CUDA', 235.9, 25.6, 'AGENT'),
    ('jetson-orin-nano', 'NVIDIA Jetson Orin Nano 8GB (1024-core Ampere GPU); peak and bandwidth from the vendor spec',
     'onnxruntime', 'CUDA', 1280, 68, 'AGENT'),
    ('raspberry-pi-4', 'Raspberry Pi 4 Model B (4x Cortex-A72 1.5 GHz); peak derived from the core spec, LPDDR4-3200',
     'onnxruntime', 'CPU', 48, 12.8, 'AGENT'),
    ('raspberry-pi-5', 'Raspberry Pi 5 (4x Cortex-A76 2.4 GHz); peak derived from the core spec, LPDDR4X-4267',
     'onnxruntime', 'CPU', 153.6, 17.1, 'AGENT')
on conflict (name) do nothing;
