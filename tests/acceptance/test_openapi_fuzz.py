"""Property-based fuzzing of the API over its own OpenAPI document (schemathesis).

Every answer must be documented, typed as documented, and never a 5xx.
Two checks are left out, on purpose:
- positive_data_acceptance: schemathesis reuses one Idempotency-Key for different
  bodies, which must be refused with 422 (that refusal is the feature);
- allow_header_conformance: Litestar's automatic OPTIONS answer lists one method
  of a path served by both GET and POST (a Litestar limitation, not ours).
The tenant-wide event stream never ends by design, so it is left out (its
parameters are covered by tests/acceptance/test_event_streams.py).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


async def test_api__survives_schemathesis_without_server_errors_or_undocumented_answers(
    api, make_key, tmp_path
):
    key = await make_key(roles=["admin"])  # admin: the webhook endpoints are fuzzed too
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{api}/schema/openapi.json",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance,allow_header_conformance",
        "--exclude-operation-id",
        "StreamTenantEvents",
        "--request-timeout",
        "10",
        "--header",
        f"Authorization: Bearer {key}",
        "--max-examples",
        os.environ.get("COURIER_FUZZ_EXAMPLES", "40"),
        "--seed",
        os.environ.get("COURIER_FUZZ_SEED", "20261122"),
        "--no-color",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,  # schemathesis keeps a cache in its working directory
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=240)
    report = output.decode(errors="replace")
    assert process.returncode == 0, report[-6000:]
    assert "generated" in report
