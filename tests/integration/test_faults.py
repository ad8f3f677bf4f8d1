# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection: every run returns exactly the emulator's ground truth, or fails with a clear error.

Never a partial list presented as complete. Each fault kind first in-process with the real
client (counting requests and backoff sleeps), then through real ansible runs of the module,
the lookup and the role.
"""

from __future__ import annotations

import pytest

from conftest import LOOKUP_TASKS, MODULE, ROLE_TASKS, client_params, creds, ids, lookup_vars, role_vars, truth

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import client as client_module
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import Client, run
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import AppStreamingError, ResponseError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.tasks import parse as parse_query
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.transport import RETRY_BACKOFF_BASE

BIG = {'aig-1': {'generate': {'count': 250, 'status': 'FINISHED'}}}   # 3 pages of 100
RETRIED = ('http500', 'http503', 'html502', 'reset', 'malformed', 'hang')
THROTTLED = ('throttle', 'throttle_api')   # not failures: waited through until the deadline, whatever `retries` says
# What the error says once the retries are used up, per fault kind.
GAVE_UP = {
    'http500': ('InternalError', 'HTTP 500'),
    'http503': ('ServiceUnavailable', 'HTTP 503'),
    'html502': ('HTTP502', 'not Alibaba Cloud JSON (text/html)'),
    'reset': ('could not get an answer from', 'connection'),
    'malformed': ('the body is not valid JSON',),
    'hang': ('could not get an answer from', 'read timed out'),
}


def listing(server, faults=None, retries=6, timeout=1.0, throttled=None, **extra):
    """List aig-1 in-process through the real client: (tasks, warnings, HTTP requests sent, backoff sleeps).

    ``throttled``, a list, gets the number of throttling answers.
    """
    sleeps = []
    if faults is not None:
        server.set_faults(faults)
    params = client_params(server, app_instance_group_ids=['aig-1'], retries=retries, timeout=timeout, **extra)
    with Client(params, sleep=sleeps.append) as client:
        try:
            result = client.task_report(parse_query(params))
        finally:
            sent = client.transport.calls
            if throttled is not None:
                throttled.append(client.transport.throttled)
    return result['ota_tasks'], list(client.warnings), sent, sleeps


@pytest.mark.parametrize('kind', RETRIED)
def test_each_fault_is_retried_to_the_exact_list(emulator, kind):
    server = emulator(BIG)
    tasks, warnings, sent, sleeps = listing(server, {'schedule': {'1': kind, '3': kind}, 'hang_seconds': 30})
    assert ids(tasks) == truth(server, 'aig-1') and len(set(ids(tasks))) == 250
    assert not warnings
    assert server.stats()['faults_injected'] == {kind: 2}
    assert sent == 3 + 2                          # one extra request per fault: no page is read twice, no restart
    assert len(sleeps) == 2 and all(0 <= s <= RETRY_BACKOFF_BASE for s in sleeps)   # first-retry backoff, full jitter


@pytest.mark.parametrize('kind', THROTTLED)
def test_each_throttling_answer_is_waited_through_to_the_exact_list(emulator, kind):
    """With retries 0: a throttled page is not a failed one. It is sent again when the client's rate allows."""
    server = emulator(BIG)
    throttled = []
    tasks, warnings, sent, sleeps = listing(server, {'schedule': {'1': kind, '3': kind}}, retries=0, throttled=throttled)
    assert ids(tasks) == truth(server, 'aig-1') and not warnings
    assert server.stats()['faults_injected'] == {kind: 2} and throttled == [2]
    assert sent == 3 + 2                          # one extra request per throttling answer: no page is read twice, no restart
    assert len(sleeps) == 4 and all(s > 0 for s in sleeps)   # from the first throttle on, every request waits for the rate


@pytest.mark.parametrize('kind', THROTTLED)
def test_throttling_waits_what_x_acs_retry_after_asks(emulator, kind):
    server = emulator(BIG)
    tasks, _warnings, sent, sleeps = listing(server, {'schedule': {'1': kind, '2': kind, '4': kind}, 'retry_after_ms': 1250})
    assert ids(tasks) == truth(server, 'aig-1')
    assert sent == 3 + 3 and len([s for s in sleeps if abs(s - 1.25) < 0.01]) == 3   # exactly what the API asked, each time


