#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ota_rollout_plan
short_description: Plan the waves of an OTA rollout over App Streaming delivery groups
version_added: 0.1.0
description:
  - Reads the delivery groups of O(region_id) (C(ListAppInstanceGroup)) and the task lists of those that offer
    O(ota_version) (C(ListOtaTask)), and splits the groups into waves - a canary wave of O(canary) groups, then waves of
    O(batch_size) groups - or follows the O(waves) given. Reads the release note of the version (C(GetOtaTaskByTaskId),
    one call).
  - "The groups are named explicitly - O(app_instance_group_ids), O(waves) or O(name) - or, with O(all_groups=true),
    every group of the region. Without any of them it fails: nothing is ever rolled out to a whole region by accident."
  - "A group is in a wave when its update to O(ota_version) is to be approved (C(approved), or C(rescheduled) with an
    explicit O(start_time)) or is already approved (C(already approved), waited for). It is skipped, with the reason,
    when it is up to date (runs O(ota_version) and is offered no update), offers another version or none, or its update is
    already approved for a time more than O(wave_timeout) away - a wave would time out waiting for it (an explicit
    O(start_time) reschedules it into its wave instead)."
  - "Every check happens here, before anything is approved - a group that is unknown or in another region, a group in
    two waves, a name that matches no group, an O(ota_version) that none of the groups offers or runs (a typo; the error
    names the versions they offer, with counts), O(batch_size) < 1, O(poll_interval) < 2, an O(start_time) without a time
    zone, more than O(wave_timeout) ahead, or (when an approval is to be sent) more than 5 minutes in the past."
  - Only reads; the role C(alibabacloud.appstreaming.ota_rollout) prints this plan, then approves each wave with
    M(alibabacloud.appstreaming.ota_task) and waits for it with M(alibabacloud.appstreaming.ota_task_wait).
  - Runs where its task runs; its connection options are read on the controller first, in the order of the other
    plugins - the task's arguments, C(module_defaults), then the C(ansible_appstreaming_*) variables.
author:
  - App Streaming collection maintainers (@alibabacloud-ansible)
options:
  ota_version:
    description: The OTA version you reviewed.
    type: str
    required: true
  app_instance_group_ids:
    description: The delivery groups to roll out to, in this order.
    type: list
    elements: str
  name:
    description:
      - The groups whose name is exactly this, in API order. With a shell-style wildcard (C(*), C(?), C([...])) it is a
        glob matched against whole names - V(office-apps-sh-*) - case-sensitive.
    type: str
  waves:
    description: The waves, each a list of group ids; a group may be in one wave only.
    type: list
    elements: list
  all_groups:
    description:
      - Roll out to every group of the region that offers O(ota_version). Without O(app_instance_group_ids), O(waves) or
        O(name), it must be set explicitly.
      - O(app_instance_group_ids), O(waves), O(name) and O(all_groups) are mutually exclusive.
    type: bool
    default: false
  canary:
    description: Without O(waves), the number of groups in the first wave (0 for none).
    type: int
    default: 1
  batch_size:
    description: Without O(waves), the number of groups in each wave after the canary, at least 1.
    type: int
    default: 10
  start_time:
    description:
      - When the approved updates are to start - V(now), or an ISO 8601 date and time with a time zone (see
        O(alibabacloud.appstreaming.ota_task#module:start_time)). It must be within O(wave_timeout) from now.
      - An explicit time reschedules updates already approved for another time (C(STANDBY)) into their wave.
    type: str
    default: now
  wave_timeout:
    description: Seconds a wave may be waited for; an update already approved to start later than that is skipped.
    type: int
    default: 3600
  poll_interval:
    description: Seconds between the polls of the wait that follows each wave, at least 2 (checked here, before anything is approved).
    type: int
    default: 15
  role_variables:
    description:
      - Given by the role C(alibabacloud.appstreaming.ota_rollout) - the names of its variables that are set. Each must be
        a variable of the role (a misspelled one fails, naming the nearest one it knows), and errors name the role's
        variables (C(ota_rollout_batch_size)) instead of the options.
    type: list
    elements: str
extends_documentation_fragment:
  - alibabacloud.appstreaming.connection
  - alibabacloud.appstreaming.error
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
- name: Plan a rollout to the demo-office groups - one canary group, then waves of two
  alibabacloud.appstreaming.ota_rollout_plan:
    ota_version: 0.0.5-R-20261110.101500
    name: demo-office-sh-*
    canary: 1
    batch_size: 2
  register: plan

- name: Show it - each group as name (id) at its current version
  ansible.builtin.debug:
    msg: "{{ plan.summary + ['Release note: ' ~ plan.release_note] }}"
'''

RETURN = r'''
waves:
  description: The waves, each a list of group ids, in order; groups that are skipped are left out.
  returned: success
  type: list
  elements: list
  sample: [[aig-demo-office-01], [aig-demo-office-02, aig-demo-office-03]]
wave_plan:
  description:
    - The waves as records, with the keys of the role's C(ota_rollout_result.waves) - C(wave) (1-based), C(groups),
      C(actions) (empty), C(outcome) (C(planned)), C(task_ids) (empty), C(elapsed) (0), C(failed_tasks) (empty),
      C(msg) (C(planned)).
  returned: success
  type: list
  elements: dict
  sample: [{"wave": 1, "groups": [aig-demo-office-01], "actions": {}, "outcome": "planned", "task_ids": [], "elapsed": 0,
            "failed_tasks": [], "msg": "planned"}]
skipped_groups:
  description: The groups not rolled out, each with C(app_instance_group_id) and C(reason).
  returned: success
  type: list
  elements: dict
  sample: [{"app_instance_group_id": "aig-demo-empty", "reason": "no update available (runs 0.0.4-R-20260311.160000, not 0.0.5-R-20261110.101500)"}]
groups:
  description:
    - Every group selected, in order, with C(app_instance_group_id), C(app_instance_group_name), C(ota_version) (the version
      it runs), C(new_ota_version) (offered, or empty), C(action) (as M(alibabacloud.appstreaming.ota_task) would decide it
      now - C(approved), C(rescheduled), C(already approved), C(up to date) or C(skipped)), C(reason), C(wave) (its wave,
      or null when skipped), and its approved task - C(task_id), C(task_status), C(start_time) - when there is one.
  returned: success
  type: list
  elements: dict
  sample: [{"app_instance_group_id": "aig-demo-office-01", "app_instance_group_name": "demo-office-sh-01",
            "ota_version": "0.0.4-R-20260311.160000", "new_ota_version": "0.0.5-R-20261110.101500", "action": "approved",
            "reason": "version 0.0.5-R-20261110.101500 is available (task ota-c3vml0vp6k3p2oh9z)", "wave": 1,
            "task_id": null, "task_status": null, "start_time": null}]
summary:
  description: The plan as lines to print - each wave's groups as C(name (id) at version), then each skipped group and why.
  returned: success
  type: list
  elements: str
  sample: ["Wave 1: demo-office-sh-01 (aig-demo-office-01) at 0.0.4-R-20260311.160000"]
release_note:
  description: The release note of the version (null when no group is in a wave).
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
start_time:
  description: V(now), or the explicit start time in UTC minutes.
  returned: success
  type: str
  sample: now
start_timestamp:
  description:
    - The explicit start time in seconds since the epoch (null for V(now)).
    - The role approves a wave at the time of its approval once this time has passed.
  returned: success
  type: int
  sample: null
'''

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.module import AppStreamingModule
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.rollout import argument_spec, parse, run_plan


def main():
    AppStreamingModule(argument_spec()).run(parse, run_plan)


if __name__ == '__main__':
    main()
