"""Grants name the customer an engineer was given access to."""

from __future__ import annotations

from helio.models import AccessGrant
from helio.platform.personal_data import PersonalData

GRANTS = PersonalData(
    owner=AccessGrant.customer_id,
    export_as=None,
    export=None,
    erase=None,
    kept_because="who was given access to the customer's data, when and why: ids and a reason",
)
