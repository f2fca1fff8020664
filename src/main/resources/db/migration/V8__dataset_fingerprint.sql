-- SHA-256 of the training dataset's content (train and test splits: shape, class names, labels and
-- pixels in order) as the run that trained the supernet read it. Resume, catalogue builds and exports
-- refuse a dataset that differs. Null for supernets from before it was recorded (not checked).
alter table supernet add column dataset_sha256 varchar(64);
