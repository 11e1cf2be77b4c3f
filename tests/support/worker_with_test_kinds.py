"""``python -m tests.support.worker_with_test_kinds worker``: the real ``courier`` CLI
with the test kinds (``TEST_KINDS``), for tests that run workers as subprocesses
(:func:`tests.support.workers.spawn_worker`)."""

import sys

from app.cli import main
from tests.support.kinds import TEST_KINDS

if __name__ == "__main__":
    sys.exit(main(kinds=TEST_KINDS))
