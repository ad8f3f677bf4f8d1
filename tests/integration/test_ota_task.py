# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""alibabacloud.appstreaming.ota_task through real `ansible` / `ansible-playbook`, signed, against the emulator.

Calls are counted with the emulator's stats (approvals_by_group counts approvals that took effect).
"""

from __future__ import annotations

import datetime
import threading
import time

import pytest

from conftest import creds, task

MODULE = 'alibabacloud.appstreaming.ota_task'
V1, V2 = '0.0.1-R-20220708.110604', '0.0.2-R-20221130.000000'
UTC = datetime.timezone.utc


def pending(**extra):
    group = {'tasks': [task('ota-old', version=V1)], 'ota': {'ota_version': V1, 'new_ota_version': V2}}
    group.update(extra)
    return group


def minutes_from_now(minutes):
    return (datetime.datetime.now(UTC) + datetime.timedelta(minutes=minutes)).strftime('%Y-%m-%dT%H:%MZ')


def by_group(result):
    return {g['app_instance_group_id']: g for g in result['groups']}


def actions(result):
    return {g['app_instance_group_id']: g['action'] for g in result['groups']}


def approvals(server):
    return server.stats()['approvals_by_group']


def calls(server, action):
    return server.stats()['calls'].get(action, 0)


GROUPS = {'aig-a': pending(), 'aig-b': pending(), 'aig-current': {'tasks': [], 'ota': {'ota_version': V2, 'new_ota_version': ''}},
          'aig-other': pending(ota={'ota_version': V1, 'new_ota_version': '0.0.3-R-20230101.000000'})}
ALL = ['aig-a', 'aig-b', 'aig-current', 'aig-other']


def test_approve_then_a_second_run_changes_nothing(emulator, ansible):
    server = emulator(GROUPS)
    before = {g: server.ota_info(g)['TaskId'] for g in ALL}
    start = minutes_from_now(60)
    _proc, result = ansible.module(MODULE, creds(server, app_instance_group_ids=ALL, ota_version=V2, start_time=start), check=True)
    assert result['changed'] is True
    assert actions(result) == {'aig-a': 'approved', 'aig-b': 'approved', 'aig-current': 'up to date', 'aig-other': 'skipped'}
    groups = by_group(result)
    for group_id in ('aig-a', 'aig-b'):
        state = server.ota_state(group_id)
        assert groups[group_id]['task_id'] == state['OtaInfo']['TaskId'] != before[group_id]   # the NEW task id
        assert groups[group_id]['previous_task_id'] == before[group_id]
        assert groups[group_id]['start_time'] == start and groups[group_id]['ota_version'] == V2
        assert state['task']['TaskDisplayStatus'] == 'STANDBY'
    assert groups['aig-other']['reason'] == 'offers version 0.0.3-R-20230101.000000, not %s' % V2
    assert server.ota_info('aig-other')['TaskId'] == before['aig-other']   # another version: untouched
    assert sorted(result['task_ids']) == sorted(groups[g]['task_id'] for g in ('aig-a', 'aig-b'))
    assert result['approved'] == ['aig-a', 'aig-b'] and result['start_time'] == start
    assert approvals(server) == {'aig-a': 1, 'aig-b': 1}

    server.reset_stats()
    _proc, again = ansible.module(MODULE, creds(server, app_instance_group_ids=ALL, ota_version=V2, start_time=start), check=True)
    assert again['changed'] is False
    assert actions(again) == {'aig-a': 'already approved', 'aig-b': 'already approved', 'aig-current': 'up to date',
                              'aig-other': 'skipped'}
    assert sorted(again['in_flight_task_ids']) == sorted(result['task_ids'])
    assert calls(server, 'ApproveOtaTask') == 0
    _proc, default = ansible.module(MODULE, creds(server, app_instance_group_ids=ALL, ota_version=V2), check=True)
    assert default['changed'] is False and calls(server, 'ApproveOtaTask') == 0   # start_time now leaves a STANDBY task alone


CHECK_DIFF = """    - alibabacloud.appstreaming.ota_task: "{{ args }}"
      check_mode: true
      diff: true
      register: plan
    - ansible.builtin.copy:
        content: "{{ plan | to_json }}"
        dest: "{{ out }}"
        mode: '0600'
