# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AdaptiveLimiter: the bound on requests in flight: a small window that doubles each round trip until the first
throttle, halved once per throttling burst, grown back on success."""

from __future__ import annotations

import threading
import time

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.transport import START_WINDOW, AdaptiveLimiter


def open_window(limiter):
    """Accepted answers until the window is at its maximum (slow start)."""
    while limiter.limit < limiter.maximum:
        limiter.succeeded()


def test_the_window_starts_small_and_grows_one_slot_per_accepted_answer_until_the_first_throttle():
    """Jobs that start together know nothing of each other: each sends at most 8 at first (issue 19)."""
    assert START_WINDOW == 8
    limiter = AdaptiveLimiter(16)
    assert (limiter.limit, limiter.maximum) == (8, 16)
    grown = []
    for _answer in range(10):
        limiter.succeeded()
        grown.append(limiter.limit)
    assert grown == [9, 10, 11, 12, 13, 14, 15, 16, 16, 16]   # 8 answers of the first round trip: 16 for the second
    assert AdaptiveLimiter(4).limit == 4 and AdaptiveLimiter(64).limit == 8


def test_slow_start_ends_at_the_first_throttle():
    limiter = AdaptiveLimiter(16)
    limiter.succeeded()
    limiter.throttled()
    assert limiter.limit == 4                  # 9 // 2
    limiter.succeeded()
    assert limiter.limit == 4                  # additive now: one slot per window of accepted answers
    for _answer in range(3):
        limiter.succeeded()
    assert limiter.limit == 5


def test_a_burst_of_throttling_answers_halves_the_bound_once():
    limiter = AdaptiveLimiter(16)
    open_window(limiter)
    epochs = []
    for _round in range(16):
        with limiter as epoch:
            epochs.append(epoch)
    for epoch in epochs:            # all 16 requests of one window come back throttled
        limiter.throttled(epoch)
    assert (limiter.limit, limiter.cuts, limiter.lowest) == (8, 1, 8)
    with limiter as epoch:          # a request admitted after the cut may cut again
        pass
    limiter.throttled(epoch)
    assert (limiter.limit, limiter.cuts, limiter.lowest) == (4, 2, 4)


def test_the_bound_never_drops_below_one_nor_grows_past_the_maximum():
    limiter = AdaptiveLimiter(4)
    assert limiter.limit == 4
    for _round in range(10):
        limiter.throttled()
    assert limiter.limit == limiter.lowest == 1 and limiter.cuts == 2   # 4 -> 2 -> 1, then nothing left to cut
    for _round in range(100):
        limiter.succeeded()
    assert limiter.limit == 4 and limiter.lowest == 1


def test_additive_increase_one_step_per_window_of_successes():
    limiter = AdaptiveLimiter(8)
    assert limiter.limit == 8
    limiter.throttled()
    limiter.throttled()
    assert limiter.limit == 2
    limiter.succeeded()
    assert limiter.limit == 2
    limiter.succeeded()
    assert limiter.limit == 3        # 2 successes at limit 2
    for _round in range(3):
        limiter.succeeded()
    assert limiter.limit == 4        # 3 more at limit 3


def test_requests_in_flight_never_exceed_the_bound():
    limiter = AdaptiveLimiter(3)
    lock = threading.Lock()
    state = {'now': 0, 'most': 0}

    def work():
        with limiter:
            with lock:
                state['now'] += 1
                state['most'] = max(state['most'], state['now'])
            time.sleep(0.005)
            with lock:
                state['now'] -= 1

    for expected in (3, 1):   # the bound, then the bound after two throttling cuts
        state['most'] = 0
        threads = [threading.Thread(target=work) for _thread in range(24)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert state['most'] == expected
        limiter.throttled()
        limiter.throttled()


def test_waiting_for_a_slot_ends_at_the_deadline():
    """wait_timeout bounds the wait for a free request slot too (issue 11)."""
    limiter = AdaptiveLimiter(1)
    assert limiter.acquire() == 0                      # the only slot is taken
    start = time.monotonic()
    assert limiter.acquire(deadline=start + 0.2) is False
    assert 0.15 <= time.monotonic() - start < 5
    limiter.release()
    assert limiter.acquire(deadline=time.monotonic() + 0.2) == 0
