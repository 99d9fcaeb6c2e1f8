"""The security headers of every response: pages, static files, API answers and error pages alike."""

from __future__ import annotations

from flask import Flask, Response

# Pages take their scripts and styles from the app's own static files only: nothing inline.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
"""A year of HTTPS only, sent in production (behind TLS) and never in development on plain HTTP."""

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def security_headers(*, production: bool) -> dict[str, str]:
    """The headers every response carries; HSTS only in production."""
    return SECURITY_HEADERS | ({"Strict-Transport-Security": STRICT_TRANSPORT_SECURITY} if production else {})


def init_security_headers(app: Flask, *, production: bool) -> None:
    """An app-wide `after_request`: it runs after the blueprints' own, so a page that sets a policy of
    its own (the API docs) keeps it, and it also covers 404s, static files and error handlers."""
    headers = security_headers(production=production)

    @app.after_request
    def protect(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
