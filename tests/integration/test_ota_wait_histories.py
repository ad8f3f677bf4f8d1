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

import pytest

from conftest import ROLE_TASKS, role_vars, task

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


def test_a_group_whose_newest_task_finished_is_up_to_date_at_the_first_poll(emulator, ansible):
    groups = {'aig-1': {'tasks': history()}}
    _server, _proc, result = wait(emulator, ansible, groups, check=True, ota_wait_app_instance_group_ids=['aig-1'])
    assert (result['success'], result['polls']) == (True, 1)
    assert result['msg'] == ('OTA updates done after 0s: aig-1 up to date: newest task ota-h-v2-retry FINISHED on '
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
        'aig-up-to-date': {'tasks': history('ota-a')},
        'aig-updating': {'tasks': [newest('ota-b', [(0, 'STANDBY'), (3, 'RUNNING'), (7, 'FINISHED')])] + history('ota-b')},
        'aig-new': {'tasks': []},
    }
    server, proc, result = wait(emulator, ansible, groups, check=True,
                                ota_wait_app_instance_group_ids=['aig-up-to-date', 'aig-updating', 'aig-new'])
    assert result['success'] is True
    summaries = {group: info['summary'] for group, info in result['groups'].items()}
    assert summaries['aig-up-to-date'].startswith('up to date: newest task ota-a-v2-retry FINISHED on 2025-05-20T02:00:00+08:00')
    assert summaries['aig-updating'].startswith('done: ota-b FINISHED')
    assert summaries['aig-new'] == 'no OTA tasks: nothing to wait for'
    calls = server.stats()['list_calls_by_group']
    assert calls['aig-up-to-date'] == calls['aig-updating'] == calls['aig-new'] == result['polls']
    assert 'aig-up-to-date: up to date: newest task' in proc.stdout


@pytest.mark.parametrize('fail_fast', [True, False])
def test_a_failure_during_the_wait_after_older_failures(emulator, ansible, fail_fast):
    groups = {'aig-1': {'tasks': [newest('ota-new', [(0, 'RUNNING'), (4, 'FAILED')]),
                                  newest('ota-slow', [(0, 'RUNNING'), (300, 'FINISHED')], start='2025-06-19T10:00:00+08:00')] + history()}}
    _server, _proc, result = wait(emulator, ansible, groups, check=False, ota_wait_app_instance_group_ids=['aig-1'],
                                  ota_wait_fail_fast=fail_fast, ota_wait_timeout=10)
    assert [t['task_id'] for t in result['failed_tasks']] == ['ota-new']
    if fail_fast:
        assert not result['timed_out'] and result['msg'].startswith('OTA task(s) failed after')
    else:   # it waits for ota-slow until the deadline, and says both
        assert result['timed_out'] and result['msg'].startswith('Timed out after 10s waiting for: aig-1/ota-slow')
        assert '; and OTA task(s) failed: aig-1/ota-new (%s) FAILED' % V3 in result['msg']
