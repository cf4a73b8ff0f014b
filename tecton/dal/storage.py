"""A storage root on local disk or S3, seen the same way by Delta tables and plain files."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property

import fsspec

from tecton.config import lake_uri

# environment variables passed to delta-rs (and s3fs) when the root is on S3
_AWS_ENV = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ALLOW_HTTP",
)


@dataclass(frozen=True)
class Storage:
    """A root URI (``/path`` or ``s3://bucket/prefix``) and how to reach it."""

    root: str

    _made: set[str] = field(
        default_factory=set, repr=False, compare=False
    )  # folders known to exist

    @classmethod
    def default(cls) -> Storage:
        return cls(lake_uri())

    @property
    def is_s3(self) -> bool:
        return self.root.startswith("s3://")

    def uri(self, *parts: str) -> str:
        return "/".join([self.root.rstrip("/"), *parts])

    def put(self, relative: str, data: bytes) -> None:
        """Write a file whole or not at all (S3 PUTs are atomic; on disk, write then rename)."""
        if self.is_s3:
            self.fs.pipe_file(self.uri(relative), data)
            return
        path = os.path.join(self.root, relative)
        folder = os.path.dirname(path)
        if folder not in self._made:
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        with open(path + ".partial", "wb") as f:
            f.write(data)
        os.replace(path + ".partial", path)

    @cached_property
    def delta_options(self) -> dict[str, str] | None:
        """``storage_options`` for deltalake: credentials and endpoint from the environment."""
        if not self.is_s3:
            return None
        options = {k: v for k in _AWS_ENV if (v := os.environ.get(k))}
        options.setdefault("AWS_REGION", "us-east-1")
        if options.get("AWS_ENDPOINT_URL", "").startswith("http://"):
            options["AWS_ALLOW_HTTP"] = "true"
        # safe concurrent writers on S3 without a lock table
        options["conditional_put"] = "etag"
        return options

    @cached_property
    def fs(self) -> fsspec.AbstractFileSystem:
        if not self.is_s3:
            return fsspec.filesystem("file", auto_mkdir=True)
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        return fsspec.filesystem(
            "s3",
            client_kwargs={"endpoint_url": endpoint} if endpoint else {},
            skip_instance_cache=True,
        )
