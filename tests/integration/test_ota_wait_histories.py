# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ota_wait gate on groups with a real OTA history, through real `ansible-playbook` runs.

ListOtaTask is a group's history: months of FINISHED tasks, and FAILED, TERMINATED or
PART_FINISHED ones that were retried later. The gate waits for the newest task and every task it
sees in flight; what had already ended is history. Timelines start at the first poll
(FirstRequestEmulator); assertions are on states, ids and poll counts, not on seconds.
"""

from __future__ import annotations

import json

import pytest

from conftest import ROLE_TASKS, ROOT, role_vars, task

V1, V2, V3 = '0.0.1-R-20250210.101500', '0.0.2-R-20250512.093000', '0.0.3-R-20250618.093000'


def history(prefix='ota-h'):
    """Last quarters of a group: a failed update retried and finished, a stopped one, a partly finished one."""
    return [
        task(prefix + '-v2-retry', 'FINISHED', V2, '2025-05-20T02:00:00+08:00'),
        task(prefix + '-v2-first', 'FAILED', V2, '2025-05-14T02:00:00+08:00'),
        task(prefix + '-v1-part', 'PART_FINISHED', V1, '2025-02-20T02:00:00+08:00'),
        task(prefix + '-v1-stopped', 'TERMINATED', V1, '2025-02-12T02:00:00+08:00'),
        task(prefix + '-v1-failed', 'FAILED', V1, '2025-02-11T02:00:00+08:00'),
    ]


def newest(task_id, timeline, version=V3, start='2025-06-20T10:00:00+08:00', **extra):
    return task(task_id, None, version, start, timeline=[list(step) for step in timeline], **extra)


def wait(emulator, ansible, groups, check=None, **variables):
    server = emulator(groups, clock_from_first_request=True)
    variables.setdefault('ota_wait_poll_interval', 2)
    variables.setdefault('ota_wait_timeout', 120)
    proc, result = ansible.play(ROLE_TASKS, role_vars(server, **variables), check=check)
    return server, proc, result


def test_old_failures_are_history_while_the_newest_task_runs_and_finishes(emulator, ansible):
    groups = {'aig-1': {'tasks': [newest('ota-new', [(0, 'RUNNING'), (6, 'FINISHED')])] + history()}}
    _server, proc, result = wait(emulator, ansible, groups, check=True, ota_wait_app_instance_group_ids=['aig-1'])
    assert result['success'] is True and result['failed_tasks'] == []
    assert [(t['task_id'], t['task_display_status']) for t in result['tasks']] == [('ota-new', 'FINISHED')]
    assert result['polls'] >= 2
    group = result['groups']['aig-1']
    assert (group['newest_task_id'], group['newest_status'], group['history_count'], group['succeeded']) == ('ota-new', 'FINISHED', 5, True)
    assert 'aig-1: waiting for ota-new RUNNING (%s) (5 older tasks in history)' % V3 in proc.stdout


def test_a_newest_task_that_already_failed_fails_the_gate_at_once(emulator, ansible):
    groups = {'aig-1': {'tasks': [task('ota-new', 'FAILED', V3, '2025-06-20T10:00:00+08:00')] + history()}}
    _server, proc, result = wait(emulator, ansible, groups, check=False, ota_wait_app_instance_group_ids=['aig-1'])
    assert (result['success'], result['timed_out'], result['polls']) == (False, False, 1)
    assert [t['task_id'] for t in result['failed_tasks']] == ['ota-new']
    assert result['msg'].startswith('OTA task(s) failed after 0s: aig-1/ota-new (%s) FAILED' % V3)
    assert 'failed=1' in proc.stdout


def test_a_group_whose_newest_task_finished_has_nothing_in_flight_at_the_first_poll(emulator, ansible):
    groups = {'aig-1': {'tasks': history()}}
    _server, _proc, result = wait(emulator, ansible, groups, check=True, ota_wait_app_instance_group_ids=['aig-1'])
    assert (result['success'], result['polls']) == (True, 1)
    assert result['msg'] == ('OTA updates done after 0s: aig-1 nothing in flight: newest task ota-h-v2-retry FINISHED on '
                             '2025-05-20T02:00:00+08:00 (4 older tasks in history)')


def test_a_task_first_listed_during_the_wait_is_waited_for(emulator, ansible):
    """Someone approves an update while the gate waits: the gate waits for it too."""
    groups = {'aig-1': {'tasks': [
        newest('ota-approved-later', [(0, 'STANDBY'), (9, 'RUNNING'), (14, 'FINISHED')], start='2025-06-21T10:00:00+08:00',
               appear_after=5),   # first listed at the third or fourth poll
        newest('ota-running', [(0, 'RUNNING'), (8, 'FINISHED')])] + history()}}
    _server, proc, result = wait(emulator, ansible, groups, check=True, ota_wait_app_instance_group_ids=['aig-1'])
    assert result['success'] is True
    assert [(t['task_id'], t['task_display_status']) for t in result['tasks']] == [
        ('ota-approved-later', 'FINISHED'), ('ota-running', 'FINISHED')]
    lines = [line for line in proc.stdout.splitlines() if 'aig-1: waiting for' in line]
    assert lines[0].startswith('[localhost] aig-1: waiting for ota-running RUNNING') and 'ota-approved-later' not in lines[0]
    assert any('ota-approved-later' in line for line in lines)


def test_task_ids_with_an_id_already_listed_as_failed_fails_at_once(emulator, ansible):
    groups = {'aig-1': {'tasks': [newest('ota-new', [(0, 'RUNNING'), (60, 'FINISHED')])] + history()}}
    _server, _proc, result = wait(emulator, ansible, groups, check=False, ota_wait_app_instance_group_ids=['aig-1'],
                                  ota_wait_task_ids=['ota-new', 'ota-h-v2-first'])
    assert (result['success'], result['timed_out'], result['polls']) == (False, False, 1)
    assert [t['task_id'] for t in result['failed_tasks']] == ['ota-h-v2-first']
    assert [t['task_id'] for t in result['pending_tasks']] == ['ota-new']


def test_ota_version_with_an_older_failed_attempt_and_a_newer_finished_one_succeeds(emulator, ansible):
    groups = {'aig-1': {'tasks': [newest('ota-v3', [(0, 'RUNNING')])] + history()}}
    _server, _proc, result = wait(emulator, ansible, groups, check=True, ota_wait_app_instance_group_ids=['aig-1'],
                                  ota_wait_ota_version=V2)
    assert (result['success'], result['polls']) == (True, 1)
    assert [t['task_id'] for t in result['tasks']] == ['ota-h-v2-retry']   # not the failed first attempt, not ota-v3


def test_two_groups_with_different_histories(emulator, ansible):
    groups = {
        'aig-settled': {'tasks': history('ota-a')},
        'aig-updating': {'tasks': [newest('ota-b', [(0, 'STANDBY'), (3, 'RUNNING'), (7, 'FINISHED')])] + history('ota-b')},
        'aig-new': {'tasks': []},
    }
    server, proc, result = wait(emulator, ansible, groups, check=True,
                                ota_wait_app_instance_group_ids=['aig-settled', 'aig-updating', 'aig-new'])
    assert result['success'] is True
    summaries = {group: info['summary'] for group, info in result['groups'].items()}
    assert summaries['aig-settled'].startswith('nothing in flight: newest task ota-a-v2-retry FINISHED on 2025-05-20T02:00:00+08:00')
    assert summaries['aig-updating'].startswith('done: ota-b FINISHED')
    assert summaries['aig-new'] == 'no OTA tasks: nothing to wait for'
    calls = server.stats()['list_calls_by_group']
    assert calls['aig-settled'] == calls['aig-updating'] == calls['aig-new'] == result['polls']
    assert 'aig-settled: nothing in flight: newest task' in proc.stdout


@pytest.mark.parametrize('fail_fast', [True, False])
def test_a_failure_during_the_wait_after_older_failures(emulator, ansible, fail_fast):
    groups = {'aig-1': {'tasks': [newest('ota-new', [(0, 'RUNNING'), (4, 'FAILED')])] + history()},
              'aig-2': {'tasks': [newest('ota-slow', [(0, 'RUNNING'), (300, 'FINISHED')])] + history('ota-b')}}
    _server, _proc, result = wait(emulator, ansible, groups, check=False, ota_wait_app_instance_group_ids=['aig-1', 'aig-2'],
                                  ota_wait_fail_fast=fail_fast, ota_wait_timeout=10)
    assert [t['task_id'] for t in result['failed_tasks']] == ['ota-new']
    if fail_fast:
        assert not result['timed_out'] and result['msg'].startswith('OTA task(s) failed after')
    else:   # it waits for ota-slow until the deadline, and says both
        assert result['timed_out'] and result['msg'].startswith('Timed out after 10s waiting for: aig-2/ota-slow')
        assert '; and OTA task(s) failed: aig-1/ota-new (%s) FAILED' % V3 in result['msg']


# -- superseded tasks (issue 20): a STANDBY or RUNNING task below a newer task that has started or ended is history ----

def demo_rollout():
    """The demo's aig-demo-rollout as sample_data.json has it: a 2025 STANDBY task below the newest one, which runs 20 s."""
    return json.loads((ROOT / 'tests' / 'emulator' / 'sample_data.json').read_text())['groups']['aig-demo-rollout']


