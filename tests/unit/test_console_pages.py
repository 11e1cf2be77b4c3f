"""Console rendering: autoescape, links only to the web, short ages, the CSP header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.console.pages import CONTENT_SECURITY_POLICY, age, environment, render, web_url


def test_templates__escape_what_they_are_given():
    html = (
        environment()
        .from_string("<p>{{ text }}</p><pre>{{ data | tojson }}</pre>")
        .render(text="<script>x</script>", data={"a": "</pre><script>y</script>"})
    )
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://help.example/refunds", True),
        ("HTTP://help.example/", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("", False),
        (None, False),
    ],
)
def test_web_url__keeps_only_http_links(url, kept):
    assert (web_url(url) is not None) is kept


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0, "0s"), (59, "59s"), (61, "1m"), (7200, "2h"), (90000, "1d")]
)
def test_age__is_short(seconds, shown):
    now = datetime(2026, 12, 5, tzinfo=UTC)
    assert age(now - timedelta(seconds=seconds), now) == shown


def test_render__sends_the_content_security_policy():
    response = render("sign_in.html", viewer=None, error="<b>no</b>")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "&lt;b&gt;no&lt;/b&gt;" in response.content
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
