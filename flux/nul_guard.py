"""Refuse a request whose path or query string carries a NUL character, with 400.

PostgreSQL text cannot hold NUL, so such a value reaching any query (a URL segment allauth
looks a provider up by, a list filter) failed with a server error. No client has a use for
NUL in a URL, so it is refused before any view sees it. Form fields are refused by Django's
own form validation, and header values by the HTTP server.
"""

from collections.abc import Callable
from urllib.parse import unquote_plus

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

NUL = "\x00"


class NulRefusedMiddleware:
    """Answer 400 to a URL with NUL in its path or (decoded) query string."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = unquote_plus(request.META.get("QUERY_STRING", ""))
        if NUL in request.path_info or NUL in query:
            raise BadRequest("NUL character in the URL")
        return self.get_response(request)