STALE = 'ota-usqdsgm28n8kqjn5e'   # the demo group's STANDBY task of 2025-06-12


def test_the_demo_group_passes_the_gate_once_its_newest_task_finished(emulator, ansible):
    server = emulator({'aig-demo-rollout': demo_rollout()})
    server.advance(25)   # the newest task (RUNNING for 20 s) has finished
    proc, result = ansible.play(ROLE_TASKS, role_vars(server, ota_wait_app_instance_group_ids=['aig-demo-rollout'],
                                                      ota_wait_poll_interval=2, ota_wait_timeout=8), check=True)
    assert (result['success'], result['timed_out'], result['polls']) == (True, False, 1), result['msg']
    group = result['groups']['aig-demo-rollout']
    assert (group['newest_task_id'], group['newest_status'], group['superseded_task_ids']) == ('ota-mc35kyldmfx4xd1f9', 'FINISHED', [STALE])
    assert [t['task_id'] for t in result['superseded_tasks']] == [STALE] and result['pending_tasks'] == []
    assert 'superseded: %s STANDBY (0.0.3-R-20250610.221503)' % STALE in group['summary']
    assert '[WARNING]: aig-demo-rollout: taken as superseded' in proc.stdout + proc.stderr


def test_newest_finished_above_stale_standby_and_running_tasks_is_done_at_once(emulator, ansible):
    groups = {'aig-1': {'tasks': [task('ota-new', 'FINISHED', V3, '2025-06-20T10:00:00+08:00'),
                                  task('ota-stale-standby', 'STANDBY', V3, '2025-06-12T09:30:00+08:00'),
                                  task('ota-stale-running', 'RUNNING', V3, '2025-06-10T09:30:00+08:00')] + history()}}
    server, proc, result = wait(emulator, ansible, groups, check=True, ota_wait_app_instance_group_ids=['aig-1'],
                                ota_wait_timeout=8)
    assert (result['success'], result['polls']) == (True, 1), result['msg']
    assert result['groups']['aig-1']['superseded_task_ids'] == ['ota-stale-standby', 'ota-stale-running']
    assert result['groups']['aig-1']['in_flight'] is False and result['groups']['aig-1']['history_count'] == 7
    printed = proc.stdout + proc.stderr
    assert 'taken as superseded' in printed and 'ota-stale-standby STANDBY' in printed and 'ota-stale-running RUNNING' in printed
    # Named in task_ids, a superseded task is still waited for: exactly those tasks count.
    _proc, named = ansible.play(ROLE_TASKS, role_vars(server, ota_wait_app_instance_group_ids=['aig-1'], ota_wait_task_ids=['ota-stale-standby'],
                                                      ota_wait_poll_interval=2, ota_wait_timeout=3), check=False)
    assert named['timed_out'] is True and [t['task_id'] for t in named['pending_tasks']] == ['ota-stale-standby']


