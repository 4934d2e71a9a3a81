"""What the emulator acknowledged is stored: an S3 write that cannot reach the disk is refused.

ministack 1.5.33 keeps an S3 object in memory, answers 200, then writes it to ``S3_DATA_DIR``;
when that write fails (a full disk, a file-size limit, a read-only folder) it logs a warning
and carries on. The object is served until the emulator stops and is gone after the next
start, although the learner's code was told it was stored (issue 17: 13 of 20 acknowledged
objects lost on a full disk).

:func:`patch_s3` makes such a write fail the request instead: ``PutObject``, ``CopyObject``,
``CompleteMultipartUpload`` and a browser-form ``POST`` answer HTTP 507
``InsufficientStorage`` (the SDK raises it as a ``ClientError``; botocore does not retry a
507), and the bucket's objects are put back as they were before the request, so what the
emulator serves is what it will bring back. The other S3 writes (tags, ACLs, delete markers,
version records) answer the same error, without that roll-back.
"""

from __future__ import annotations

import contextvars
import functools
import logging

logger = logging.getLogger("lambda_lab.runtime")

STATUS = 507
CODE = "InsufficientStorage"
# Set while a request runs: a background write (lifecycle, replication) keeps ministack's behaviour.
_in_request: contextvars.ContextVar[bool] = contextvars.ContextVar("lambda_lab_s3_request", default=False)


class NotStored(BaseException):  # not an Exception: ministack's ``except Exception`` must let it by
    """An S3 write that did not reach the disk; carried up to the request's answer."""

    def __init__(self, error: OSError):
        super().__init__(error)
        self.error = error


def message(error: OSError) -> str:
    reason = error.strerror or str(error)
    return (
        f"The emulator could not store this on disk ({reason}), so nothing was saved; "
        "free some disk space (or raise the file-size limit) and send it again."
    )


# Handlers that create or replace one object: the bucket's objects are put back when storing fails.
_OBJECT_WRITERS = ("_put_object", "_copy_object", "_complete_multipart_upload", "_post_object")


def patch_s3(s3) -> None:
    atomic_write = s3._atomic_write

    def _atomic_write(fpath, data, *args, **kwargs):
        try:
            return atomic_write(fpath, data, *args, **kwargs)
        except OSError as error:
            if not _in_request.get():
                raise
            raise NotStored(error) from error

    s3._atomic_write = _atomic_write

    for name in _OBJECT_WRITERS:
        setattr(s3, name, _rolled_back_on_failure(s3, getattr(s3, name)))

    handle_request = s3.handle_request

    @functools.wraps(handle_request)
    async def handle(*args, **kwargs):
        token = _in_request.set(True)
        try:
            return await handle_request(*args, **kwargs)
        except NotStored as failed:
            logger.error("S3 write not stored: %s", failed.error)
            return s3._error(CODE, message(failed.error), STATUS)
        finally:
            _in_request.reset(token)

    s3.handle_request = handle


def _rolled_back_on_failure(s3, handler):
    @functools.wraps(handler)
    def write(bucket_name, *args, **kwargs):
        bucket = s3._buckets.get(bucket_name) if isinstance(bucket_name, str) else None
        before = dict(bucket["objects"]) if bucket is not None and isinstance(bucket.get("objects"), dict) else None
        try:
            return handler(bucket_name, *args, **kwargs)
        except NotStored:
            if bucket is not None and before is not None:
                bucket["objects"].clear()
                bucket["objects"].update(before)
            raise

    return write
