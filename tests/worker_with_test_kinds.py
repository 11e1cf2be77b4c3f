"""``python -m tests.worker_with_test_kinds worker``: the real ``courier`` CLI with the
test kinds (``TEST_KINDS``), for tests that run workers as subprocesses."""

import sys

from app.cli import main
from tests.kinds import TEST_KINDS

if __name__ == "__main__":
    sys.exit(main(kinds=TEST_KINDS))
