# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""alibabacloud.appstreaming.ota_tasks through real `ansible-playbook`, signed, against the emulator."""

from __future__ import annotations

import json

from conftest import AK, SECRET, task

GROUPS = {
    'aig-a': {'tasks': [task('ota-a1', 'RUNNING', 'v2', '2024-01-03T00:00:00+08:00'),
                        task('ota-a2', 'FAILED', 'v1', '2024-01-02T00:00:00+08:00'),
                        task('ota-a3', 'FINISHED', 'v1', '2024-01-01T00:00:00+08:00')]},
    'aig-b': {'generate': {'count': 130, 'status': 'FINISHED', 'ota_version': 'v1'}},
    'aig-c': {'tasks': [task('ota-c1', 'STANDBY', 'v2')]},
}


def play(server, body, extra_vars=''):
    return '''
- hosts: localhost
  gather_facts: false
  vars:
    ep: %s
%s
  tasks:
%s
''' % (server.endpoint, extra_vars, body)


def test_several_groups_filters_and_wantlist(emulator, ansible, tmp_path):
    server = emulator(GROUPS)
    out = tmp_path / 'out.json'
    body = '''
    - name: Several groups, every filter, query and lookup+wantlist
      ansible.builtin.set_fact:
        all_tasks: "{{ query('alibabacloud.appstreaming.ota_tasks', 'aig-a', 'aig-b', 'aig-c', endpoint=ep) }}"
        as_list: "{{ lookup('alibabacloud.appstreaming.ota_tasks', 'aig-a', 'aig-c', endpoint=ep, wantlist=true) }}"
        running: "{{ query('alibabacloud.appstreaming.ota_tasks', 'aig-a', 'aig-c', endpoint=ep, statuses=['RUNNING', 'STANDBY']) }}"
        by_id: "{{ query('alibabacloud.appstreaming.ota_tasks', ['aig-a', 'aig-c'], endpoint=ep, task_ids=['ota-c1', 'ota-a3']) }}"
        by_version: "{{ query('alibabacloud.appstreaming.ota_tasks', 'aig-a', 'aig-c', endpoint=ep, ota_version='v2') }}"
        single: "{{ lookup('alibabacloud.appstreaming.ota_tasks', 'aig-c', endpoint=ep) }}"
    - name: Loop over a lookup
      ansible.builtin.assert:
        that: item.app_instance_group_id in ['aig-a', 'aig-c']
      loop: "{{ query('alibabacloud.appstreaming.ota_tasks', 'aig-a', 'aig-c', endpoint=ep) }}"
    - name: Save
      ansible.builtin.copy:
        content: "{{ {'all': all_tasks, 'as_list': as_list, 'running': running, 'by_id': by_id, 'by_version': by_version,
                      'single': single} | to_json }}"
        dest: %s
''' % out
    ansible.playbook(play(server, body), env={'ALIBABA_CLOUD_ACCESS_KEY_ID': AK, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': SECRET}, check=True)
    got = json.loads(out.read_text())
    ids = {name: [t['task_id'] for t in value] for name, value in got.items() if isinstance(value, list)}
    truth_b = [t['TaskId'] for t in server.tasks('aig-b')]
    assert ids['all'] == ['ota-a1', 'ota-a2', 'ota-a3'] + truth_b + ['ota-c1']
    assert ids['as_list'] == ['ota-a1', 'ota-a2', 'ota-a3', 'ota-c1']
    assert ids['running'] == ['ota-a1', 'ota-c1']
    assert ids['by_id'] == ['ota-a3', 'ota-c1']
    assert ids['by_version'] == ['ota-a1', 'ota-c1']
    # lookup() without wantlist on a single task gives that task's dict
    assert got['single']['task_id'] == 'ota-c1' if isinstance(got['single'], dict) else got['single'][0]['task_id'] == 'ota-c1'
    assert got['all'][0] == {'task_id': 'ota-a1', 'ota_version': 'v2', 'task_display_status': 'RUNNING',
                             'task_start_time': '2024-01-03T00:00:00+08:00', 'app_instance_group_id': 'aig-a'}


def test_one_client_per_call_and_minimal_calls(emulator, ansible):
    server = emulator(GROUPS)
    body = '''
    - ansible.builtin.assert:
        that: query('alibabacloud.appstreaming.ota_tasks', 'aig-a', 'aig-b', 'aig-c', endpoint=ep) | length == 134
'''
    ansible.playbook(play(server, body), env={'ALIBABA_CLOUD_ACCESS_KEY_ID': AK, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': SECRET}, check=True)
    assert server.stats()['calls'] == {'ListOtaTask': 4}   # aig-a 1 page, aig-b 2 pages, aig-c 1 page


def test_lookup_returns_what_the_module_returns(emulator, ansible, tmp_path):
    server = emulator(GROUPS)
    out = tmp_path / 'out.json'
    body = '''
    - alibabacloud.appstreaming.ota_task_info:
        app_instance_group_ids: [aig-b, aig-a, aig-c]
        statuses: [FINISHED, RUNNING]
        endpoint: "{{ ep }}"
      register: from_module
    - ansible.builtin.copy:
        content: "{{ {'module': from_module.ota_tasks,
                      'lookup': query('alibabacloud.appstreaming.ota_tasks', 'aig-b', 'aig-a', 'aig-c',
                                      statuses=['FINISHED', 'RUNNING'], endpoint=ep)} | to_json }}"
        dest: %s
''' % out
    ansible.playbook(play(server, body), env={'ALIBABA_CLOUD_ACCESS_KEY_ID': AK, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': SECRET}, check=True)
    got = json.loads(out.read_text())
    assert got['module'] == got['lookup']
    assert len(got['module']) == 132


def test_credentials_and_connection_from_vars(emulator, ansible):
    server = emulator(GROUPS)
    extra = '''    ansible_appstreaming_access_key_id: %s
    ansible_appstreaming_access_key_secret: %s
    ansible_appstreaming_endpoint: "{{ ep }}"
    ansible_appstreaming_region_id: ap-southeast-1''' % (AK, SECRET)
    body = '''
    - ansible.builtin.assert:
        that: query('alibabacloud.appstreaming.ota_tasks', 'aig-c') | map(attribute='task_id') | list == ['ota-c1']
'''
    # env holds other, wrong keys: the variables win
    ansible.playbook(play(server, body, extra), env={'ALIBABA_CLOUD_ACCESS_KEY_ID': 'wrong', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': 'wrong-wrong'},
                     check=True)


def test_unknown_group_is_a_clear_error(emulator, ansible):
    server = emulator(GROUPS)
    body = '''
    - ansible.builtin.debug:
        msg: "{{ query('alibabacloud.appstreaming.ota_tasks', 'aig-a', 'aig-ghost', endpoint=ep) }}"
'''
    proc = ansible.playbook(play(server, body), env={'ALIBABA_CLOUD_ACCESS_KEY_ID': AK, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': SECRET},
                            check=False)
    output = proc.stdout + proc.stderr
    assert "Delivery group 'aig-ghost' does not exist" in output
    assert 'InvalidAppInstanceGroup.NotFound' in output
    assert 'Traceback' not in output and SECRET not in output
