"""Errors the data layer raises. Every one is raised before anything is written, or the
unit of work is rolled back, so a caller that catches them finds the data unchanged."""
from __future__ import annotations


class ShopDataError(Exception):
    """Base class; ``code`` is stable for program logic, ``message`` is shown to shoppers."""

    code = "ERROR"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidRequest(ShopDataError, ValueError):
    """Malformed input (unknown service type, empty summary, bad number...)."""

    code = "INVALID_REQUEST"


class OrderNotFound(ShopDataError, LookupError):
    """No such order *for this customer* — deliberately the same for someone else's order."""

    code = "ORDER_NOT_FOUND"

    def __init__(self, message: str = "没有找到这个订单，请核对订单号。") -> None:
        super().__init__(message)


class AfterSalesNotAllowed(ShopDataError):
    """The domain rules refused the request; ``code`` is the eligibility reason code.
    ``request_no``: the open request that made it a duplicate (code REQUEST_IN_PROGRESS)."""

    def __init__(self, message: str, code: str | None = None, request_no: str | None = None) -> None:
        super().__init__(message, code)
        self.request_no = request_no


class AddressChangeNotAllowed(ShopDataError):
    """The order's status no longer allows changing where it is delivered (it has shipped)."""


class OrderCannotBeCancelled(ShopDataError):
    """The order's status does not allow a customer cancellation."""
