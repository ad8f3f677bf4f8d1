# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Waiter against the emulator, on a fake clock shared by the waiter, the transport and the
emulator's task timelines: a 30-minute wait runs in milliseconds, every poll at a known time."""

from __future__ import annotations

import sys

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import Client
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import ApiError, OptionError, ResponseError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.waiter import Waiter, duration, parse

from ...helpers import account, task, validated

V1, V2 = '0.0.1-R-20220708.110604', '0.0.2-R-20220801.000000'


def running_until(task_id, seconds, final='FINISHED', version=V1, start='2022-08-04T14:36:00+08:00', **extra):
    return task(task_id, None, version, start, timeline=[[0, 'RUNNING'], [seconds, final]], **extra)


def wait_spec(options, group_ids):
    """The wait options checked (waiter.parse) for these groups."""
    return parse(dict(options, app_instance_group_ids=list(group_ids)))


def wait(server, clock, groups=('aig-1',), retries=6, **options):
    """Run one wait; returns (result, progress lines)."""
    options.setdefault('wait_timeout', 600)
    options.setdefault('poll_interval', 10)
    options.setdefault('success_statuses', ['FINISHED'])
    spec = wait_spec(options, groups)
    lines = []
    with Client(validated(server, retries=retries), clock=clock, sleep=clock.sleep) as client:
        return Waiter(client, spec, clock=clock, sleep=clock.sleep, progress=lines.append).wait(), lines


def test_success_when_every_task_finishes(emulator, clock):
    server = emulator({'aig-1': {'tasks': [task('ota-old'), running_until('ota-new', 25, start='2022-08-05T10:00:00+08:00')]}}, clock=clock)
    result, lines = wait(server, clock)
    assert (result['success'], result['timed_out'], result['polls'], result['elapsed']) == (True, False, 4, 30.0)
    assert clock.sleeps == [10, 10, 10]
    assert [t['task_id'] for t in result['tasks']] == ['ota-new']   # ota-old had ended before: history
    assert result['msg'] == 'OTA updates done after 30s: aig-1 done: ota-new FINISHED (%s) (1 older task in history)' % V1
    assert result['failed_tasks'] == result['pending_tasks'] == result['missing_task_ids'] == result['unknown_statuses'] == []
    assert result['groups'] == {'aig-1': {
        'status_counts': {'FINISHED': 1}, 'task_count': 1, 'empty': False, 'newest_task_id': 'ota-new', 'newest_status': 'FINISHED',
        'in_flight': False, 'in_flight_count': 0, 'superseded_task_ids': [], 'history_count': 1, 'done': True, 'succeeded': True,
        'summary': 'done: ota-new FINISHED (%s) (1 older task in history)' % V1}}
    assert lines[0] == 'aig-1: waiting for ota-new RUNNING (%s) (1 older task in history) (0s elapsed)' % V1
    assert lines[-1] == 'aig-1: done: ota-new FINISHED (%s) (1 older task in history) (30s elapsed)' % V1


def test_a_failed_task_fails_the_wait_at_once(emulator, clock):
    groups = {'aig-1': {'tasks': [running_until('ota-bad', 15, 'FAILED', start='2022-08-05T10:00:00+08:00')]},
              'aig-2': {'tasks': [running_until('ota-slow', 500)]}}
    server = emulator(groups, clock=clock)
    result, _lines = wait(server, clock, groups=('aig-1', 'aig-2'))
    assert (result['success'], result['timed_out'], result['polls'], result['elapsed']) == (False, False, 3, 20.0)
    assert [t['task_id'] for t in result['failed_tasks']] == ['ota-bad']
    assert [t['task_id'] for t in result['pending_tasks']] == ['ota-slow']
    assert result['msg'] == ('OTA task(s) failed after 20s: aig-1/ota-bad (%s) FAILED; still running: aig-2/ota-slow (%s) RUNNING' % (V1, V1))


def test_without_fail_fast_the_wait_goes_on_and_still_fails(emulator, clock):
    groups = {'aig-1': {'tasks': [running_until('ota-bad', 15, 'FAILED', start='2022-08-05T10:00:00+08:00')]},
              'aig-2': {'tasks': [running_until('ota-slow', 45)]}}
    server = emulator(groups, clock=clock)
    result, _lines = wait(server, clock, groups=('aig-1', 'aig-2'), fail_fast=False)
    assert (result['success'], result['timed_out'], result['polls'], result['elapsed']) == (False, False, 6, 50.0)
    assert [t['task_id'] for t in result['failed_tasks']] == ['ota-bad'] and result['pending_tasks'] == []


def test_other_success_statuses(emulator, clock):
    server = emulator({'aig-1': {'tasks': [running_until('ota-part', 5, 'PART_FINISHED')]}}, clock=clock)
    result, _lines = wait(server, clock, success_statuses=['FINISHED', 'PART_FINISHED'])
    assert result['success'] and result['polls'] == 2


