"""The out-of-scope guard (shop_nlu.scope) and its place in the extractor."""
from shop_nlu import scope
from shop_nlu.pipeline import ShopEntityFinder

RANKING = [{"name": "out_of_scope", "confidence": 0.7}, {"name": "greet", "confidence": 0.1},
           {"name": "after_sales", "confidence": 0.08}, {"name": "purchase", "confidence": 0.05}]


def test_signals_are_topics_services_reasons_and_catalogue_facts():
    names = ["topic=price_protection", "cue=greet", "has=order_no", "has=budget", "service_type=退货"]
    assert scope.shop_signals(names) == ["has=order_no", "service_type=退货", "topic=price_protection"]


def test_an_off_topic_cue_outweighs_shop_words():
    assert scope.shop_signals(["topic=refund_progress", "cue=off_topic"]) == []


def test_out_of_scope_with_a_shop_signal_gives_way_to_the_best_shop_intent():
    intent, ranking = scope.guard_out_of_scope(RANKING, ["topic=price_protection"])
    assert intent == {"name": "after_sales", "confidence": 0.08}
    assert [r["name"] for r in ranking] == ["after_sales", "out_of_scope", "greet", "purchase"]


def test_no_signal_or_another_intent_is_left_alone():
    assert scope.guard_out_of_scope(RANKING, []) is None
    assert scope.guard_out_of_scope([{"name": "purchase", "confidence": 0.9}], ["topic=invoice"]) is None


def test_real_shop_words_are_signals_and_chit_chat_is_not():
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    assert signals("买了就降价了能保价吗")
    assert signals("我要开发票")
    assert signals("师傅什么时候上门安装")
    assert not signals("今天天气怎么样")
    assert not signals("拼多多的订单怎么退")


def test_plain_shop_words_and_order_cues_are_signals():
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    assert signals("这个怎么这么贵") == ["cue=shop"]
    assert signals("怎么网购啊") == ["cue=shop"]
    assert "cue=placed" in signals("我买的那个呢")
    assert "cue=prospective" in signals("想买个送老婆")
    assert not signals("你贵姓")                 # 贵 of a name or a place is no price
    assert not signals("贵州好玩吗")
    assert not signals("淘宝上买的快递到哪了")     # another platform still wins


def test_bank_and_private_parcel_matters_stay_out_of_scope():
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    assert not signals("信用卡逾期了怎么处理")
    assert not signals("寄个文件给同事 快递怎么寄")
    assert signals("能用信用卡付款吗")


def test_without_an_off_topic_word_even_a_sure_guess_gives_way_to_a_shop_word():
    """Issue 14 item 3, round 23: with a shop signal and no off-topic or world cue beside it the
    guard asks back however sure the classifier is (before, a sure guess kept a weak signal —
    a topic, a category, a plain shop word — out of scope)."""
    sure = [{"name": "out_of_scope", "confidence": 0.95}, {"name": "product_inquiry", "confidence": 0.03},
            {"name": "order_status", "confidence": 0.02}]
    for signals in (["topic=spec"], ["cue=shop", "has=category"], ["cue=placed", "topic=spec"], ["has=order_no"]):
        intent, ranking = scope.guard_out_of_scope(sure, signals)
        assert intent["name"] == "product_inquiry", signals
        assert [r["name"] for r in ranking][:2] == ["product_inquiry", "out_of_scope"]


def test_beside_another_worlds_business_only_a_confident_guess_stays_out_of_scope():
    """Round 23: an off-topic cue (another platform's order, a bank, a carrier's bill) keeps a
    shop word out of scope only where the classifier is confident (CONFIDENT_BESIDE_OFF_TOPIC)."""
    level = scope.CONFIDENT_BESIDE_OFF_TOPIC
    confident = [{"name": "out_of_scope", "confidence": level}, {"name": "after_sales", "confidence": 0.2}]
    unsure = [{"name": "out_of_scope", "confidence": level - 0.01}, {"name": "after_sales", "confidence": 0.3}]
    signals = ["topic=refund_progress", scope.OFF_TOPIC_CUE]   # 拼多多的订单怎么退
    assert scope.guard_out_of_scope(confident, signals) is None
    assert scope.guard_out_of_scope(unsure, signals)[0]["name"] == "after_sales"
    # the qualifier alone is no signal
    assert scope.guard_out_of_scope(unsure, [scope.OFF_TOPIC_CUE]) is None


