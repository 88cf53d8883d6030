#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A model of lru_bench.c's scripted workload, for LRU policies zheap
does not implement: how often each writes back one of the N coldest
objects (N = objects written per shrink).

    python3 tools/bench/lru_model.py [rounds]

The bench itself measures the three policies zheap has; this model
reproduces second chance and exact exactly (0.850 and 1.000 at 20 rounds,
0.537 and 1.000 at 40) and the epoch policy closely (0.979 at 40 rounds
against the bench's 0.969-0.976: the bench ends its epochs in a worker,
a little late), and adds refinements zheap does not have.

epoch: an access moves the object to the hot end only if it has not been
placed (moved or added) in this epoch; an epoch ends once a quarter of
the objects have been placed (lru/lru.c, ZHEAP_LRU_EPOCH_DIV).
"""
import collections
import random
import sys


def run(policy, n=20000, rounds=40, seed=1):
    w = n // 50
    rnd = random.Random(seed)
    order = collections.OrderedDict((i, None) for i in range(n))
    ref = [0] * n       # referenced bit
    seen = [0] * n      # promotions since placement (promote-first/two)
    placed_in = [0] * n     # placed in this epoch (epoch)
    last = list(range(1, n + 1))
    clock = n
    placed = 0
    hits = total = 0

    def place(i):
        nonlocal placed
        order[i] = None
        order.move_to_end(i)
        if policy != "epoch":
            return
        placed_in[i] = 1
        placed += 1
        if placed >= max(n // 4, 32):
            placed = 0
            placed_in[:] = [0] * n

    for _ in range(rounds):
        for _ in range(n // 2):
            x = rnd.getrandbits(32)
            i = (x // 10) % (n // 10) * 10 if x % 10 < 8 else (x // 10) % n
            clock += 1
            last[i] = clock
            if policy == "exact":
                order.move_to_end(i)
            elif policy == "second-chance":
                ref[i] = 1
            elif policy in ("promote-first", "promote-two"):
                limit = 1 if policy == "promote-first" else 2
                if seen[i] < limit:
                    order.move_to_end(i)
                    seen[i] += 1
                else:
                    ref[i] = 1
            elif policy == "epoch" and not placed_in[i]:
                place(i)
        bound = sorted(last)[w - 1]
        taken = []
        while len(taken) < w:
            i, _ = order.popitem(last=False)
            if ref[i]:
                ref[i] = 0
                seen[i] = 0
                order[i] = None
                continue
            taken.append(i)
        hits += sum(last[i] <= bound for i in taken)
        total += len(taken)
        for i in taken:
            clock += 1
            last[i] = clock
            ref[i] = seen[i] = 0
            place(i)
    return hits / total


if __name__ == "__main__":
    r = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    for p in ("second-chance", "promote-first", "promote-two", "epoch",
              "exact"):
        print(f"{p:14s} {r} rounds: among the coldest N {run(p, rounds=r):.3f}")
