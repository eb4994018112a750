"""Database plumbing shared by every domain area: engine set-up, UTC timestamps."""

from collections.abc import Callable
from datetime import UTC, datetime

from flask import has_request_context
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.types import TypeDecorator

#: Execution option that makes a SQLite transaction take the write lock at BEGIN.
SQLITE_BEGIN = "homestretch_sqlite_begin"
#: Key in `session.info` set while the session's transaction is the request's write transaction.
WRITING = "homestretch_writing"
#: Key in `session.info` set once the session's transaction has flushed anything.
FLUSHED = "homestretch_flushed"
#: Key in `session.info`: the small writes a read transaction carries, to make and commit
#: before the response goes out (see write_aside).
ASIDE = "homestretch_aside"
#: Key in `session.info`: such writes whose read transaction ended before they were made;
#: they are made apart, on a connection of their own, before the response goes out.
ASIDE_APART = "homestretch_aside_apart"
#: Requests with these methods write, so they take the write lock before loading anything.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Endpoints that do slow work first (hashing a password) and take the write lock themselves.
WRITE_LOCK_LATER = frozenset({"auth.login"})


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as UTC; naive datetimes are refused, never guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: store aware UTC datetimes only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def configure_engine(engine: Engine) -> None:
    """Turn on SQLite's foreign keys and WAL, and let us choose how each transaction begins;
    on PostgreSQL, keep one plan per prepared statement."""
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _plan_once)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own is lazy).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def _plan_once(dbapi_connection, _record) -> None:
    """Plan each prepared statement once per connection (PostgreSQL's generic plan).

    psycopg prepares a statement once a connection has run it a few times. Left to itself,
    PostgreSQL then keeps planning it again for every run whenever it guesses that a plan for
    the actual values could be cheaper; for the pages' joins that planning cost more than the
    query (1.5 ms against 0.2 ms for the visit page). Every page statement filters on keys and
    indexed columns, where one plan fits all values.
    """
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        dbapi_connection.execute("SET plan_cache_mode = force_generic_plan")
    finally:
        dbapi_connection.autocommit = autocommit


def begin_write(session) -> None:
    """Start the request's writing transaction; on SQLite take the write lock right away.

    SQLite admits one writer at a time. A transaction that read first and writes later can
    fail when another writer got in between; starting with BEGIN IMMEDIATE makes it wait
    its turn instead (busy_timeout), so check-then-write sequences are serialised. A second
    call in the same transaction changes nothing (the lock is already held).
    """
    if is_writing(session):
        return
    session.info[WRITING] = True
    if session.get_bind().dialect.name != "sqlite":
        return
    session.commit()  # end the read-only transaction that loading the user began
    session.info[WRITING] = True  # commit() ran the after_commit hook, which cleared it
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


def takes_write_lock_up_front(method: str, endpoint: str | None) -> bool:
    """Whether a request starts its write transaction before anything is loaded."""
    return method in WRITE_METHODS and endpoint is not None and endpoint not in WRITE_LOCK_LATER


def is_writing(session) -> bool:
    """Whether this session's transaction is already the request's write transaction."""
    return bool(session.info.get(WRITING))


def write_aside(session, work: Callable[[Session], None]) -> None:
    """Make a small write (an audit row, a "last seen" time) without upgrading a read.

    A request that already writes does it in its own transaction, so it commits or rolls back
    with the rest. A read-only request (a GET) does it in a short transaction of its own that
    takes the write lock up front and commits at once: its read transaction is never upgraded
    (SQLite cannot wait for a lock there) and its loaded objects are not expired.

    On PostgreSQL, where a read transaction may write, the write joins the request's read
    transaction on the connection it already holds: `commit_asides` makes it and commits it
    once the page is ready and before it is sent, so a failed write or commit answers with an
    error, never with the page. Made last, it holds its row's lock only as long as the commit
    takes: views of the same page at once (whose audit rows are one row an hour) do not wait
    for each other's rendering. A read holds no snapshot there (each statement takes its
    own), so the page reads what it would have read anyway.
    """
    if is_writing(session):
        work(session)
        session.flush()
        return
    if session.get_bind().dialect.name != "sqlite" and _only_read(session):
        if not has_request_context():  # no response to wait for: write now, commit with it
            with Session(bind=session.connection()) as aside:
                work(aside)
                aside.flush()
            return
        session.connection()  # the read transaction the write will join
        session.info.setdefault(ASIDE, []).append(work)
        return
    _write_apart(session, work)


def _write_apart(session, work: Callable[[Session], None]) -> None:
    """Run `work` in a short transaction on a connection of its own, and commit it."""
    # The transaction is the connection's own; the side session joins it for `work` and
    # leaves committing (or, should `work` fail, rolling back) to it.
    with session.get_bind().connect() as connection:
        if connection.dialect.name == "sqlite":
            connection = connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        with connection.begin(), Session(bind=connection) as aside:
            work(aside)
            aside.flush()


def commit_asides(session) -> None:
    """Make and commit the writes `write_aside` left to a read transaction (PostgreSQL), before
    the response goes out. Should the request have changed anything else, that is rolled back
    and the writes are made on a connection of their own, as are those whose read transaction
    ended early."""
    works = session.info.pop(ASIDE, None) or []
    apart = session.info.pop(ASIDE_APART, None) or []
    if works and session.in_transaction() and _only_read(session):
        with Session(bind=session.connection()) as aside:
            for work in works:
                work(aside)
            aside.flush()
        _commit_keeping_loaded(session)
    elif works:
        session.rollback()
        apart += works
    for work in apart:
        _write_apart(session, work)


def read_columns(session, statement, values: dict):
    """Run a statement of plain columns on the session's connection, in its transaction,
    without the ORM's result handling (only entities need it; lists that read many rows save
    most of their cost this way). Pending changes are flushed first, as the session's own
    execute would."""
    session.flush()
    return session.connection().execute(statement, values)


def end_read(session) -> None:
    """End a request's read-only transaction with COMMIT instead of the usual ROLLBACK.

    Both end it the same way for the data, but psycopg forgets every prepared statement on a
    ROLLBACK, so PostgreSQL would plan each page's statements again on every view. Anything
    that wrote, flushed or still has changes pending is left to the rollback.
    """
    if not session.in_transaction() or not _only_read(session):
        return
    try:
        _commit_keeping_loaded(session)
    except SQLAlchemyError:
        session.rollback()


def _only_read(session) -> bool:
    """Whether the session's transaction has read and nothing else (no write begun, nothing
    flushed, no changes pending)."""
    if is_writing(session) or session.info.get(FLUSHED):
        return False
    return not (session.new or session.dirty or session.deleted)


def _commit_keeping_loaded(session) -> None:
    """Commit without expiring what was loaded: it stays readable, as after a rollback."""
    if isinstance(session, scoped_session):
        session = session()
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


@event.listens_for(Session, "after_flush")
def _remember_flush(session, _context):
    session.info[FLUSHED] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_writing(session):
    """The write markers last one transaction: clear them when that transaction ends. Writes
    left to it by write_aside and not yet made are made apart instead (commit_asides)."""
    session.info.pop(WRITING, None)
    session.info.pop(FLUSHED, None)
    unmade = session.info.pop(ASIDE, None)
    if unmade:
        session.info.setdefault(ASIDE_APART, []).extend(unmade)
