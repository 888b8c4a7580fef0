"""Every domain's personal-data entries, in the order shredding erases them.

A domain adds its entry here when it gains a table with an owner column;
`tests/test_personal_data.py` fails until it does.
"""

from __future__ import annotations

from helio.auth import personal_data as auth
from helio.customers.personal_data import CONSENT
from helio.documents.personal_data import DOCUMENTS
from helio.leads.personal_data import LEADS
from helio.models import DataKey
from helio.orders.personal_data import ORDER_EVENTS, ORDERS_ENTRY
from helio.payments.personal_data import PAYMENTS
from helio.platform.personal_data import PersonalData
from helio.quotes.personal_data import QUOTES
from helio.sites.personal_data import SITES
from helio.staff.grants.personal_data import GRANTS

DATA_KEYS = PersonalData(
    owner=DataKey.owner_id,
    export_as=None,
    export=None,
    erase=None,
    kept_because="destroyed by the vault before the other entries run (crypto-shredding)",
)

PERSONAL_DATA: tuple[PersonalData, ...] = (
    DATA_KEYS,
    PAYMENTS,
    DOCUMENTS,  # before orders and sites: its files leave the store first
    ORDER_EVENTS,
    ORDERS_ENTRY,  # before quotes and sites: an order keeps its figures and steps
    QUOTES,  # before sites: a quote keeps its figures, not its site
    SITES,
    auth.SESSIONS,
    auth.ONE_TIME_TOKENS,
    auth.RECOVERY_CODES,
    auth.PASSKEYS,
    auth.ROLES,
    CONSENT,
    GRANTS,
    LEADS,  # before the account: found by the account's email index too
    auth.ACCOUNT,
)