def test_the_guard_sees_vetoed_signals_with_their_qualifier():
    names = ["topic=refund_progress", "cue=off_topic"]
    assert scope.shop_signals(names) == []
    assert scope.shop_signals(names, keep_vetoed=True) == ["topic=refund_progress", scope.OFF_TOPIC_CUE]
    assert scope.shop_signals(["cue=off_topic"], keep_vetoed=True) == []
    assert scope.shop_signals(["cue=shop", "cue=world", "cue=off_topic"], keep_vetoed=True) == [
        "cue=shop", scope.OFF_TOPIC_CUE, scope.WORLD_CUE]


def test_world_questions_that_name_a_shop_word_and_shop_senses_of_world_words():
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    # another world, even with a shop word in it
    assert not signals("能帮我查快递吗 不是你们家买的")
    assert not signals("银行卡被冻结了怎么办")
    assert not signals("怎么成为京东卖家")
    assert not signals("今天几号")
    # shop questions that name a word of another world
    assert signals("大概几号能到")
    assert signals("这个活动几号结束")
    assert signals("血压计测不准 要退")
    assert signals("这款你能查到历史最低价吗")
    assert signals("师傅收了一百的高空作业费")


def test_the_whole_desk_of_a_big_shop_gives_shop_signals():
    """Issue 14 round 7: parcels, payments, the account and goods' words with no topic word
    still count as shop words, so a confident out-of-scope guess can give way."""
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    for text in ("快递联系我了", "就一个包裹啊", "可以支票吗", "只能个人网银购买是吗", "我没取消呀",
                 "这个我十几分钟前充的 怎么还显示正在充值", "扣款了但是没显示", "能不能明天再送",
                 "详情页写的是两块拖布", "配件都齐吗", "他那边退的吗"):
        assert "cue=desk" in signals(text), text


def test_world_senses_of_the_desk_words_are_no_shop_signal():
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    for text in ("今天空气质量怎么样", "被公司辞退了怎么办", "退休了干点啥好", "孩子退烧了吗"):
        assert not signals(text), text


def test_a_parcel_of_ones_own_is_no_shop_parcel_but_a_return_sent_back_is():
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    assert not signals("帮我寄个包裹去北京")
    assert signals("退货要寄个包裹回去吗")


def test_the_services_of_a_big_shops_desk_are_shop_signals():
    """Issue 14 round 10: the services the guide's desk table names (recycling, reviews, a
    ticket's review time, dispute tickets, the return address, authenticity checks, moving an
    installed appliance, invoices, gift cards, account security, who ships) carry a topic, so
    an out-of-scope guess about them gives way."""
    finder = ShopEntityFinder.from_files()
    topics = lambda text: {name for name, _, _ in finder.features(text) if name.startswith("topic=")}
    cases = {"纠纷单怎么申请": "complaint", "平台介入要多久": "complaint", "审核时间多久": "service_progress",
             "旧手机怎么回收": "trade_in", "晒图有奖励吗": "review", "能鉴定吗": "authenticity",
             "增票资质怎么提交": "invoice", "空调移机多少钱": "installation", "退货寄到哪里": "return_policy",
             "返回地址发我一下": "return_policy", "购物金怎么用": "gift_card", "账号被盗刷了": "account",
             "异地登录是怎么回事": "account", "谁家发货": "self_operated"}
    for text, topic in cases.items():
        assert f"topic={topic}" in topics(text), text
        assert scope.shop_signals(name for name, _, _ in finder.features(text)), text


def test_world_senses_of_the_new_service_words_stay_apart():
    finder = ShopEntityFinder.from_files()
    topics = lambda text: {name for name, _, _ in finder.features(text) if name.startswith("topic=")}
    assert "topic=trade_in" not in topics("电脑回收站怎么清空")
    assert "topic=service_progress" not in topics("订单审核多久")       # an order's review is logistics
    assert "topic=return_policy" not in topics("钱退到哪里")            # where money goes is a refund
    assert "topic=refund_progress" in topics("钱退到哪里")


def test_the_new_service_words_do_not_pull_world_questions_in():
    """Out-of-scope examples the stratified CV lost to the first draft of round 10's words."""
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    assert not signals("入驻审核多久")            # a merchant's onboarding review is not a ticket's
    assert not signals("入驻审核时间多久")
    assert not signals("微信被封了怎么解封")      # another app's account


