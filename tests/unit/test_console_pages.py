"""Console rendering: autoescape, links only to the web, short ages, the CSP header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.console.pages import (
    CONTENT_SECURITY_POLICY,
    age,
    environment,
    milliseconds,
    render,
    web_url,
)


def test_templates__escape_what_they_are_given():
    html = (
        environment()
        .from_string("<p>{{ text }}</p><pre>{{ data | json_text }}</pre>")
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


def test_json_text__reads_as_written_and_is_escaped_where_shown():
    data = {"body": "We can't: Rückerstattung, 退款 & </pre><script>y</script>"}
    html = environment().from_string("<pre>{{ data | json_text }}</pre>").render(data=data)
    assert "Rückerstattung, 退款" in html
    assert "We can&#39;t" in html and "&amp;" in html
    assert "\\u" not in html
    assert "<script>" not in html and "&lt;/pre&gt;&lt;script&gt;" in html
    assert html.startswith("<pre>{\n  &#34;body&#34;")  # indented by two


@pytest.mark.parametrize(
    ("ms", "shown"), [(0.0, "<1 ms"), (0.4, "<1 ms"), (1.0, "1 ms"), (12.6, "13 ms"), (None, "")]
)
def test_milliseconds__shows_sub_millisecond_latencies_as_under_one(ms, shown):
    assert milliseconds(ms) == shown
