"""One import for every query function of the data layer (they live in topic modules).

All take a Session first and return frozen records from ``shop.db.records``; personal-data
functions take the customer id and treat other customers' data as non-existent.
"""
from shop.db.after_sales import (
    advance_after_sales_request, cancel_after_sales_request, check_after_sales_eligibility,
    create_after_sales_request, get_after_sales_request, list_after_sales_requests,
)
from shop.db.catalogue import (
    catalogue_terms, current_promotions, find_products_by_name, get_product_detail, list_brands,
    list_categories, list_customer_coupons, search_products,
)
from shop.db.customers import get_customer, list_demo_customers
from shop.db.handoff import create_handoff_request, handoff_queue, open_handoff_for_sender
from shop.db.interactions import interaction_rows, product_feature_rows, record_interaction
from shop.db.services import (
    installable_orders, installation_fee, installation_fees, service_cities, service_points,
)
from shop.db.orders import (
    GuestLookup, advance_order_status, cancel_order, get_order, get_order_for_guest, latest_order,
    lookup_order_for_guest, recent_orders,
)

__all__ = [
    # catalogue
    "search_products", "get_product_detail", "find_products_by_name", "list_categories", "list_brands",
    "current_promotions", "catalogue_terms", "list_customer_coupons",
    # orders
    "get_order", "get_order_for_guest", "lookup_order_for_guest", "GuestLookup", "recent_orders", "latest_order", "cancel_order", "advance_order_status",
    # after-sales
    "check_after_sales_eligibility", "create_after_sales_request", "list_after_sales_requests",
    "get_after_sales_request", "cancel_after_sales_request", "advance_after_sales_request",
    # customers
    "get_customer", "list_demo_customers",
    # hand-off
    "create_handoff_request", "open_handoff_for_sender", "handoff_queue",
    # services
    "service_cities", "service_points", "installation_fee", "installation_fees", "installable_orders",
    # recommender
    "interaction_rows", "product_feature_rows", "record_interaction",
]
