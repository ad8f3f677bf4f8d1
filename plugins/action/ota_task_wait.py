# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of alibabacloud.appstreaming.ota_task_wait.

An action plugin rather than a module so that progress reaches the screen at every poll,
at default verbosity; the waiting itself lives in module_utils/waiter.py and the rule in gate.py.
"""

from __future__ import annotations

from ansible.utils.display import Display

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import waiter
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import Client
from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils.action import ControllerAction

display = Display()


class ActionModule(ControllerAction):

    _supports_check_mode = True   # it only reads: it polls in check mode too
    _supports_async = False

    def argument_spec(self):
        return waiter.argument_spec()

    def work(self, result, args, params, task_vars):
        wait = waiter.parse(params)
        host = task_vars.get('inventory_hostname', 'localhost')
        with Client(params) as client:
            outcome = waiter.Waiter(client, wait, progress=lambda line: display.display('[%s] %s' % (host, line)),
                                    warn=display.warning).wait()
            for warning in dict.fromkeys(client.warnings):  # each poll may repeat one
                display.warning(warning)
        result.update(changed=False, failed=not outcome['success'], **outcome)
        return result