"""


def test_check_mode_and_diff_write_nothing(emulator, ansible):
    server = emulator(GROUPS)
    start = minutes_from_now(120)
    args = creds(server, app_instance_group_ids=['aig-a', 'aig-current'], ota_version=V2, start_time=start)
    proc, plan = ansible.play(CHECK_DIFF, {'args': args}, check=True)
    assert plan['changed'] is True and actions(plan) == {'aig-a': 'approved', 'aig-current': 'up to date'}
    assert plan['task_ids'] == [] and plan['approved'] == ['aig-a']
    assert plan['diff']['before']['aig-a'] == {'ota_version': V1, 'new_ota_version': V2, 'task_id': server.ota_info('aig-a')['TaskId'],
                                               'task_status': None, 'start_time': None}
    assert plan['diff']['after']['aig-a']['task_status'] == 'STANDBY' and plan['diff']['after']['aig-a']['start_time'] == start
    assert plan['diff']['before']['aig-current'] == plan['diff']['after']['aig-current']
    assert '"start_time": "%s"' % start in proc.stdout   # the diff is printed
    assert calls(server, 'ApproveOtaTask') == 0 and approvals(server) == {}


def test_an_explicit_different_start_time_reschedules(emulator, ansible):
    server = emulator(GROUPS)
    first, second = minutes_from_now(60), minutes_from_now(180)
    _proc, approved = ansible.module(MODULE, creds(server, app_instance_group_id='aig-a', ota_version=V2, start_time=first), check=True)
    _proc, moved = ansible.module(MODULE, creds(server, app_instance_group_id='aig-a', ota_version=V2, start_time=second), check=True)
    assert moved['changed'] is True and actions(moved) == {'aig-a': 'rescheduled'}
    assert moved['groups'][0]['previous_task_id'] == approved['groups'][0]['task_id'] != moved['groups'][0]['task_id']
    state = server.ota_state('aig-a')
    assert state['task']['TaskId'] == moved['groups'][0]['task_id'] and state['task']['TaskDisplayStatus'] == 'STANDBY'
    assert server.stats()['reschedules_by_group'] == {'aig-a': 1}
    listed = [t['TaskId'] for t in server.tasks('aig-a')]
    assert approved['groups'][0]['task_id'] not in listed   # the rescheduled task is gone, its successor listed


def test_a_group_that_started_running_fails_after_the_others_were_approved(emulator, ansible):
    """OtaTask.Running: the task was STANDBY when read and RUNNING when the reschedule arrived."""
    slow_run = dict(GROUPS, **{'aig-a': pending(ota={'ota_version': V1, 'new_ota_version': V2, 'run': [[0, 'RUNNING'], [86400, 'FINISHED']]})})
    server = emulator(slow_run, latency_ms=300)
    _proc, approved = ansible.module(MODULE, creds(server, app_instance_group_id='aig-a', ota_version=V2,
                                                   start_time=minutes_from_now(60)), check=True)
    server.reset_stats()
    done = threading.Event()

    def start_the_task_once_read():   # once aig-a's task list was read, its StartTime passes (the approval sleeps 300 ms first)
        while not done.is_set():
            if server.stats()['list_calls_by_group'].get('aig-a'):
                server.advance(2 * 3600)
                return
            time.sleep(0.01)
    watcher = threading.Thread(target=start_the_task_once_read)
    watcher.start()
    try:
        proc, result = ansible.module(MODULE, creds(server, app_instance_group_ids=['aig-a', 'aig-b'], ota_version=V2,
                                                    start_time=minutes_from_now(24 * 60)), check=False)
    finally:
        done.set()
        watcher.join()
    assert proc.returncode != 0
    assert 'aig-a: ApproveOtaTask failed: OtaTask.Running' in result['msg']
    assert 'Approved: aig-b' in result['msg']
    assert actions(result) == {'aig-a': 'failed', 'aig-b': 'approved'} and result['approved'] == ['aig-b']
    assert by_group(result)['aig-a']['error']['code'] == 'OtaTask.Running'
    assert by_group(result)['aig-b']['task_id'] == server.ota_info('aig-b')['TaskId']
    assert server.stats()['refused_approvals_by_group'] == {'aig-a': {'OtaTask.Running': 1}}
    assert approvals(server) == {'aig-b': 1} and approved['groups'][0]['task_id'] == server.ota_info('aig-a')['TaskId']


MANY = {'aig-%02d' % n: pending() for n in range(12)}


@pytest.mark.parametrize('faults', [
    {'every': {'http500': 7, 'http503': 11}, 'schedule': {'2': 'throttle', '9': 'throttle', '20': 'throttle'}, 'retry_after_ms': 20},
    {'schedule': {'1': 'throttle_api', '5': 'throttle_api', '14': 'throttle_api'}, 'actions': {'ApproveOtaTask': {'every': {'http500': 2}}},
     'retry_after_ms': 20},
], ids=['every-api', 'approve-500s'])
def test_throttling_and_server_errors_still_approve_each_group_exactly_once(emulator, ansible, faults):
    server = emulator(MANY, faults=faults)
    _proc, result = ansible.module(MODULE, creds(server, app_instance_group_ids=sorted(MANY), ota_version=V2, max_concurrency=4,
                                                 retries=12), check=True)
    assert set(actions(result).values()) == {'approved'}
    assert approvals(server) == {g: 1 for g in MANY}
    assert sum(server.stats()['faults_injected'].values()) >= 6
    assert all(by_group(result)[g]['task_id'] == server.ota_info(g)['TaskId'] for g in MANY)


@pytest.mark.parametrize('fault, sent', [('reset_after', 3), ('malformed', 3), ('reset', 4)])
def test_a_lost_approval_is_settled_by_reading_again_never_approved_twice(emulator, ansible, fault, sent):
    groups = {'aig-1': pending(), 'aig-2': pending(), 'aig-3': pending()}
    server = emulator(groups, faults={'actions': {'ApproveOtaTask': {'schedule': {'2': fault}}}})
    _proc, result = ansible.module(MODULE, creds(server, app_instance_group_ids=sorted(groups), ota_version=V2), check=True)
    assert set(actions(result).values()) == {'approved'} and result['changed'] is True
    assert approvals(server) == {'aig-1': 1, 'aig-2': 1, 'aig-3': 1}
    # reset_after and malformed applied the approval: the re-read shows it, nothing is resent; reset did not: sent again
    assert calls(server, 'ApproveOtaTask') == sent
    assert calls(server, 'ListAppInstanceGroup') == 3   # read, the re-read of the lost one, the final re-read


def test_a_failed_re_read_after_the_approvals_is_read_again_for_the_new_task_ids(emulator, ansible):
    """Before: one failed re-read only warned, and ota_task succeeded with task_ids: [] (a rollout then waited for nothing)."""
    groups = {'aig-1': pending(), 'aig-2': pending()}
    # ListAppInstanceGroup 1: the read; 2 and 3: the re-read after the approvals, an answer of the wrong shape twice
    server = emulator(groups, faults={'actions': {'ListAppInstanceGroup': {'schedule': {'2': 'badshape', '3': 'badshape'}}}})
    _proc, result = ansible.module(MODULE, creds(server, app_instance_group_ids=sorted(groups), ota_version=V2), check=True)
    assert set(actions(result).values()) == {'approved'} and result['approved_without_task_id'] == []
    assert sorted(result['task_ids']) == sorted(server.ota_info(g)['TaskId'] for g in groups) == sorted(result['in_flight_task_ids'])
    assert approvals(server) == {'aig-1': 1, 'aig-2': 1} and calls(server, 'ListAppInstanceGroup') == 4


def test_an_approved_group_whose_new_task_id_cannot_be_read_fails_with_the_reason(emulator, ansible):
    """Never success without the task id: the group stays approved (not approved again), the task fails saying why."""
    groups = {'aig-1': pending(), 'aig-done': {'tasks': [], 'ota': {'ota_version': V2, 'new_ota_version': ''}}}
    server = emulator(groups, faults={'actions': {'ListAppInstanceGroup': {'schedule': {str(n): 'badshape' for n in (2, 3, 4)}}}})
    proc, result = ansible.module(MODULE, creds(server, app_instance_group_ids=['aig-1', 'aig-done'], ota_version=V2, retries=2),
                                  check=False)
    assert proc.returncode != 0
    assert result['msg'].startswith('Approving the OTA update failed for 1 group(s) - aig-1: approved, but its new task id '
                                    'could not be read (ListAppInstanceGroup')
    assert 'wait for it by version %s' % V2 in result['msg'] and result['msg'].endswith('Approved: aig-1')
    assert result['approved'] == ['aig-1'] == result['approved_without_task_id']
    assert result['task_ids'] == [] and by_group(result)['aig-1']['task_id'] is None
    assert approvals(server) == {'aig-1': 1} and server.ota_state('aig-1')['approved']
    assert calls(server, 'ListAppInstanceGroup') == 4   # the read, the re-read and its 2 retries


def test_a_mistyped_version_fails_before_any_write_naming_the_versions_offered(emulator, ansible):
    """Before: every group was skipped with changed: false, and the play was green."""
    server = emulator(GROUPS)
    proc, result = ansible.module(MODULE, creds(server, app_instance_group_ids=ALL, ota_version='0.0.2-R-2022113.000000'), check=False)
    assert proc.returncode != 0
    assert result['msg'] == ('ota_version 0.0.2-R-2022113.000000: no group offers or runs it (a typo?): 2 groups offer %s, 1 group '
                             'offers 0.0.3-R-20230101.000000, 1 group offers no update; nothing was approved' % V2)
    assert calls(server, 'ApproveOtaTask') == 0 and approvals(server) == {}


def test_a_fixed_start_time_that_has_passed_is_refused_only_when_an_approval_is_to_be_sent(emulator, ansible):
    """Before: a re-run with the same fixed start_time was refused before anything was read."""
    server = emulator(dict(GROUPS, **{'aig-running': pending(ota={'ota_version': V1, 'new_ota_version': V2, 'run': [[0, 'RUNNING']]})}))
    _proc, _first = ansible.module(MODULE, creds(server, app_instance_group_ids=['aig-running'], ota_version=V2), check=True)
    passed = _past(10)
    _proc, again = ansible.module(MODULE, creds(server, app_instance_group_ids=['aig-running', 'aig-current'], ota_version=V2,
                                                start_time=passed), check=True)
    assert actions(again) == {'aig-running': 'already approved', 'aig-current': 'up to date'} and again['changed'] is False
    proc, refused = ansible.module(MODULE, creds(server, app_instance_group_ids=['aig-running', 'aig-a'], ota_version=V2,
                                                 start_time=passed), check=False)
    assert proc.returncode != 0 and 'is more than 5 minutes in the past' in refused['msg'] and 'nothing was approved' in refused['msg']
    assert approvals(server) == {'aig-running': 1}


def test_check_mode_reports_the_tasks_already_approved_in_flight(emulator, ansible):
    """RETURN: in_flight_task_ids are the tasks approved and not done; before, check mode always returned []."""
    server = emulator(GROUPS)
    _proc, approved = ansible.module(MODULE, creds(server, app_instance_group_ids=['aig-a'], ota_version=V2,
                                                   start_time=minutes_from_now(60)), check=True)
    proc, plan = ansible.play(CHECK_DIFF, {'args': creds(server, app_instance_group_ids=['aig-a', 'aig-b'], ota_version=V2)}, check=True)
    assert actions(plan) == {'aig-a': 'already approved', 'aig-b': 'approved'}
    assert plan['in_flight_task_ids'] == approved['task_ids'] == [server.ota_info('aig-a')['TaskId']]
    assert plan['task_ids'] == [] and approvals(server) == {'aig-a': 1}


def _past(minutes):
    return (datetime.datetime.now(UTC) - datetime.timedelta(minutes=minutes)).strftime('%Y-%m-%dT%H:%M:%SZ')


BAD = [
    ('unknown group', dict(app_instance_group_ids=['aig-a', 'aig-nope']),
     'app_instance_group_ids: aig-nope is not a delivery group of region cn-shanghai'),
    ('other region', dict(app_instance_group_ids=['aig-a', 'aig-far']),
     'app_instance_group_ids: aig-far is in region cn-hangzhou, not region_id cn-shanghai; nothing was approved'),
    ('empty group list', dict(app_instance_group_ids=[]), 'app_instance_group_ids needs at least one delivery group id'),
    ('empty group id', dict(app_instance_group_ids=['aig-a', '']), 'app_instance_group_ids must not contain an empty group id'),
    ('missing groups', dict(app_instance_group_ids=None), 'missing required arguments: app_instance_group_ids'),
    ('empty version', dict(ota_version=''), 'ota_version must not be empty'),
    ('missing version', dict(ota_version=None), 'missing required arguments: ota_version'),
    ('start_time not iso', dict(start_time='tomorrow 6am'), "start_time 'tomorrow 6am' is not an ISO 8601 date and time"),
    ('start_time no zone', dict(start_time='2030-01-01T06:00'), "start_time '2030-01-01T06:00' has no time zone"),
    ('start_time past', dict(start_time=_past(10)), 'is more than 5 minutes in the past'),
    ('state', dict(state='absent'), 'value of state must be one of: approved'),
]


@pytest.mark.parametrize('name, options, words', BAD, ids=[row[0] for row in BAD])
def test_bad_input_fails_before_any_write(emulator, ansible, name, options, words):
    server = emulator(dict(GROUPS, **{'aig-far': pending(region_id='cn-hangzhou')}))
    args = creds(server, app_instance_group_ids=['aig-a'], ota_version=V2)
    args.update(options)
    proc, result = ansible.module(MODULE, {k: v for k, v in args.items() if v is not None})
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, name
    assert words in result['msg'], result['msg']
    assert 'Traceback' not in output and 'module_stderr' not in output, output[-3000:]
    assert calls(server, 'ApproveOtaTask') == 0 and approvals(server) == {}


def _examples(module_file):
    import ast
    import yaml
    from conftest import ROOT
    tree = ast.parse((ROOT / 'plugins' / 'modules' / module_file).read_text())
    text = next(node.value.value for node in tree.body if isinstance(node, ast.Assign) and node.targets[0].id == 'EXAMPLES')
    return yaml.safe_load(text)


def test_the_documented_examples_run_against_the_demo_data(emulator, ansible):
    import json
    import yaml
    from conftest import ROOT, play_with_defaults
    sample = json.loads((ROOT / 'tests' / 'emulator' / 'sample_data.json').read_text())
    server = emulator(sample['groups'])
    examples = _examples('app_instance_group_info.py') + _examples('ota_task.py')
    tasks = '\n'.join('    ' + line for line in yaml.safe_dump(examples, sort_keys=False).splitlines())
    ansible.playbook(play_with_defaults(server, tasks), check=True)
    assert sorted(approvals(server)) == ['aig-demo-office-01', 'aig-demo-office-02', 'aig-demo-office-03']
    assert server.ota_state('aig-demo-office-01')['up_to_date'] and server.ota_state('aig-demo-office-03')['task']['TaskDisplayStatus'] == 'STANDBY'
    assert not server.ota_state('aig-demo-office-04')['approved']   # the dry run


def test_a_wave_of_50_groups_takes_50_approvals_and_one_re_read(emulator, ansible):
    groups = {'aig-w%02d' % n: pending() for n in range(50)}
    server = emulator(groups, latency_ms=20)
    _proc, result = ansible.module(MODULE, creds(server, app_instance_group_ids=sorted(groups), ota_version=V2, max_concurrency=8),
                                   check=True)
    assert len(result['task_ids']) == 50 and approvals(server) == {g: 1 for g in groups}
    stats = server.stats()
    # before: one group listing + one task list per group (is it approved already?); then 50 approvals and one re-read
    assert stats['calls'] == {'ListAppInstanceGroup': 2, 'ListOtaTask': 50, 'ApproveOtaTask': 50}
    assert 2 <= stats['max_in_flight'] <= 8   # concurrent, within max_concurrency
