# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of alibabacloud.appstreaming.ota_task_wait.

An action plugin rather than a module so that progress reaches the screen at every poll,
at default verbosity; the waiting itself lives in module_utils/waiter.py and the rule in gate.py.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import OtaTaskClient
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import AppStreamingError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec, query
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.pager import HAS_VOLUPTUOUS
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.transport import HAS_REQUESTS
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.waiter import Waiter, wait_argument_spec, wait_spec
from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils.options import (
    check_connection, controller_params, role_of, task_module_defaults, validate)

display = Display()


class ActionModule(ActionBase):

    _supports_check_mode = True   # it only reads: it polls in check mode too
    _supports_async = False
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        for found, name in ((HAS_REQUESTS, 'requests'), (HAS_VOLUPTUOUS, 'voluptuous')):
            if not found:
                raise AnsibleActionFail(missing_required_lib(name))
        spec = wait_argument_spec()
        spec.update(connection_argument_spec())
        try:
            raw, origins = controller_params(spec, self._task.args, task_vars, self._templar,
                                             defaults=task_module_defaults(self), omit=task_vars.get('omit'), role=role_of(self._task))
            params = validate(spec, raw, origins)
            check_connection(params, origins)
            groups = query(params).group_ids
            wait = wait_spec(params, groups)
            host = task_vars.get('inventory_hostname', 'localhost')
            with OtaTaskClient(params) as client:
                outcome = Waiter(client, wait, progress=lambda line: display.display('[%s] %s' % (host, line)),
                                 warn=display.warning).wait()
                for warning in dict.fromkeys(client.warnings):  # each poll may repeat one
                    display.warning(warning)
        except AppStreamingError as exc:
            result.update(failed=True, msg=str(exc), **exc.details())
            return result
        result.update(changed=False, failed=not outcome['success'], **outcome)
        return result
