# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets given every way never appear in output, logs, registered results or error messages.

Every integration test already runs at -vvvv and is scanned afterwards (conftest). Here each
way of giving credentials (options, environment, the two profile files, a static STS token,
role_arn) runs the module, the lookup and the role, succeeding and failing, registering and
printing every result, with DEBUG=sdk set for the credentials library; the scan then covers
the secrets, the tokens and the STS keys AssumeRole issued. In-process, the text and the
traceback of every error are checked too.
"""

from __future__ import annotations

import json
import traceback

import pytest

from conftest import AK, ROLE_ARN, SECRET, account, client_params, emulator_secrets, task

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import run
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import AppStreamingError

STS_AK, STS_SECRET, STS_TOKEN = 'STS.static-scan-1', 'sts-scan-secret-7d03b9e2', 'sts-scan-token-c4a1f86e55'
ACCOUNTS = [account(), account(access_key_id=STS_AK, access_key_secret=STS_SECRET, security_token=STS_TOKEN)]
GROUPS = {'aig-1': {'tasks': [task('ota-1', 'FINISHED')], 'generate': {'count': 130}}}
FAULTS = {'every': {'http500': 5}, 'schedule': {'2': 'throttle', '7': 'throttle_api'}, 'retry_after_ms': 10}   # retries with the secrets in use

# Each way of giving the credentials: options (module arguments, lookup keywords, role variables), environment, files.
SOURCES = {
    'options': dict(options={'access_key_id': AK, 'access_key_secret': SECRET}),
    'options with STS token': dict(options={'access_key_id': STS_AK, 'access_key_secret': STS_SECRET, 'security_token': STS_TOKEN}),
    'ALIBABA_CLOUD env': dict(env={'ALIBABA_CLOUD_ACCESS_KEY_ID': AK, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': SECRET}),
    'ALICLOUD env with STS token': dict(env={'ALICLOUD_ACCESS_KEY': STS_AK, 'ALICLOUD_SECRET_KEY': STS_SECRET,
                                             'ALICLOUD_SECURITY_TOKEN': STS_TOKEN}),
    'aliyun CLI profile (StsToken)': dict(options={'profile': 'ops'}, files={'.aliyun/config.json': json.dumps({'current': 'ops', 'profiles': [
        {'name': 'ops', 'mode': 'StsToken', 'access_key_id': STS_AK, 'access_key_secret': STS_SECRET, 'sts_token': STS_TOKEN}]})}),
    'credentials.ini profile': dict(env={'ALIBABA_CLOUD_PROFILE': 'ops'}, files={'.alibabacloud/credentials.ini': (
        '[ops]\ntype = access_key\naccess_key_id = %s\naccess_key_secret = %s\n' % (AK, SECRET))}),
    'role_arn from an STS token': dict(options={'access_key_id': STS_AK, 'access_key_secret': STS_SECRET, 'security_token': STS_TOKEN,
                                                'role_arn': ROLE_ARN}, role=True),
}

PLAY_TASKS = """    - name: module
      alibabacloud.appstreaming.ota_task_info: &module_args
        app_instance_group_id: aig-1
        endpoint: "{{ endpoint }}"
        access_key_id: "{{ conn.access_key_id | default(omit) }}"
        access_key_secret: "{{ conn.access_key_secret | default(omit) }}"
        security_token: "{{ conn.security_token | default(omit) }}"
        profile: "{{ conn.profile | default(omit) }}"
        role_arn: "{{ conn.role_arn | default(omit) }}"
        sts_endpoint: "{{ conn.sts_endpoint | default(omit) }}"
      register: listed
    - name: module, failing
      alibabacloud.appstreaming.ota_task_info:
        <<: *module_args
        app_instance_group_id: aig-nope
      register: failed_listing
      ignore_errors: true
    - name: lookup
      ansible.builtin.set_fact:
        looked_up: "{{ query('alibabacloud.appstreaming.ota_tasks', 'aig-1', endpoint=endpoint, **conn) }}"
    - name: lookup, failing
      ansible.builtin.set_fact:
        not_looked_up: "{{ query('alibabacloud.appstreaming.ota_tasks', 'aig-nope', endpoint=endpoint, **conn) }}"
      ignore_errors: true
    - name: role
      ansible.builtin.include_role:
        name: alibabacloud.appstreaming.ota_wait
    - ansible.builtin.set_fact:
        waited: "{{ ota_wait_result }}"
    - name: role, failing
      block:
        - ansible.builtin.include_role:
            name: alibabacloud.appstreaming.ota_wait
          vars:
            ota_wait_app_instance_group_ids: [aig-1, aig-nope]
      rescue:
        - ansible.builtin.debug:
            var: ansible_failed_result
    - name: every registered result and fact
      ansible.builtin.debug:
        msg: "{{ {'listed': listed, 'failed_listing': failed_listing, 'looked_up': looked_up, 'ota_wait_result': ota_wait_result,
                  'ota_wait__raw': ota_wait__raw, 'vars': hostvars[inventory_hostname] | dict2items | map(attribute='key') | list} }}"
    - ansible.builtin.copy:
        content: "{{ {'module': listed.ota_tasks | length, 'failed': failed_listing.msg, 'lookup': looked_up | length,
                      'role': waited.msg, 'failed_role': ota_wait_result.msg} | to_json }}"
        dest: "{{ out }}"
        mode: '0600'
