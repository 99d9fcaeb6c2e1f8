"""Following a `next` link after signing in: only paths on this site."""

from __future__ import annotations

import pytest

from entrypoints.web.navigation import safe_next


@pytest.mark.parametrize("target", ["/", "/clients", "/clients?q=nowak&page=2", "/users#top"])
def test_paths_on_this_site_are_followed(target: str):
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "///evil.example",
        "https://evil.example",
        "http:/evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example/path",
        "/\tevil",
        "/\x00x",
    ],
)
def test_anything_that_could_lead_elsewhere_is_dropped(target: str | None):
    assert safe_next(target) is None