def test_the_deadline_ends_the_wait_with_the_pending_tasks(emulator, clock):
    server = emulator({'aig-1': {'tasks': [task('ota-ok'), running_until('ota-slow', 9999, start='2022-08-05T10:00:00+08:00')]}}, clock=clock)
    result, _lines = wait(server, clock, wait_timeout=25)
    assert (result['success'], result['timed_out'], result['polls'], result['elapsed']) == (False, True, 4, 25.0)
    assert clock.sleeps == [10, 10, 5]   # the last sleep ends at the deadline, not past it
    assert [t['task_id'] for t in result['pending_tasks']] == ['ota-slow']
    assert result['msg'] == 'Timed out after 25s waiting for: aig-1/ota-slow (%s) RUNNING' % V1


def test_a_task_that_appears_late_is_waited_for(emulator, clock):
    server = emulator({'aig-1': {'tasks': [task('ota-other', 'RUNNING'),
                                           running_until('ota-late', 35, appear_after=15, start='2022-08-05T10:00:00+08:00')]}},
                      clock=clock)
    result, lines = wait(server, clock, task_ids=['ota-late'])
    assert (result['success'], result['polls'], result['elapsed']) == (True, 5, 40.0)
    assert [t['task_id'] for t in result['tasks']] == ['ota-late']   # ota-other is not waited for
    assert lines.count('not listed yet: ota-late') == 2
    assert 'aig-1: none of the task ids is listed here (0s elapsed)' in lines


def test_a_task_that_never_appears_is_named_at_the_deadline(emulator, clock):
    server = emulator({'aig-1': {'tasks': [task('ota-other')]}}, clock=clock)
    result, _lines = wait(server, clock, task_ids=['ota-ghost'], wait_timeout=20)
    assert result['timed_out'] and result['missing_task_ids'] == ['ota-ghost']
    assert result['msg'] == 'Timed out after 20s waiting for: ota-ghost (not listed yet)'


def test_ota_version_waits_for_its_first_task_to_appear(emulator, clock):
    tasks = [task('ota-v1', 'RUNNING', V1), running_until('ota-v2', 25, version=V2, appear_after=15, start='2022-08-05T10:00:00+08:00')]
    server = emulator({'aig-1': {'tasks': tasks}}, clock=clock)
    result, _lines = wait(server, clock, ota_version=V2)
    assert (result['success'], result['polls'], result['elapsed']) == (True, 4, 30.0)
    assert [t['task_id'] for t in result['tasks']] == ['ota-v2']


def test_ota_version_that_never_appears_is_named_at_the_deadline(emulator, clock):
    server = emulator({'aig-1': {'tasks': [task('ota-v1', 'FINISHED', V1)]}}, clock=clock)
    result, _lines = wait(server, clock, ota_version=V2, wait_timeout=30)
    assert result['timed_out'] and result['polls'] == 4
    assert result['msg'] == 'Timed out after 30s waiting for: aig-1: no task of OTA version %s listed yet (1 older task in history)' % V2


def test_a_task_first_listed_during_the_wait_is_waited_for(emulator, clock):
    """Someone approved an update while the gate waited: the new task must finish too."""
    server = emulator({'aig-1': {'tasks': [running_until('ota-1', 15)]}}, clock=clock)
    new = {'TaskId': 'ota-2', 'timeline': [[0, 'STANDBY'], [30, 'RUNNING'], [45, 'FINISHED']]}
    clock.on_sleep.append(lambda now: server.insert_task('aig-1', new) if len(clock.sleeps) == 1 else None)
    result, _lines = wait(server, clock)
    assert (result['success'], result['polls'], result['elapsed']) == (True, 6, 50.0)
    assert [t['task_id'] for t in result['tasks']] == ['ota-2', 'ota-1']


def test_a_task_first_listed_during_the_wait_that_fails_fails_the_wait(emulator, clock):
    server = emulator({'aig-1': {'tasks': [running_until('ota-1', 15)]}}, clock=clock)
    new = {'TaskId': 'ota-2', 'timeline': [[0, 'RUNNING'], [25, 'FAILED']]}
    clock.on_sleep.append(lambda now: server.insert_task('aig-1', new) if len(clock.sleeps) == 1 else None)
    result, _lines = wait(server, clock)
    assert (result['success'], result['timed_out'], result['polls']) == (False, False, 4)
    assert [t['task_id'] for t in result['failed_tasks']] == ['ota-2']


