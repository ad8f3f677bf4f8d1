# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller-side option adapter never echoes a secret in an error."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleOptionsError

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec
from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils import options

SECRET = 'unit-secret-5b1d9e0c7a'


class FakePlugin:
    def __init__(self, error):
        self.error = error

    def set_options(self, var_options=None, direct=None):
        raise self.error


def test_secret_names_include_aliases():
    assert options.secret_names(connection_argument_spec()) == {
        'access_key_secret', 'alicloud_secret_key', 'security_token', 'alicloud_security_token'}


@pytest.mark.parametrize('name', ['access_key_secret', 'security_token'])
def test_an_invalid_secret_option_is_named_not_shown(name):
    error = AnsibleOptionsError("Config '%s' for 'ota_tasks' lookup plugin from 'Direct' has an invalid value: "
                                "Invalid value provided for 'str': ['%s']" % (name, SECRET))
    with pytest.raises(OptionError) as err:
        options.set_plugin_options(FakePlugin(error), connection_argument_spec())
    assert name in str(err.value) and SECRET not in str(err.value)


def test_other_option_errors_pass_through():
    error = AnsibleOptionsError("Config 'timeout' for 'ota_tasks' lookup plugin from 'Direct' has an invalid value: 'x'")
    with pytest.raises(AnsibleOptionsError, match="'timeout'"):
        options.set_plugin_options(FakePlugin(error), connection_argument_spec())


def test_validate_never_echoes_a_secret():
    spec = dict(connection_argument_spec(), extra=dict(type='int'))
    with pytest.raises(OptionError) as err:
        options.validate(spec, {'access_key_secret': SECRET, 'extra': SECRET})
    assert 'extra' in str(err.value) and SECRET not in str(err.value)


class ConfiguredPlugin:
    """set_options succeeds; options come from the variables named in ``origins``."""

    def __init__(self, origins):
        self.origins = origins

    def set_options(self, var_options=None, direct=None):
        pass

    def get_option_and_origin(self, name):
        return None, self.origins.get(name, 'default')


@pytest.mark.parametrize('direct, variables, origins', [
    ({'validate_certs': 'maybe'}, {}, {}),
    ({}, {'ansible_appstreaming_validate_certs': 'maybe'}, {'validate_certs': 'var: ansible_appstreaming_validate_certs'}),
])
def test_a_string_that_is_no_boolean_is_refused_not_turned_into_false(direct, variables, origins):
    with pytest.raises(OptionError, match="validate_certs must be a boolean \\(true or false\\), got 'maybe'"):
        options.set_plugin_options(ConfiguredPlugin(origins), connection_argument_spec(), variables, direct)


@pytest.mark.parametrize('value', ['yes', 'False', True, '{{ certs_checked }}'])
def test_booleans_and_templates_pass(value):
    options.set_plugin_options(ConfiguredPlugin({}), connection_argument_spec(), {}, {'validate_certs': value})
