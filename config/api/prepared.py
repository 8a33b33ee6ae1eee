"""A Django cursor on PostgreSQL (psycopg 3) that binds its parameters on the server and
prepares what it runs, for the few statements run on every request whose planning costs more
than running them (``rows.rows_by_ids``: a list page's lights, node figures, many-to-many
ids).

Django turns psycopg's prepared statements off (``prepare_threshold`` None) so that a
transaction-pooling proxy (PgBouncer before 1.21) never sees a statement prepared on another
server connection; its own cursors bind on the client and never prepare. This one asks for
each statement explicitly; for it the connection's threshold is raised from None to "never
by count", which changes nothing for Django's cursors. The deployment connects to PostgreSQL
directly (docker-compose.yml), so the prepared statements stay on the connection that
prepared them. PostgreSQL plans the first five executions for their parameters and then
keeps the generic plan when it costs no more; psycopg keeps at most ``prepared_max`` (100)
statements per connection and deallocates the least recently used.
"""

import functools

from django.db.backends.postgresql.psycopg_any import is_psycopg3

# psycopg prepares nothing while the threshold is None, even when asked.
NEVER_BY_COUNT = 2**31


def prepared_cursor(connection):
    """A cursor of ``connection`` (a Django PostgreSQL connection wrapper) like
    ``connection.cursor()`` — query logging, execute wrappers, database errors — whose
    ``execute`` prepares the statement; None without psycopg 3."""
    if not is_psycopg3:  # pragma: no cover — psycopg 3 is what the project installs
        return None
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = connection.connection
        if raw.prepare_threshold is None:
            raw.prepare_threshold = NEVER_BY_COUNT
        cursor_class, debug_class = _classes()
        cursor = cursor_class(raw)
        # As ``DatabaseWrapper.create_cursor``: the time zone when the connection's differs.
        loader = raw.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != loader.timezone:
            register_tzloader(connection.timezone, cursor)
        connection.validate_thread_sharing()
        if connection.queries_logged:
            return debug_class(cursor, connection)
        return connection.make_cursor(cursor)


@functools.cache
def _classes():
    """Django's server-binding cursor class, preparing every statement it executes, and
    Django's debug wrapper logging its SQL with the parameters in place (psycopg keeps no
    query text for a prepared statement's execution, where Django reads it)."""
    from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
    from django.db.backends.utils import CursorWrapper

    class Preparing(ServerBindingCursor):
        def execute(self, query, params=None, **kwargs):
            return super().execute(query, params, prepare=True)

    class PreparingDebugWrapper(CursorDebugWrapper):
        def execute(self, sql, params=None):
            with self.debug_sql(self.db.ops.compose_sql(sql, params)):
                return CursorWrapper.execute(self, sql, params)

    return Preparing, PreparingDebugWrapper
