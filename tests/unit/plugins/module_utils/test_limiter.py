# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AdaptiveLimiter: the bound on requests in flight, halved once per throttling burst, grown back on success."""

from __future__ import annotations

import threading
import time

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.transport import AdaptiveLimiter


def test_a_burst_of_throttling_answers_halves_the_bound_once():
    limiter = AdaptiveLimiter(16)
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
    for _round in range(10):
        limiter.throttled()
    assert limiter.limit == limiter.lowest == 1 and limiter.cuts == 2   # 4 -> 2 -> 1, then nothing left to cut
    for _round in range(100):
        limiter.succeeded()
    assert limiter.limit == 4 and limiter.lowest == 1


def test_additive_increase_one_step_per_window_of_successes():
    limiter = AdaptiveLimiter(8)
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
