# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the performance design promises, counted by the emulator (timings are for tests/bench/, never here).

The real Client talks HTTP to the in-process emulator: exactly ceil(N/100) ListOtaTask
calls per group (1 for an empty group), never more than max_concurrency requests in flight
(and more than one, or there is no concurrency), and under an emulator rate limit that
throttles: the exact tasks in API order, with the limiter having cut its concurrency.
"""

from __future__ import annotations

import math

import pytest
from conftest import AK, SECRET

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import Client
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.tasks import argument_spec, parse as parse_query
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.transport import START_WINDOW


def params(server, group_ids, **extra):
    """Every option at its default, as AnsibleModule hands them to the module."""
    spec = argument_spec()
    spec.update(connection_argument_spec())
    values = {name: option.get('default') for name, option in spec.items()}
    values.update(app_instance_group_ids=list(group_ids), endpoint=server.endpoint, access_key_id=AK, access_key_secret=SECRET)
    values.update(extra)
    return values


def listing(server, group_ids, **extra):
    """(result, the client's limiter) of one query, like the module runs it."""
    options = params(server, group_ids, **extra)
    with Client(options) as client:
        result = client.task_report(parse_query(options))
        assert client.warnings == []
        return result, client.transport.limiter


def truth(server, group_ids):
    return [(g, t['TaskId']) for g in group_ids for t in server.tasks(g)]


def got(result):
    return [(t['app_instance_group_id'], t['task_id']) for t in result['ota_tasks']]


def pages_read(server):
    """{group: sorted page numbers} of the successful ListOtaTask calls."""
    pages = {}
    for entry in server.stats()['log']:
        if entry['action'] == 'ListOtaTask' and entry['status'] == 200:
            pages.setdefault(entry['group'], []).append(entry['page_number'])
    return {group: sorted(numbers) for group, numbers in pages.items()}


@pytest.mark.parametrize('count', [0, 1, 100, 101, 10000])
def test_one_group_takes_ceil_n_over_100_calls(emulator, count):
    server = emulator({'aig-1': {'generate': {'count': count}}})
    result, _limiter = listing(server, ['aig-1'])
    assert got(result) == truth(server, ['aig-1']) and result['total_count'] == count
    calls = max(1, math.ceil(count / 100))
    assert server.stats()['calls'] == {'ListOtaTask': calls}
    assert pages_read(server) == {'aig-1': list(range(1, calls + 1))}   # each page once, no page past the end


def test_many_groups_take_their_own_pages_only(emulator):
    sizes = {'aig-%02d' % i: 20 for i in range(50)}
    sizes.update({'aig-empty': 0, 'aig-250': 250, 'aig-100': 100, 'aig-101': 101})
    server = emulator({g: {'generate': {'count': n}} for g, n in sizes.items()})
    result, _limiter = listing(server, list(sizes))
    assert got(result) == truth(server, list(sizes))
    assert server.stats()['list_calls_by_group'] == {g: max(1, math.ceil(n / 100)) for g, n in sizes.items()}
    assert server.stats()['calls'] == {'ListOtaTask': 50 + 1 + 3 + 1 + 2}


def test_page_size_is_the_only_way_to_more_calls(emulator):
    server = emulator({'aig-1': {'generate': {'count': 250}}})
    result, _limiter = listing(server, ['aig-1'], page_size=40)
    assert got(result) == truth(server, ['aig-1'])
    assert server.stats()['calls'] == {'ListOtaTask': 7}


@pytest.mark.parametrize('bound', [4, 16])
def test_requests_in_flight_stay_within_max_concurrency_and_overlap(emulator, bound):
    server = emulator({'aig-big': {'generate': {'count': 4000}}, **{'aig-%02d' % i: {'generate': {'count': 5}} for i in range(40)}},
                      latency_ms=20)
    groups = ['aig-big'] + ['aig-%02d' % i for i in range(40)]
    extra = {} if bound == 16 else {'max_concurrency': bound}   # 16 is the default
    result, limiter = listing(server, groups, **extra)
    assert got(result) == truth(server, groups)
    assert 1 < server.stats()['max_in_flight'] <= bound
    assert limiter.maximum == bound and limiter.cuts == 0


def test_exact_result_in_api_order_under_a_rate_limit_that_throttles(emulator):
    """A gateway allowing 25 requests/s (burst 25) in front of 60 pages of 20 ms each: most of the
    first concurrent wave is refused; the limiter cuts its bound, backs off, and every task arrives once."""
    server = emulator({'aig-1': {'generate': {'count': 5000}}, 'aig-2': {'generate': {'count': 1000}}},
                      latency_ms=20, rate_limit=25)
    result, limiter = listing(server, ['aig-1', 'aig-2'])
    assert got(result) == truth(server, ['aig-1', 'aig-2'])
    stats = server.stats()
    assert stats['throttled_by_limit'].get('rate_limit', 0) > 0           # the emulator did throttle
    assert stats['ok_calls'] == {'ListOtaTask': 60}                         # yet every page was read once
    assert pages_read(server) == {'aig-1': list(range(1, 51)), 'aig-2': list(range(1, 11))}
    assert limiter.cuts >= 1 and limiter.lowest < limiter.maximum == 16     # and the limiter backed off
    assert stats['max_in_flight'] <= 16


def test_exact_result_when_the_gateway_allows_only_three_in_flight(emulator):
    server = emulator({'aig-1': {'generate': {'count': 3000}}}, latency_ms=20, max_in_flight=3)
    result, limiter = listing(server, ['aig-1'])
    assert got(result) == truth(server, ['aig-1'])
    stats = server.stats()
    assert stats['throttled_by_limit'].get('max_in_flight', 0) > 0
    assert stats['ok_calls'] == {'ListOtaTask': 30}
    assert limiter.cuts >= 1 and limiter.lowest < START_WINDOW   # it backed off below its first window
