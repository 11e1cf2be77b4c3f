"""Jobs: intake, reading, and the execution of a job by a worker."""
