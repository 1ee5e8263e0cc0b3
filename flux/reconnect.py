"""Turn an unreadable credential into a "reconnect needed" page instead of a server error.

A staff member's own second factor that cannot be opened gets its own page: there is nothing
to reconnect, an admin removes the authenticator and its owner enrols again.
"""

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from flux.accounts.mfa import MFASecretUnreadable
from flux.crypto import CredentialUnreadable

logger = logging.getLogger(__name__)
RECONNECT_STATUS = 409  # Conflict: the stored credential no longer matches the key ring


class ReconnectNeededMiddleware:
    """Answer CredentialUnreadable from any view with a 409 page that says to reconnect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, CredentialUnreadable):
            return None
        # The reason names a key id or a failure kind, never secret material.
        logger.warning("credential unreadable path=%s reason=%s", request.path, exception)
        if isinstance(exception, MFASecretUnreadable):
            template = "flux/second_factor_unreadable.html"
        else:
            template = "flux/reconnect_needed.html"
            if getattr(request, "htmx", False):
                template += "#reconnect-card"
        response = TemplateResponse(request, template, status=RECONNECT_STATUS)
        return response.render()