@pytest.mark.parametrize('kind', THROTTLED)
def test_throttling_that_never_ends_stops_at_the_time_budget_saying_what_helps(emulator, kind):
    server = emulator(BIG)
    throttled = []
    with pytest.raises(AppStreamingError) as err:
        listing(server, {'every': {kind: 1}}, retries=2, throttled=throttled)
    text = str(err.value)
    assert text.startswith('ListOtaTask failed: %s: ' % ('Throttling.User' if kind == 'throttle' else 'Throttling.Api')), text
    assert 'The API kept throttling until the deadline: the API throttled %d of the %d requests this client sent' % (
        throttled[0], throttled[0]) in text
    assert 'run fewer jobs against this account at once' in text and "raise the account's quota" in text
    assert text.endswith('Gave up at the deadline') and err.value.transient
    assert 'max_concurrency' not in text and 'raise retries' not in text
    assert throttled[0] > 3                       # more than `retries` allows: throttling is bounded by time


@pytest.mark.parametrize('kind', RETRIED)
def test_each_fault_fails_clearly_once_the_retries_are_used_up(emulator, kind):
    server = emulator(BIG)
    with pytest.raises(AppStreamingError) as err:
        listing(server, {'every': {kind: 1}, 'hang_seconds': 30}, retries=2)
    text = str(err.value)
    assert text.startswith('ListOtaTask'), text
    assert all(words in text for words in GAVE_UP[kind]), text
    assert 'Gave up after 3 attempts' in text and err.value.transient
    assert server.stats()['faults_injected'] == {kind: 3}


def test_a_body_of_the_wrong_shape_fails_at_once_naming_the_field(emulator):
    server = emulator(BIG)
    with pytest.raises(ResponseError) as err:
        listing(server, {'schedule': {'1': 'badshape'}})
    assert str(err.value).startswith('ListOtaTask returned an invalid response: for group aig-1 page 1: ')
    assert 'TotalCount: expected an integer, got str' in str(err.value) and 'RequestId' in str(err.value)
    assert server.stats()['calls'] == {'ListOtaTask': 1}   # not retried: the API answered, wrongly


def test_the_read_timeout_fires_on_a_hanging_response(emulator):
    """With no retries, a hanging answer is a read timeout after `timeout`, not a wait for the answer."""
    server = emulator(BIG)
    with pytest.raises(AppStreamingError, match=r'read timed out. Gave up after 1 attempt'):
        listing(server, {'schedule': {'1': 'hang'}, 'hang_seconds': 60}, retries=0, timeout=0.5)
    assert server.stats()['faults_injected'] == {'hang': 1}


def test_the_whole_listing_has_an_overall_bound(emulator, monkeypatch):
    """Every answer hangs: the listing ends at its time budget, not after retries x timeout."""
    monkeypatch.setattr(client_module, 'LISTING_TIME_BUDGET', 1.5)
    server = emulator(BIG, faults={'every': {'hang': 1}, 'hang_seconds': 60})
    with pytest.raises(AppStreamingError) as err:
        run(client_params(server, app_instance_group_ids=['aig-1'], timeout=30, retries=6))
    assert 'read timed out' in str(err.value) and 'at the deadline' in str(err.value)
    assert server.stats()['faults_injected'] == {'hang': 1}


# --- consistency: a task inserted at the head while paging ---

def test_a_task_inserted_while_paging_is_re_read_to_a_consistent_snapshot(emulator):
    server = emulator(BIG)
    tasks, warnings, sent, _sleeps = listing(server, {'schedule': {'3': 'insert_head'}})
    assert ids(tasks) == truth(server, 'aig-1') and len(tasks) == 251   # the new task, and none of the others twice
    assert not warnings
    assert sent == 3 + 3                                                 # the listing was read a second time


def test_a_list_that_never_settles_is_bounded_and_says_so(emulator):
    server = emulator(BIG)
    tasks, warnings, sent, _sleeps = listing(server, {'every': {'insert_head': 2}})
    assert len(warnings) == 1 and 'the task list of aig-1 kept changing while it was read (3 attempts)' in warnings[0]
    assert len(tasks) != len(truth(server, 'aig-1')) or ids(tasks) != truth(server, 'aig-1')
    assert sent == 3 * 3                                                  # MAX_ROUNDS full re-reads, then it stops


# --- through ansible: the module, the lookup and the role ---

MIXED = {'schedule': {'1': 'throttle', '2': 'http500', '4': 'html502', '6': 'reset', '8': 'malformed', '10': 'http503',
                      '12': 'throttle_api', '14': 'hang'}, 'retry_after_ms': 50, 'hang_seconds': 30}
TWO_GROUPS = {'aig-1': {'generate': {'count': 450, 'status': 'FINISHED'}},    # 5 pages
              'aig-2': {'generate': {'count': 120, 'status': 'FINISHED'}}}    # 2 pages


def injected(server):
    return set(server.stats()['faults_injected'])


def test_module_exact_list_through_every_retried_fault(emulator, ansible):
    server = emulator(TWO_GROUPS, faults=MIXED)
    _proc, result = ansible.module(MODULE, creds(server, app_instance_group_ids=['aig-1', 'aig-2'], timeout=2), check=True)
    assert ids(result['ota_tasks']) == truth(server, 'aig-1', 'aig-2') and result['total_count'] == 570
    assert injected(server) == set(RETRIED) | set(THROTTLED)
    assert 'warnings' not in result


