"""Routing errors (no such path, method not allowed), answered in the form of the area
the path belongs to.

The router raises them before any controller is chosen, so no controller's own
exception handler sees them: under ``/v1/responses`` they answer in OpenAI's envelope
(an SDK parses every error there the same way), under ``/console`` as the console's
HTML error page (a mistyped address in a browser), elsewhere in problem+json like the
rest of the API.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException

from app.console.controllers import error_page
from app.problems import http_problem
from app.responses.errors import RESPONSES_PATH, openai_error


def routing_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """App-level handler of routing errors: each area's own error form."""
    path = request.url.path
    if _under(path, RESPONSES_PATH):
        return openai_error(request, exc)
    if _under(path, "/console"):
        return error_page(request, exc)
    return http_problem(exc).to_response(request)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


ROUTING_ERRORS = {NotFoundException: routing_error, MethodNotAllowedException: routing_error}
