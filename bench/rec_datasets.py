"""Data sets for bench/recommender_eval.py: Amazon Sports, MovieLens-100K, the seeded shop.

Nothing here is committed data: Amazon is read from ``../shared/data``, MovieLens is unpacked
from the ``recbole==1.2.1`` wheel into ``var/bench/rec/`` (git-ignored) at benchmark time, and
the shop data is seeded into a SQLite file there.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recommender.catalogue import Catalogue, plain_catalogue
from recommender.data import Sequences, build_sequences, sequences_from_lists

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "var" / "bench" / "rec"
AMAZON_DIR = Path(os.environ.get("AMAZON_SPORTS_DIR", REPO.parent / "shared" / "data" / "amazon-sports"))
RECBOLE_PIN = "recbole==1.2.1"
ML_MEMBERS = ("recbole/dataset_example/ml-100k/ml-100k.inter", "recbole/dataset_example/ml-100k/ml-100k.item")


@dataclass
class Dataset:
    name: str
    seqs: Sequences
    catalogue: Catalogue
    note: str


def amazon_sports() -> Dataset:
    lines = (AMAZON_DIR / "Sports_and_Outdoors.txt").read_text().split("\n")
    lists = [list(map(int, ln.split()[1:])) for ln in lines if ln.strip()]
    ids = sorted({i for s in lists for i in s})
    index = {v: k for k, v in enumerate(ids)}
    seqs = sequences_from_lists([[index[i] for i in s] for s in lists], len(ids))
    attrs = json.loads((AMAZON_DIR / "Sports_and_Outdoors_item2attributes.json").read_text())
    tags = [[f"a{a}" for a in attrs.get(str(i), [])] for i in ids]
    return Dataset("amazon-sports", seqs, plain_catalogue(len(ids), ids, tags),
                   f"{seqs.n_users} users, {len(ids)} items, {len(seqs.items)} interactions (item order = time order)")


def _movielens_files() -> tuple[Path, Path]:
    target = CACHE / "ml-100k"
    inter, item = target / "ml-100k.inter", target / "ml-100k.item"
    if inter.exists() and item.exists():
        return inter, item
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    found = sorted(wheels.glob("recbole-1.2.1-*.whl"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                        "-q", RECBOLE_PIN, "-d", str(wheels)], check=True)
        found = sorted(wheels.glob("recbole-1.2.1-*.whl"))
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(found[0]) as zf:
        for member in ML_MEMBERS:
            (target / Path(member).name).write_bytes(zf.read(member))
    return inter, item


def movielens_100k() -> Dataset:
    inter, item = _movielens_files()
    rows = [ln.split("\t") for ln in inter.read_text(encoding="utf-8", errors="replace").splitlines()[1:] if ln]
    users = np.array([int(r[0]) for r in rows])
    items = np.array([int(r[1]) for r in rows])
    times = np.array([float(r[3]) for r in rows])
    item_rows = [ln.split("\t") for ln in item.read_text(encoding="latin-1").splitlines()[1:] if ln]
    ids = sorted(set(items.tolist()) | {int(r[0]) for r in item_rows})
    pos = {v: k for k, v in enumerate(ids)}
    uids = sorted(set(users.tolist()))
    upos = {v: k for k, v in enumerate(uids)}
    # Every rating is an implicit interaction ("watched"); file order breaks time ties.
    seqs = build_sequences(np.array([upos[u] for u in users]), np.array([pos[i] for i in items]), times,
                           np.full(len(rows), 2, np.int8), len(uids), len(ids), np.array(uids))
    tags: list[list[str]] = [[] for _ in ids]
    titles = [str(i) for i in ids]
    for r in item_rows:
        j = pos[int(r[0])]
        titles[j] = r[1] if len(r) > 1 else titles[j]
        year = r[2] if len(r) > 2 else ""
        genres = r[3].split() if len(r) > 3 else []
        tags[j] = [f"g:{g}" for g in genres] + ([f"y:{year[:3]}0s"] if year else [])
    catalogue = plain_catalogue(len(ids), ids, tags)
    catalogue.titles = titles
    catalogue.descriptions = [""] * len(ids)
    return Dataset("movielens-100k", seqs, catalogue,
                   f"{seqs.n_users} users, {len(ids)} items, {len(seqs.items)} steps (ratings as implicit, by time)")


def shop_database(profile: str = "default", seed: int = 42) -> Dataset:
    """Seed ``profile`` into ``var/bench/rec/shop-<profile>.db`` once (reused), then load it."""
    from assistant.recommender_training import load_from_shop

    path = CACHE / f"shop-{profile}.db"
    url = f"sqlite:///{path}"
    done = CACHE / f"shop-{profile}.seeded"
    if not done.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        for p in CACHE.glob(f"shop-{profile}.db*"):
            p.unlink()
        subprocess.run([sys.executable, "-m", "shop.seed", "--profile", profile, "--seed", str(seed),
                        "--database-url", url, "--no-progress"], check=True, cwd=REPO)
        done.write_text(profile)
    seqs, catalogue = load_from_shop(url)
    return Dataset(f"shop-{profile}", seqs, catalogue,
                   f"{seqs.n_users} customers, {int(catalogue.available.sum())} products on sale, "
                   f"{len(seqs.items)} steps (view/cart/purchase merged per item)")


LOADERS = {"amazon": amazon_sports, "ml100k": movielens_100k, "shop": shop_database}