"""


@pytest.mark.parametrize('source', list(SOURCES), ids=list(SOURCES))
def test_no_secret_printed_whatever_the_source(emulator, ansible, source):
    server = emulator(GROUPS, accounts=ACCOUNTS, faults=FAULTS)
    how = SOURCES[source]
    conn = dict(how.get('options', {}))
    if how.get('role'):
        conn['sts_endpoint'] = server.sts_endpoint
    for relative, content in how.get('files', {}).items():
        (ansible.home / relative).parent.mkdir(parents=True, exist_ok=True)
        (ansible.home / relative).write_text(content)
    variables = {'endpoint': server.endpoint, 'conn': conn, 'ota_wait_app_instance_group_ids': ['aig-1'], 'ota_wait_endpoint': server.endpoint,
                 'ota_wait_poll_interval': 2}
    variables.update({'ota_wait_' + k: v for k, v in conn.items()})
    env = dict(how.get('env', {}), DEBUG='sdk')
    proc, outcome = ansible.play(PLAY_TASKS, variables, env=env, check=True)
    assert outcome['module'] == outcome['lookup'] == 131 and outcome['role'].startswith('OTA updates done')
    assert "Delivery group 'aig-nope' does not exist" in outcome['failed'] and "'aig-nope' does not exist" in outcome['failed_role']
    assert "alibabacloud.appstreaming.ota_tasks: ListOtaTask failed: InvalidAppInstanceGroup.NotFound" in proc.stdout
    assert server.stats()['faults_injected']                                   # retries happened with the secrets in use
    if how.get('role'):
        assert server.stats()['calls']['AssumeRole'] >= 1 and len(emulator_secrets(server)) > 4   # issued keys are scanned too
    # the scan (conftest.no_secret_in_any_output) runs after this test: stdout, stderr, the log file, the emulator's stats


def error_text(exc):
    return ''.join(traceback.format_exception(exc)) + repr(exc) + json.dumps(exc.details())


@pytest.mark.parametrize('case', ['wrong secret', 'wrong token', 'transport error', 'sts rejects', 'bad option'])
def test_no_secret_in_exception_text_or_traceback(emulator, case):
    server = emulator(GROUPS, accounts=ACCOUNTS)
    secret, token = 'case-secret-0f9e8d7c6b', 'case-token-1a2b3c4d5e6f'
    keys = {'access_key_id': STS_AK, 'access_key_secret': secret, 'security_token': token}
    params = {
        'wrong secret': dict(keys, security_token=STS_TOKEN),
        'wrong token': dict(keys, access_key_secret=STS_SECRET),
        'transport error': dict(keys, endpoint='http://127.0.0.1:9', retries=0),
        'sts rejects': dict(keys, role_arn=ROLE_ARN, sts_endpoint=server.sts_endpoint),
        'bad option': dict(keys, page_size=0, timeout=-1),
    }[case]
    with pytest.raises(AppStreamingError) as err:
        run(client_params(server, app_instance_group_ids=['aig-1'], **params))
    text = error_text(err.value)
    assert secret not in text and token not in text and STS_SECRET not in text and STS_TOKEN not in text
    chained = err.value
    while chained is not None:                                                # no library exception chained in
        assert type(chained).__module__.startswith('ansible_collections.alibabacloud.appstreaming.'), repr(chained)
        chained = None if chained.__suppress_context__ else chained.__cause__ or chained.__context__
