"""The call log (SQLite, WAL, synchronous=FULL) and its CSV / JSON Lines export."""

from callrouter.store.calllog import SqliteCallLog
from callrouter.store.export import EXPORT_FIELDS, export_calls

__all__ = ["EXPORT_FIELDS", "SqliteCallLog", "export_calls"]
