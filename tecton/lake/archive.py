"""The raw-file archive: every file ever offered is kept, addressed by its content."""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath

from tecton.dal.storage import Storage


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archive_path(source_file: str, digest: str) -> str:
    """``raw/<format>/<folders>/<sha16>-<name>``: all versions of one file sit side by side."""
    path = PurePosixPath(source_file)
    return str(PurePosixPath("raw") / path.parent / f"{digest[:16]}-{path.name}")


def archive(storage: Storage, source_file: str, data: bytes, digest: str) -> str:
    """Store the bytes under their hash; return the path relative to the storage root.

    The name is content-addressed, so writing an archived file again changes nothing.
    """
    relative = archive_path(source_file, digest)
    storage.put(relative, data)
    return relative
