# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side option adapter: what a lookup or action plugin was given -> the module_utils argument spec.

One precedence for every plugin that runs on the controller, per option: the task's arguments or the
lookup's keywords (in the tasks of the collection's roles ota_wait and ota_rollout, the role's
variable for the option, ``<role>_<option>``, comes first); then (actions only) the task's
``module_defaults``; then the variable ``ansible_appstreaming_<option>``; then, applied by the shared
core exactly as for the module, the environment, the credential profile's region and the built-in
default. The roles pass no connection option themselves: every step of a role reads the same settings. A value that is None or
Ansible's ``omit`` placeholder counts as not set, so ``"{{ x | default(omit) }}"`` falls through to
the next source in every position.

Values are read here, not through Ansible's configuration system, so that nothing converts them
before the shared argument spec checks them (ansible-core 2.17's configuration turns any string that
is not a boolean into false).
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import OptionError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import (
    connection_argument_spec, connection_settings, controller_variable, role_variable)

COLLECTION = 'alibabacloud.appstreaming'
ROLES = ('ota_wait', 'ota_rollout')   # whose tasks read the role's connection variables


def _canonical(argument_spec):
    names = {name: name for name in argument_spec}
    for name, spec in argument_spec.items():
        for alias in spec.get('aliases') or ():
            names[alias] = name
    return names


def controller_params(argument_spec, direct, variables=None, templar=None, defaults=None, omit=None, role=None):
    """(params, origins): the options of a controller-side plugin, in the precedence above.

    ``direct``: task arguments or lookup keywords; ``defaults``: the task's module_defaults for the
    action; ``variables``: the task's variables; ``omit``: the play's omit placeholder; ``role``: the
    collection's role the task belongs to (role_of), whose variables come first.
    ``origins`` says where each value came from, for error messages.
    """
    names = _canonical(argument_spec)

    def is_set(value):
        # ansible-core 2.19+ hands plugins its Omit singleton; 2.17 the play's placeholder string
        if value is None or type(value).__name__ == '_OmitType':
            return False
        return not (isinstance(omit, str) and isinstance(value, str) and value == omit)

    params, origins = {}, {}
    variables = variables or {}

    def from_variable(name, variable):
        value = variables[variable]
        if templar is not None:
            value = templar.template(value)
        if is_set(value):
            params[name] = plain(value)
            origins[name] = 'variable %s' % variable

    for name in connection_argument_spec() if role else ():
        if role_variable(role, name) in variables:
            from_variable(name, role_variable(role, name))
    _refuse_containers_for_strings(argument_spec, names, direct or {})
    for key, value in (direct or {}).items():
        if names.get(key, key) in origins:
            continue   # the role's variable
        if is_set(value):
            params[key] = plain(value)   # kept under its own name: the validator handles aliases and unknown keys
            origins[names.get(key, key)] = 'argument'
    for key, value in (defaults or {}).items():
        name = names.get(key)
        if name is not None and name not in origins and is_set(value):
            params[name] = plain(value)
            origins[name] = 'module_defaults'
    for name in connection_argument_spec():
        if name not in origins and controller_variable(name) in variables:
            from_variable(name, controller_variable(name))
    return params, origins


def role_of(task):
    """The collection's role (ota_wait, ota_rollout) whose tasks include ``task``, or None."""
    role = getattr(task, '_role', None)
    if role is None:
        return None
    name = role.get_name()
    for own in ROLES:
        if name == '%s.%s' % (COLLECTION, own):
            return own
    return None


def check_connection(params, origins=None):
    """connection_settings' checks (a region id, a URL, a role ARN, a CA bundle) on the controller, before any request.

    The error names the variable a bad value came from, as validate() does for the argument spec.
    """
    try:
        connection_settings(params)
    except OptionError as exc:
        text = str(exc)
        option = text.split(' ', 1)[0].rstrip(':')
        origin = (origins or {}).get(option, '')
        if origin.startswith('variable'):
            text += ' (%s from the %s)' % (option, origin)
        raise OptionError(text) from None


def plain(value):
    """Plain lists, dicts and strings instead of the templar's lazy containers and tagged strings."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def _refuse_containers_for_strings(argument_spec, names, direct):
    """A list or dict given for a text option is a mistake (the validator would quietly turn it into its repr)."""
    for key, value in direct.items():
        option = argument_spec.get(names.get(key, key))
        if option is None:
            continue   # an unknown option: the validator names it
        if option.get('type', 'str') in ('str', 'path') and isinstance(value, (Mapping, list, tuple)):
            shown = 'not shown, it is secret' if option.get('no_log') else 'a %s' % type(value).__name__
            raise OptionError('%s has an invalid value (%s): give it as a string' % (key, shown))


def validate(argument_spec, params, origins=None):
    """Type-check, default and alias ``params`` with the module argument spec.

    Raises OptionError with Ansible's own message (it names the option, and here also the
    variable a bad value came from); never echoes a secret, since secrets are no_log in the spec.
    """
    result = ArgumentSpecValidator(argument_spec).validate(params)
    if result.error_messages:
        text = '; '.join(sorted(set(result.error_messages)))
        for secret in result._no_log_values:  # pylint: disable=protected-access
            text = text.replace(str(secret), '********')
        came_from = ['%s from the %s' % (name, origin) for name, origin in sorted((origins or {}).items())
                     if origin.startswith('variable') and "'%s'" % name in text]
        if came_from:
            text += ' (%s)' % ', '.join(came_from)
        raise OptionError(text)
    return result.validated_parameters


def task_module_defaults(action_plugin):
    """The module_defaults that apply to this action's task, as Ansible computes them.

    Ansible merges them into the task's arguments before it removes ``omit`` values, so an argument
    given as ``"{{ x | default(omit) }}"`` hides them; asking again lets such arguments fall through
    to module_defaults as a user expects. ansible-core 2.19 renamed the helper.
    """
    task = action_plugin._task  # pylint: disable=protected-access
    if not getattr(task, 'module_defaults', None):
        return {}
    templar = action_plugin._templar  # pylint: disable=protected-access
    try:
        from ansible.executor.module_common import _apply_action_arg_defaults  # ansible-core >= 2.19
    except ImportError:
        from ansible.executor.module_common import get_action_args_with_defaults  # ansible-core 2.17, 2.18
        play = getattr(getattr(task, '_parent', None), '_play', None)
        return get_action_args_with_defaults(task.resolved_action, {}, task.module_defaults, templar,
                                             action_groups=getattr(play, '_action_groups', None))
    return _apply_action_arg_defaults(task.resolved_action, task, {}, templar)
