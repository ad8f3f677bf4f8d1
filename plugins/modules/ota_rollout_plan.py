#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ota_rollout_plan
short_description: Plan the waves of an OTA rollout over App Streaming delivery groups
version_added: 0.2.0
description:
  - Reads the delivery groups of O(region_id) (C(ListAppInstanceGroup)) and splits those that offer O(ota_version)
    into waves - a canary wave of O(canary) groups, then waves of O(batch_size) groups - or follows the O(waves)
    given. Groups that are up to date, or offer another version or none, are skipped with the reason.
  - Reads the release note of the version (C(GetOtaTaskByTaskId), one call).
  - Only reads; the role C(alibabacloud.appstreaming.ota_rollout) prints this plan, then approves and waits for
    each wave with M(alibabacloud.appstreaming.ota_task) and the role C(alibabacloud.appstreaming.ota_wait).
  - Every check happens here, before anything is approved - a group that is unknown or in another region, a group
    in two waves, O(batch_size) < 1, an empty O(app_instance_group_ids) or O(ota_version).
author:
  - App Streaming collection maintainers (@alibabacloud-ansible)
options:
  ota_version:
    description: The OTA version you reviewed.
    type: str
    required: true
  app_instance_group_ids:
    description:
      - The delivery groups to roll out to, in this order. Without it (and without O(waves)), every group of the region
        that offers O(ota_version) (filtered by O(name)), in API order.
    type: list
    elements: str
  name:
    description: Without O(app_instance_group_ids) and O(waves), only the groups whose name contains this text.
    type: str
  waves:
    description: The waves, each a list of group ids; a group may be in one wave only. Mutually exclusive with O(app_instance_group_ids).
    type: list
    elements: list
  canary:
    description: Without O(waves), the number of groups in the first wave (0 for none).
    type: int
    default: 1
  batch_size:
    description: Without O(waves), the number of groups in each wave after the canary, at least 1.
    type: int
    default: 10
extends_documentation_fragment:
  - alibabacloud.appstreaming.connection
  - alibabacloud.appstreaming.attributes
  - alibabacloud.appstreaming.attributes.info_module
notes:
  - RAM permissions needed - C(appstreaming:ListAppInstanceGroup) and C(appstreaming:ModifyAppInstanceGroupAttribute)
    (C(GetOtaTaskByTaskId), for the release note).
seealso:
  - module: alibabacloud.appstreaming.ota_task
  - module: alibabacloud.appstreaming.app_instance_group_info
'''

EXAMPLES = r'''
- name: Plan a rollout - one canary group, then waves of two
  alibabacloud.appstreaming.ota_rollout_plan:
    ota_version: 0.0.5-R-20261110.101500
    name: demo-office
    canary: 1
    batch_size: 2
  register: plan

- name: Show it
  ansible.builtin.debug:
    msg: "{{ plan.waves }} ({{ plan.release_note }})"
'''

RETURN = r'''
waves:
  description: The waves, each a list of group ids, in order; groups that do not offer the version are left out.
  returned: success
  type: list
  elements: list
  sample: [[aig-demo-office-01], [aig-demo-office-02, aig-demo-office-03]]
wave_plan:
  description: The waves as records - C(wave) (1-based), C(groups), C(outcome) (C(planned)), C(task_ids) (empty), C(elapsed) (0).
  returned: success
  type: list
  elements: dict
  sample: [{"wave": 1, "groups": [aig-demo-office-01], "outcome": "planned", "task_ids": [], "elapsed": 0}]
skipped_groups:
  description: The groups not rolled out, each with C(app_instance_group_id) and C(reason).
  returned: success
  type: list
  elements: dict
  sample: [{"app_instance_group_id": "aig-demo-empty", "reason": "no update available (runs 0.0.4-R-20260311.160000, not 0.0.5-R-20261110.101500)"}]
release_note:
  description: The release note of the version (null when no group offers it).
  returned: success
  type: str
  sample: Fixes the clipboard redirection.
ota_version:
  description: The version planned.
  returned: success
  type: str
  sample: 0.0.5-R-20261110.101500
group_count:
  description: The number of groups in the waves.
  returned: success
  type: int
  sample: 3
region_id:
  description: The region read.
  returned: success
  type: str
  sample: cn-shanghai
'''

import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import LISTING_TIME_BUDGET, OtaTaskClient
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import AppStreamingError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.rollout import run_plan, spec
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.transport import HAS_REQUESTS


def main():
    argument_spec = dict(
        ota_version=dict(type='str', required=True),
        app_instance_group_ids=dict(type='list', elements='str'),
        name=dict(type='str'),
        waves=dict(type='list', elements='list'),
        canary=dict(type='int', default=1),
        batch_size=dict(type='int', default=10),
    )
    argument_spec.update(connection_argument_spec())
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'))
    try:
        rollout = spec(module.params)
        with OtaTaskClient(module.params) as client:
            result = run_plan(client, rollout, module.params.get('name'), time.monotonic() + LISTING_TIME_BUDGET)
            warnings = list(client.warnings)
    except AppStreamingError as exc:
        module.fail_json(msg=str(exc), **exc.details())
    for warning in warnings:
        module.warn(warning)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
