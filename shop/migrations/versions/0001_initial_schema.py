"""Initial schema: catalogue, customers, orders, logistics, after-sales, hand-off, interactions.

Written for SQLite and PostgreSQL alike; types are plain SQLAlchemy types (the models' UTCDateTime
is a naive UTC DateTime in the database) so this file never changes when application code does.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 18:03:58.676149

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('brands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=64), nullable=True),
    sa.Column('name_zh', sa.String(length=64), nullable=True),
    sa.Column('country', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brands')),
    sa.UniqueConstraint('name', name=op.f('uq_brands_name'))
    )
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('path', sa.String(length=64), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('warranty_months', sa.SmallInteger(), nullable=False),
    sa.Column('no_reason_return', sa.Boolean(), nullable=False),
    sa.Column('exchange_days', sa.SmallInteger(), nullable=False),
    sa.Column('is_consumable', sa.Boolean(), nullable=False),
    sa.Column('repurchase_days', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['categories.id'], name=op.f('fk_categories_parent_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('parent_id', 'name', name='uq_categories_parent_name')
    )
    op.create_index(op.f('ix_categories_parent_id'), 'categories', ['parent_id'], unique=False)
    op.create_index(op.f('ix_categories_path'), 'categories', ['path'], unique=False)

    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('gender', sa.String(length=8), nullable=True),
    sa.Column('member_level', sa.String(length=16), nullable=False),
    sa.Column('city', sa.String(length=32), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('preferences', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers')),
    sa.UniqueConstraint('phone', name=op.f('uq_customers_phone'))
    )
    op.create_table('seed_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile', sa.String(length=16), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('anchor_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('row_counts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seed_runs'))
    )
    op.create_table('coupons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('threshold_cents', sa.Integer(), nullable=False),
    sa.Column('discount_cents', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.DateTime(), nullable=False),
    sa.Column('valid_to', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_coupons_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupons')),
    sa.UniqueConstraint('code', name=op.f('uq_coupons_code'))
    )
    op.create_table('customer_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=32), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('province', sa.String(length=16), nullable=False),
    sa.Column('city', sa.String(length=32), nullable=False),
    sa.Column('district', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_addresses_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_addresses'))
    )
    op.create_index(op.f('ix_customer_addresses_customer_id'), 'customer_addresses', ['customer_id'], unique=False)

    op.create_table('handoff_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_no', sa.String(length=20), nullable=False),
    sa.Column('sender_id', sa.String(length=255), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('order_no', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_handoff_requests_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_requests')),
    sa.UniqueConstraint('ticket_no', name=op.f('uq_handoff_requests_ticket_no'))
    )
    op.create_index(op.f('ix_handoff_requests_customer_id'), 'handoff_requests', ['customer_id'], unique=False)
    op.create_index('ix_handoff_requests_sender_created', 'handoff_requests', ['sender_id', 'created_at'], unique=False)
    op.create_index('ix_handoff_requests_status_created', 'handoff_requests', ['status', 'created_at'], unique=False)

    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_no', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('payment_status', sa.String(length=24), nullable=False),
    sa.Column('payment_method', sa.String(length=16), nullable=True),
    sa.Column('goods_cents', sa.Integer(), nullable=False),
    sa.Column('discount_cents', sa.Integer(), nullable=False),
    sa.Column('shipping_fee_cents', sa.Integer(), nullable=False),
    sa.Column('payable_cents', sa.Integer(), nullable=False),
    sa.Column('refunded_cents', sa.Integer(), nullable=False),
    sa.Column('recipient_name', sa.String(length=32), nullable=False),
    sa.Column('recipient_phone', sa.String(length=20), nullable=False),
    sa.Column('province', sa.String(length=16), nullable=False),
    sa.Column('city', sa.String(length=32), nullable=False),
    sa.Column('district', sa.String(length=32), nullable=False),
    sa.Column('address_detail', sa.String(length=200), nullable=False),
    sa.Column('remark', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.Column('shipped_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_orders_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('order_no', name=op.f('uq_orders_order_no'))
    )
    op.create_index('ix_orders_customer_created', 'orders', ['customer_id', 'created_at'], unique=False)

    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('model', sa.String(length=80), nullable=False),
    sa.Column('model_key', sa.String(length=80), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('original_price_cents', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('rating', sa.Float(), nullable=False),
    sa.Column('review_count', sa.Integer(), nullable=False),
    sa.Column('sales_count', sa.Integer(), nullable=False),
    sa.Column('image_ref', sa.String(length=120), nullable=True),
    sa.Column('is_on_sale', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_products_brand_id_brands')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_products_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products'))
    )
    op.create_index('ix_products_brand_sales', 'products', ['brand_id', 'sales_count'], unique=False)
    op.create_index('ix_products_category_price', 'products', ['category_id', 'price_cents'], unique=False)
    op.create_index('ix_products_category_sales', 'products', ['category_id', 'sales_count'], unique=False)
    op.create_index(op.f('ix_products_model_key'), 'products', ['model_key'], unique=False)
    op.create_index('ix_products_sales', 'products', ['sales_count'], unique=False)

    op.create_table('promotions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('brand_id', sa.Integer(), nullable=True),
    sa.Column('threshold_cents', sa.Integer(), nullable=True),
    sa.Column('discount_cents', sa.Integer(), nullable=True),
    sa.Column('discount_percent', sa.SmallInteger(), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_promotions_brand_id_brands')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_promotions_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotions'))
    )
    op.create_index('ix_promotions_window', 'promotions', ['ends_at', 'starts_at'], unique=False)

    op.create_table('customer_coupons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('coupon_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['coupon_id'], ['coupons.id'], name=op.f('fk_customer_coupons_coupon_id_coupons')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_coupons_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_customer_coupons_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_coupons'))
    )
    op.create_index('ix_customer_coupons_customer_status', 'customer_coupons', ['customer_id', 'status'], unique=False)

    op.create_table('interactions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_interactions_customer_id_customers')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_interactions_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interactions'))
    )
    op.create_index('ix_interactions_customer_time', 'interactions', ['customer_id', 'occurred_at'], unique=False)
    op.create_index('ix_interactions_product', 'interactions', ['product_id'], unique=False)

    op.create_table('order_status_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_status_history_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_status_history'))
    )
    op.create_index('ix_order_status_history_order', 'order_status_history', ['order_id', 'changed_at'], unique=False)

    op.create_table('product_facets',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_facets_product_id_products')),
    sa.PrimaryKeyConstraint('name', 'value', 'product_id', name=op.f('pk_product_facets'))
    )
    op.create_index(op.f('ix_product_facets_product_id'), 'product_facets', ['product_id'], unique=False)

    op.create_table('product_search_terms',
    sa.Column('term', sa.String(length=64), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('weight', sa.SmallInteger(), nullable=False),
    sa.Column('sales_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_search_terms_product_id_products')),
    sa.PrimaryKeyConstraint('term', 'product_id', name=op.f('pk_product_search_terms'))
    )
    op.create_index(op.f('ix_product_search_terms_product_id'), 'product_search_terms', ['product_id'], unique=False)
    op.create_index('ix_product_search_terms_ranked', 'product_search_terms', ['term', 'weight', 'sales_count', 'product_id'], unique=False)

    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('carrier_code', sa.String(length=8), nullable=False),
    sa.Column('carrier_name', sa.String(length=16), nullable=False),
    sa.Column('tracking_no', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('origin_city', sa.String(length=32), nullable=True),
    sa.Column('destination_city', sa.String(length=32), nullable=True),
    sa.Column('shipped_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shipments_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments'))
    )
    op.create_index(op.f('ix_shipments_order_id'), 'shipments', ['order_id'], unique=False)
    op.create_index(op.f('ix_shipments_tracking_no'), 'shipments', ['tracking_no'], unique=False)

    op.create_table('skus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('sku_code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('original_price_cents', sa.Integer(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_skus_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skus')),
    sa.UniqueConstraint('sku_code', name=op.f('uq_skus_sku_code'))
    )
    op.create_index(op.f('ix_skus_product_id'), 'skus', ['product_id'], unique=False)

    op.create_table('logistics_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('location', sa.String(length=48), nullable=True),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_logistics_events_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logistics_events'))
    )
    op.create_index('ix_logistics_events_shipment', 'logistics_events', ['shipment_id', 'occurred_at'], unique=False)

    op.create_table('order_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('sku_name', sa.String(length=80), nullable=False),
    sa.Column('unit_price_cents', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('subtotal_cents', sa.Integer(), nullable=False),
    sa.Column('refunded_cents', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_items_order_id_orders')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_order_items_product_id_products')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_order_items_sku_id_skus')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_items'))
    )
    op.create_index(op.f('ix_order_items_order_id'), 'order_items', ['order_id'], unique=False)
    op.create_index(op.f('ix_order_items_product_id'), 'order_items', ['product_id'], unique=False)

    op.create_table('after_sales_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_no', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('order_item_id', sa.Integer(), nullable=False),
    sa.Column('service_type', sa.String(length=16), nullable=False),
    sa.Column('reason_code', sa.String(length=24), nullable=False),
    sa.Column('reason_detail', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('refund_cents', sa.Integer(), nullable=False),
    sa.Column('order_status_before', sa.String(length=24), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_after_sales_requests_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_after_sales_requests_order_id_orders')),
    sa.ForeignKeyConstraint(['order_item_id'], ['order_items.id'], name=op.f('fk_after_sales_requests_order_item_id_order_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_after_sales_requests')),
    sa.UniqueConstraint('request_no', name=op.f('uq_after_sales_requests_request_no'))
    )
    op.create_index('ix_after_sales_requests_customer_created', 'after_sales_requests', ['customer_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_after_sales_requests_order_id'), 'after_sales_requests', ['order_id'], unique=False)
    op.create_index(op.f('ix_after_sales_requests_order_item_id'), 'after_sales_requests', ['order_item_id'], unique=False)

    op.create_table('after_sales_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['after_sales_requests.id'], name=op.f('fk_after_sales_history_request_id_after_sales_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_after_sales_history'))
    )
    op.create_index('ix_after_sales_history_request', 'after_sales_history', ['request_id', 'changed_at'], unique=False)



def downgrade() -> None:
    op.drop_index('ix_after_sales_history_request', table_name='after_sales_history')

    op.drop_table('after_sales_history')
    op.drop_index(op.f('ix_after_sales_requests_order_item_id'), table_name='after_sales_requests')
    op.drop_index(op.f('ix_after_sales_requests_order_id'), table_name='after_sales_requests')
    op.drop_index('ix_after_sales_requests_customer_created', table_name='after_sales_requests')

    op.drop_table('after_sales_requests')
    op.drop_index(op.f('ix_order_items_product_id'), table_name='order_items')
    op.drop_index(op.f('ix_order_items_order_id'), table_name='order_items')

    op.drop_table('order_items')
    op.drop_index('ix_logistics_events_shipment', table_name='logistics_events')

    op.drop_table('logistics_events')
    op.drop_index(op.f('ix_skus_product_id'), table_name='skus')

    op.drop_table('skus')
    op.drop_index(op.f('ix_shipments_tracking_no'), table_name='shipments')
    op.drop_index(op.f('ix_shipments_order_id'), table_name='shipments')

    op.drop_table('shipments')
    op.drop_index('ix_product_search_terms_ranked', table_name='product_search_terms')
    op.drop_index(op.f('ix_product_search_terms_product_id'), table_name='product_search_terms')

    op.drop_table('product_search_terms')
    op.drop_index(op.f('ix_product_facets_product_id'), table_name='product_facets')

    op.drop_table('product_facets')
    op.drop_index('ix_order_status_history_order', table_name='order_status_history')

    op.drop_table('order_status_history')
    op.drop_index('ix_interactions_product', table_name='interactions')
    op.drop_index('ix_interactions_customer_time', table_name='interactions')

    op.drop_table('interactions')
    op.drop_index('ix_customer_coupons_customer_status', table_name='customer_coupons')

    op.drop_table('customer_coupons')
    op.drop_index('ix_promotions_window', table_name='promotions')

    op.drop_table('promotions')
    op.drop_index('ix_products_sales', table_name='products')
    op.drop_index(op.f('ix_products_model_key'), table_name='products')
    op.drop_index('ix_products_category_sales', table_name='products')
    op.drop_index('ix_products_category_price', table_name='products')
    op.drop_index('ix_products_brand_sales', table_name='products')

    op.drop_table('products')
    op.drop_index('ix_orders_customer_created', table_name='orders')

    op.drop_table('orders')
    op.drop_index('ix_handoff_requests_status_created', table_name='handoff_requests')
    op.drop_index('ix_handoff_requests_sender_created', table_name='handoff_requests')
    op.drop_index(op.f('ix_handoff_requests_customer_id'), table_name='handoff_requests')

    op.drop_table('handoff_requests')
    op.drop_index(op.f('ix_customer_addresses_customer_id'), table_name='customer_addresses')

    op.drop_table('customer_addresses')
    op.drop_table('coupons')
    op.drop_table('seed_runs')
    op.drop_table('customers')
    op.drop_index(op.f('ix_categories_path'), table_name='categories')
    op.drop_index(op.f('ix_categories_parent_id'), table_name='categories')

    op.drop_table('categories')
    op.drop_table('brands')
