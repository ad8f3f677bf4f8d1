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

from ansible.utils.vars import merge_hash

from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils.action import ControllerAction


class ModuleAction(ControllerAction):
    """Runs the module of the same name with its connection options resolved on the controller."""

    _supports_async = True
    NEEDS_LIBRARIES = False   # the module checks them where it runs
    CHECKS_CA_BUNDLE = False  # the CA bundle is a file where the module runs

    def work(self, result, args, params, task_vars):
        wrap_async = self._task.async_val and not getattr(self._connection, 'has_native_async', False)
        result = merge_hash(result, self._execute_module(module_args=args, task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access
        return result
