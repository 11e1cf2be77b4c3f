"""Background duties of a worker process, one small service per duty (River's
``internal/maintenance``): the expiry sweeper and the stalled-job rescuer.

Every worker process runs them; an advisory lock lets one pass of a duty run at
a time across all processes, and dies with its connection.
"""
