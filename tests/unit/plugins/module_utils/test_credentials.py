# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the access key comes from: precedence, errors without secrets, lazy import, role_arn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import credentials
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.credentials import Credential
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import CredentialError, OptionError

from ...helpers import AK, ROLE_ARN, SECRET, api_log, concurrently, list_params, sent_headers, task

ENV_AK, ENV_SECRET = 'LTAI-env-ak', 'env-secret-2b4d6f8a0c'
OLD_AK, OLD_SECRET = 'LTAI-alicloud-ak', 'alicloud-secret-1a3c5e7g9i'
PROFILE_AK, PROFILE_SECRET = 'LTAI-profile-ak', 'profile-secret-9z8y7x6w5v'
INI_AK, INI_SECRET = 'LTAI-ini-ak', 'ini-secret-4h5j6k7l8m'


def keys(source):
    cred = source.get()
    return cred.access_key_id, cred.access_key_secret, cred.security_token


def write_cli_config(home, profiles, current='default'):
    path = home / '.aliyun' / 'config.json'
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({'current': current, 'profiles': profiles}))
    return path


def cli_profile(name, key=PROFILE_AK, secret=PROFILE_SECRET, **extra):
    data = {'name': name, 'mode': 'AK', 'access_key_id': key, 'access_key_secret': secret}
    data.update(extra)
    return data


