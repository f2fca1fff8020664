-- A cancelled training job stays cancelled. Its run writes progress and checkpoints through rows it
-- read before the cancellation committed; such a write must not bring the job back to RUNNING.
create function training_job_cancelled_stays() returns trigger language plpgsql as $$
begin
    if old.state = 'CANCELLED' then
        new.state := 'CANCELLED';
        new.error := old.error;
    end if;
    return new;
end
$$;

create trigger training_job_cancelled_stays before update on training_job
    for each row execute function training_job_cancelled_stays();
