"""Product recommendations for the shop assistant, independent of Rasa.

Serving (what the chat actions call)::

    from recommender.service import Filters, get_service

    svc = get_service()                      # newest artifact under models/recommender/, hot-reloaded
    svc.recommend(customer_id, filters=Filters(category="手机", min_price=1600, max_price=2400))
    svc.recommend(None, filters=Filters(category="手机"))                 # guest: popular in stock
    svc.recommend(customer_id, exclude_ids=shown_ids)                    # "还有别的吗"
    svc.recommend(customer_id, filters=f.narrow(attributes={"颜色": "黑色"}))  # "要黑色的"
    svc.similar(product_id)                                              # "类似这款的"

Each result is a ``Recommendation`` (product_id, title, price, image, reason, reason_code, ...).

Training: ``python -m assistant.recommender_training`` (see ``train.py``). Modules, one job each:
``data`` sequences and splits, ``catalogue`` product features and filter indexes, ``content``,
``sequential``, ``item_knn``, ``factor``, ``popularity`` the components, ``hybrid`` the blend,
``tuning`` the validation search, ``metrics`` HR/NDCG/coverage, ``pipeline`` fitting,
``rules`` filters/diversity/reasons, ``serving`` per-request logic, ``model`` the fitted bundle,
``artifact`` persistence, ``service`` the reloading facade, ``train`` training from a ``TrainingSource`` (the shop fills it in
``assistant/recommender_training.py``),
``synthetic`` test/benchmark data.
"""
