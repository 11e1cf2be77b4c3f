"""What only worker processes run: the procrastinate task ``courier.run_job``
(run_job.py) and the execution it drives (execution.py), the outbox relay (relay.py),
the background duties (maintenance/), the worker process (worker.py) and the job
kinds (kinds/). ``app/`` never imports this package; the CLI wires it in."""
