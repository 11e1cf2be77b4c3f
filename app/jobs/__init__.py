"""Jobs: what a job and a kind are, intake, reading, cancel and replay, the queue that
carries "run this job" to workers (the execution itself is worker code: tasks/)."""
