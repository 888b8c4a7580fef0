"""Declarative base, naming convention and the column types every table uses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import BINARY, VARBINARY, DateTime, LargeBinary, MetaData, String
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.kit.text import sealed_bytes, sealed_json_bytes

# Short names: MySQL limits identifiers to 64 characters.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}

UtcDateTime: TypeEngine[datetime] = DateTime().with_variant(
    mysql.DATETIME(fsp=6), "mysql", "mariadb"
)


def Digest() -> BINARY:  # noqa: N802 - reads as a type
    """32 raw bytes (SHA-256/HMAC-SHA256)."""
    return BINARY(32)


def BlindIndex() -> BINARY:  # noqa: N802 - reads as a type
    """A versioned blind index: one key-version byte and an HMAC-SHA256 digest."""
    return BINARY(33)


def Ciphertext(length: int = 1024) -> TypeEngine[bytes]:  # noqa: N802 - reads as a type
    """An AEAD ciphertext of at most `length` bytes."""
    return VARBINARY(length)


def SealedText(max_chars: int) -> TypeEngine[bytes]:  # noqa: N802 - reads as a type
    """The ciphertext of a text field of at most `max_chars` characters (any UTF-8)."""
    return VARBINARY(sealed_bytes(max_chars))


def SealedJson(fields: Mapping[str, int]) -> TypeEngine[bytes]:  # noqa: N802 - reads as a type
    """The ciphertext of a JSON object of text fields, each of at most its characters."""
    return VARBINARY(sealed_json_bytes(fields))


LongCiphertext = LargeBinary


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    __table_args__ = {  # noqa: RUF012 - read once by SQLAlchemy at class creation
        "mysql_engine": "InnoDB",
        "mysql_charset": "utf8mb4",
        "mysql_collate": "utf8mb4_bin",
    }


def id_column() -> Mapped[str]:
    """The opaque string primary key."""
    return mapped_column(String(32), primary_key=True, default=new_id)


def created_column() -> Mapped[datetime]:
    """A creation timestamp in UTC."""
    return mapped_column(UtcDateTime, default=utcnow, nullable=False)
