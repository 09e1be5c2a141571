"""The "floor + WAL" column of bench/conversation_bench.py (--wal-floor): bare Rasa (stock
channel, stock tracker store code) whose SQL tracker store gets the same SQLite engine as the
assistant's (shop.db.engine.conversation_log_engine: WAL, synchronous=NORMAL, connections kept
open). Python imports this module at start-up when this folder is on PYTHONPATH; the bench puts
it there for that floor's Rasa server only. Against this column the ratio shows what the
project's own code costs, with the SQLite tuning (which any Rasa deployment could make) on both
sides.
"""
from rasa.core.tracker_store import SQLTrackerStore

from shop.db.engine import adopt_conversation_log_engine

_stock_init = SQLTrackerStore.__init__


def _init(self, *args, **kwargs):
    _stock_init(self, *args, **kwargs)
    adopt_conversation_log_engine(self)


SQLTrackerStore.__init__ = _init