def test_desk_words_that_carried_no_signal_now_do():
    """Issue 14 round 11: a shop question made only of these words (a visit to the door, the
    shop's outlets, buying modes, a device's parts and identity, receipts, the paper or
    electronic copy of an invoice, the installer's call, a ticket's review) had no shop signal,
    so a confident out-of-scope guess could not give way; a typo of a desk word is read too."""
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    for text in ("师傅什么时候上门", "能送上楼吗", "附近有门店吗", "凑单能便宜吗", "序列号在哪看",
                 "碎屏了", "少了一个零件", "小票丢了", "纸质版能寄吗", "明天方便接电话",
                 "怎么一直审核中", "退不了啊", "块递到哪了", "确认收获了没反应"):
        assert "cue=desk" in signals(text) or any(s.startswith("topic=") for s in signals(text)), text


def test_world_senses_of_the_round_11_desk_words_are_no_shop_signal():
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    for text in ("有没有上门做饭的", "出租车师傅绕路了", "三缺一 少个人打麻将", "个人可以入驻吗",
                 "电子书在哪看", "今天很有收获"):
        assert not signals(text), text


def test_a_world_word_beside_a_shop_word_keeps_the_signals_as_a_qualifier():
    """Issue 14 round 13: the world around the shopper (holidays, weather, health, school,
    entertainment) no longer erases a message's shop signals; another world's business does."""
    assert scope.shop_signals(["cue=shop", "cue=world"]) == ["cue=shop", scope.WORLD_CUE]
    assert scope.shop_signals(["cue=world"]) == []
    assert scope.shop_signals(["cue=shop", "cue=world", "cue=off_topic"]) == []


def test_beside_a_world_word_an_unsure_guess_gives_way_and_a_sure_one_does_not():
    unsure = [{"name": "out_of_scope", "confidence": 0.64}, {"name": "purchase", "confidence": 0.2}]
    sure = [{"name": "out_of_scope", "confidence": 0.95}, {"name": "after_sales", "confidence": 0.03}]
    # 过年放假期间还发货吗: a weak shop word beside a holiday
    assert scope.guard_out_of_scope(unsure, ["cue=shop", scope.WORLD_CUE])[0]["name"] == "purchase"
    # 考试报名费能退吗: a return word beside an exam, and the classifier is sure
    assert scope.guard_out_of_scope(sure, ["service_type=退货", scope.WORLD_CUE]) is None
    # without the world word the same evidence overrules a sure guess, as does a weak one
    assert scope.guard_out_of_scope(sure, ["service_type=退货"])[0]["name"] == "after_sales"
    assert scope.guard_out_of_scope(sure, ["cue=shop"])[0]["name"] == "after_sales"
    # the qualifier alone is no signal
    assert scope.guard_out_of_scope(unsure, [scope.WORLD_CUE]) is None


def test_shop_questions_about_a_holiday_the_weather_or_goods_named_with_world_words_have_signals():
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    for text in ("过年放假期间还发货吗", "下雨天快递还送不送", "我的电影会员优惠券怎么没了",
                 "孩子考试要用的 快递什么时候到"):
        found = signals(text)
        assert found and found != [scope.WORLD_CUE], text
    # still out of scope: another world's business, or the world alone
    for text in ("拼多多的订单怎么退", "淘宝上买的快递到哪了", "今天天气怎么样", "明天考试好紧张"):
        assert not signals(text), text


def test_goods_named_with_a_world_word_carry_no_world_cue():
    finder = ShopEntityFinder.from_files()
    cues = lambda text: {name for name, _, _ in finder.features(text) if name.startswith("cue=")}
    for text in ("翻译笔能翻日语吗", "体检套餐买了怎么预约", "足球鞋有没有37码的", "血糖仪准不准",
                 "电影票买错场次了", "英语学习机适合几岁", "感冒药能退吗", "游戏手柄连不上"):
        assert "cue=world" not in cues(text) and "cue=off_topic" not in cues(text), text
    for text in ("今晚足球比赛谁赢", "帮我翻译一句话", "感冒了怎么办", "最近有什么好看的电影"):
        assert "cue=world" in cues(text), text


def test_a_shop_word_inside_a_world_word_is_no_shop_word():
    finder = ShopEntityFinder.from_files()
    names = lambda text: [name for name, _, _ in finder.features(text)]
    assert "topic=spec" not in names("今天空气质量怎么样")
    assert "topic=spec" in names("这个质量怎么样")
    assert not scope.shop_signals(names("今天空气质量怎么样"))


