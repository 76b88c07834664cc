"""The only place with SQL: the file, its schema and migrations, and the queries.

``Database`` is named here so that the domain can speak of an open database in its type
hints without importing SQLite or sqlite-utils itself.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database as Database
