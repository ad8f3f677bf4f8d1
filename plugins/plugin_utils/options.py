# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side option adapter: a plugin's options -> the module_utils argument spec.

Plugins read options through Ansible's configuration system (direct arguments, ``vars:``,
``env:``, defaults). Values that came from the environment or a default are dropped here
and re-applied by the shared core, so that the module, the lookup and the wait action
resolve environment variables and credential precedence in exactly one place.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError


def explicit_options(plugin, names):
    """The options the user set directly or through variables (not env, not defaults).

    Values from ``vars:`` arrive as the raw variable (``"{{ vault_secret }}"``): they are
    templated here, as Ansible would for any other variable.
    """
    params = {}
    templar = getattr(plugin, '_templar', None)
    for name in names:
        value, origin = plugin.get_option_and_origin(name)
        origin = str(origin or '')
        if value is None or origin == 'default' or origin.startswith('env'):
            continue
        if origin.startswith('var') and templar is not None:
            value = templar.template(value)
        params[name] = plain(value)
    return params


def plain(value):
    """Plain lists and dicts instead of the templar's lazy containers (they must not be deep-copied)."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def validate(argument_spec, params):
    """Type-check, default and alias ``params`` with the module argument spec.

    Raises OptionError with Ansible's own message (it names the option); never echoes
    a secret, since secrets are no_log in the spec.
    """
    result = ArgumentSpecValidator(argument_spec).validate(params)
    if result.error_messages:
        raise OptionError('; '.join(sorted(set(result.error_messages))))
    return result.validated_parameters
