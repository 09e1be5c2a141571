"""Whether the RabbitMQ consumer is keeping the analytics tables current, from its own reports
(``store.CONSUMER_STATUS``, written by ``analytics.rabbit`` every ``STATUS_EVERY_S``).

A RabbitMQ-side outage — RabbitMQ down, the consumer cut off from it or not running at all —
showed only in the consumer's log: the dashboard went on drawing older figures as if they
were current. The console shows admins what this says (console/analytics_pages.py); agents
see nothing of it (it names the infrastructure, and they cannot act on it). Monitoring reads
the same state as a code in the console's ``GET /healthz`` (``analytics_consumer``): one rule,
``consumer_state``, for both.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Optional

# How often the consumer records whether it holds its RabbitMQ connection (analytics.rabbit).
STATUS_EVERY_S = 15.0
# Six reports missed: the consumer is not running (or cannot write its reports).
STALE_AFTER_S = 6 * STATUS_EVERY_S

NEVER_REPORTED = ("分析消费者（python -m analytics consume-rabbitmq）从未报告过状态：可能没有运行。"
                  "新对话事件在 RabbitMQ 中排队等待，数据分析不会显示它们，直到消费者运行起来。")


# The states ``consumer_state`` tells apart (the health endpoint's codes).
OK, NEVER, STALE, BROKER_UNREACHABLE = "ok", "never_reported", "stale", "broker_unreachable"


def consumer_state(status: Optional[Dict[str, Any]], now: datetime) -> str:
    """``OK`` when the consumer reported recently that it holds its RabbitMQ connection, else
    what is wrong. ``status`` is ``store.consumer_status``; ``now`` naive UTC."""
    if status is None:
        return NEVER
    if (now - status["seen_at"]).total_seconds() > STALE_AFTER_S:
        return STALE
    return OK if status["rabbitmq_connected"] else BROKER_UNREACHABLE


def consumer_problem(status: Optional[Dict[str, Any]], now: datetime) -> Optional[str]:
    """What is wrong, in Chinese for the admin, or None when all is well (``consumer_state``)."""
    state = consumer_state(status, now)
    if state == NEVER:
        return NEVER_REPORTED
    if state == STALE:
        silent_s = (now - status["seen_at"]).total_seconds()
        return (f"分析消费者已 {int(silent_s // 60)} 分钟没有报告状态（最后一次 {status['seen_at']:%Y-%m-%d %H:%M} UTC）："
                "可能已停止。新对话事件在 RabbitMQ 中排队等待，数据分析显示的是那之前的数据。")
    if state == BROKER_UNREACHABLE:
        return (f"分析消费者自 {status['since']:%Y-%m-%d %H:%M} UTC 起连不上 RabbitMQ，正在重连："
                "那之后的对话事件暂不显示在数据分析里（RabbitMQ 恢复后自动补上）。")
    return None
