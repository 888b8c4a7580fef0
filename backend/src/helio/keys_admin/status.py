"""What `helio keys status` shows: keys in use, unfinished rotations, shredding backlog."""

from __future__ import annotations

from typing import Any

from helio.keys_admin import repository as repo
from helio.keys_admin.run import checkpoint_store, reload_keyrings
from helio.kit.clock import utcnow
from helio.platform.app import App
from helio.security.keys.local import LocalKeyProvider


async def key_status(app: App) -> dict[str, Any]:
    """Return a name → value summary of the deployment's keys (ids and counts, no key material)."""
    reload_keyrings(app)
    async with app.db.transaction() as session:
        usage = await repo.kek_usage(session)
        owners = await repo.count_live_owners(session)
        versions = await repo.email_index_versions(session)
        due, scheduled = await repo.shredding_backlog(session, utcnow())
    keys, keyring = app.keys, app.keyring
    held = keys.kek_ids() if isinstance(keys, LocalKeyProvider) else ["(in KMS)"]
    pending = checkpoint_store(app).pending()
    return {
        "key provider": app.settings.key_provider,
        "current KEK": keys.current_kek_id(),
        "KEKs held": ", ".join(held),
        "data keys per KEK": ", ".join(f"{k}: {n}" for k, n in sorted(usage.items())) or "-",
        "owners with a live data key": owners,
        "blind-index version (current)": keyring.current_blind_index_version(),
        "blind-index versions held": ", ".join(map(str, keyring.blind_index_versions())),
        "email indexes per version (0 = erased)": (
            ", ".join(f"{v}: {n}" for v, n in sorted(versions.items())) or "-"
        ),
        "unfinished rotations": ", ".join(sorted(pending)) or "-",
        "accounts due for shredding": due,
        "accounts awaiting their grace period": scheduled,
    }
