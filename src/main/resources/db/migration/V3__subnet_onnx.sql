-- The newest exported ONNX model of a subnet (an artifact; its SHA-256 is the file's identity).
alter table subnet add column onnx_sha256 varchar(64) references artifact (sha256);
