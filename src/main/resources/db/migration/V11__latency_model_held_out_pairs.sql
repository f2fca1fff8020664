-- Each held-out subnet's predicted and measured milliseconds, as [[predicted, measured], ...], so an
-- answer can state the model's error near its own pick's latency: a correction fitted over the
-- whole range errs more at its small end than its mean error says. Null for models stored before.
alter table latency_model add column held_out_pairs jsonb;
