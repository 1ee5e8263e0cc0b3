"""The public Shippo webhook endpoint (POST /webhooks/shippo/<token>).

Answers: 413 over 64 KiB; 404 when no connection has that token (forged or stale URL);
400 when the body is not a track_updated delivery; 200 when parsed, whether it moved a label
or not: a label we do not hold (yet) is not an error Shippo could fix by retrying, and the
next sync brings the label with its current status.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.shippo.sync import label_tracking_apply
from integrations.shippo.webhooks import BadDelivery, delivery_parse, token_connection

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024


@login_not_required
@csrf_exempt
@require_POST
def track_updated(request: HttpRequest, token: str) -> HttpResponse:
    """Check the URL token, parse one track_updated delivery and apply it."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        return HttpResponse("Too large.", status=413)
    connection = token_connection(token)
    if connection is None:
        return HttpResponse("Not found.", status=404)
    try:
        delivery = delivery_parse(request.body)
    except BadDelivery as error:
        return HttpResponse(f"Bad delivery: {error}.", status=400)
    changed = label_tracking_apply(connection=connection, update=delivery.update)
    logger.info("shippo webhook connection_id=%s labels_changed=%d", connection.pk, changed)
    return HttpResponse("Applied." if changed else "Nothing to change.", status=200)
