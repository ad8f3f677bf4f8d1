# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every action plugin of the collection does on the controller, once.

The wait action (ota_task_wait) and the actions of the modules that write or plan (module_action.py)
check the libraries they need, resolve their options in the one precedence of options.controller_params,
check them with the shared argument spec and connection checks, and turn an AppStreamingError into a
failed result with its ``error`` details. A subclass declares its own options and its work.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import AppStreamingError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec
from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils.options import (
    check_connection, controller_params, role_of, task_module_defaults, validate)


class ControllerAction(ActionBase):
    """An action whose options are the connection options on top of :meth:`argument_spec`."""

    _supports_check_mode = True
    TRANSFERS_FILES = False
    NEEDS_LIBRARIES = True    # requests and voluptuous on the controller (False: the module checks them where it runs)
    CHECKS_CA_BUNDLE = True   # False when the CA bundle is a file where the module runs, not here

    def argument_spec(self):
        """The plugin's own options."""
        raise NotImplementedError

    def work(self, result, args, params, task_vars):
        """The task's result; ``args``: the options as resolved (for the module), ``params``: as checked."""
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        if self.NEEDS_LIBRARIES:
            # imported here: the check imports requests, which an action that runs a module does not need
            from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.module import missing_library
            hint = missing_library()
            if hint:
                raise AnsibleActionFail(hint)
        spec = self.argument_spec()
        spec.update(connection_argument_spec())
        try:
            args, origins = controller_params(spec, self._task.args, task_vars, self._templar, defaults=task_module_defaults(self),
                                              omit=task_vars.get('omit'), role=role_of(self._task))
            params = validate(spec, args, origins)
            check_connection(params if self.CHECKS_CA_BUNDLE else dict(params, ca_bundle=None), origins)
            return self.work(result, args, params, task_vars)
        except AppStreamingError as exc:
            result.update(failed=True, msg=str(exc), **exc.details())
            return result
