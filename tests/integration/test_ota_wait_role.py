# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ota_wait role through real `ansible-playbook`, against emulator status timelines.

Timelines start at the first API request (FirstRequestEmulator), so a slow ansible start does
not eat into them. The role's own `elapsed` (monotonic, measured by the action) is what the
timing bounds of the issue are checked against.
"""

from __future__ import annotations

import json

from conftest import AK, SECRET, play_with_defaults, task

INTERVAL = 2


def run_role(server, ansible, tmp_path, groups, role_vars='', check=None):
    server.load({'accounts': [{'access_key_id': AK, 'access_key_secret': SECRET}], 'groups': groups})
    out = tmp_path / 'result.json'
    text = play_with_defaults(server, '''
    - block:
        - name: Gate
          ansible.builtin.include_role:
            name: alibabacloud.appstreaming.ota_wait
          vars:
            ota_wait_poll_interval: %d
%s
      always:
        - name: Keep the fact, whatever the outcome
          ansible.builtin.copy:
            content: "{{ ota_wait_result | to_json }}"
            dest: %s
''' % (INTERVAL, '\n'.join('            ' + line for line in role_vars.strip().splitlines()), out))
    proc = ansible.playbook(text, check=check)
    result = json.loads(out.read_text()) if out.exists() else None
    return proc, result


def timeline(*steps):
    return [list(step) for step in steps]


def test_all_tasks_finish(emulator, ansible, tmp_path):
    server = emulator(clock_from_first_request=True)
    groups = {'aig-%d' % i: {'tasks': [task('ota-%d' % i, timeline=timeline((0, 'RUNNING'), (6, 'FINISHED')))]} for i in range(3)}
    proc, result = run_role(server, ansible, tmp_path, groups, 'ota_wait_app_instance_group_ids: [aig-0, aig-1, aig-2]', check=True)
    assert result['success'] is True and result['timed_out'] is False
    assert [t['task_display_status'] for t in result['tasks']] == ['FINISHED'] * 3
    assert result['groups']['aig-1']['status_counts'] == {'FINISHED': 1}
    assert 6 - INTERVAL <= result['elapsed'] <= 6 + INTERVAL + 3
    # progress at default verbosity: one line per poll with the counts by status
    assert 'aig-0: waiting for ota-0 RUNNING' in proc.stdout and '(0s elapsed)' in proc.stdout
    assert 'aig-0: done: ota-0 FINISHED' in proc.stdout
    assert 'OTA updates done after' in proc.stdout


def test_one_failure_fails_fast_naming_it(emulator, ansible, tmp_path):
    server = emulator(clock_from_first_request=True)
    groups = {'aig-1': {'tasks': [task('ota-bad', version='v9', timeline=timeline((0, 'RUNNING'), (3, 'FAILED')))]},
              'aig-2': {'tasks': [task('ota-slow', timeline=timeline((0, 'RUNNING'), (40, 'FINISHED')))]}}
    proc, result = run_role(server, ansible, tmp_path, groups, 'ota_wait_app_instance_group_ids: [aig-1, aig-2]', check=False)
    assert result['success'] is False and result['timed_out'] is False
    assert [t['task_id'] for t in result['failed_tasks']] == ['ota-bad']
    assert [t['task_id'] for t in result['pending_tasks']] == ['ota-slow']
    assert result['elapsed'] < 3 + INTERVAL + 3   # long before ota-slow finishes at 40 s
    assert 'aig-1/ota-bad (v9) FAILED' in proc.stdout
    assert 'failed=1' in proc.stdout


def test_timeout_lists_what_is_still_running(emulator, ansible, tmp_path):
    server = emulator(clock_from_first_request=True)
    groups = {'aig-1': {'tasks': [task('ota-stuck', start='2022-08-05T10:00:00+08:00', timeline=timeline((0, 'RUNNING'))), task('ota-done')]}}
    proc, result = run_role(server, ansible, tmp_path, groups,
                            'ota_wait_app_instance_group_ids: [aig-1]\nota_wait_timeout: 5', check=False)
    assert result['timed_out'] is True and result['success'] is False
    assert 5 <= result['elapsed'] <= 5 + INTERVAL
    assert [t['task_id'] for t in result['pending_tasks']] == ['ota-stuck']
    assert 'Timed out after 5s waiting for: aig-1/ota-stuck' in proc.stdout


def test_a_task_that_appears_later_is_waited_for(emulator, ansible, tmp_path):
    server = emulator(clock_from_first_request=True)
    groups = {'aig-1': {'tasks': [task('ota-old'), task('ota-new', appear_after=4, timeline=timeline((0, 'RUNNING'), (7, 'FINISHED')))]}}
    proc, result = run_role(server, ansible, tmp_path, groups,
                            'ota_wait_app_instance_group_ids: [aig-1]\nota_wait_task_ids: [ota-new]', check=True)
    assert result['success'] is True
    assert [(t['task_id'], t['task_display_status']) for t in result['tasks']] == [('ota-new', 'FINISHED')]
    assert result['polls'] >= 3
    assert 'not listed yet: ota-new' in proc.stdout


def test_fail_false_lets_the_play_go_on(emulator, ansible, tmp_path):
    server = emulator(clock_from_first_request=True)
    groups = {'aig-1': {'tasks': [task('ota-bad', timeline=timeline((0, 'RUNNING'), (2, 'TERMINATED')))]}}
    proc, result = run_role(server, ansible, tmp_path, groups,
                            'ota_wait_app_instance_group_ids: [aig-1]\nota_wait_fail: false', check=True)
    assert result['success'] is False
    assert [(t['task_id'], t['task_display_status']) for t in result['failed_tasks']] == [('ota-bad', 'TERMINATED')]
    assert 'failed=0' in proc.stdout


def test_two_groups_in_one_call(emulator, ansible, tmp_path):
    server = emulator(clock_from_first_request=True)
    groups = {
        'aig-1': {'tasks': [task('ota-1', timeline=timeline((0, 'STANDBY'), (2, 'RUNNING'), (5, 'FINISHED')))]},
        'aig-2': {'tasks': [task('ota-2', timeline=timeline((0, 'RUNNING'), (4, 'PART_FINISHED')))]},
        'aig-empty': {'tasks': []},
    }
    proc, result = run_role(server, ansible, tmp_path, groups,
                            'ota_wait_app_instance_group_ids: [aig-1, aig-2, aig-empty]\n'
                            'ota_wait_success_statuses: [FINISHED, PART_FINISHED]', check=True)
    assert result['success'] is True
    assert result['groups']['aig-1']['status_counts'] == {'FINISHED': 1}
    assert result['groups']['aig-2']['status_counts'] == {'PART_FINISHED': 1}
    assert result['groups']['aig-empty']['empty'] is True
    assert 'aig-empty: no OTA tasks: nothing to wait for' in proc.stdout
    assert 'aig-empty no OTA tasks: nothing to wait for' in result['msg']
    # each poll lists each group once (one page each)
    calls = server.stats()['list_calls_by_group']
    assert calls['aig-1'] == calls['aig-2'] == calls['aig-empty'] == result['polls']


def test_in_flight_is_a_bool_in_the_wait_result_as_in_ota_task_info(emulator, ansible, tmp_path):
    """The same field has the same type in every plugin: in_flight is a bool, in_flight_count counts (issue 18 point 7)."""
    server = emulator(clock_from_first_request=True)
    groups = {'aig-1': {'tasks': [task('ota-stuck', timeline=timeline((0, 'RUNNING')))]}, 'aig-2': {'tasks': [task('ota-done')]}}
    server.load({'accounts': [{'access_key_id': AK, 'access_key_secret': SECRET}], 'groups': groups})
    proc = ansible.playbook(play_with_defaults(server, '''
    - name: What ota_task_info says
      alibabacloud.appstreaming.ota_task_info:
        app_instance_group_ids: [aig-1, aig-2]
      register: info
    - name: What the wait says
      alibabacloud.appstreaming.ota_task_wait:
        app_instance_group_ids: [aig-1, aig-2]
        poll_interval: 2
        wait_timeout: 3
      register: wait
      failed_when: false
    - name: The same type everywhere
      ansible.builtin.assert:
        that:
          - wait.groups['aig-1'].in_flight is sameas true
          - wait.groups['aig-2'].in_flight is sameas false
          - wait.groups['aig-1'].in_flight_count == 1 and wait.groups['aig-2'].in_flight_count == 0
          - info.groups['aig-1'].in_flight is sameas wait.groups['aig-1'].in_flight
          - info.groups['aig-2'].in_flight is sameas wait.groups['aig-2'].in_flight
          - wait.timed_out
'''), check=True)
    assert 'All assertions passed' in proc.stdout
