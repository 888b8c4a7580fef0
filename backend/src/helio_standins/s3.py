"""A stand-in for the boto3 S3 client (put, get, delete object), for tests and demos.

S3 cannot be reached from this environment, so `FakeS3Client` keeps objects in
memory with the same parameters, response fields and error classes (botocore
`ClientError` subclasses from the real S3 service model, reachable as
`client.exceptions.<Name>`). `HELIO_S3_STANDIN=true` selects it; production
settings refuse it. `quota_bytes` makes it refuse writes past a size, as a full
bucket or a quota would.
"""

from __future__ import annotations

import io
import threading
from functools import cache
from typing import Any

import botocore.session
from botocore.errorfactory import BaseClientExceptions, ClientExceptionsFactory
from botocore.exceptions import ClientError, ParamValidationError


@cache
def _s3_exceptions() -> BaseClientExceptions:
    model = botocore.session.get_session().get_service_model("s3")
    return ClientExceptionsFactory().create_client_exceptions(model)


class FakeS3Client:
    """In-memory buckets with the subset of the S3 client Helio's document store uses."""

    def __init__(self, *, buckets: tuple[str, ...] = (), quota_bytes: int | None = None) -> None:
        self.exceptions = _s3_exceptions()
        self._lock = threading.Lock()
        self._objects: dict[str, dict[str, bytes]] = {bucket: {} for bucket in buckets}
        self.quota_bytes = quota_bytes

    def create_bucket(self, *, Bucket: str, **_: Any) -> dict[str, Any]:  # noqa: N803
        with self._lock:
            self._objects.setdefault(Bucket, {})
        return {"Location": f"/{Bucket}"}

    def _bucket(self, name: str, operation: str) -> dict[str, bytes]:
        if name not in self._objects:
            raise self.exceptions.NoSuchBucket(
                {"Error": {"Code": "NoSuchBucket", "Message": "no such bucket"}}, operation
            )
        return self._objects[name]

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, **_: Any) -> dict[str, Any]:  # noqa: N803
        if not isinstance(Body, bytes | bytearray):
            raise ParamValidationError(report="Body must be bytes")
        with self._lock:
            objects = self._bucket(Bucket, "PutObject")
            used = sum(len(v) for k, v in objects.items() if k != Key)
            if self.quota_bytes is not None and used + len(Body) > self.quota_bytes:
                raise ClientError(
                    {"Error": {"Code": "QuotaExceeded", "Message": "quota exceeded"}}, "PutObject"
                )
            objects[Key] = bytes(Body)
        return {"ETag": '"standin"', "ServerSideEncryption": "AES256"}

    def get_object(self, *, Bucket: str, Key: str, **_: Any) -> dict[str, Any]:  # noqa: N803
        with self._lock:
            objects = self._bucket(Bucket, "GetObject")
            if Key not in objects:
                raise self.exceptions.NoSuchKey(
                    {"Error": {"Code": "NoSuchKey", "Message": "no such key"}}, "GetObject"
                )
            data = objects[Key]
        return {"Body": io.BytesIO(data), "ContentLength": len(data)}

    def delete_object(self, *, Bucket: str, Key: str, **_: Any) -> dict[str, Any]:  # noqa: N803
        with self._lock:
            self._bucket(Bucket, "DeleteObject").pop(Key, None)
        return {}

    def keys(self, bucket: str) -> list[str]:
        """Every key in a bucket (for tests)."""
        with self._lock:
            return sorted(self._objects.get(bucket, {}))
