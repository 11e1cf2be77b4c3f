"""What tests share, one concept per module (fixtures live in tests/conftest.py only):

* ``kinds``     — the test job kinds (``sleepy``, ``llm_echo``) and ``TEST_KINDS``
* ``requests``  — request bodies and headers for the HTTP API and the job service
* ``jobs``      — a job service on the test kinds, reading and driving job rows,
                  and the job factory behind the ``job_factory`` fixture
* ``workers``   — a worker in this process, or as a subprocess
  (``python -m tests.support.worker_with_test_kinds``)
* ``streams``   — reading Server-Sent Events
* ``webhooks``  — a receiver that verifies Standard Webhooks signatures
* ``waiting``   — waiting on a condition with a deadline
* ``counting_database`` — the real database seam, counting the queries it runs
"""
