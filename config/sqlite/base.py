"""SQLite backend that knows the real bound-parameter limit of the linked library.

Django assumes SQLite's historical limit of 999 variables per statement and splits
bulk writes into many batches. SQLite 3.32+ allows 32,766, so a 500-household
meeting is written in the same constant number of statements as on PostgreSQL;
without this the local default would hide or fake query-count regressions.
"""

import sqlite3

from django.db.backends.sqlite3 import base, features

from directory.search import SQLITE_FUNCTION, fold


class DatabaseFeatures(features.DatabaseFeatures):
    max_query_params = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures

    def get_new_connection(self, conn_params):
        # Diacritic- and case-insensitive search (directory.search.Folded) calls this.
        connection = super().get_new_connection(conn_params)
        connection.create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)
        return connection
