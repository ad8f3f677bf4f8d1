# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role alibabacloud.appstreaming.ota_rollout through real ansible-playbook runs against the emulator.

The emulator's ``run`` timelines say how each approved task runs (seconds after its StartTime);
approvals are counted with its stats and ordered with its approval log, never timed.
"""

from __future__ import annotations

import datetime
import json

import pytest

from conftest import AK, SECRET, add_secret, task

V1, V2 = '0.0.1-R-20220708.110604', '0.0.2-R-20221130.000000'
FINISH = [[0, 'RUNNING'], [2, 'FINISHED']]
FAIL = [[0, 'RUNNING'], [2, 'FAILED']]
FOREVER = [[0, 'RUNNING']]

PLAY = """- hosts: localhost
  gather_facts: false
  vars_files: [%(vars)s]
  module_defaults:
    group/alibabacloud.appstreaming.appstreaming:
      endpoint: "{{ endpoint }}"
      access_key_id: "{{ ak }}"
      access_key_secret: "{{ secret }}"
  tasks:
    - block:
        - ansible.builtin.include_role:
            name: alibabacloud.appstreaming.ota_rollout
      always:
        - ansible.builtin.copy:
            content: "{{ ota_rollout_result | default({}) | to_json }}"
            dest: "{{ out }}"
            mode: '0600'
          check_mode: false
