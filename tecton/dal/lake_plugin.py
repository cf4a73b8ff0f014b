"""A dbt-duckdb source plugin that reads lake tables by name through :class:`tecton.lake.Lake`.

Registered in ``dbt_project/profiles.yml``::

    plugins:
      - module: tecton.dal.lake_plugin
        alias: lake

and used by a source whose ``meta`` names the plugin and the table::

    sources:
      - name: lake
        meta: {plugin: lake, lake_version: "{{ var('lake_version', '') }}", lake_as_of: "{{ var('lake_as_of', '') }}"}
        tables:
          - name: bars
            meta: {table: bars}

The lake root is the plugin's ``root`` config, which ``profiles.yml`` fills from the
``lake_root`` var tecton's build passes; left blank (a plain ``dbt build``), it comes from
tecton's own configuration (``TECTON_LAKE`` or ``$TECTON_HOME/lake``, a path or an ``s3://`` URL
with credentials from the environment), so dbt reads exactly what the rest of tecton writes.
``lake_version`` pins every lake table to a Delta version (0 included, which the stock ``delta``
plugin silently treats as "latest"); ``lake_as_of`` pins them to the version current at a
timestamp (ISO 8601; naive means UTC).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig

from tecton.data.schema import TABLES
from tecton.lake.tables import Lake

_UNSET = ("", "none", "null")


def _version(value: Any) -> int | None:
    """A Delta version from a meta value (rendered YAML gives strings); blank means latest."""
    if value is None or (isinstance(value, str) and value.strip().lower() in _UNSET):
        return None
    if isinstance(value, bool) or not str(value).strip().lstrip("-").isdigit():
        raise ValueError(f"lake_version must be a whole number, got {value!r}")
    version = int(str(value).strip())
    if version < 0:
        raise ValueError(f"lake_version must be 0 or more, got {version}")
    return version


def _as_of(value: Any) -> dt.datetime | None:
    """A point in time from a meta value (ISO 8601 text or a datetime); blank means latest."""
    if value is None or (isinstance(value, str) and value.strip().lower() in _UNSET):
        return None
    when = (
        value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).strip())
    )
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _younger(lake: Lake, name: str, as_of: dt.datetime | None) -> bool:
    """Whether table ``name`` was created after ``as_of``."""
    if as_of is None:
        return False
    created = min(c["timestamp"] for c in lake.table(name).history())  # ms since the epoch
    return created > as_of.timestamp() * 1000


class Plugin(BasePlugin):
    """Load a lake table by name (``meta.table``, else the source table's identifier)."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        # a root in the plugin config (tecton's build passes one) overrides the environment
        self.root: str | None = plugin_config.get("root") or None

    def lake(self) -> Lake:
        # resolved per load, not at start-up, so TECTON_LAKE / TECTON_HOME set for the run apply
        return Lake(self.root)

    def load(self, source_config: SourceConfig):
        name = source_config.get("table") or source_config.identifier
        version = _version(source_config.get("lake_version"))
        as_of = _as_of(source_config.get("lake_as_of"))
        if version is not None and as_of is not None:
            raise ValueError("set lake_version or lake_as_of, not both")
        lake = self.lake()
        if name in TABLES and (not lake.exists(name) or _younger(lake, name, as_of)):
            # a lake holding one source's data lacks the other's tables (no contracts in a
            # pysystemtrade-only lake, no fundamentals until someone lands them), and a table
            # created after `as_of` did not exist then (Delta would answer with its version 0):
            # read those as empty, with their canonical schema
            return TABLES[name].schema.empty_table()
        # a Delta version number can be 0: test against None, never truthiness
        return lake.table(name, version=version, as_of=as_of).to_pyarrow_dataset()

    def default_materialization(self) -> str:
        return "view"