def test_another_platform_named_to_compare_it_with_this_shop_is_a_shop_question():
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    for text in ("淘宝上比你们便宜二十 能便宜点吗", "在抖音上看到的这款你们有吗", "你们比拼多多贵多了"):
        assert signals(text), text
    # goods bought there, or its own orders, stay another world's business
    for text in ("淘宝买的东西你们能修吗", "拼多多的订单怎么退", "淘宝上买的快递到哪了", "抖音上你们不是在卖吗"):
        assert not signals(text), text


def test_goods_named_with_a_world_word_are_a_shop_signal():
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    for text in ("翻译笔能翻日语吗", "体检套餐怎么预约", "英语学习机适合几岁"):
        assert "cue=desk" in signals(text), text


def test_a_catalogue_name_inside_a_world_word_is_no_shop_signal():
    finder = ShopEntityFinder.from_files()
    names = lambda text: [name for name, _, _ in finder.features(text)]
    assert "has=category" not in names("打开空调")
    assert not scope.shop_signals(names("打开空调"))
    assert "has=category" in names("空调什么时候来装")


def test_game_top_ups_and_insurance_the_shop_sells_are_shop_questions():
    """Issue 14 round 16: bare 游戏充值 / 保险 no longer veto; the game's or the policy's own
    business does (labelling guide, out_of_scope)."""
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    for text in ("游戏充值没到账", "游戏充值卡买错了能退吗", "手机买了保险怎么用", "碎屏保险怎么理赔",
                 "电视能加购延保吗"):
        assert signals(text), text
    for text in ("保险怎么退保", "保险理赔怎么申请", "车险多少钱", "养老保险交满15年能领多少",
                 "医疗保险怎么报销", "游戏账号被封了怎么办", "王者荣耀账号被封了"):
        assert not signals(text), text


def test_a_platform_cited_as_where_the_shopper_read_about_the_goods_is_a_shop_question():
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    assert signals("抖音上有人说这款不好用 是真的吗")
    assert signals("小红书上说这个会掉色")
    assert not signals("小红书上说的那家店怎么样")


def test_the_shapes_of_a_shop_question_with_no_shop_word_are_shop_signals():
    """Issue 14 round 23: a measure of goods on a number, a model code, goods received, opened or
    used told as a story, a delivery asked to a place: the vocabulary's `shop_forms` cue."""
    finder = ShopEntityFinder.from_files()
    signals = lambda text: scope.shop_signals(name for name, _, _ in finder.features(text))
    for text in ("1.5匹的够18平米用吗", "这个20000毫安的能带上飞机吗", "65寸的挂墙上离多远看合适",
                 "kfr-35gw能装在卧室吗", "收到的杯子口上有个缺口", "穿了一次就开线了", "拆开一股怪味",
                 "明早能送到拉萨吗", "前几天买的怎么还没动静", "东西卡在中转站好几天了"):
        assert "cue=shop_forms" in signals(text), text
    for text in ("今天10点开会", "我今年25岁", "12306怎么改签", "收到的消息太多了"):
        assert "cue=shop_forms" not in signals(text), text


def test_another_worlds_business_that_names_a_shop_word_round_23():
    """Off-topic families that name a shop word (couriers as a job, platforms compared in
    general, a market's prices, a pension, a carrier's plan): an off-topic cue, so the guard
    keeps a confident out-of-scope guess; the shop's own questions keep their signals."""
    finder = ShopEntityFinder.from_files()
    names = lambda text: [name for name, _, _ in finder.features(text)]
    for text in ("快递员这个职业累吗", "当快递员一个月挣多少", "天猫和京东哪个好", "菜市场的猪肉多少钱一斤",
                 "退休金每个月几号发", "电商行业以后好做吗", "流量套餐怎么改", "在别家买的空调你们能来装吗"):
        assert scope.OFF_TOPIC_CUE in names(text), text
        assert not scope.shop_signals(names(text)), text
    for text in ("你们比京东贵", "能用信用卡付款吗", "快递员态度太差了", "礼品卡丢了能挂失吗"):
        assert scope.OFF_TOPIC_CUE not in names(text) and scope.shop_signals(names(text)), text
    assert scope.WORLD_CUE in names("双十一是怎么来的")


def test_a_week_named_with_bai_is_no_goodbye():
    finder = ShopEntityFinder.from_files()
    cues = lambda text: {name for name, _, _ in finder.features(text) if name.startswith("cue=")}
    assert "cue=goodbye" not in cues("上礼拜买的裤子洗一次就起球")
    assert "cue=goodbye" in cues("好的 拜拜")
