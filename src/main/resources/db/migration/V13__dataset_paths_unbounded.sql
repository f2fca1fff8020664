-- A training job's and a supernet's dataset is "name (directory)": a directory path has no length
-- limit worth enforcing here, and a job accepted with a long one failed on insert with a 409 that no
-- retry could clear.
alter table training_job alter column dataset type text;
alter table supernet alter column dataset type text;
