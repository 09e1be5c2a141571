"""`make samples` (shop/seed/samples.py): what it prints exists in the seeded shop."""
from __future__ import annotations

from sqlalchemy.orm import Session

from shop.db.orders import get_order, get_order_for_guest
from shop.seed import samples


def test_sample_orders_are_real_and_open_with_the_printed_phone_suffix(seeded_engine):
    with Session(seeded_engine) as session:
        customers = samples.sample_customers(session, customers=3, orders_each=4)
        assert [c.customer_id for c in customers] == [1, 2, 3]
        orders = [(c, o) for c in customers for o in c.orders]
        assert len(orders) >= 6
        for customer, order in orders:
            # A signed-in customer sees it as theirs; a guest opens it with the printed digits.
            assert get_order(session, customer.customer_id, order.order_no) is not None
            assert get_order_for_guest(session, order.order_no, order.phone_last4) is not None
        assert any(o.has_logistics for _, o in orders) and any(not o.has_logistics for _, o in orders)


def test_plain_output_is_one_order_a_line(seeded_engine):
    plain = samples.render_samples(seeded_engine, customers=1, orders_each=2, plain=True)
    lines = plain.splitlines()
    assert len(lines) == 2
    number, digits, customer = lines[0].split()
    assert len(number) == 18 and len(digits) == 4 and customer == "1"
    assert number in samples.render_samples(seeded_engine, customers=1, orders_each=2)


def test_an_empty_database_gets_a_hint_not_a_traceback(tmp_path, capsys):
    assert samples.main(["--database-url", f"sqlite:///{tmp_path / 'empty.db'}"]) == 0
    assert "make seed" in capsys.readouterr().out
