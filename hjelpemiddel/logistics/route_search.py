"""Improving a route by local search, pure: 2-opt and Or-opt moves between near neighbours.

A move's change in driving time is known from the four or six legs it changes (O(1)); only when the
route has time windows is a promising move checked against the whole schedule (waiting for a window
to open and lateness move every later stop), and then a late stop is also tried earlier in its block.
Work is capped by a budget of evaluations, not by the clock, so the same stops always give the same
route however busy the machine is.

The step of a schedule (drive, wait for the window, count lateness, serve) is written out in each
loop rather than called: as a method it made ordering 300 stops 40–75 % slower (measured).
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
        self.start, self.service, self.late_penalty = start, service, late_penalty
        self.budget = budget
        self.timed = any(start_ is not None or end is not None for start_, end in windows)
        self._take(order)
        nodes = len(minutes)
        self.near = [sorted((other for other in range(1, nodes) if other != node),
                            key=lambda other, row=minutes[node]: (row[other], other))[:NEIGHBOURS]
                     for node in range(nodes)]

    def _take(self, order) -> None:
        """Make ``order`` the route, keeping at each position the clock on leaving it and the cost so
        far, so that a move is judged from where it changes the route, not from the depot."""
        minutes, windows, service, penalty = self.minutes, self.windows, self.service, self.late_penalty
        departs, costs, driven = [float(self.start)], [0.0], [0.0]
        clock, cost, here = float(self.start), 0.0, 0
        for node in order[1:-1]:
            drive = minutes[here][node]
            clock += drive
            cost += drive
            driven.append(driven[-1] + drive)
            opens, closes = windows[node]
            if opens is not None and clock < opens:
                clock = float(opens)
            if closes is not None and clock > closes:
                cost += (clock - closes) * penalty
            clock += service
            here = node
            departs.append(clock)
            costs.append(cost)
        # the last position holding a stop with a window: after it, the clock no longer costs anything
        self.last_timed = max((p for p in range(1, len(order) - 1) if windows[order[p]] != (None, None)), default=0)
        self.order, self.departs, self.costs, self.driven = order, departs, costs, driven
        self.cost = cost + minutes[here][0]
        self._bound = None

    def schedule(self, order, lo: int = 1, hi: int | None = None) -> float | None:
        """The cost of ``order``, which differs from the route at positions ``lo``..``hi`` only: the
        schedule is run from ``lo`` on until it leaves a later stop when the route did. None when the
        move cannot make the route cheaper (it leaves later and has already cost more)."""
        minutes, windows, service, penalty = self.minutes, self.windows, self.service, self.late_penalty
        departs, costs, last = self.departs, self.costs, len(order) - 2
        hi = last if hi is None else hi
        clock, cost, here = departs[lo - 1], costs[lo - 1], order[lo - 1]
        for position in range(lo, last + 1):
            node = order[position]
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
            if position > hi:
                # From here on the stops are the route's own: leaving at the same time, or with no
                # window left to keep, the rest costs the same; leaving later, every later stop is at
                # least as late.
                was = departs[position]
                if abs(clock - was) < EPSILON or position >= self.last_timed:
                    self.budget -= (position - lo) // 8 + 1
                    return cost + self.cost - costs[position]
                if clock > was and cost >= costs[position] - EPSILON:
                    self.budget -= (position - lo) // 8 + 1
                    return None
        self.budget -= (last - lo) // 8 + 1
        return cost + minutes[here][0]

    def reversal_cost(self, lo: int, hi: int) -> float:
        """The cost of the route with ``lo``..``hi`` reversed, when ``hi`` is past the last stop with a
        window: the stretch from ``hi`` back to that stop is driven, with no window to keep, in the
        time it took the other way, so only the timed part of the stretch is run through the schedule."""
        order, minutes, windows, service, penalty = self.order, self.minutes, self.windows, self.service, self.late_penalty
        timed = max(self.last_timed, lo - 1)
        # stops order[hi] .. order[timed + 1], driven back to front
        drive = minutes[order[lo - 1]][order[hi]] + self.driven[hi] - self.driven[timed + 1]
        clock = self.departs[lo - 1] + drive + service * (hi - timed)
        cost, here = self.costs[lo - 1] + drive, order[timed + 1]
        for position in range(timed, lo - 1, -1):
            node = order[position]
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
        self.budget -= (timed - lo) // 8 + 1
        if hi == len(order) - 2:
            return cost + minutes[here][0]
        return cost + minutes[here][order[hi + 1]] + self.cost - self.costs[hi + 1]

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

    def _try(self, build, delta, lo, hi, reversal: bool = False) -> bool:
        """Take the order ``build()`` makes, which changes positions ``lo``..``hi``, if it is cheaper:
        by ``delta`` (the change in driving) alone without windows, else by its schedule."""
        self.budget -= 1
        if not self.timed or lo > self.last_timed:  # no window at or after the change: driving is all
            if delta < -EPSILON:
                if self.timed:
                    self._take(build())
                else:
                    self.order, self.cost = build(), self.cost + delta
                return True
            return False
        if delta >= self._late_cost_bound():
            return False
        if reversal and hi > self.last_timed:
            cost = self.reversal_cost(lo, hi)
            candidate = build() if cost < self.cost - EPSILON else None
        else:
            candidate = build()
            cost = self.schedule(candidate, lo, hi)
        if cost is not None and cost < self.cost - EPSILON:
            self._take(candidate)
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
                if self._try(lambda lo=lo, hi=hi: order[:lo] + order[lo:hi + 1][::-1] + order[hi + 1:], delta, lo, hi,
                                     reversal=True):
                    return True
            lo, hi = (j, position - 1) if j < position else (position, j - 1)
            if lo < hi and first <= lo and hi <= last:
                a, b, c, d = order[lo - 1], order[lo], order[hi], order[hi + 1]
                delta = minutes[a][c] + minutes[b][d] - minutes[a][b] - minutes[c][d]
                if self._try(lambda lo=lo, hi=hi: order[:lo] + order[lo:hi + 1][::-1] + order[hi + 1:], delta, lo, hi,
                                     reversal=True):
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
                    changed = (gap + 1, end) if gap + 1 <= position else (position, gap + length)
                    for piece in (segment, segment[::-1]):
                        added = minutes[left][piece[0]] + minutes[piece[-1]][right] - minutes[left][right]
                        if self._try(lambda gap=gap, piece=piece: rest[:gap + 1] + piece + rest[gap + 1:],
                                     added - removed, *changed):
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
                cost = self.schedule(candidate, gap, position)
                if cost is not None and cost < (best[0] if best else self.cost) - EPSILON:
                    best = (cost, candidate)
            if best:
                self._take(best[1])
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
                    if self._try(lambda lo=lo, hi=hi: order[:lo] + order[lo:hi + 1][::-1] + order[hi + 1:], delta, lo, hi,
                                     reversal=True):
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
