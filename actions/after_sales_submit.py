"""售后 submission: files the confirmed request in one transaction (retrying a lost race with
another writer), or says it was cancelled; either way the form's slots are cleared — except
when the database keeps refusing the filing: then the form waits at its confirmation."""
from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.after_sales_checks import already_filed_text
from actions.formatting import money
from actions.support import ShopAction, confirm_again, current_customer_id, db_confirmed
from assistant import after_sales as vocabulary
from assistant.after_sales_dialogue import (
    ALREADY_FILED, ANSWERED, CANCELLED, CONFIRM_SLOT, CONFIRMED, FORM_SLOTS, REASON_TEXT_SLOT,
)
from shop.db.after_sales import create_after_sales_request
from shop.db.errors import AfterSalesNotAllowed, InvalidRequest, OrderNotFound
from shop.domain.after_sales import ServiceType
from shop.domain.clock import utc_now

logger = logging.getLogger(__name__)

def reset_form_slots() -> List[Dict[str, Any]]:
    return ([SlotSet(slot, None) for slot in FORM_SLOTS]
            + [SlotSet(REASON_TEXT_SLOT, None), SlotSet("after_sales_next", None)])


class ActionSubmitAfterSales(ShopAction):
    def name(self) -> str:
        return "action_submit_after_sales"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        ended = tracker.get_slot(CONFIRM_SLOT)
        if ended == ANSWERED:
            return reset_form_slots()       # the form already said why it stopped
        if ended == CANCELLED:
            return await ActionCancelAfterSales().handle(dispatcher, tracker, domain)
        customer_id = current_customer_id(tracker)
        service = vocabulary.service_type(tracker.get_slot("service_type"))
        why = vocabulary.reason(tracker.get_slot("reason"))
        order_no, item = tracker.get_slot("order_no"), tracker.get_slot("order_item_id")
        if (customer_id is None or service is None or why is None or not order_no or not item
                or ended != CONFIRMED):
            dispatcher.utter_message(text="售后信息不完整，请重新告诉我订单号和问题。")
            return reset_form_slots()
        # The reason as the shopper typed it (the message now is only "确认").
        detail = (tracker.get_slot(REASON_TEXT_SLOT) or "")[:200] or None

        try:
            request = await db_confirmed(create_after_sales_request, customer_id, order_no, int(item), service, why,
                                         utc_now(), detail=detail)
        except AfterSalesNotAllowed as refused:
            if refused.code == ALREADY_FILED and refused.request_no:
                dispatcher.utter_message(text=already_filed_text(refused.request_no))
            else:
                dispatcher.utter_message(text=f"抱歉，{refused}")
            return reset_form_slots()
        except (OrderNotFound, InvalidRequest):
            dispatcher.utter_message(text="这笔订单暂时无法申请售后，请核对订单信息或转人工处理。")
            return reset_form_slots()
        except SQLAlchemyError:
            # Still refused after the retries (the database locked or down): nothing was
            # filed; the form waits at "确认提交吗？" with everything kept.
            logger.exception("filing an after-sales request failed; the form waits for another 确认 "
                             "(conversation %s)", tracker.sender_id)
            return confirm_again(dispatcher, "after_sales_form", CONFIRM_SLOT, "售后申请")
        refund = f"，预计退款 {money(request.refund_amount)}" if request.refund_amount else ""
        dispatcher.utter_message(
            text=(
                f"已为您提交{request.service_label}申请，服务单号 {request.request_no}"
                f"（{request.product_title[:24]}，原因：{request.reason_label}{refund}）。\n"
                f"下一步：{vocabulary.NEXT_STEPS[ServiceType(request.service_type)]}\n"
                "随时可以问我“售后进度”查看处理情况。"
            )
        )
        return reset_form_slots()


class ActionCancelAfterSales(ShopAction):
    def name(self) -> str:
        return "action_cancel_after_sales"

    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        dispatcher.utter_message(text="好的，已取消本次售后申请，没有提交任何内容。还有什么可以帮您？")
        return reset_form_slots()
