# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property: under any fault schedule a listing is the exact ground truth, or a clear error, never a partial list.

Hypothesis draws the data, the paging and concurrency, the retry budget and which
ListOtaTask request gets which fault; the real client runs in-process against one emulator
(derandomized, so CI runs the same examples every time).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import Emulator, account, client_params, ids, truth

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import Client
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import AppStreamingError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.tasks import parse as parse_query
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.pager import MAX_ROUNDS

RETRIED = ('throttle', 'throttle_api', 'http500', 'http503', 'html502', 'reset', 'malformed')
KINDS = RETRIED + ('badshape', 'insert_head')


@pytest.fixture(scope='module')
def server():
    with Emulator(data={'accounts': [account()], 'groups': {}}) as emu:
        yield emu


@st.composite
def scenarios(draw):
    return {
        'counts': draw(st.lists(st.integers(0, 230), min_size=1, max_size=3)),
        'page_size': draw(st.sampled_from([7, 50, 100])),
        'max_concurrency': draw(st.sampled_from([1, 4])),
        'retries': draw(st.integers(0, 4)),
        'schedule': draw(st.dictionaries(st.integers(1, 8).map(str), st.sampled_from(KINDS), min_size=1, max_size=6)),
        'retry_after_ms': draw(st.sampled_from([None, 20])),
    }


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=scenarios())
def test_any_fault_schedule_gives_the_truth_or_a_clear_error(server, scenario):
    groups = ['aig-%d' % n for n in range(len(scenario['counts']))]
    server.load({'accounts': [account()],
                 'groups': {g: {'generate': {'count': n, 'status': 'RUNNING'}} for g, n in zip(groups, scenario['counts'])}})
    server.set_faults({'schedule': scenario['schedule'], 'retry_after_ms': scenario['retry_after_ms']})
    server.reset_stats()
    params = client_params(server, app_instance_group_ids=groups, page_size=scenario['page_size'], retries=scenario['retries'],
                           max_concurrency=scenario['max_concurrency'], timeout=5)
    error = None
    try:
        with Client(params, sleep=lambda seconds: None) as client:
            tasks = client.task_report(parse_query(params))['ota_tasks']
            warnings = list(client.warnings)
    except AppStreamingError as exc:
        tasks, error = None, exc
    fired = server.stats()['faults_injected']
    retried = sum(n for kind, n in fired.items() if kind in RETRIED)
    # Within the budget (each page fails at most `retries` times, each insert spoils at most one round) it must succeed.
    must_succeed = retried <= scenario['retries'] and 'badshape' not in fired and fired.get('insert_head', 0) < MAX_ROUNDS
    if tasks is None:
        assert not must_succeed, (scenario, fired, str(error))
        assert str(error).startswith('ListOtaTask'), str(error)
        assert 'badshape' in fired or 'Gave up after %d attempt' % (scenario['retries'] + 1) in str(error), (fired, str(error))
        return
    assert len(set(ids(tasks))) == len(tasks)                                   # never a task twice
    if warnings:                                                                # the only way to be inexact: said so
        assert not must_succeed and all('kept changing while it was read' in w for w in warnings), warnings
    else:
        assert ids(tasks) == truth(server, *groups)                             # exact: none missing, API order