"""


def group(run=None, version=V2, name=None, **extra):
    ota = {'ota_version': V1, 'new_ota_version': version, 'release_note': 'Fixes the clipboard.'}
    if run is not None:
        ota['run'] = run
    data = {'tasks': [task('ota-old-%s' % (name or 'x'), version=V1)], 'ota': ota}
    if name:
        data['name'] = name
    data.update(extra)
    return data


def rollout(ansible, server, variables, extra=(), check=None):
    """Run the role with ota_rollout_* VARIABLES; returns (proc, ota_rollout_result or None)."""
    number = len(ansible.outputs)
    out = ansible.workdir / ('rollout%d.json' % number)
    vars_file = ansible.workdir / ('rollout-vars%d.json' % number)
    variables = dict({'ota_rollout_poll_interval': 2, 'ota_rollout_wave_timeout': 60}, **variables)
    vars_file.write_text(json.dumps(dict(variables, endpoint=server.endpoint, ak=AK, secret=SECRET, out=str(out))))
    proc = ansible.playbook(PLAY % {'vars': vars_file}, extra=extra, check=check)
    text = out.read_text() if out.exists() else ''
    return proc, (json.loads(text) or None) if text else None


def approvals(server):
    return server.stats()['approvals_by_group']


def assert_waves_in_order(server, waves):
    """No group of a wave was approved before every task approved for the previous wave had ended (the emulator's
    approval log: when each approval took effect, and when the task it created reached a terminal status)."""
    log = server.stats()['approval_log']
    for earlier, later in zip(waves, waves[1:]):
        ended = [entry['ends_at'] for entry in log if entry['group'] in earlier]
        started = [entry['approved_at'] for entry in log if entry['group'] in later]
        if started:
            assert ended and None not in ended and max(ended) <= min(started), (earlier, later, log)


def outcomes(result):
    return [(w['groups'], w['outcome']) for w in result['waves']]


FIVE = {'aig-1': group(FINISH, name='office-1'), 'aig-2': group(FINISH, name='office-2'), 'aig-3': group(FINISH, name='office-3'),
        'aig-4': group(FINISH, name='office-4'), 'aig-5': group(FINISH, name='office-5'),
        'aig-done': {'tasks': [], 'ota': {'ota_version': V2, 'new_ota_version': ''}, 'name': 'office-done'}}
IDS = ['aig-1', 'aig-2', 'aig-3', 'aig-4', 'aig-5']


def test_canary_then_two_waves_all_finish(emulator, ansible):
    server = emulator(FIVE)
    proc, result = rollout(ansible, server, {'ota_rollout_ota_version': V2, 'ota_rollout_app_instance_group_ids': IDS + ['aig-done'],
                                             'ota_rollout_batch_size': 2}, check=True)
    assert outcomes(result) == [(['aig-1'], 'succeeded'), (['aig-2', 'aig-3'], 'succeeded'), (['aig-4', 'aig-5'], 'succeeded')]
    assert result['success'] is True and result['release_note'] == 'Fixes the clipboard.'
    assert result['skipped'] == [{'app_instance_group_id': 'aig-done', 'reason': 'up to date (runs %s)' % V2}]
    assert approvals(server) == {g: 1 for g in IDS}
    assert_waves_in_order(server, [['aig-1'], ['aig-2', 'aig-3'], ['aig-4', 'aig-5']])
    assert all(server.ota_state(g)['up_to_date'] for g in IDS)
    assert [len(w['task_ids']) for w in result['waves']] == [1, 2, 2]
    assert 'All 3 wave(s) of %s succeeded: 5 group(s)' % V2 in proc.stdout


# The keys of each entry of ota_rollout_result.waves, as roles/ota_rollout/meta/argument_specs.yml documents them.
WAVE_KEYS = {'wave', 'groups', 'actions', 'outcome', 'task_ids', 'elapsed', 'failed_tasks', 'msg'}


def test_a_failed_canary_stops_the_rollout_and_a_second_run_resumes(emulator, ansible):
    groups = dict(FIVE, **{'aig-1': group([FAIL, FINISH], name='office-1')})   # fails the first time, finishes the second
    server = emulator(groups)
    variables = {'ota_rollout_ota_version': V2, 'ota_rollout_name': 'office-*', 'ota_rollout_batch_size': 2}
    proc, result = rollout(ansible, server, variables)
    assert proc.returncode != 0 and result['success'] is False
    assert [w['outcome'] for w in result['waves']] == ['failed', 'not started', 'not started']
    assert all(set(w) == WAVE_KEYS for w in result['waves']), result['waves']   # as the argument spec documents them
    assert result['waves'][1]['msg'] == 'not started: an earlier wave stopped the rollout'
    canary = result['waves'][0]
    assert canary['groups'] == ['aig-1'] and canary['failed_tasks'][0]['task_id'] == canary['task_ids'][0]
    assert 'aig-1' in result['msg'] and canary['task_ids'][0] in result['msg'] and 'Later waves were not started' in result['msg']
    assert approvals(server) == {'aig-1': 1}   # no later group was approved

    proc, again = rollout(ansible, server, variables, check=True)
    assert again['success'] is True and approvals(server) == {g: 1 for g in IDS if g != 'aig-1'} | {'aig-1': 2}


def test_a_wave_that_times_out_stops_and_a_resume_waits_for_it_without_approving_again(emulator, ansible):
    groups = dict(FIVE, **{'aig-2': group([[0, 'RUNNING'], [15, 'FINISHED']], name='office-2')})
    server = emulator(groups)
    variables = {'ota_rollout_ota_version': V2, 'ota_rollout_app_instance_group_ids': ['aig-1', 'aig-2', 'aig-3'],
                 'ota_rollout_batch_size': 1, 'ota_rollout_wave_timeout': 4}
    proc, result = rollout(ansible, server, variables)
    assert proc.returncode != 0
    assert [w['outcome'] for w in result['waves']] == ['succeeded', 'timed out', 'not started']
    assert approvals(server) == {'aig-1': 1, 'aig-2': 1}
    in_flight = result['waves'][1]['task_ids']

    proc, again = rollout(ansible, server, dict(variables, ota_rollout_wave_timeout=60), check=True)
    assert again['skipped'] == [{'app_instance_group_id': 'aig-1', 'reason': 'up to date (runs %s)' % V2}]
    assert outcomes(again) == [(['aig-2'], 'succeeded'), (['aig-3'], 'succeeded')]
    assert again['waves'][0]['task_ids'] == in_flight and again['waves'][0]['actions'] == {'aig-2': 'already approved'}
    assert approvals(server) == {'aig-1': 1, 'aig-2': 1, 'aig-3': 1}   # aig-2 waited for, not approved again


def test_check_mode_prints_the_plan_and_approves_nothing(emulator, ansible):
    server = emulator(dict(FIVE, **{'aig-other': group(version='0.0.9-R', name='office-other')}))
    proc, result = rollout(ansible, server, {'ota_rollout_ota_version': V2, 'ota_rollout_name': 'office-*', 'ota_rollout_canary': 2,
                                             'ota_rollout_batch_size': 3}, extra=['--check'], check=True)
    assert result['check_mode'] is True and result['success'] is True
    assert [w['outcome'] for w in result['waves']] == ['planned', 'planned']
    assert all(set(w) == WAVE_KEYS for w in result['waves']), result['waves']
    assert sorted(g for w in result['waves'] for g in w['groups']) == IDS and [len(w['groups']) for w in result['waves']] == [2, 3]
    assert {s['app_instance_group_id'] for s in result['skipped']} == {'aig-done', 'aig-other'}
    assert 'Release note: Fixes the clipboard.' in proc.stdout and 'check mode: nothing is approved' in proc.stdout
    assert server.stats()['calls'].get('ApproveOtaTask', 0) == 0


def test_throttling_and_server_errors_on_every_api_still_approve_each_group_once(emulator, ansible):
    faults = {'every': {'http500': 7, 'http503': 11}, 'schedule': {'2': 'throttle', '9': 'throttle', '20': 'throttle'}, 'retry_after_ms': 20}
    server = emulator(FIVE, faults=faults)
    _proc, result = rollout(ansible, server, {'ota_rollout_ota_version': V2, 'ota_rollout_app_instance_group_ids': IDS,
                                              'ota_rollout_batch_size': 2}, check=True)
    assert result['success'] is True and approvals(server) == {g: 1 for g in IDS}
    assert sum(server.stats()['faults_injected'].values()) >= 5


BAD = [
    ('waves repeat a group', {'ota_rollout_waves': [['aig-1'], ['aig-2', 'aig-1']]},
     'ota_rollout_waves: aig-1 is in wave 1 and again in wave 2'),
    ('batch_size 0', {'ota_rollout_all_groups': True, 'ota_rollout_batch_size': 0}, 'ota_rollout_batch_size must be at least 1, got 0'),
    ('poll_interval 1', {'ota_rollout_all_groups': True, 'ota_rollout_poll_interval': 1},
     'ota_rollout_poll_interval must be at least 2 seconds, got 1'),
    ('empty group list', {'ota_rollout_app_instance_group_ids': []}, 'ota_rollout_app_instance_group_ids needs at least one delivery group id'),
    ('unknown group', {'ota_rollout_app_instance_group_ids': ['aig-1', 'aig-nope']},
     'ota_rollout_app_instance_group_ids: aig-nope is not a delivery group of region cn-shanghai'),
    ('unknown group in waves', {'ota_rollout_waves': [['aig-1'], ['aig-far']]},
     'ota_rollout_waves: aig-far is not a delivery group of region cn-shanghai (unknown, or in another region: check ota_rollout_region_id)'),
    ('empty version', {'ota_rollout_all_groups': True, 'ota_rollout_ota_version': ''}, 'ota_rollout_ota_version must not be empty'),
    ('missing version', {'ota_rollout_ota_version': None}, 'ota_rollout_ota_version'),
    ('start time too far', {'ota_rollout_all_groups': True, 'ota_rollout_start_time': '2099-01-01T00:00Z'},
     'ota_rollout_start_time 2099-01-01T00:00Z is more than ota_rollout_wave_timeout (60 s) from now'),
    ('bad region', {'ota_rollout_all_groups': True, 'ota_rollout_region_id': 'Shanghai'},
     "region_id 'Shanghai' is not a region id like 'cn-shanghai' (region_id from the variable ota_rollout_region_id)"),
    ('no selection', {}, 'Name the delivery groups to roll out to with ota_rollout_app_instance_group_ids, ota_rollout_waves or '
                         'ota_rollout_name, or set ota_rollout_all_groups: true'),
    ('misspelled variable', {'ota_rollout_group_ids': ['aig-1']},
     'The role alibabacloud.appstreaming.ota_rollout has no variable ota_rollout_group_ids (did you mean '
     'ota_rollout_app_instance_group_ids?); nothing was approved'),
    ('mistyped version', {'ota_rollout_all_groups': True, 'ota_rollout_ota_version': '0.0.2-R-20221130.00000'},
     'ota_rollout_ota_version 0.0.2-R-20221130.00000: no group offers or runs it (a typo?): 6 groups offer 0.0.2-R-20221130.000000, '
     '1 group offers no update; nothing was approved'),
]


@pytest.mark.parametrize('name, variables, words', BAD, ids=[row[0] for row in BAD])
def test_bad_input_fails_before_any_approval_naming_the_role_variable(emulator, ansible, name, variables, words):
    server = emulator(dict(FIVE, **{'aig-far': group(FINISH, region_id='cn-hangzhou'), 'aig-6': group(FINISH, name='office-6')}))
    variables = dict({'ota_rollout_ota_version': V2}, **variables)
    proc, _result = rollout(ansible, server, {k: v for k, v in variables.items() if v is not None})
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, name
    assert words in output, output[-3000:]
    assert 'Traceback' not in output
    assert server.stats()['calls'].get('ApproveOtaTask', 0) == 0


def lost_group_reads(first, count):
    """Faults: the ListAppInstanceGroup requests FIRST .. FIRST+COUNT-1 get an answer of the wrong shape."""
    return {'actions': {'ListAppInstanceGroup': {'schedule': {str(n): 'badshape' for n in range(first, first + count)}}}}


def test_a_re_read_that_fails_once_is_read_again_and_the_rollout_goes_on_in_order(emulator, ansible):
    """Before: ota_task warned and returned no task id; the role recorded 'nothing to wait for' and went on at once."""
    server = emulator(FIVE, faults=lost_group_reads(3, 1))   # 1: the plan, 2: wave 1's read, 3: its re-read after the approval
    proc, result = rollout(ansible, server, {'ota_rollout_ota_version': V2, 'ota_rollout_app_instance_group_ids': IDS[:3],
                                             'ota_rollout_batch_size': 2}, check=True)
    assert outcomes(result) == [(['aig-1'], 'succeeded'), (['aig-2', 'aig-3'], 'succeeded')]
    assert result['waves'][0]['task_ids'] == [server.stats()['approval_log'][0]['task_id']]
    assert server.stats()['faults_injected_by_action'] == {'ListAppInstanceGroup': {'badshape': 1}}
    assert approvals(server) == {'aig-1': 1, 'aig-2': 1, 'aig-3': 1}
    assert_waves_in_order(server, [['aig-1'], ['aig-2', 'aig-3']])


def test_a_canary_whose_new_task_id_cannot_be_read_is_waited_for_by_version_and_the_rollout_stops(emulator, ansible):
    server = emulator(FIVE, faults=lost_group_reads(3, 3))   # the re-read and its 2 retries
    proc, result = rollout(ansible, server, {'ota_rollout_ota_version': V2, 'ota_rollout_app_instance_group_ids': IDS[:3],
                                             'ota_rollout_retries': 2})
    assert proc.returncode != 0 and result['success'] is False
    assert [w['outcome'] for w in result['waves']] == ['approval failed', 'not started']
    canary = result['waves'][0]
    assert 'aig-1: approved, but its new task id could not be read' in canary['msg']
    assert 'waited for aig-1: OTA updates done' in canary['msg']   # by version: the canary's task ended FINISHED
    assert server.ota_state('aig-1')['up_to_date']
    assert approvals(server) == {'aig-1': 1}   # the canary once; wave 2 never
    assert 'Later waves were not started' in result['msg']


def test_an_approval_that_fails_for_one_group_waits_for_the_others_then_stops(emulator, ansible):
    """Before: ota_task was registered with failed_when: false, so its failure read as 'nothing to wait for': wave 2 went on."""
    # One request at a time: aig-1's approval is request 1; aig-2's two attempts (retries: 1) are dropped unanswered.
    server = emulator(FIVE, faults={'actions': {'ApproveOtaTask': {'schedule': {'2': 'reset', '3': 'reset'}}}})
    proc, result = rollout(ansible, server, {'ota_rollout_ota_version': V2, 'ota_rollout_waves': [['aig-1', 'aig-2'], ['aig-3']],
                                             'ota_rollout_max_concurrency': 1, 'ota_rollout_retries': 1})
    assert proc.returncode != 0 and result['success'] is False
    assert [w['outcome'] for w in result['waves']] == ['approval failed', 'not started']
    first = result['waves'][0]
    assert first['actions'] == {'aig-1': 'approved', 'aig-2': 'failed'} and len(first['task_ids']) == 1
    assert 'aig-2: ApproveOtaTask' in first['msg'] and 'waited for aig-1: OTA updates done' in first['msg']
    assert server.ota_state('aig-1')['up_to_date'] and not server.ota_state('aig-2')['approved']
    assert approvals(server) == {'aig-1': 1} and server.stats()['calls']['ApproveOtaTask'] == 3


PREFIXED = {'aig-a': group(FINISH, name='office-apps-sh-01'), 'aig-b': group(FINISH, name='office-apps-sh-012'),
            'aig-c': group(FINISH, name='office-apps-sh-016'), 'aig-d': group(FINISH, name='office-apps-sh-018')}


def test_a_name_is_a_whole_name_a_glob_selects_several_and_the_plan_shows_names_ids_and_versions(emulator, ansible):
    """Before: the name was a substring: office-apps-sh-01 also rolled out to -012, -016 and -018."""
    server = emulator(PREFIXED)
    proc, result = rollout(ansible, server, {'ota_rollout_ota_version': V2, 'ota_rollout_name': 'office-apps-sh-01'}, check=True)
    assert outcomes(result) == [(['aig-a'], 'succeeded')] and approvals(server) == {'aig-a': 1}
    assert 'Wave 1: office-apps-sh-01 (aig-a) at %s' % V1 in proc.stdout
    proc, plan = rollout(ansible, server, {'ota_rollout_ota_version': V2, 'ota_rollout_name': 'office-apps-sh-01?',
                                           'ota_rollout_batch_size': 2}, extra=['--check'], check=True)
    assert [w['groups'] for w in plan['waves']] == [['aig-b'], ['aig-c', 'aig-d']]
    assert 'Wave 2: office-apps-sh-016 (aig-c) at %s, office-apps-sh-018 (aig-d) at %s' % (V1, V1) in proc.stdout
    assert approvals(server) == {'aig-a': 1}


def later(days):
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)).strftime('%Y-%m-%dT%H:%M:%S+00:00')


def test_a_group_approved_for_next_month_is_skipped_with_the_reason_or_rescheduled_into_its_wave(emulator, ansible):
    """Before: the wave waited for it until ota_rollout_wave_timeout and failed."""
    standby = {'tasks': [task('ota-old-l', version=V1), task('ota-next-month', 'STANDBY', V2, later(30))],
               'ota': {'ota_version': V1, 'run': FINISH}, 'name': 'office-later'}
    server = emulator({'aig-1': group(FINISH, name='office-1'), 'aig-later': standby})
    variables = {'ota_rollout_ota_version': V2, 'ota_rollout_app_instance_group_ids': ['aig-1', 'aig-later']}
    proc, result = rollout(ansible, server, variables, check=True)
    assert outcomes(result) == [(['aig-1'], 'succeeded')] and result['success'] is True
    assert result['skipped'][0]['app_instance_group_id'] == 'aig-later'
    assert result['skipped'][0]['reason'].startswith('approved for %s (task ota-next-month), more than ota_rollout_wave_timeout (60 s) '
                                                     'away' % standby['tasks'][1]['TaskStartTime'])
    assert 'set ota_rollout_start_time to reschedule it into its wave' in result['skipped'][0]['reason']
    assert approvals(server) == {'aig-1': 1}
    # An explicit start time (now) reschedules it into its wave, which then waits for it as for any other.
    now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%MZ')
    proc, again = rollout(ansible, server, dict(variables, ota_rollout_start_time=now), check=True)
    assert again['skipped'] == [{'app_instance_group_id': 'aig-1', 'reason': 'up to date (runs %s)' % V2}]
    assert outcomes(again) == [(['aig-later'], 'succeeded')] and again['waves'][0]['actions'] == {'aig-later': 'rescheduled'}
    assert server.stats()['reschedules_by_group'] == {'aig-later': 1} and server.ota_state('aig-later')['up_to_date']


WRONG_SECRET = 'wrong-secret-3b9d1f7e5a2c'


def test_plan_approvals_and_wait_read_one_configuration_in_the_documented_order(emulator, ansible):
    """Before: the plan and the approvals ignored the ansible_appstreaming_* variables (the wait read them).

    Per option, a different row of the precedence table wins; a step that read another row would use a wrong
    endpoint, key or region and fail (the groups exist only in ap-southeast-1)."""
    groups = {g: dict(group(FINISH, name='office-' + g), region_id='ap-southeast-1') for g in ('aig-1', 'aig-2')}
    server = emulator(groups)
    add_secret(WRONG_SECRET)
    path = ansible.workdir / 'one-config.yml'
    out = ansible.workdir / 'one-config.json'
    play = {'hosts': 'localhost', 'gather_facts': False,
            'vars': {'ansible_appstreaming_endpoint': server.endpoint,              # row 3: the only source of the endpoint
                     'ansible_appstreaming_region_id': 'cn-hangzhou',               # row 3 loses to row 2
                     'ansible_appstreaming_access_key_id': 'LTAI-wrong-variable',   # row 3 loses to row 1
                     'ota_rollout_access_key_id': AK, 'ota_rollout_access_key_secret': SECRET},   # row 1 (never printed)
            'module_defaults': {'group/alibabacloud.appstreaming.appstreaming': {   # row 2
                'region_id': 'ap-southeast-1', 'access_key_id': 'LTAI-wrong-defaults', 'access_key_secret': WRONG_SECRET}},
            'tasks': [{'block': [{'ansible.builtin.include_role': {'name': 'alibabacloud.appstreaming.ota_rollout'},
                                  'vars': {'ota_rollout_ota_version': V2, 'ota_rollout_app_instance_group_ids': ['aig-1', 'aig-2'],
                                           'ota_rollout_poll_interval': 2, 'ota_rollout_wave_timeout': 60}}],
                       'always': [{'ansible.builtin.copy': {'content': '{{ ota_rollout_result | default({}) | to_json }}',
                                                            'dest': str(out), 'mode': '0600'}}]}]}
    path.write_text(json.dumps([play]))
    proc = ansible.run(['ansible-playbook', '-i', 'localhost,', '-c', 'local', str(path)], env={'ALIBABA_CLOUD_REGION_ID': 'cn-beijing'},
                       check=True)
    result = json.loads(out.read_text())
    assert outcomes(result) == [(['aig-1'], 'succeeded'), (['aig-2'], 'succeeded')]
    assert approvals(server) == {'aig-1': 1, 'aig-2': 1}
    stats = server.stats()   # every request with the right key: a wrong one is refused (InvalidAccessKeyId.NotFound)
    assert not stats['error_codes'] and set(stats['status_codes']) == {'200'} and stats['ok_calls']['ListOtaTask'] >= 2