def test_module_insert_head_gives_the_final_truth(emulator, ansible):
    server = emulator(BIG, faults={'schedule': {'2': 'insert_head'}})
    _proc, result = ansible.module(MODULE, creds(server, app_instance_group_id='aig-1'), check=True)
    assert ids(result['ota_tasks']) == truth(server, 'aig-1') and result['total_count'] == 251
    assert 'warnings' not in result


def test_module_fails_clearly_after_the_retry_budget(emulator, ansible):
    server = emulator(BIG, faults={'every': {'http503': 1}})
    proc, result = ansible.module(MODULE, creds(server, app_instance_group_id='aig-1', retries=1), check=False)
    assert result['msg'].startswith('ListOtaTask failed: ServiceUnavailable') and 'Gave up after 2 attempts' in result['msg']
    assert result['error']['code'] == 'ServiceUnavailable' and result['error']['http_status'] == 503
    assert 'ota_tasks' not in result and 'Traceback' not in proc.stdout + proc.stderr


def test_lookup_exact_list_through_faults_and_an_inserted_task(emulator, ansible):
    faults = dict(MIXED, schedule=dict(MIXED['schedule'], **{'5': 'insert_head'}))
    server = emulator(TWO_GROUPS, faults=faults)
    _proc, tasks = ansible.play(LOOKUP_TASKS, lookup_vars(server, group_ids=['aig-1', 'aig-2'], ansible_appstreaming_timeout=2),
                                check=True)
    assert ids(tasks) == truth(server, 'aig-1', 'aig-2') and len(tasks) == 571
    assert injected(server) == set(RETRIED) | set(THROTTLED) | {'insert_head'}


def test_lookup_fails_clearly_after_the_retry_budget(emulator, ansible):
    server = emulator(BIG, faults={'every': {'html502': 1}})
    proc, tasks = ansible.play(LOOKUP_TASKS, lookup_vars(server, group_ids=['aig-1'], ansible_appstreaming_retries=2), check=False)
    output = proc.stdout + proc.stderr
    assert tasks is None
    assert "alibabacloud.appstreaming.ota_tasks: ListOtaTask failed: HTTP502: an error answer that is not Alibaba Cloud JSON" in output
    assert 'Gave up after 3 attempts' in output and 'Traceback' not in output


def test_role_exact_tasks_through_every_retried_fault(emulator, ansible):
    """The role has no HTTP timeout variable: its hanging answer is test_role_deadline_holds_when_the_api_hangs."""
    faults = dict(MIXED, schedule={n: kind for n, kind in MIXED['schedule'].items() if kind != 'hang'})
    server = emulator(TWO_GROUPS, faults=faults)
    every = truth(server, 'aig-1', 'aig-2')   # named, so the role returns them all: every page read exactly once
    _proc, result = ansible.play(ROLE_TASKS, role_vars(server, ota_wait_app_instance_group_ids=['aig-1', 'aig-2'], ota_wait_task_ids=every,
                                                       ota_wait_timeout=120, ota_wait_poll_interval=2), check=True)
    assert result['success'] and result['polls'] == 1
    assert ids(result['tasks']) == truth(server, 'aig-1', 'aig-2')
    assert injected(server) == (set(RETRIED) | set(THROTTLED)) - {'hang'}


def test_role_polls_through_failures_and_times_out_with_the_last_error(emulator, ansible):
    server = emulator(BIG, faults={'every': {'reset': 1}})
    proc, result = ansible.play(ROLE_TASKS, role_vars(server, ota_wait_app_instance_group_ids=['aig-1'],
                                                      ota_wait_timeout=4, ota_wait_poll_interval=2), check=False)
    assert result['timed_out'] and not result['success'] and result['tasks'] == []
    assert result['msg'].startswith('Timed out after') and 'last error: ListOtaTask: could not get an answer' in result['msg']
    assert 'Traceback' not in proc.stdout + proc.stderr


def test_role_deadline_holds_when_the_api_hangs(emulator, ansible):
    server = emulator(BIG, faults={'every': {'hang': 1}, 'hang_seconds': 120})
    _proc, result = ansible.play(ROLE_TASKS, role_vars(server, ota_wait_app_instance_group_ids=['aig-1'],
                                                       ota_wait_timeout=3, ota_wait_poll_interval=2), check=False)
    assert result['timed_out'] and not result['success']
    assert 'read timed out' in result['msg']
    assert result['elapsed'] <= 3 + 2 + 1          # the deadline, at most one poll interval late, and slack
