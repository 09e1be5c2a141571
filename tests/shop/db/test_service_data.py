"""Service points by city and category, installation fees by category, orders waiting for
installation, migration 0005 and the top-up of databases seeded before it."""
from __future__ import annotations

from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import delete, func, inspect, select

from shop.db import models as m
from shop.db.services import installable_orders, installation_fee, installation_fees, service_cities, service_points
from shop.db.errors import InvalidRequest
from shop.db.migrate import alembic_config, current_revision, upgrade_to_head
from shop.db.engine import make_engine
from shop.seed.fixtures import INSTALLATION_CUSTOMER_ID, MAIN_CUSTOMER_ID, OTHER_CUSTOMER_ID, fixture_order_number
from shop.seed.runner import top_up_services
from shop.seed.services import SERVICE_TABLES
from tests.support.shop_db import ANCHOR


def test_every_seeded_customer_city_has_a_service_point(session):
    cities = {c.city for c in service_cities(session)}
    customer_cities = set(session.execute(
        select(m.CustomerAddress.city).where(m.CustomerAddress.is_default.is_(True))).scalars())
    assert customer_cities and customer_cities <= cities
    hangzhou = [c for c in service_cities(session) if c.city == "杭州市"][0]
    assert hangzhou.province == "浙江省" and set(hangzhou.districts) <= {"西湖区", "余杭区", "滨江区", "拱墅区"}


def test_service_points_of_a_city_with_what_they_repair(session):
    points = service_points(session, "杭州市")
    assert len(points) == 2 and all(p.city == "杭州市" for p in points)
    for point in points:
        assert point.name.startswith("青柚优选") and point.phone.startswith("0571-")
        assert point.opening_hours and point.full_address.startswith("杭州市" + point.district)
    assert {c for p in points for c in p.categories} == {"手机数码", "电脑办公", "家用电器"}
    # A top category covers its subtree: only the appliance point repairs an air conditioner.
    aircon = service_points(session, "杭州市", category="空调")
    assert [p.categories for p in aircon] == [("家用电器",)]
    phone = service_points(session, "杭州市", category="手机")
    assert len(phone) == 1 and "手机数码" in phone[0].categories
    # A smaller city has one point that takes everything.
    assert len(service_points(session, "厦门市", category="空调")) == 1
    assert len(service_points(session, "厦门市", category="笔记本电脑")) == 1


def test_no_points_for_what_nobody_repairs_or_unknown_places(session):
    assert service_points(session, "杭州市", category="女装") == []
    assert service_points(session, "杭州市", category="不存在的类目") == []
    assert service_points(session, "拉萨市") == []
    assert service_points(session, "杭州") == []          # cities are named as in addresses


@pytest.mark.parametrize("bad", [dict(city=""), dict(city=None), dict(city="杭州市", limit=0),
                                 dict(city="杭州市", limit=True), dict(city="杭州市", category=1.5)])
def test_service_point_arguments_are_checked(session, bad):
    with pytest.raises(InvalidRequest):
        service_points(session, **bad)


def test_installation_fee_by_category(session):
    aircon = installation_fee(session, "空调")
    assert aircon.is_free and aircon.fee == Decimal("0.00") and aircon.category_path == ("家用电器", "空调")
    assert "铜管" in aircon.included and "每米" in aircon.extra_charges
    lamp = installation_fee(session, "灯具照明")
    assert not lamp.is_free and lamp.fee == Decimal("50.00")
    fridge = installation_fee(session, "冰箱")
    assert fridge.is_free and fridge.extra_charges is None
    # Categories that need no fitting, a parent without a fee of its own, unknown names.
    assert installation_fee(session, "手机") is None
    assert installation_fee(session, "家用电器") is None
    assert installation_fee(session, "热水器") is None
    category_id = session.execute(select(m.Category.id).where(m.Category.name == "空调")).scalar_one()
    assert installation_fee(session, category_id).category == "空调"


def test_installation_fees_under_a_category(session):
    appliances = installation_fees(session, under="家用电器")
    assert {f.category for f in appliances} == {"电视", "冰箱", "洗衣机", "空调"}
    assert [f.category for f in installation_fees(session, under="空调")] == ["空调"]
    assert len(installation_fees(session)) == 8
    assert installation_fees(session, under="女装") == []


def test_installable_orders_are_the_owners_only(session):
    anchor = int(ANCHOR.timestamp())
    mine = installable_orders(session, INSTALLATION_CUSTOMER_ID)
    assert mine[0].order_no == fixture_order_number("DELIVERED_AWAITING_INSTALLATION", anchor)
    assert mine[0].status == "delivered" and mine[0].delivered_at is not None
    assert mine[0].categories == ("空调",) and "空调" in mine[0].items[0]
    # The main demo shopper bought nothing that needs fitting; nobody sees another's order.
    assert installable_orders(session, MAIN_CUSTOMER_ID) == []
    assert all(o.order_no != mine[0].order_no for o in installable_orders(session, OTHER_CUSTOMER_ID))
    with pytest.raises(InvalidRequest):
        installable_orders(session, "3")
    with pytest.raises(InvalidRequest):
        installable_orders(session, INSTALLATION_CUSTOMER_ID, limit=0)


def test_migration_0005_upgrades_and_downgrades(empty_url):
    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0004")
        with engine.connect() as connection:
            assert not set(SERVICE_TABLES) & set(inspect(connection).get_table_names())
        upgrade_to_head(engine)
        with engine.connect() as connection:
            inspector = inspect(connection)
            assert set(SERVICE_TABLES) <= set(inspector.get_table_names())
            assert {i["name"] for i in inspector.get_indexes("service_points")} == {"ix_service_points_city"}
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0004")
            assert current_revision(connection) == "0004"
        with engine.connect() as connection:
            assert not set(SERVICE_TABLES) & set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_a_demo_database_seeded_before_0005_gets_its_service_data(writable_engine):
    with writable_engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0004")
    upgrade_to_head(writable_engine)
    with writable_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(m.ServicePoint)).scalar_one() == 0
    assert top_up_services(writable_engine) is True
    assert top_up_services(writable_engine) is False             # only once
    with writable_engine.begin() as connection:
        assert connection.execute(select(func.count()).select_from(m.ServicePoint)).scalar_one() == 28
        assert connection.execute(select(func.count()).select_from(m.InstallationFee)).scalar_one() == 8
        # New rows get fresh ids after the explicit ones (the sequences were moved on).
        connection.execute(m.ServicePoint.__table__.insert().values(
            name="测试网点", province="浙江省", city="杭州市", district="西湖区", address="文三路1号",
            phone="0571-80000000", opening_hours="周一至周日 09:00-18:00"))


def test_a_shop_database_without_a_seed_run_is_left_alone(writable_engine):
    with writable_engine.begin() as connection:
        for name in ("service_point_categories", "installation_fees", "service_points", "seed_runs"):
            connection.execute(delete(m.Base.metadata.tables[name]))
    assert top_up_services(writable_engine) is False
    with writable_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(m.ServicePoint)).scalar_one() == 0
