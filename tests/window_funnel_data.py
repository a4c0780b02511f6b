"""Event sets for the windowFunnel tests, shared by the tests and the script that had
ClickHouse (chdb) compute their levels (tests/fixtures/make_window_funnel_cases.py)."""

from __future__ import annotations

import hashlib
import json
import random

H, D = 3600, 86400
W7 = 7 * D
V, P, A, C, B = "visit", "product_view", "add_to_cart", "checkout", "purchase"
SHOP = [{"match": [V]}, {"match": [P]}, {"match": [A]}, {"match": [C]}, {"match": [B]}]

# From ../shared/bench/check_semantics.py: (name, level read from ClickHouse's source, rows)
EDGE_CASES = [
    ("in_order", 5, [(V, 0), (P, H), (A, 2 * H), (C, 3 * H), (B, 4 * H)]),
    ("reversed", 1, [(B, 0), (C, H), (A, 2 * H), (P, 3 * H), (V, 4 * H)]),
    ("no_visit", 0, [(P, 0), (A, H), (C, 2 * H), (B, 3 * H)]),
    ("tie_visit_view", 2, [(V, 100), (P, 100)]),
    ("tie_listed_backwards", 2, [(P, 100), (V, 100)]),
    ("all_five_same_second", 5, [(B, 50), (C, 50), (A, 50), (P, 50), (V, 50)]),
    ("tie_view_cart", 3, [(V, 0), (A, 5), (P, 5)]),
    ("last_step_at_window_edge", 5, [(V, 0), (P, H), (A, 2 * H), (C, 3 * H), (B, W7)]),
    ("last_step_1s_past_edge", 4, [(V, 0), (P, H), (A, 2 * H), (C, 3 * H), (B, W7 + 1)]),
    ("later_visit_restarts_window", 3, [(V, 0), (V, 5 * D), (P, 6 * D), (A, 11 * D)]),
    ("later_visit_no_view_after", 2, [(V, 0), (P, H), (V, 6 * D), (A, 8 * D)]),
    ("skip_then_fill", 2, [(V, 0), (A, H), (P, 2 * H), (C, 3 * H)]),
    ("repeated_views", 3, [(V, 0), (P, H), (P, 2 * H), (P, 3 * H), (A, 6 * D)]),
    ("cart_before_visit", 2, [(A, 0), (V, H), (P, 2 * H)]),
    ("two_chains_second_deeper", 4, [(V, 0), (P, H), (V, 20 * D), (P, 20 * D + 1),
                                     (A, 20 * D + 2), (C, 27 * D)]),
    ("early_chain_kept", 3, [(V, 0), (P, 1), (A, 2), (V, 30 * D), (P, 30 * D + 5)]),
    ("purchase_before_checkout", 4, [(V, 0), (P, H), (A, 2 * H), (B, 3 * H), (C, 4 * H)]),
    ("window_from_first_not_prev", 3, [(V, 0), (P, 6 * D), (A, 7 * D), (C, 7 * D + 1)]),
]

# Worked out by hand (and checked against chdb by the script): a content funnel where
# one event can satisfy two steps: any page view, then a view of
# the cart page, then an order (logged under two names). Window 36 hours.
PAGES = [{"match": ["page_view"]}, {"match": ["page_view"], "where": {"page": "/cart"}},
         {"match": ["order", "purchase"]}]
PV, CART = ("page_view", "/"), ("page_view", "/cart")
OVERLAP_CASES = [
    ("cart_view_alone_is_two_steps", 2, [(CART, 0)]),
    ("cart_view_then_order", 3, [(CART, 0), (("order", ""), H)]),
    ("order_named_purchase", 3, [(PV, 0), (CART, H), (("purchase", ""), 2 * H)]),
    ("home_view_not_cart", 1, [(PV, 0), (("page_view", "/home"), H)]),
    ("order_before_cart", 2, [(PV, 0), (("order", ""), H), (CART, 2 * H)]),
    ("order_at_36h_edge", 3, [(CART, 0), (("order", ""), 36 * H)]),
    ("order_1s_past_edge", 2, [(CART, 0), (("order", ""), 36 * H + 1)]),
    # The cart view is also a page view: it starts a later chain, which the order is in.
    ("cart_view_restarts_chain", 3, [(PV, 0), (CART, H), (("order", ""), 36 * H + 1)]),
    ("tie_order_and_cart", 3, [(("order", ""), 10), (CART, 10)]),
]


def rows_of(cases, first_id=1000):
    rows = []
    for i, (_, _, events) in enumerate(cases):
        for event, t in events:
            name, page = event if isinstance(event, tuple) else (event, "")
            rows.append([first_id + i, name, T0 + t, page])
    return rows


def fuzz(seed, n_entities, steps, noise, window, ids="dense"):
    """A few attempts per entity: the steps mostly in order, some dropped, some out of
    order, on a grid of window/4 (+-1 s) so that ties and exact window edges are common."""
    rng = random.Random(seed)
    grid = max(window // 4, 1)
    rows = []
    for e in range(n_entities):
        entity = {"dense": 50_000 + e, "sparse": rng.randrange(-(1 << 62), 1 << 62),
                  "string": f"user-{rng.randrange(10**9):09d}"}[ids]
        for _ in range(rng.randint(1, 3)):
            t = rng.randrange(0, 16) * grid
            for name, page in steps:
                if rng.random() < 0.25:
                    continue  # a step skipped in this attempt
                t += rng.choice([0, 0, 1, 2, 4]) * grid + rng.choice([0, 0, 0, 1, -1])
                rows.append([entity, name, T0 + max(t, 0), page])
        for _ in range(rng.randint(0, 3)):
            name, page = rng.choice(noise)
            rows.append([entity, name, T0 + rng.randrange(0, 24) * grid, page])
    rng.shuffle(rows)
    return rows


T0 = 1_704_067_200 + 10 * D  # 2024-01-11 00:00:00 UTC
SHOP_STEPS = [(n, "") for n in (V, P, A, C, B)]
SHOP_NOISE = [(n, "") for n in (V, P, A, C, B, "search")]
PAGE_STEPS = [("page_view", "/"), ("page_view", "/cart"), ("order", "")]
PAGE_NOISE = [("page_view", "/home"), ("page_view", "/cart"), ("purchase", ""), ("search", "")]


def suites():
    """name -> (steps, window seconds, [start, end) period in Unix seconds or None, rows)."""
    p0 = T0 + 2 * D
    return {
        "check_semantics edge cases": (SHOP, W7, None, rows_of(EDGE_CASES)),
        "several names, overlapping steps, where": (PAGES, 36 * H, None, rows_of(OVERLAP_CASES)),
        "fuzz: shop, 7d, dense ids": (SHOP, W7, None, fuzz(1, 150, SHOP_STEPS, SHOP_NOISE, W7)),
        "fuzz: shop, 30m, sparse ids": (
            SHOP, 1800, None, fuzz(2, 150, SHOP_STEPS, SHOP_NOISE, 1800, "sparse")),
        "fuzz: pages, 36h, string ids": (
            PAGES, 36 * H, None, fuzz(3, 150, PAGE_STEPS, PAGE_NOISE, 36 * H, "string")),
        "fuzz: shop, 7d, step 1 inside a period": (
            SHOP, W7, [p0, p0 + 10 * D], fuzz(4, 150, SHOP_STEPS, SHOP_NOISE, W7)),
    }


def digest(rows) -> str:
    """Fingerprint of an event set: the levels on file belong to exactly these events."""
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]
