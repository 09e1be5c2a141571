import pytest

from shop.db.engine import make_engine, session_scope


@pytest.fixture(scope="session")
def shop_session(live_stack):
    """A session factory on the live stack's own shop database, to read the facts a reply
    must carry (and to check what a conversation wrote)."""
    engine = make_engine(live_stack.database_url)

    def open_session():
        return session_scope(engine)

    yield open_session
    engine.dispose()
