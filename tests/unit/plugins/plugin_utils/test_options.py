# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller-side option adapter: explicit options only, plain containers, the module's checks."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from types import MappingProxyType

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar

try:  # ansible-core 2.19 and later tell trusted templates from plain strings
    from ansible.template import trust_as_template
except ImportError:
    trust_as_template = None

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec, query_argument_spec
from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils.options import explicit_options, plain, validate

from ...helpers import SECRET

NAMES = ('access_key_id', 'access_key_secret', 'profile', 'region_id', 'timeout', 'retries', 'statuses', 'ota_version')


def test_only_options_set_directly_or_through_variables_are_explicit(monkeypatch):
    monkeypatch.setenv('ALIBABA_CLOUD_ACCESS_KEY_ID', 'LTAI-env')
    monkeypatch.setenv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', SECRET)
    monkeypatch.setenv('ALIBABA_CLOUD_REGION_ID', 'ap-southeast-1')
    plugin = lookup_loader.get('alibabacloud.appstreaming.ota_tasks', loader=DataLoader(), templar=None)
    plugin.set_options(var_options={'ansible_appstreaming_profile': 'p', 'ansible_appstreaming_timeout': 3},
                       direct={'statuses': ['RUNNING']})
    assert plugin.get_option('access_key_id') == 'LTAI-env'   # Ansible did read the environment...
    assert explicit_options(plugin, NAMES, {'ansible_appstreaming_profile': 'p', 'ansible_appstreaming_timeout': 3},
                            {'statuses': ['RUNNING']}) == {'profile': 'p', 'timeout': 3.0, 'statuses': ['RUNNING']}   # ...the adapter drops it


@pytest.mark.skipif(trust_as_template is None, reason='ansible-core < 2.19 has no trusted/untrusted templates')
def test_variables_are_templated_as_ansible_would():
    variables = {'vault_secret': SECRET, 'ansible_appstreaming_access_key_secret': trust_as_template('{{ vault_secret }}'),
                 'ansible_appstreaming_profile': '{{ not_trusted }}'}
    plugin = lookup_loader.get('alibabacloud.appstreaming.ota_tasks', loader=DataLoader(),
                               templar=Templar(loader=DataLoader(), variables=variables))
    plugin.set_options(var_options=variables, direct={})
    # a trusted template (from a playbook or vars file) is rendered; an untrusted string stays as it is
    assert explicit_options(plugin, NAMES, variables) == {'access_key_secret': SECRET, 'profile': '{{ not_trusted }}'}


class Origins:
    """A plugin whose options have the given (value, origin) pairs."""

    def __init__(self, **options):
        self.options = options

    def get_option(self, name):
        return self.options.get(name, (None, 'default'))[0]

    def get_option_and_origin(self, name, hostvars=None):
        return self.options.get(name, (None, 'default'))


def test_values_that_are_none_defaults_or_env_are_dropped_keywords_kept():
    plugin = Origins(profile=(None, 'var: ansible_appstreaming_profile'), retries=(6, 'default'),
                     timeout=(5.0, 'default'), region_id=('cn-beijing', 'env: ALICLOUD_REGION'), ota_version=('v1', 'var: v'))
    assert explicit_options(plugin, NAMES, direct={'timeout': 5.0}) == {'timeout': 5.0, 'ota_version': 'v1'}


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


def spec():
    full = query_argument_spec()
    full.update(connection_argument_spec())
    return full


def test_validate_applies_aliases_and_defaults():
    params = validate(spec(), {'app_instance_group_id': 'aig-1', 'alicloud_access_key': 'LTAI-x', 'alicloud_secret_key': SECRET,
                               'timeout': '2.5'})
    assert params['app_instance_group_ids'] == ['aig-1']
    assert (params['access_key_id'], params['access_key_secret'], params['timeout']) == ('LTAI-x', SECRET, 2.5)
    assert (params['region_id'], params['retries'], params['max_concurrency'], params['ota_type']) == ('cn-shanghai', 6, 16, 'Fota')


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
