"""Writes to Shippo: registering a tracking number for track_updated webhooks.

Labels bought through Shippo are tracked without this; it is for numbers bought elsewhere.
"""

from integrations.models import Connection
from integrations.shippo.sync import client_for


def track_register(
    *, connection: Connection, carrier: str, tracking_number: str, metadata: str = ""
) -> None:
    """Ask Shippo to send track_updated webhooks for a tracking number."""
    client_for(connection).track_register(
        carrier=carrier, tracking_number=tracking_number, metadata=metadata[:100]
    )