def test_transient_errors_are_polled_through(emulator, clock):
    server = emulator({'aig-1': {'tasks': [running_until('ota-1', 25)]}}, clock=clock, faults={'schedule': {'2': 'http500'}})
    result, lines = wait(server, clock, retries=0)
    assert (result['success'], result['polls'], result['elapsed']) == (True, 4, 30.0)
    failed = [line for line in lines if line.startswith('poll 2 failed, will poll again: ')]
    assert len(failed) == 1 and 'InternalError' in failed[0] and 'Gave up after 1 attempt' in failed[0]


def test_retries_within_a_poll_use_the_same_clock(emulator, clock):
    server = emulator({'aig-1': {'tasks': [running_until('ota-1', 5)]}}, clock=clock, faults={'schedule': {'1': 'reset'}})
    result, _lines = wait(server, clock, retries=2)
    assert result['success'] and result['polls'] == 2
    assert len(clock.sleeps) == 2 and clock.sleeps[1] == 10 and 0 <= clock.sleeps[0] <= 0.5   # one backoff, then one poll interval


def test_errors_until_the_deadline_end_in_a_timeout_naming_the_last_error(emulator, clock):
    server = emulator({'aig-1': {'tasks': [running_until('ota-1', 5)]}}, clock=clock, faults={'every': {'http503': 1}})
    result, _lines = wait(server, clock, retries=0, wait_timeout=20)
    assert (result['timed_out'], result['polls']) == (True, 3)
    assert result['msg'].startswith('Timed out after 20s waiting for: the first successful poll; last error: ListOtaTask failed: '
                                    'ServiceUnavailable: ')


@pytest.mark.parametrize('groups, faults, error, code', [
    (('aig-nope',), None, ApiError, 'InvalidAppInstanceGroup.NotFound'),
    (('aig-1',), {'schedule': {'2': 'badshape'}}, ResponseError, None),
])
def test_errors_retrying_cannot_fix_are_raised(emulator, clock, groups, faults, error, code):
    server = emulator({'aig-1': {'tasks': [running_until('ota-1', 50)]}}, clock=clock, faults=faults)
    with pytest.raises(error) as err:
        wait(server, clock, groups=groups)
    assert not err.value.transient
    assert getattr(err.value, 'code', None) == code


def test_an_empty_group_is_done_at_once(emulator, clock):
    server = emulator({'aig-empty': {'tasks': []}, 'aig-1': {'tasks': [task('ota-1')]}}, clock=clock)
    result, lines = wait(server, clock, groups=('aig-1', 'aig-empty'))
    assert (result['success'], result['polls'], clock.sleeps) == (True, 1, [])
    assert result['groups']['aig-empty'] == {
        'status_counts': {}, 'task_count': 0, 'empty': True, 'newest_task_id': None, 'newest_status': None, 'in_flight': False,
        'in_flight_count': 0, 'superseded_task_ids': [], 'history_count': 0, 'done': True, 'succeeded': True, 'summary': 'no OTA tasks: nothing to wait for'}
    assert result['msg'] == ('OTA updates done after 0s: aig-1 nothing in flight: newest task ota-1 FINISHED on 2022-08-04T14:36:00+08:00; '
                             'aig-empty no OTA tasks: nothing to wait for')
    assert 'aig-empty: no OTA tasks: nothing to wait for (0s elapsed)' in lines


@pytest.mark.parametrize('options, words', [
    ({'wait_timeout': 0}, 'wait_timeout must be greater than 0 seconds, got 0'),
    ({'poll_interval': 1}, 'poll_interval must be at least 2 seconds, got 1'),
    ({'success_statuses': []}, 'success_statuses must name at least one status'),
    ({'success_statuses': ['FINISHED', 'RUNNING']}, "success_statuses: 'RUNNING' is not a terminal status"),
    ({'task_ids': ['ota-1', ' ']}, 'task_ids must not contain an empty task id'),
])
def test_wait_options_are_checked(options, words):
    full = {'wait_timeout': 60, 'poll_interval': 10, 'success_statuses': ['FINISHED']}
    full.update(options)
    with pytest.raises(OptionError) as err:
        wait_spec(full, ('aig-1',))
    assert words in str(err.value)


@pytest.mark.parametrize('seconds, text', [(0, '0s'), (59.6, '1m00s'), (90, '1m30s'), (3725, '1h02m05s')])
def test_durations_read_like_a_clock(seconds, text):
    assert duration(seconds) == text


