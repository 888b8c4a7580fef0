"""Field encryption for domain code: plain values in, ciphertext bound to its row out.

Domain code calls `seal`/`open` with the owner and where the value lives; it
never sees a key. Data keys are per owner, stored wrapped by the KEK of the
configured KeyProvider, cached unwrapped in process for a few minutes.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helio.models import DataKey
from helio.security import data_keys
from helio.security.crypto import DataKeyCache, DecryptionError, FieldCipher, data_key_context
from helio.security.keys.types import KeyProvider, WrappedKey, generate_data_key_async, unwrap_async


class KeyDestroyed(DecryptionError):
    code, message = "data_erased", "This data has been erased."


class FieldVault:
    """Seal and open PII fields with per-owner data keys."""

    def __init__(self, provider: KeyProvider, cache: DataKeyCache | None = None) -> None:
        self.provider = provider
        self.cache = cache or DataKeyCache()
        self.cipher = FieldCipher()

    async def create_key(self, session: AsyncSession, owner_id: str, generation: int = 1) -> bytes:
        """Create, wrap and store a new data key generation for an owner; return it."""
        context = data_key_context(owner_id, generation)
        plaintext, wrapped = await generate_data_key_async(self.provider, context)
        session.add(
            DataKey(
                owner_id=owner_id,
                generation=generation,
                kek_id=wrapped.kek_id,
                wrapped_key=wrapped.to_bytes(),
            )
        )
        await session.flush()
        self.cache.put(owner_id, generation, plaintext)
        return plaintext

    async def data_key(self, session: AsyncSession, owner_id: str, generation: int) -> bytes:
        """Return an owner's unwrapped data key of one generation.

        Raises:
            KeyDestroyed: the key was shredded (or never existed).
        """
        cached = self.cache.get(owner_id, generation)
        if cached is not None:
            return cached
        row = await data_keys.get(session, owner_id, generation)
        if row is None or row.wrapped_key is None:
            raise KeyDestroyed
        plaintext = await unwrap_async(
            self.provider,
            WrappedKey.from_bytes(row.wrapped_key),
            context=data_key_context(owner_id, generation),
        )
        self.cache.put(owner_id, generation, plaintext)
        return plaintext

    async def current_key(self, session: AsyncSession, owner_id: str) -> tuple[int, bytes]:
        """Return the newest generation and key of an owner, creating the first one."""
        generation = await data_keys.current_generation(session, owner_id)
        if generation is None:
            return 1, await self.create_key(session, owner_id, 1)
        return generation, await self.data_key(session, owner_id, generation)

    async def seal(
        self,
        session: AsyncSession,
        owner_id: str,
        value: str | None,
        *,
        table: str,
        column: str,
        row_id: str,
    ) -> bytes | None:
        """Encrypt a value for (table, column, row) under the owner's current data key."""
        if value is None:
            return None
        generation, key = await self.current_key(session, owner_id)
        return self.cipher.encrypt(
            key, value, table=table, column=column, row_id=row_id, key_generation=generation
        )

    async def open(
        self,
        session: AsyncSession,
        owner_id: str,
        ciphertext: bytes | None,
        *,
        table: str,
        column: str,
        row_id: str,
    ) -> str | None:
        """Decrypt a value stored at (table, column, row).

        Raises:
            DecryptionError: the ciphertext was moved, altered, or its key destroyed.
        """
        if ciphertext is None:
            return None
        generation = FieldCipher.key_generation(ciphertext)
        key = await self.data_key(session, owner_id, generation)
        return self.cipher.decrypt(key, ciphertext, table=table, column=column, row_id=row_id)

    async def shred(self, session: AsyncSession, owner_id: str) -> int:
        """Destroy every data key of an owner; their ciphertexts become unreadable forever."""
        self.cache.forget(owner_id)
        return await data_keys.destroy_all(session, owner_id)
