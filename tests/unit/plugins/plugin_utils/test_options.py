# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller-side option adapter: one precedence, plain values, the module's checks, no secret echoed."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from types import MappingProxyType

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:  # ansible-core 2.19 and later tell trusted templates from plain strings
    from ansible.template import trust_as_template
except ImportError:
    trust_as_template = None

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.tasks import argument_spec
from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils.options import controller_params, plain, validate

from ...helpers import SECRET

OMIT = '__omit_place_holder__0123456789abcdef'


def spec():
    full = argument_spec()
    full.update(connection_argument_spec())
    return full


def test_arguments_then_module_defaults_then_variables():
    params, origins = controller_params(
        spec(), direct={'region_id': 'cn-beijing', 'statuses': ['RUNNING'], 'endpoint': None, 'profile': OMIT},
        variables={'ansible_appstreaming_region_id': 'ap-southeast-1', 'ansible_appstreaming_profile': 'from-var',
                   'ansible_appstreaming_timeout': 3, 'ansible_appstreaming_endpoint': 'http://127.0.0.1:1'},
        defaults={'endpoint': 'http://127.0.0.1:2', 'region_id': 'us-west-1', 'retries': 2}, omit=OMIT)
    assert params == {'region_id': 'cn-beijing', 'statuses': ['RUNNING'], 'endpoint': 'http://127.0.0.1:2', 'retries': 2,
                      'profile': 'from-var', 'timeout': 3}
    assert origins == {'region_id': 'argument', 'statuses': 'argument', 'endpoint': 'module_defaults', 'retries': 'module_defaults',
                       'profile': 'variable ansible_appstreaming_profile', 'timeout': 'variable ansible_appstreaming_timeout'}


def test_the_environment_is_left_to_the_shared_core(monkeypatch):
    monkeypatch.setenv('ALIBABA_CLOUD_ACCESS_KEY_ID', 'LTAI-env')
    monkeypatch.setenv('ALIBABA_CLOUD_REGION_ID', 'ap-southeast-1')
    params, _origins = controller_params(spec(), {}, {})
    assert params == {}


def test_a_variable_set_to_omit_or_none_is_not_set():
    params, _origins = controller_params(spec(), {}, {'ansible_appstreaming_profile': OMIT, 'ansible_appstreaming_region_id': None},
                                         omit=OMIT)
    assert params == {}


@pytest.mark.skipif(trust_as_template is None, reason='ansible-core < 2.19 has no trusted/untrusted templates')
def test_variables_are_templated_as_ansible_would():
    variables = {'vault_secret': SECRET, 'ansible_appstreaming_access_key_secret': trust_as_template('{{ vault_secret }}'),
                 'ansible_appstreaming_profile': '{{ not_trusted }}'}
    templar = Templar(loader=DataLoader(), variables=variables)
    params, _origins = controller_params(spec(), {}, variables, templar)
    # a trusted template (from a playbook or vars file) is rendered; an untrusted string stays as it is
    assert params == {'access_key_secret': SECRET, 'profile': '{{ not_trusted }}'}


def test_a_string_that_is_no_boolean_is_refused_naming_the_variable():
    params, origins = controller_params(spec(), {'app_instance_group_ids': ['aig-1']},
                                        {'ansible_appstreaming_validate_certs': 'flase'})
    with pytest.raises(OptionError) as err:
        validate(spec(), params, origins)
    text = str(err.value)
    assert "argument 'validate_certs' is of type" in text and "'flase' is not a valid boolean" in text
    assert text.endswith('(validate_certs from the variable ansible_appstreaming_validate_certs)')


@pytest.mark.parametrize('value, expected', [('yes', True), ('False', False), (True, True), ('0', False)])
def test_booleans_pass(value, expected):
    assert validate(spec(), {'app_instance_group_ids': ['aig-1'], 'validate_certs': value})['validate_certs'] is expected


class Lazy(Mapping):
    """A read-only mapping, like the templar's lazy containers."""

    def __init__(self, data):
        self._data = data

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def __deepcopy__(self, memo):
        raise TypeError('lazy containers must not be deep-copied')


def test_plain_turns_mappings_and_sequences_into_dicts_and_lists():
    value = Lazy({'a': (1, Lazy({'b': ['x', ('y',)]})), 'c': MappingProxyType({'d': 'e'}), 'f': 'text'})
    result = plain(value)
    assert result == {'a': [1, {'b': ['x', ['y']]}], 'c': {'d': 'e'}, 'f': 'text'}
    assert [type(item).__name__ for item in (result, result['a'], result['a'][1], result['c'])] == ['dict', 'list', 'dict', 'dict']
    assert copy.deepcopy(result) == result
    assert plain('aig-1') == 'aig-1' and plain(None) is None and plain(3) == 3


def test_validate_applies_aliases_and_defaults():
    params = validate(spec(), {'app_instance_group_id': 'aig-1', 'alicloud_access_key': 'LTAI-x', 'alicloud_secret_key': SECRET,
                               'timeout': '2.5'})
    assert params['app_instance_group_ids'] == ['aig-1']
    assert (params['access_key_id'], params['access_key_secret'], params['timeout']) == ('LTAI-x', SECRET, 2.5)
    # region_id has no default here: the shared core falls back to the profile's region, then cn-shanghai
    assert (params['region_id'], params['retries'], params['max_concurrency'], params['ota_type']) == (None, 6, 16, 'Fota')


def test_validate_applies_the_region_environment_fallback(monkeypatch):
    monkeypatch.setenv('ALICLOUD_REGION', 'ap-southeast-1')
    assert validate(spec(), {'app_instance_group_ids': ['aig-1']})['region_id'] == 'ap-southeast-1'


@pytest.mark.parametrize('params, parts', [
    ({}, ['missing required arguments: app_instance_group_ids']),
    ({'app_instance_group_ids': ['aig-1'], 'timeout': 'soon', 'retries': 'many', 'access_key_secret': SECRET},
     ["argument 'retries' is of type", "; argument 'timeout' is of type"]),
    ({'app_instance_group_ids': ['aig-1'], 'statuses': ['DONE'], 'access_key_secret': SECRET},
     ['value of statuses must be one or more of: STANDBY, RUNNING, FINISHED, PART_FINISHED, FAILED, TERMINATED. Got no match for: DONE']),
])
def test_validate_raises_option_errors_with_ansibles_messages_sorted(params, parts):
    with pytest.raises(OptionError) as err:
        validate(spec(), params)
    text = str(err.value)
    assert text.startswith(parts[0]) and SECRET not in text
    positions = [text.index(part) for part in parts]
    assert positions == sorted(positions)


def test_validate_names_an_unknown_option():
    with pytest.raises(OptionError) as err:
        validate(spec(), {'app_instance_group_ids': ['aig-1'], 'acess_key_id': 'LTAI-x'})
    assert str(err.value).startswith('acess_key_id. Supported parameters include: ')


def test_validate_never_echoes_a_secret():
    full = dict(connection_argument_spec(), extra=dict(type='int'))
    with pytest.raises(OptionError) as err:
        validate(full, {'access_key_secret': SECRET, 'extra': SECRET})
    assert 'extra' in str(err.value) and SECRET not in str(err.value)
