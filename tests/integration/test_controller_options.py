# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One way to configure the plugins that run on the controller (the lookup, the wait action, the roles, and the
controller side of ota_task and ota_rollout_plan).

Per option: task arguments / lookup keywords / role variables, then module_defaults (not for lookups), then the
``ansible_appstreaming_*`` variables, then the environment, then (region) the region of the credential profile in
use, then cn-shanghai. Each test here failed before issue 11's fixes (ota_task, ota_rollout_plan and the role
ota_rollout: before issue 18's).
"""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from conftest import AK, LOOKUP_TASKS, SECRET, creds, task

GROUPS = {'aig-1': {'tasks': [task('ota-1')]}}
NOWHERE = 'http://127.0.0.1:9'   # nothing listens there


def play(server, tasks, module_defaults=None, play_vars=None, hosts='localhost'):
    return textwrap.dedent('''\
        - hosts: %s
          gather_facts: false
          module_defaults: %s
          vars: %s
          tasks:
        ''') % (hosts, json.dumps(module_defaults or {}), json.dumps(play_vars or {})) + tasks


ROLE = '''    - ansible.builtin.include_role:
        name: alibabacloud.appstreaming.ota_wait
      vars:
        ota_wait_app_instance_group_ids: [aig-1]
        ota_wait_poll_interval: 2
        ota_wait_timeout: 20
'''


def test_the_role_keeps_the_plays_module_defaults_for_the_action(emulator, ansible):
    """The role used task-level module_defaults for the action's own key, which replaced the play's entry whole."""
    server = emulator(GROUPS)
    defaults = {'alibabacloud.appstreaming.ota_task_wait': dict(creds(server), region_id='ap-southeast-1')}
    proc = ansible.playbook(play(server, ROLE.replace('[aig-1]', '[aig-nope]'), defaults), check=False)
    assert "Delivery group 'aig-nope' does not exist in region ap-southeast-1" in proc.stdout


def test_role_variables_win_over_module_defaults_and_unset_ones_fall_through(emulator, ansible):
    server = emulator(GROUPS)
    defaults = {'group/alibabacloud.appstreaming.appstreaming': dict(creds(server), endpoint=NOWHERE, region_id='ap-southeast-1')}
    tasks = ROLE.replace('[aig-1]', '[aig-nope]') + '        ota_wait_endpoint: %s\n' % server.endpoint
    proc = ansible.playbook(play(server, tasks, defaults), check=False)
    # the endpoint is the role's, the region and the key are the play's
    assert "Delivery group 'aig-nope' does not exist in region ap-southeast-1" in proc.stdout


WRITERS = {
    'ota_task': '''    - alibabacloud.appstreaming.ota_task:
        app_instance_group_ids: [aig-1]
        ota_version: 0.0.1-R-20220708.110604
''',
    'ota_rollout_plan': '''    - alibabacloud.appstreaming.ota_rollout_plan:
        app_instance_group_ids: [aig-1]
        ota_version: 0.0.1-R-20220708.110604
''',
    'ota_rollout': '''    - ansible.builtin.include_role:
        name: alibabacloud.appstreaming.ota_rollout
      vars:
        ota_rollout_app_instance_group_ids: [aig-1]
        ota_rollout_ota_version: 0.0.1-R-20220708.110604
''',
}


@pytest.mark.parametrize('target', ['action', 'role', 'lookup', 'ota_task', 'ota_rollout_plan', 'ota_rollout'])
def test_ansible_appstreaming_variables_reach_every_controller_plugin(emulator, ansible, target):
    server = emulator(GROUPS)
    variables = {'ansible_appstreaming_' + k: v for k, v in creds(server).items()}
    if target in WRITERS:   # aig-1 runs that version: up to date, nothing to approve; they only read
        proc = ansible.playbook(play(server, WRITERS[target], play_vars=variables), check=True)
        assert {'ota_task': '"up to date"', 'ota_rollout_plan': 'up to date (runs 0.0.1-R-20220708.110604)',
                'ota_rollout': 'Nothing to roll out'}[target] in proc.stdout
        assert server.stats()['ok_calls']['ListAppInstanceGroup'] == 1
        return
    if target == 'lookup':
        proc, tasks = ansible.play(LOOKUP_TASKS, dict(variables, group_ids=['aig-1']), check=True)
        assert [t['task_id'] for t in tasks] == ['ota-1']
        return
    tasks = ROLE if target == 'role' else '''    - alibabacloud.appstreaming.ota_task_wait:
        app_instance_group_ids: [aig-1]
        poll_interval: 2
'''
    proc = ansible.playbook(play(server, tasks, play_vars=variables), check=True)
    assert 'OTA updates done after' in proc.stdout


def test_precedence_arguments_then_module_defaults_then_variables_then_environment(emulator, ansible):
    server = emulator(GROUPS)
    variables = {'ansible_appstreaming_endpoint': NOWHERE, 'ansible_appstreaming_region_id': 'eu-central-1',
                 'ansible_appstreaming_access_key_id': AK, 'ansible_appstreaming_access_key_secret': SECRET}
    defaults = {'group/alibabacloud.appstreaming.appstreaming': {'endpoint': server.endpoint}}
    tasks = '''    - alibabacloud.appstreaming.ota_task_wait:
        app_instance_group_ids: [aig-nope]
        poll_interval: 2
        region_id: us-west-1
'''
    proc = ansible.playbook(play(server, tasks, defaults, variables), env={'ALIBABA_CLOUD_REGION_ID': 'cn-beijing'}, check=False)
    # argument (region) > module_defaults (endpoint) > variables (key; their endpoint and region lose)
    assert "Delivery group 'aig-nope' does not exist in region us-west-1" in proc.stdout
    tasks = tasks.replace('        region_id: us-west-1\n', '')
    proc = ansible.playbook(play(server, tasks, defaults, variables), env={'ALIBABA_CLOUD_REGION_ID': 'cn-beijing'}, check=False)
    assert "does not exist in region eu-central-1" in proc.stdout   # the variable beats the environment
    del variables['ansible_appstreaming_region_id']
    proc = ansible.playbook(play(server, tasks, defaults, variables), env={'ALIBABA_CLOUD_REGION_ID': 'cn-beijing'}, check=False)
    assert "does not exist in region cn-beijing" in proc.stdout


@pytest.mark.parametrize('module', ['ota_task', 'ota_rollout_plan'])
def test_precedence_of_the_modules_that_approve_and_plan(emulator, ansible, module):
    """As for the wait action: argument > module_defaults > ansible_appstreaming_* > environment (where the module runs)."""
    server = emulator(GROUPS)
    variables = {'ansible_appstreaming_endpoint': NOWHERE, 'ansible_appstreaming_region_id': 'eu-central-1',
                 'ansible_appstreaming_access_key_id': AK, 'ansible_appstreaming_access_key_secret': SECRET}
    defaults = {'group/alibabacloud.appstreaming.appstreaming': {'endpoint': server.endpoint}}
    tasks = '''    - alibabacloud.appstreaming.%s:
        app_instance_group_ids: [aig-nope]
        ota_version: 0.0.1-R-20220708.110604
        region_id: us-west-1
''' % module
    env = {'ALIBABA_CLOUD_REGION_ID': 'cn-beijing'}
    proc = ansible.playbook(play(server, tasks, defaults, variables), env=env, check=False)
    assert 'aig-nope is not a delivery group of region us-west-1' in proc.stdout
    tasks = tasks.replace('        region_id: us-west-1\n', '')
    proc = ansible.playbook(play(server, tasks, defaults, variables), env=env, check=False)
    assert 'aig-nope is not a delivery group of region eu-central-1' in proc.stdout   # the variable beats the environment
    del variables['ansible_appstreaming_region_id']
    proc = ansible.playbook(play(server, tasks, defaults, variables), env=env, check=False)
    assert 'aig-nope is not a delivery group of region cn-beijing' in proc.stdout
    variables['ansible_appstreaming_validate_certs'] = 'flase'
    proc = ansible.playbook(play(server, tasks, defaults, variables), env=env, check=False)
    assert '(validate_certs from the variable ansible_appstreaming_validate_certs)' in proc.stdout


def write_profile(home, region='ap-northeast-1'):
    config = {'current': 'ops', 'profiles': [
        {'name': 'ops', 'mode': 'AK', 'access_key_id': AK, 'access_key_secret': SECRET, 'region_id': region}]}
    (home / '.aliyun').mkdir(exist_ok=True)
    (home / '.aliyun' / 'config.json').write_text(json.dumps(config))


@pytest.mark.parametrize('how', ['module', 'lookup', 'action', 'module with region_id'])
def test_without_a_region_the_profiles_region_is_used(emulator, ansible, how):
    server = emulator(GROUPS)
    write_profile(ansible.home)
    if how.startswith('module'):
        args = {'app_instance_group_ids': ['aig-nope'], 'endpoint': server.endpoint, 'profile': 'ops'}
        if how == 'module with region_id':
            args['region_id'] = 'cn-hangzhou'
        _proc, result = ansible.module('alibabacloud.appstreaming.ota_task_info', args, check=False)
        region = 'cn-hangzhou' if how == 'module with region_id' else 'ap-northeast-1'
        assert "does not exist in region %s" % region in result['msg']
        return
    variables = {'ansible_appstreaming_endpoint': server.endpoint, 'ansible_appstreaming_profile': 'ops'}
    if how == 'lookup':
        proc, _tasks = ansible.play(LOOKUP_TASKS, dict(variables, group_ids=['aig-nope']), check=False)
    else:
        proc = ansible.playbook(play(server, '''    - alibabacloud.appstreaming.ota_task_wait:
        app_instance_group_ids: [aig-nope]
''', play_vars=variables), check=False)
    assert "does not exist in region ap-northeast-1" in proc.stdout


@pytest.mark.parametrize('target', ['lookup', 'action'])
def test_a_mistyped_boolean_variable_never_turns_tls_verification_off(emulator, ansible, target):
    """On ansible-core 2.17 the configuration system turned "flase" into false for the lookup."""
    server = emulator(GROUPS)
    variables = dict({'ansible_appstreaming_' + k: v for k, v in creds(server).items()}, ansible_appstreaming_validate_certs='flase')
    if target == 'lookup':
        proc, tasks = ansible.play(LOOKUP_TASKS, dict(variables, group_ids=['aig-1']), check=False)
        assert tasks is None
    else:
        proc = ansible.playbook(play(server, '''    - alibabacloud.appstreaming.ota_task_wait:
        app_instance_group_ids: [aig-1]
''', play_vars=variables), check=False)
    assert "The value 'flase' is not a valid boolean" in proc.stdout
    assert '(validate_certs from the variable ansible_appstreaming_validate_certs)' in proc.stdout
    assert server.stats()['requests'] == 0


def test_omit_as_a_lookup_keyword_falls_through(emulator, ansible):
    """ansible-core 2.17 passes a keyword set to omit as the placeholder string; it must count as not set."""
    server = emulator(GROUPS)
    variables = {'ansible_appstreaming_' + k: v for k, v in creds(server).items()}
    tasks = '''    - ansible.builtin.copy:
        content: "{{ query('alibabacloud.appstreaming.ota_tasks', 'aig-1', endpoint=not_defined | default(omit),
                           region_id=not_defined | default(omit)) | to_json }}"
        dest: "{{ out }}"
        mode: '0600'
'''
    _proc, tasks = ansible.play(tasks, variables, check=True)
    assert [t['task_id'] for t in tasks] == ['ota-1']


def test_the_demo_against_the_real_cloud_aims_at_the_regional_endpoint(ansible, tmp_path):
    """`make demo` with cloud credentials and no endpoint: every request goes to appstream-center.<region>.aliyuncs.com.

    A sitecustomize refuses to resolve any name but localhost, so nothing leaves this machine: the error says
    which host the request was aimed at."""
    guard = tmp_path / 'guard'
    guard.mkdir()
    (guard / 'sitecustomize.py').write_text(textwrap.dedent('''\
        import socket
        _real = socket.getaddrinfo
        def _loopback_only(host, *args, **kwargs):
            if host not in ('localhost', '127.0.0.1', '::1'):
                raise socket.gaierror(socket.EAI_NONAME, 'resolution of %s refused by the test' % host)
            return _real(host, *args, **kwargs)
        socket.getaddrinfo = _loopback_only
        '''))
    env = {'ALIBABA_CLOUD_ACCESS_KEY_ID': 'LTAI-real-cloud-test', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': SECRET,
           'ALIBABA_CLOUD_REGION_ID': 'ap-southeast-1', 'PYTHONPATH': str(guard)}
    demo = ['ansible-playbook', 'alibabacloud.appstreaming.demo', '-e', '{"demo_group_ids": ["aig-real-1"]}']
    # the module first, then (from its task on) the lookup, which gets endpoint=... | default(omit) as a keyword
    for argv in (demo, demo + ['--start-at-task', 'The tasks still running, from the lookup plugin']):
        proc = ansible.run(argv, env=env)
        output = proc.stdout + proc.stderr
        assert proc.returncode != 0
        assert 'could not get an answer from https://appstream-center.ap-southeast-1.aliyuncs.com/' in output
        assert 'omit_place_holder' not in output and '<<Omit>>' not in output
        assert 'resolution of appstream-center.ap-southeast-1.aliyuncs.com refused by the test' in output


def test_the_role_waits_once_in_a_play_on_several_hosts(emulator, ansible):
    server = emulator(GROUPS)
    inventory = ansible.workdir / 'hosts.ini'
    hosts = ['web%d ansible_connection=local ansible_python_interpreter=%s' % (n, sys.executable) for n in range(4)]
    inventory.write_text('[web]\n%s\n' % '\n'.join(hosts))
    path = ansible.workdir / 'multi.yml'
    path.write_text(play(server, ROLE + '''    - ansible.builtin.assert:
        that: ota_wait_result.success
''', {'group/alibabacloud.appstreaming.appstreaming': creds(server)}, hosts='web'))
    proc = ansible.run(['ansible-playbook', '-i', str(inventory), str(path)], check=True)
    recap = [line for line in proc.stdout.splitlines() if line.startswith('web') and 'ok=' in line]
    assert len(recap) == 4 and all('failed=0' in line for line in recap)   # every host got ota_wait_result
    assert server.stats()['calls']['ListOtaTask'] == 1   # one poll for the play, not one per host


def test_check_mode_polls_and_reports(emulator, ansible):
    """An info action may run in check mode: the gate polls and decides as without it."""
    server = emulator({'aig-1': {'tasks': [task('ota-new', 'FAILED', start='2025-06-20T10:00:00+08:00'), task('ota-1')]}})
    text = play(server, ROLE, {'group/alibabacloud.appstreaming.appstreaming': creds(server)})
    proc = ansible.playbook(text, extra=['--check'], check=False)
    assert 'OTA task(s) failed after 0s: aig-1/ota-new' in proc.stdout
    assert server.stats()['calls']['ListOtaTask'] == 1
