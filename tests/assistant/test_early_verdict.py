"""What the after-sales form says once order and item are known (before more questions)."""
from assistant.after_sales import early_verdict, services_to_try
from shop.domain.after_sales import ServiceType
from shop.domain.eligibility import Eligibility

OK = Eligibility(True, None, "可以申请。")
RETURN_EXPIRED = Eligibility(False, "RETURN_WINDOW_EXPIRED", "已超过7天无理由退货期限。")
EXCHANGE_EXPIRED = Eligibility(False, "EXCHANGE_WINDOW_EXPIRED", "已超过15天换货期限。")
REPAIR_EXPIRED = Eligibility(False, "WARRANTY_EXPIRED", "已过保修期。")
OPEN = Eligibility(False, "REQUEST_IN_PROGRESS", "该商品已有进行中的售后申请（服务单号 SH20261206000123），请勿重复提交。")


def test_the_service_asked_for_is_tried_first():
    assert services_to_try(ServiceType.REPAIR) == (ServiceType.REPAIR, ServiceType.RETURN, ServiceType.EXCHANGE)
    assert services_to_try(None) == (ServiceType.RETURN, ServiceType.EXCHANGE, ServiceType.REPAIR)


def test_an_open_request_is_named_with_its_number():
    verdict = early_verdict({ServiceType.RETURN: OPEN}, ServiceType.RETURN)
    assert verdict.kind == "duplicate" and verdict.request_no == "SH20261206000123"


def test_a_closed_window_names_what_is_left():
    decisions = {ServiceType.RETURN: RETURN_EXPIRED, ServiceType.EXCHANGE: EXCHANGE_EXPIRED, ServiceType.REPAIR: OK}
    verdict = early_verdict(decisions, ServiceType.RETURN)
    assert verdict.kind == "other_service" and verdict.possible == (ServiceType.REPAIR,)
    assert "7天" in verdict.message


def test_nothing_left_gives_the_refusal_of_the_service_asked_for():
    decisions = {ServiceType.EXCHANGE: EXCHANGE_EXPIRED, ServiceType.RETURN: RETURN_EXPIRED,
                 ServiceType.REPAIR: REPAIR_EXPIRED}
    verdict = early_verdict(decisions, ServiceType.EXCHANGE)
    assert verdict.kind == "nothing" and "15天" in verdict.message
    assert early_verdict(decisions, None).message == RETURN_EXPIRED.message


def test_go_on_when_the_service_asked_for_or_any_applies():
    assert early_verdict({ServiceType.RETURN: OK, ServiceType.EXCHANGE: OK}, ServiceType.RETURN).kind == "go"
    assert early_verdict({ServiceType.RETURN: RETURN_EXPIRED, ServiceType.REPAIR: OK}, None).kind == "go"
