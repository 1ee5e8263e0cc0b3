"""The public Squarespace webhook endpoint (POST /webhooks/squarespace/).

Answers: 413 over 64 KiB; 401 when no connection's secret signed the body (forged or
unknown); 400 when a signed body is not an order notification of that connection's site;
503 when the order could not be re-fetched (Squarespace may retry; polling is the backstop);
200 when applied, and 200 again for a replay, which changes nothing.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.http import ProviderError
from integrations.squarespace.webhooks import (
    BadNotification,
    notification_apply,
    notification_parse,
    signed_connection,
)

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024


@login_not_required
@csrf_exempt
@require_POST
def notify(request: HttpRequest) -> HttpResponse:
    """Verify, parse and apply one order notification."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        return HttpResponse("Too large.", status=413)
    body = request.body
    connection = signed_connection(body, request.headers.get("Squarespace-Signature", ""))
    if connection is None:
        return HttpResponse("Bad signature.", status=401)
    try:
        notification = notification_parse(body)
    except BadNotification as error:
        return HttpResponse(f"Bad notification: {error}.", status=400)
    if notification.website_id != connection.external_account_id:
        return HttpResponse("Bad notification: another website.", status=400)
    try:
        applied = notification_apply(connection=connection, notification=notification)
    except ProviderError as error:
        logger.warning(
            "squarespace webhook fetch failed connection_id=%s error=%s", connection.pk, error
        )
        return HttpResponse("Try again later.", status=503)
    return HttpResponse("Applied." if applied else "Already applied.", status=200)