def write_ini(home, text):
    path = home / '.alibabacloud' / 'credentials.ini'
    path.parent.mkdir(exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def environ(home, **variables):
    data = {'HOME': str(home), 'ALIBABA_CLOUD_ECS_METADATA_DISABLED': 'true'}
    data.update(variables)
    return data


ENV_KEYS = {'ALIBABA_CLOUD_ACCESS_KEY_ID': ENV_AK, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': ENV_SECRET}
OLD_KEYS = {'ALICLOUD_ACCESS_KEY': OLD_AK, 'ALICLOUD_SECRET_KEY': OLD_SECRET}


def test_explicit_keys_come_first(isolated_environment):
    write_cli_config(isolated_environment, [cli_profile('p')])
    source = credentials.resolve({'access_key_id': AK, 'access_key_secret': SECRET, 'security_token': 'tok'},
                                 environ(isolated_environment, ALIBABA_CLOUD_PROFILE='p', **ENV_KEYS, **OLD_KEYS))
    assert keys(source) == (AK, SECRET, 'tok') and source.source == 'access_key_id option'


def test_an_explicit_profile_beats_keys_in_the_environment(isolated_environment):
    path = write_cli_config(isolated_environment, [cli_profile('p')])
    source = credentials.resolve({'profile': 'p'}, environ(isolated_environment, **ENV_KEYS, **OLD_KEYS))
    assert keys(source) == (PROFILE_AK, PROFILE_SECRET, None)
    assert source.source == "profile 'p' in %s" % path


def test_alibaba_cloud_variables_come_before_alicloud_ones(isolated_environment):
    env = environ(isolated_environment, ALIBABA_CLOUD_SECURITY_TOKEN='tok-new', ALICLOUD_SECURITY_TOKEN='tok-old', **ENV_KEYS, **OLD_KEYS)
    source = credentials.resolve({}, env)
    assert keys(source) == (ENV_AK, ENV_SECRET, 'tok-new')
    assert source.source == 'environment variable ALIBABA_CLOUD_ACCESS_KEY_ID'


def test_alicloud_variables_alone_are_used(isolated_environment):
    source = credentials.resolve({}, environ(isolated_environment, ALICLOUD_SECURITY_TOKEN='tok-old', **OLD_KEYS))
    assert keys(source) == (OLD_AK, OLD_SECRET, 'tok-old')
    assert source.source == 'environment variable ALICLOUD_ACCESS_KEY'


def test_keys_in_the_environment_come_before_alibaba_cloud_profile(isolated_environment):
    write_cli_config(isolated_environment, [cli_profile('p')])
    source = credentials.resolve({}, environ(isolated_environment, ALIBABA_CLOUD_PROFILE='p', **OLD_KEYS))
    assert keys(source) == (OLD_AK, OLD_SECRET, None)


def test_alibaba_cloud_profile_names_the_profile(isolated_environment):
    write_cli_config(isolated_environment, [cli_profile('other', key='LTAI-other'), cli_profile('p')], current='other')
    source = credentials.resolve({}, environ(isolated_environment, ALIBABA_CLOUD_PROFILE='p'))
    assert keys(source) == (PROFILE_AK, PROFILE_SECRET, None)


def test_a_profile_missing_from_the_cli_config_is_read_from_the_ini_file(isolated_environment):
    write_cli_config(isolated_environment, [cli_profile('p')])
    path = write_ini(isolated_environment, '''
        [ini]
        type = access_key
        access_key_id = %s
        access_key_secret = %s
        ''' % (INI_AK, INI_SECRET))
    source = credentials.resolve({'profile': 'ini'}, environ(isolated_environment))
    assert keys(source) == (INI_AK, INI_SECRET, None) and source.source == "profile 'ini' in %s" % path


def test_alibaba_cloud_credentials_file_moves_the_ini_file(isolated_environment, tmp_path):
    path = tmp_path / 'creds.ini'
    path.write_text('[ini]\ntype = access_key\naccess_key_id = %s\naccess_key_secret = %s\n' % (INI_AK, INI_SECRET))
    source = credentials.resolve({'profile': 'ini'}, environ(isolated_environment, ALIBABA_CLOUD_CREDENTIALS_FILE=str(path)))
    assert keys(source) == (INI_AK, INI_SECRET, None)


def test_an_sts_profile_gives_its_token(isolated_environment):
    write_cli_config(isolated_environment, [cli_profile('sts', mode='StsToken', sts_token='profile-token')])
    assert keys(credentials.resolve({'profile': 'sts'}, environ(isolated_environment))) == (PROFILE_AK, PROFILE_SECRET, 'profile-token')


def run_python(code):
    """Run code in a fresh interpreter (same PYTHONPATH, HOME and environment as this test)."""
    proc = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_default_chain_reads_the_cli_config(isolated_environment):
    write_cli_config(isolated_environment, [cli_profile('default')])
    out = run_python('''
        import os
        from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import credentials
        source = credentials.resolve({}, dict(os.environ))
        cred = source.get()
        print(source.source.startswith('the default credential chain'), cred.access_key_id, cred.access_key_secret)
        ''')
    assert out.split() == ['True', PROFILE_AK, PROFILE_SECRET]


def test_no_credential_anywhere_says_what_was_tried(isolated_environment):
    with pytest.raises(CredentialError) as err:
        credentials.resolve({}, environ(isolated_environment))
    assert str(err.value) == (
        'no credentials found; tried options access_key_id/access_key_secret and profile, environment variables '
        'ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET and ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY, '
        '{0}/.aliyun/config.json (missing), {0}/.alibabacloud/credentials.ini (missing). Set access_key_id and '
        'access_key_secret, or profile, or the ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET environment '
        'variables'.format(isolated_environment))


def test_a_default_chain_that_finds_nothing_usable_says_what_was_tried(isolated_environment):
    path = write_cli_config(isolated_environment, [], current='')
    out = run_python('''
        import os
        from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import credentials, errors
        try:
            credentials.resolve({}, dict(os.environ)).get()
        except errors.CredentialError as exc:
            print(exc)
        ''')
    assert out.startswith('could not get credentials from the default credential chain (options access_key_id/access_key_secret '
                          'and profile, environment variables ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET and '
                          'ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY, %s, %s/.alibabacloud/credentials.ini (missing)): '
                          % (path, isolated_environment))


def test_explicit_keys_do_not_import_alibabacloud_credentials(tmp_path):
    out = run_python('''
        import sys
        from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
        from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import client, options
        params = ArgumentSpecValidator(options.connection_argument_spec()).validate(
            {'access_key_id': 'AK', 'access_key_secret': 'SK', 'endpoint': 'http://127.0.0.1:9'}).validated_parameters
        client.Client(params).close()
        print('alibabacloud_credentials' in sys.modules)
        for params in ({}, {'profile': 'p'}):
            try:
                client.credentials.resolve(params, {'HOME': %r, 'ALIBABA_CLOUD_ECS_METADATA_DISABLED': 'true'})
            except client.credentials.CredentialError:
                pass
            print('alibabacloud_credentials' in sys.modules)
        ''' % str(tmp_path))
    # nothing to read: no import either; a profile does import it (so the check does see an import)
    assert out.split() == ['False', 'False', 'True']


@pytest.mark.parametrize('params, error, words', [
    ({'access_key_id': AK}, OptionError, 'access_key_id and access_key_secret must be given together (access_key_secret is missing)'),
    ({'access_key_secret': SECRET}, OptionError, 'access_key_id and access_key_secret must be given together (access_key_id is missing)'),
    ({'access_key_secret': SECRET, 'security_token': 'tok'}, OptionError, '(access_key_id is missing)'),
    ({'access_key_id': AK, 'access_key_secret': SECRET, 'profile': 'p'}, OptionError,
     'profile and access_key_id/access_key_secret are mutually exclusive'),
    ({'security_token': 'tok'}, OptionError, 'security_token needs access_key_id and access_key_secret'),
    ({'security_token': 'tok', 'profile': 'p'}, OptionError, 'security_token needs access_key_id and access_key_secret'),
])
def test_option_errors_name_the_cause_without_the_secret(isolated_environment, params, error, words):
    with pytest.raises(error) as err:
        credentials.resolve(params, environ(isolated_environment))
    assert words in str(err.value) and SECRET not in str(err.value)


@pytest.mark.parametrize('variables, words', [
    ({'ALIBABA_CLOUD_ACCESS_KEY_ID': ENV_AK}, 'ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not'),
    ({'ALIBABA_CLOUD_ACCESS_KEY_SECRET': ENV_SECRET}, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET is set but ALIBABA_CLOUD_ACCESS_KEY_ID is not'),
    ({'ALICLOUD_SECRET_KEY': ENV_SECRET}, 'ALICLOUD_SECRET_KEY is set but ALICLOUD_ACCESS_KEY is not'),
    # the two families are never mixed
    ({'ALIBABA_CLOUD_ACCESS_KEY_ID': ENV_AK, 'ALICLOUD_SECRET_KEY': ENV_SECRET},
     'ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not'),
    ({'ALIBABA_CLOUD_SECURITY_TOKEN': 'tok-1'},
     'ALIBABA_CLOUD_SECURITY_TOKEN is set but ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET is not'),
])
def test_half_set_keys_in_the_environment_name_the_variables(isolated_environment, variables, words):
    with pytest.raises(CredentialError) as err:
        credentials.resolve({}, environ(isolated_environment, **variables))
    assert str(err.value) == words and ENV_SECRET not in str(err.value)


def test_a_token_of_the_other_family_is_not_attached(isolated_environment):
    source = credentials.resolve({}, environ(isolated_environment, ALICLOUD_SECURITY_TOKEN='stale-token', **ENV_KEYS))
    assert source.get().security_token is None


@pytest.mark.parametrize('kind', ['cli', 'ini'])
def test_a_profile_with_an_empty_secret_is_an_error_not_a_fallback_to_the_environment(isolated_environment, kind):
    if kind == 'cli':
        path = write_cli_config(isolated_environment, [cli_profile('p', secret='')])
    else:
        path = write_ini(isolated_environment, '[p]\ntype = access_key\naccess_key_id = AK-P\n')
    with pytest.raises(CredentialError) as err:
        credentials.resolve({'profile': 'p'}, environ(isolated_environment, **ENV_KEYS))
    assert str(err.value) == "profile 'p' in %s has no access_key_secret" % path


def test_missing_profile_files_are_listed(isolated_environment):
    with pytest.raises(CredentialError) as err:
        credentials.resolve({'profile': 'p'}, environ(isolated_environment))
    assert str(err.value) == "profile 'p' not found; tried %s/.aliyun/config.json (missing), %s/.alibabacloud/credentials.ini (missing)" % (
        isolated_environment, isolated_environment)


def test_an_unknown_profile_is_reported_with_the_files_read(isolated_environment):
    write_cli_config(isolated_environment, [cli_profile('p')])
    write_ini(isolated_environment, '[q]\ntype = access_key\naccess_key_id = x\naccess_key_secret = %s\n' % INI_SECRET)
    with pytest.raises(CredentialError) as err:
        credentials.resolve({'profile': 'nope'}, environ(isolated_environment))
    text = str(err.value)
    assert text.startswith("profile 'nope' not found; tried ")
    assert "config.json (no profile 'nope')" in text and "credentials.ini (no profile 'nope')" in text
    assert PROFILE_SECRET not in text and INI_SECRET not in text


def test_an_unreadable_profile_file_is_named(isolated_environment, monkeypatch):
    path = write_cli_config(isolated_environment, [cli_profile('p')])
    path.chmod(0)
    if os.geteuid() == 0:   # root reads anything: make the permission check see what a user would
        real = os.access
        monkeypatch.setattr(os, 'access', lambda name, mode, *a, **k: False if str(name) == str(path) else real(name, mode, *a, **k))
    with pytest.raises(CredentialError) as err:
        credentials.resolve({'profile': 'p'}, environ(isolated_environment))
    assert str(err.value) == "profile 'p': %s is not readable" % path


@pytest.mark.parametrize('kind, content, words', [
    ('cli', '{"profiles": [{"name": "p", "access_key_secret": "%s"' % PROFILE_SECRET,
     "is not valid JSON: Expecting ',' delimiter at line 1 column 77"),
    ('cli', '{\n  "profiles": [\n    {"name": "p",\n     "access_key_secret": "%s"\n  ]\n}' % PROFILE_SECRET,
     "is not valid JSON: Expecting ',' delimiter at line 5 column 3"),
    ('cli', '{"profiles": {"name": "p", "access_key_secret": "%s"}}' % PROFILE_SECRET, 'is not a valid aliyun CLI config file: it has no "profiles" list'),
    ('cli', '["%s"]' % PROFILE_SECRET, 'it has no "profiles" list'),
    ('ini', 'access_key_secret = %s\n[p]\n' % INI_SECRET, 'is not a valid credentials file (MissingSectionHeaderError at line 1)'),
    ('ini', '[p]\naccess_key_secret = %s\naccess_key_secret = again\n' % INI_SECRET,
     'is not a valid credentials file (DuplicateOptionError at line 3)'),
])
def test_a_malformed_profile_file_is_named_without_its_content(isolated_environment, kind, content, words):
    """The error says which profile was asked for, which file is broken and where, never what is in it."""
    if kind == 'cli':
        path = isolated_environment / '.aliyun' / 'config.json'
    else:
        path = isolated_environment / '.alibabacloud' / 'credentials.ini'
    path.parent.mkdir()
    path.write_text(content)
    with pytest.raises(CredentialError) as err:
        credentials.resolve({'profile': 'p'}, environ(isolated_environment))
    assert str(err.value).startswith("profile 'p' was asked for: %s " % path) and words in str(err.value)
    assert PROFILE_SECRET not in str(err.value) and INI_SECRET not in str(err.value)


@pytest.mark.parametrize('profile, words', [
    (cli_profile('p', mode='Nope'), "unsupported profile mode 'Nope'"),
])
def test_a_profile_the_library_rejects_is_reported_with_its_reason(isolated_environment, profile, words):
    path = write_cli_config(isolated_environment, [profile])
    with pytest.raises(CredentialError) as err:
        credentials.resolve({'profile': 'p'}, environ(isolated_environment)).get()
    assert str(err.value).startswith("could not get credentials from profile 'p' in %s: " % path)
    assert words in str(err.value) and PROFILE_SECRET not in str(err.value)


def test_repr_of_a_credential_hides_the_secret_and_token():
    cred = Credential(AK, SECRET, 'the-token-value')
    for text in (repr(cred), str(cred), repr([cred]), '%r' % (cred,)):
        assert SECRET not in text and 'the-token-value' not in text
        assert AK in text
    assert repr(cred) == "Credential(access_key_id='%s', security_token=set)" % AK
    assert repr(Credential(AK, SECRET)) == "Credential(access_key_id='%s', security_token=None)" % AK


def role_params(server, **extra):
    data = {'access_key_id': AK, 'access_key_secret': SECRET, 'role_arn': ROLE_ARN, 'sts_endpoint': server.endpoint}
    data.update(extra)
    return data


def test_role_arn_assumes_the_role_once_for_concurrent_callers(emulator, isolated_environment):
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}})
    source = credentials.resolve(role_params(server), environ(isolated_environment))
    assert source.source == 'role %s assumed with access_key_id option' % ROLE_ARN
    results = []
    concurrently(lambda: results.append(source.get()), 8)
    assert len(results) == 8 and len(set(results)) == 1
    assert results[0].access_key_id.startswith('STS.') and results[0].security_token
    assert source.get() == results[0]
    assert server.stats()['calls'] == {'AssumeRole': 1}


