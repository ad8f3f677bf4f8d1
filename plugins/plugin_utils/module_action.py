# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of a module that writes or plans: its connection options as the controller sees them.

A module cannot see variables, so without this ota_task and ota_rollout_plan would ignore the
``ansible_appstreaming_*`` variables (and the ota_rollout role's) that the wait action and the lookup
read: a rollout could plan and approve in one region and wait in another. The action of the same name
resolves the options in the one precedence of options.controller_params, checks them (errors name the
variable a bad value came from), then runs the module itself, where its task runs, with check mode,
diff and async as usual.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import AppStreamingError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec
from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils.options import (
    check_connection, controller_params, role_of, task_module_defaults, validate)


class ModuleAction(ActionBase):
    """Runs the module of the same name with its connection options resolved on the controller."""

    _supports_check_mode = True
    _supports_async = True
    TRANSFERS_FILES = False

    def module_argument_spec(self):
        """The module's own options (without the connection options)."""
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        spec = self.module_argument_spec()
        spec.update(connection_argument_spec())
        try:
            args, origins = controller_params(spec, self._task.args, task_vars, self._templar, defaults=task_module_defaults(self),
                                              omit=task_vars.get('omit'), role=role_of(self._task))
            params = validate(spec, args, origins)
            check_connection(dict(params, ca_bundle=None), origins)   # the CA bundle is a file where the module runs
        except AppStreamingError as exc:
            result.update(failed=True, msg=str(exc), **exc.details())
            return result
        wrap_async = self._task.async_val and not getattr(self._connection, 'has_native_async', False)
        result = merge_hash(result, self._execute_module(module_args=args, task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access
        return result
