# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of alibabacloud.appstreaming.ota_rollout_plan: connection options as every controller plugin reads them."""

from __future__ import annotations

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils import rollout
from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils.module_action import ModuleAction


class ActionModule(ModuleAction):

    def argument_spec(self):
        return rollout.argument_spec()