def test_the_assumed_role_signs_list_calls_with_its_token(emulator, isolated_environment):
    from ...helpers import settings  # pylint: disable=import-outside-toplevel
    from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.transport import Transport  # pylint: disable=import-outside-toplevel
    server = emulator({'aig-1': {'tasks': [task('ota-1')]}})
    client = Transport(settings(server), credentials.resolve(role_params(server), environ(isolated_environment)))
    headers = sent_headers(client)
    body = client.call('ListOtaTask', list_params())
    assert [t['TaskId'] for t in body['TaskList']] == ['ota-1']
    assert headers[0]['x-acs-accesskey-id'].startswith('STS.') and headers[0]['x-acs-security-token']
    assert [e['status'] for e in api_log(server)] == [200]


def test_role_arn_with_a_profile(emulator, isolated_environment):
    server = emulator({}, accounts=[{'access_key_id': PROFILE_AK, 'access_key_secret': PROFILE_SECRET, 'roles': [ROLE_ARN]}])
    path = write_cli_config(isolated_environment, [cli_profile('p')])
    source = credentials.resolve({'profile': 'p', 'role_arn': ROLE_ARN, 'sts_endpoint': server.endpoint}, environ(isolated_environment))
    assert source.source == "role %s assumed with profile 'p' in %s" % (ROLE_ARN, path)
    assert source.get().access_key_id.startswith('STS.')


@pytest.mark.parametrize('change, code', [
    ({'role_arn': 'acs:ram::1234567890123456:role/not-mine'}, 'EntityNotExist.Role'),
    ({'access_key_secret': 'wrong-secret-3e5f7a9b'}, 'SignatureDoesNotMatch'),
])
def test_a_failed_assume_role_names_the_role_and_code_without_secrets(emulator, isolated_environment, change, code):
    server = emulator({})
    params = role_params(server, **change)
    with pytest.raises(CredentialError) as err:
        credentials.resolve(params, environ(isolated_environment)).get()
    text = str(err.value)
    assert text.startswith('could not get credentials from role %s assumed with access_key_id option: ' % params['role_arn'])
    assert code in text and params['access_key_secret'] not in text and SECRET not in text
