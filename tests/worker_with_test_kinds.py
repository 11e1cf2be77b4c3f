"""``python -m tests.worker_with_test_kinds worker``: the real ``courier`` CLI with the
test kinds registered, for tests that run workers as subprocesses."""

import sys

from app.cli import main
from tasks.kinds import KINDS
from tests.kinds import LLM_ECHO, SLEEPY

if __name__ == "__main__":
    KINDS[SLEEPY.name] = SLEEPY  # type: ignore[index]  # the registry is a dict
    KINDS[LLM_ECHO.name] = LLM_ECHO  # type: ignore[index]
    sys.exit(main())
