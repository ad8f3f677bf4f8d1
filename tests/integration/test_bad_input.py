# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input, table-driven, through the module, the lookup and the role.

Each row fails with exit status != 0 and a message naming the option or the cause, with no
traceback even at -vvvv (and, as everywhere, no secret: see conftest). Module-style option
names; run_target maps them to lookup keyword arguments and ota_wait_* role variables.
"""

from __future__ import annotations

import pytest

from conftest import ROLE_ARN, add_secret, run_target, task

INI = '.alibabacloud/credentials.ini'
CLI = '.aliyun/config.json'
NO_KEYS = dict(access_key_id=None, access_key_secret=None)
LIST_SECRET = 'listed-secret-3e9a0d7c41'

# (id, target, options, words expected in the message, files under HOME, environment)
BAD_INPUT = [
    # module
    ('module page_number 0', 'module', dict(page_number=0), 'page_number must be at least 1', None, None),
    ('module max_concurrency 65', 'module', dict(max_concurrency=65), 'max_concurrency must be between 1 and 64, got 65', None, None),
    ('module retries -1', 'module', dict(retries=-1), 'retries must be between 0 and 50, got -1', None, None),
    ('module timeout 0', 'module', dict(timeout=0), 'timeout must be greater than 0, got 0', None, None),
    ('module timeout not a number', 'module', dict(timeout='soon'), "argument 'timeout' is of type", None, None),
    ('module region', 'module', dict(region_id='Shanghai'), "region_id 'Shanghai' is not a region id", None, None),
    ('module endpoint scheme', 'module', dict(endpoint='ftp://127.0.0.1:21'), 'the scheme must be https://', None, None),
    ('module endpoint path', 'module', dict(endpoint='https://example.com/api'), 'must not have a path, query or fragment', None, None),
    ('module unknown option', 'module', dict(colour='red'), 'Unsupported parameters', None, None),
    ('module no group', 'module', dict(app_instance_group_ids=None), 'missing required arguments: app_instance_group_ids', None, None),
    ('module token without keys', 'module', dict(NO_KEYS, security_token='tok-alone-0123456789'),
     'security_token needs access_key_id and access_key_secret', None, None),
    ('module sts_endpoint plain http', 'module', dict(role_arn=ROLE_ARN, sts_endpoint='http://sts.aliyuncs.com'),
     "sts_endpoint 'http://sts.aliyuncs.com': plain http:// is only allowed to a loopback host", None, None),
    # the error names the profile asked for, the broken file and where it is broken
    ('module malformed cli config', 'module', dict(NO_KEYS, profile='ops'),
     'config.json is not valid JSON: Expecting property name enclosed in double quotes at line 1 column 31',
     {CLI: '{"profiles": [ {"name": "ops",'}, None),
    ('module unreadable cli config', 'module', dict(NO_KEYS, profile='ops'), "profile 'ops' was asked for: cannot read ",
     {CLI: None}, None),
    ('module malformed ini', 'module', dict(NO_KEYS, profile='ops'), 'credentials.ini is not a valid credentials file',
     {INI: 'access_key_id = x\n'}, None),
    ('module half a key in env', 'module', NO_KEYS,
     'ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not',
     None, {'ALIBABA_CLOUD_ACCESS_KEY_ID': 'LTAI-half-a-key'}),
    # lookup
    ('lookup no group', 'lookup', dict(app_instance_group_ids=[]), 'app_instance_group_ids needs at least one delivery group id', None, None),
    ('lookup unknown status', 'lookup', dict(statuses=['DONE']), 'statuses', None, None),
    ('lookup unknown ota_type', 'lookup', dict(ota_type='Sota'), 'ota_type', None, None),
    ('lookup negative timeout', 'lookup', dict(timeout=-5), 'timeout must be greater than 0, got -5', None, None),
    ('lookup validate_certs not a bool', 'lookup', dict(validate_certs='maybe'),
     "The value 'maybe' is not a valid boolean", None, None),
    ('lookup non-loopback http', 'lookup', dict(endpoint='http://192.0.2.10:8080'),
     "endpoint 'http://192.0.2.10:8080': plain http:// is only allowed to a loopback host", None, None),
    ('lookup unknown profile', 'lookup', dict(NO_KEYS, profile='ghost'), "profile 'ghost' not found", None, None),
    ('lookup profile and keys', 'lookup', dict(profile='ops'), 'profile and access_key_id/access_key_secret are mutually exclusive', None, None),
    ('lookup secret not a string', 'lookup', dict(access_key_secret=[LIST_SECRET]),
     'access_key_secret has an invalid value (not shown, it is secret)', None, None),
    ('lookup unknown group', 'lookup', dict(app_instance_group_ids=['aig-nope']),
     "Delivery group 'aig-nope' does not exist in region cn-shanghai", None, None),
    # role (the ota_task_wait action inside)
    ('role no group', 'role', dict(app_instance_group_ids=None), 'ota_wait_app_instance_group_ids', None, None),
    ('role zero wait_timeout', 'role', dict(wait_timeout=0), 'wait_timeout must be greater than 0 seconds, got 0', None, None),
    ('role negative wait_timeout', 'role', dict(wait_timeout=-30), 'wait_timeout must be greater than 0 seconds, got -30', None, None),
    ('role wait_timeout not a number', 'role', dict(wait_timeout='soon'), 'ota_wait_timeout', None, None),
    ('role zero poll_interval', 'role', dict(poll_interval=0), 'poll_interval must be at least 2 seconds, got 0', None, None),
    ('role poll_interval 1', 'role', dict(poll_interval=1), 'poll_interval must be at least 2 seconds, got 1', None, None),
    ('role non-terminal success status', 'role', dict(success_statuses=['RUNNING']), 'ota_wait_success_statuses', None, None),
    ('role bad role_arn', 'role', dict(role_arn='acs:ram::123:user/me'), "role_arn 'acs:ram::123:user/me' is not a RAM role ARN", None, None),
    ('role key without secret', 'role', dict(access_key_secret=None),
     'access_key_id and access_key_secret must be given together (access_key_secret is missing)', None, None),
    ('role empty group id', 'role', dict(app_instance_group_ids=['aig-1', ' ']), 'must not contain an empty group id', None, None),
    ('role task_ids and ota_version', 'role', dict(task_ids=['ota-1'], ota_version='0.0.1'),
     'task_ids and ota_version are mutually exclusive', None, None),
    ('role empty task id', 'role', dict(task_ids=['ota-1', ' ']), 'task_ids must not contain an empty task id', None, None),
    ('role validate_certs not a bool', 'role', dict(validate_certs='flase'), 'ota_wait_validate_certs', None, None),
    # the role passes every connection variable through, not only the credentials
    ('role request timeout 0', 'role', dict(timeout=0), 'timeout must be greater than 0, got 0', None, None),
    ('role retries -1', 'role', dict(retries=-1), 'retries must be between 0 and 50, got -1', None, None),
    ('role max_concurrency 65', 'role', dict(max_concurrency=65), 'max_concurrency must be between 1 and 64, got 65', None, None),
    ('role bad role_session_name', 'role', dict(role_arn=ROLE_ARN, role_session_name='x'), "role_session_name 'x' must be 2 to 64",
     None, None),
    ('role ca_bundle not PEM', 'role', dict(ca_bundle='/etc/hostname'),
     "ca_bundle '/etc/hostname' is not a readable file of PEM CA certificates", None, None),
]


def write_files(home, files):
    for relative, content in (files or {}).items():
        path = home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.mkdir()           # a directory where the file should be: unreadable as a file, even for root
        else:
            path.write_text(content)


@pytest.mark.parametrize('name, target, options, words, files, env', BAD_INPUT, ids=[row[0] for row in BAD_INPUT])
def test_bad_input(emulator, ansible, name, target, options, words, files, env):
    add_secret(LIST_SECRET)
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}})
    write_files(ansible.home, files)
    proc, tasks, message = run_target(ansible, server, target, options, env=env)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and tasks is None, name
    assert words in message, message
    assert 'Traceback' not in output and 'module_stderr' not in output, output[-3000:]


def test_the_table_covers_each_entry_point():
    targets = [row[1] for row in BAD_INPUT]
    assert len(BAD_INPUT) >= 25 and len({row[0] for row in BAD_INPUT}) == len(BAD_INPUT)
    assert all(targets.count(target) >= 8 for target in ('module', 'lookup', 'role'))
