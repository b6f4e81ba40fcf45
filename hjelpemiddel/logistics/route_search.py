"""Improving a route by local search, pure: 2-opt and Or-opt moves between near neighbours.

A move's change in driving time is known from the four or six legs it changes (O(1)); only when the
route has time windows is a promising move checked against the whole schedule (waiting for a window
to open and lateness move every later stop), and then a late stop is also tried earlier in its block.
Work is capped by a budget of evaluations, not by the clock, so the same stops always give the same
route however busy the machine is.
"""
from __future__ import annotations

NEIGHBOURS = 10
SEGMENT = 3
EPSILON = 1e-9


class Search:
    """``order`` holds node numbers (0 is the depot); ``blocks`` the (first, last) positions in
    ``order`` a stop may move within (urgent stops stay before the rest); ``minutes`` the driving
    minutes between nodes."""

    def __init__(self, minutes, windows, blocks, order, start, service, late_penalty, budget):
        self.minutes, self.windows, self.blocks = minutes, windows, blocks
        self.order, self.start, self.service, self.late_penalty = order, start, service, late_penalty
        self.budget = budget
        self.timed = any(start_ is not None or end is not None for start_, end in windows)
        self.cost = self.schedule(order)
        nodes = len(minutes)
        self.near = [sorted((other for other in range(1, nodes) if other != node),
                            key=lambda other, row=minutes[node]: (row[other], other))[:NEIGHBOURS]
                     for node in range(nodes)]

    def schedule(self, order) -> float:
        self.budget -= len(order) // 8 + 1
        minutes, windows, service, penalty = self.minutes, self.windows, self.service, self.late_penalty
        clock, cost, here = float(self.start), 0.0, 0
        for node in order[1:-1]:
            drive = minutes[here][node]
            clock += drive
            cost += drive
            opens, closes = windows[node]
            if opens is not None and clock < opens:
                clock = float(opens)
            if closes is not None and clock > closes:
                cost += (clock - closes) * penalty
            clock += service
            here = node
        return cost + minutes[here][0]

    def lateness(self, order) -> list[float]:
        """Minutes late at each position of ``order``."""
        minutes, windows = self.minutes, self.windows
        late, clock, here = [0.0] * len(order), float(self.start), 0
        for position in range(1, len(order) - 1):
            node = order[position]
            clock += minutes[here][node]
            opens, closes = windows[node]
            if opens is not None and clock < opens:
                clock = float(opens)
            if closes is not None and clock > closes:
                late[position] = clock - closes
            clock += self.service
            here = node
        return late

    def _try(self, build, delta) -> bool:
        """Take the order ``build()`` makes if it is cheaper: by ``delta`` alone without windows, else by schedule."""
        self.budget -= 1
        if not self.timed:
            if delta < -EPSILON:
                self.order, self.cost = build(), self.cost + delta
                return True
            return False
        if delta >= self._late_cost_bound():
            return False
        candidate = build()
        cost = self.schedule(candidate)
        if cost < self.cost - EPSILON:
            self.order, self.cost = candidate, cost
            self._bound = None
            return True
        return False

    _bound: float | None = None

    def _late_cost_bound(self) -> float:
        """No move saves more than the lateness there is: a move adding driving beyond it is skipped."""
        if self._bound is None:
            self._bound = sum(self.lateness(self.order)) * self.late_penalty
        return self._bound - EPSILON if self._bound > 0 else -EPSILON

    def block_of(self, position: int) -> tuple[int, int] | None:
        for first, last in self.blocks:
            if first <= position <= last:
                return first, last
        return None

    def two_opt(self, position: int) -> bool:
        """Reverse the stretch after ``position`` up to a near neighbour, or before it from one."""
        order, minutes = self.order, self.minutes
        block = self.block_of(position)
        if block is None:
            return False
        first, last = block
        node = order[position]
        where = {n: p for p, n in enumerate(order)}
        for other in self.near[node]:
            j = where[other]
            if not first <= j <= last or j == position:
                continue
            # new leg node–other: reverse (position+1 .. j) or (j .. position-1)
            lo, hi = (position + 1, j) if j > position else (j + 1, position)
            if lo < hi and first <= lo and hi <= last:
                a, b, c, d = order[lo - 1], order[lo], order[hi], order[hi + 1]
                delta = minutes[a][c] + minutes[b][d] - minutes[a][b] - minutes[c][d]
                if self._try(lambda lo=lo, hi=hi: order[:lo] + order[lo:hi + 1][::-1] + order[hi + 1:], delta):
                    return True
            lo, hi = (j, position - 1) if j < position else (position, j - 1)
            if lo < hi and first <= lo and hi <= last:
                a, b, c, d = order[lo - 1], order[lo], order[hi], order[hi + 1]
                delta = minutes[a][c] + minutes[b][d] - minutes[a][b] - minutes[c][d]
                if self._try(lambda lo=lo, hi=hi: order[:lo] + order[lo:hi + 1][::-1] + order[hi + 1:], delta):
                    return True
        return False

    def or_opt(self, position: int) -> bool:
        """Move up to three stops starting at ``position`` next to a near neighbour of the first, either way round."""
        order, minutes = self.order, self.minutes
        block = self.block_of(position)
        if block is None:
            return False
        first, last = block
        where = {n: p for p, n in enumerate(order)}
        for length in range(1, SEGMENT + 1):
            end = position + length - 1
            if end > last:
                break
            segment = order[position:end + 1]
            before, after = order[position - 1], order[end + 1]
            removed = minutes[before][segment[0]] + minutes[segment[-1]][after] - minutes[before][after]
            rest = order[:position] + order[end + 1:]
            for other in self.near[order[position]]:
                j = where[other]
                if not first <= j <= last or position <= j <= end:
                    continue
                k = j if j < position else j - length  # the neighbour's place once the segment is out
                for gap in (k - 1, k):  # insert before or after the neighbour
                    if gap < first - 1 or gap > last - length:
                        continue
                    left, right = rest[gap], rest[gap + 1]
                    for piece in (segment, segment[::-1]):
                        added = minutes[left][piece[0]] + minutes[piece[-1]][right] - minutes[left][right]
                        if self._try(lambda gap=gap, piece=piece: rest[:gap + 1] + piece + rest[gap + 1:], added - removed):
                            return True
        return False

    def move_late_stops_earlier(self) -> bool:
        """A late stop tried at every earlier place in its block, best place taken."""
        late = self.lateness(self.order)
        for position in sorted(range(len(late)), key=lambda p: (-late[p], p)):
            if late[position] <= 0 or self.budget <= 0:
                break
            block = self.block_of(position)
            if block is None:
                continue
            node, best = self.order[position], None
            rest = self.order[:position] + self.order[position + 1:]
            for gap in range(block[0], position):
                candidate = rest[:gap] + [node] + rest[gap:]
                cost = self.schedule(candidate)
                if cost < (best[0] if best else self.cost) - EPSILON:
                    best = (cost, candidate)
            if best:
                self.cost, self.order, self._bound = best[0], best[1], None
                return True
        return False

    def every_two_opt(self) -> bool:
        """Every reversal within a block, for what the near neighbours miss; scanning on after each one taken."""
        minutes, improved = self.minutes, False
        for first, last in self.blocks:
            for lo in range(first, last):
                for hi in range(lo + 1, last + 1):
                    if self.budget <= 0:
                        return improved
                    order = self.order
                    a, b, c, d = order[lo - 1], order[lo], order[hi], order[hi + 1]
                    delta = minutes[a][c] + minutes[b][d] - minutes[a][b] - minutes[c][d]
                    if self._try(lambda lo=lo, hi=hi: order[:lo] + order[lo:hi + 1][::-1] + order[hi + 1:], delta):
                        improved = True
        return improved

    def run(self) -> list[int]:
        while self.budget > 0 and self.every_two_opt():
            pass
        improved = True
        while improved and self.budget > 0:
            improved = False
            for position in range(1, len(self.order) - 1):
                if self.budget <= 0:
                    break
                while self.budget > 0 and (self.two_opt(position) or self.or_opt(position)):
                    improved = True
            if self.timed and self.budget > 0 and self.move_late_stops_earlier():
                improved = True
            if not improved and self.budget > 0 and self.every_two_opt():
                improved = True
        return self.order
