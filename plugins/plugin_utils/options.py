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

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError


def explicit_options(plugin, names, variables=None, direct=None):
    """The options the user set directly or through variables (not env, not defaults).

    Keyword arguments (``direct``) are always explicit. For the rest, the origin is asked
    of the configuration system with the same variables (ansible-core 2.17 forgets both
    the keywords and the variables given to ``set_options`` when asked for an origin).
    Values from ``vars:`` arrive as the raw variable (``"{{ vault_secret }}"``): they are
    templated here, as Ansible would for any other variable.
    """
    params = {}
    direct = direct or {}
    templar = getattr(plugin, '_templar', None)
    for name in names:
        value = plugin.get_option(name)
        if value is None:
            continue
        if name not in direct:
            origin = str(plugin.get_option_and_origin(name, hostvars=variables or {})[1] or '')
            if not origin.startswith('var'):
                continue  # env and defaults are applied by the shared core, in one place
            if templar is not None:
                value = templar.template(value)
        params[name] = plain(value)
    return params


def secret_names(argument_spec):
    """The no_log options of a spec and their aliases."""
    names = set()
    for name, spec in argument_spec.items():
        if spec.get('no_log'):
            names.add(name)
            names.update(spec.get('aliases') or ())
    return names


def set_plugin_options(plugin, argument_spec, variables=None, direct=None):
    """``plugin.set_options``, but an invalid secret option is named without echoing its value.

    Ansible's configuration system quotes the value it could not convert ("Invalid value
    provided for 'str': [...]"); for a secret that would print it.
    """
    known = set(argument_spec)
    for spec in argument_spec.values():
        known.update(spec.get('aliases') or ())
    unknown = sorted(set(direct or {}) - known)
    if unknown:
        # Ansible passes unknown keywords through silently; a typo like status= would
        # otherwise return every task, unfiltered.
        raise OptionError('unknown option(s) %s; the options are %s' % (', '.join(unknown), ', '.join(sorted(argument_spec))))
    try:
        plugin.set_options(var_options=variables, direct=direct)
    except AnsibleError as exc:
        text = str(exc)
        for name in sorted(secret_names(argument_spec)):
            head = text.split(' from ', maxsplit=1)[0]
            if "'%s'" % name in head or 'setting: %s' % name in head:   # ansible-core 2.19+ / 2.17 wording
                raise OptionError('%s has an invalid value (not shown, it is secret): give it as a string' % name) from None
        raise
    _strict_booleans(plugin, argument_spec, variables or {}, direct or {})


def _strict_booleans(plugin, argument_spec, variables, direct):
    """Ansible's configuration system turns any string that is not a boolean into false: refuse it instead."""
    for name, spec in argument_spec.items():
        if spec.get('type') != 'bool':
            continue
        raw = direct.get(name)
        if raw is None:
            origin = str(plugin.get_option_and_origin(name)[1] or '')
            raw = variables.get(origin[len('var: '):]) if origin.startswith('var: ') else None
        if isinstance(raw, str) and '{{' not in raw:
            try:
                boolean(raw, strict=True)
            except TypeError:
                raise OptionError('%s must be a boolean (true or false), got %r' % (name, raw)) from None


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
        text = '; '.join(sorted(set(result.error_messages)))
        for secret in result._no_log_values:  # pylint: disable=protected-access
            text = text.replace(str(secret), '********')
        raise OptionError(text)
    return result.validated_parameters