def test_an_unsettled_listing_is_polled_again_not_taken_as_done(emulator, clock):
    # A task inserted at the head during each read of the first poll (3 rounds x 2 pages):
    # that poll never forms one snapshot, so it cannot be the basis of "done".
    faults = {'schedule': {str(n): 'insert_head' for n in (2, 4, 6)}}
    server = emulator({'aig-1': {'generate': {'count': 150, 'status': 'FINISHED'}}}, clock=clock, faults=faults)
    result, _lines = wait(server, clock, wait_timeout=30)
    # The first settled poll holds the three inserted RUNNING tasks: the newest is waited for, the two below it are
    # superseded (a newer task has started), so history.
    assert (result['success'], result['timed_out']) == (False, True)
    assert result['polls'] > 1
    inserted = [t['TaskId'] for t in server.tasks('aig-1')][:3]
    assert [t['task_id'] for t in result['tasks']] == [t['task_id'] for t in result['pending_tasks']] == inserted[:1]
    assert [t['task_id'] for t in result['superseded_tasks']] == result['groups']['aig-1']['superseded_task_ids'] == inserted[1:]


def test_a_listing_that_never_settles_times_out_saying_why(emulator, clock):
    server = emulator({'aig-1': {'generate': {'count': 150, 'status': 'FINISHED'}}}, clock=clock,
                      faults={'every': {'insert_head': 2}})
    result, _lines = wait(server, clock, wait_timeout=25)
    assert not result['success'] and result['timed_out']
    assert 'the task list of aig-1 kept changing while it was read' in result['msg']


def test_task_ids_and_ota_version_together_are_refused():
    with pytest.raises(OptionError, match='task_ids and ota_version are mutually exclusive'):
        wait_spec({'wait_timeout': 60, 'poll_interval': 10, 'success_statuses': ['FINISHED'], 'task_ids': ['ota-1'],
                   'ota_version': V2}, ('aig-1',))


def test_task_ids_are_stripped_and_repeats_dropped():
    spec = wait_spec({'wait_timeout': 60, 'poll_interval': 10, 'success_statuses': ['FINISHED'],
                      'task_ids': [' ota-1 ', 'ota-1', 'ota-2']}, ('aig-1',))
    assert spec.task_ids == ('ota-1', 'ota-2')


def test_an_unknown_status_is_warned_about_once_and_waited_through(emulator, clock, monkeypatch):
    """A status this collection does not know counts as in flight: say so once, do not spin silently."""
    server = emulator({}, clock=clock)
    emulator_module = sys.modules[type(server).__module__]
    monkeypatch.setattr(emulator_module, 'STATUSES', emulator_module.STATUSES + ('PAUSED',))   # the emulator serves it
    server.load({'accounts': [account()], 'groups': {'aig-1': {'tasks': [
        task('ota-old'), task('ota-new', None, V1, '2022-08-05T10:00:00+08:00', timeline=[[0, 'PAUSED'], [25, 'FINISHED']])]}}})
    warnings = []
    spec = wait_spec({'wait_timeout': 600, 'poll_interval': 10, 'success_statuses': ['FINISHED']}, ('aig-1',))
    with Client(validated(server), clock=clock, sleep=clock.sleep) as client:
        result = Waiter(client, spec, clock=clock, sleep=clock.sleep, warn=warnings.append).wait()
    assert (result['success'], result['polls'], result['unknown_statuses']) == (True, 4, ['PAUSED'])
    assert len(warnings) == 1 and "the task status 'PAUSED', which this collection does not know" in warnings[0]


def test_a_throttled_poll_is_a_slow_poll_not_a_failed_one(emulator, clock):
    """Throttling is not failure (issue 19): the poll waits for the client's rate and completes, even with retries 0;
    the next poll starts after max(poll_interval, the poll's own time), so the gate takes at most half a shared limit."""
    server = emulator({'aig-1': {'tasks': [running_until('ota-1', 25)]}}, clock=clock,
                      faults={'schedule': {str(n): 'throttle' for n in range(1, 9)}})
    result, lines = wait(server, clock, retries=0, poll_interval=10)
    assert (result['success'], result['timed_out'], result['polls']) == (True, False, 2)
    assert not any('failed' in line for line in lines), lines
    assert 'poll 1 took 16s: the API throttled 8 of its 9 requests (the rate limit of the account); the next poll starts in 16s' in lines
    assert clock.sleeps == [2.0] * 8 + [16.0]         # 8 tokens at 0.5/s, then a pause as long as the poll
    assert result['elapsed'] == 32.0
    assert server.stats()['ok_calls'] == {'ListOtaTask': 2}


def test_a_poll_throttled_until_the_deadline_times_out_saying_what_helps(emulator, clock):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}}, clock=clock, faults={'every': {'throttle': 1}})
    result, _lines = wait(server, clock, wait_timeout=30, poll_interval=10)
    assert (result['success'], result['timed_out'], result['polls']) == (False, True, 1)
    assert result['msg'].startswith('Timed out after 30s waiting for: the first successful poll; last error: ListOtaTask failed: '
                                    'Throttling.User: ')
    assert 'The API kept throttling until the deadline: the API throttled 16 of the 16 requests this client sent' in result['msg']
    assert 'wait_timeout' in result['msg'] and 'max_concurrency' not in result['msg']