def test_newest_standby_above_an_older_running_task_waits_for_both_until_the_newest_starts(emulator, ansible):
    """Nothing above the RUNNING task has started, so it may still end: both are waited for. When the newest task
    starts, the older one is superseded, and the gate passes when the newest one finishes."""
    groups = {'aig-1': {'tasks': [newest('ota-new', [(0, 'STANDBY'), (4, 'RUNNING'), (8, 'FINISHED')], start='2025-06-21T10:00:00+08:00'),
                                  newest('ota-old', [(0, 'RUNNING')])] + history()}}
    _server, proc, result = wait(emulator, ansible, groups, check=True, ota_wait_app_instance_group_ids=['aig-1'], ota_wait_timeout=60)
    assert result['success'] is True, result['msg']
    assert [(t['task_id'], t['task_display_status']) for t in result['tasks']] == [('ota-new', 'FINISHED')]
    assert result['groups']['aig-1']['superseded_task_ids'] == ['ota-old']
    first = [line for line in proc.stdout.splitlines() if 'aig-1: waiting for' in line][0]
    assert 'waiting for ota-new STANDBY (%s); ota-old RUNNING (%s)' % (V3, V3) in first


def test_the_wait_says_nothing_in_flight_never_up_to_date_for_a_newest_task_that_finished(emulator, ansible):
    """'Up to date' means one thing in this collection: no new version offered (lifecycle.py), not 'newest task FINISHED'."""
    groups = {'aig-1': {'tasks': history()}, 'aig-2': {'tasks': [newest('ota-new', [(0, 'RUNNING'), (4, 'FINISHED')])] + history('ota-b')}}
    _server, proc, result = wait(emulator, ansible, groups, check=True, ota_wait_app_instance_group_ids=['aig-1', 'aig-2'])
    assert result['success'] is True
    assert result['groups']['aig-1']['summary'].startswith('nothing in flight: newest task ota-h-v2-retry FINISHED on ')
    assert 'up to date' not in (proc.stdout + proc.stderr + json.dumps(result)).lower()
