#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ota_task
short_description: Approve the pending OTA update of App Streaming delivery groups
version_added: 0.1.0
description:
  - Approves (schedules) the OTA update that Alibaba Cloud App Streaming (Wuying) offers delivery groups, with the
    C(ApproveOtaTask) API, for the version you reviewed (O(ota_version)) and a start time (O(start_time)).
  - Idempotent. A group that is up to date - it runs O(ota_version) and is offered no update - is left alone
    (C(up to date)); so is a group whose update is already approved and not finished (C(already approved)), unless an
    explicit, different O(start_time) asks to reschedule a task that has not started yet (C(rescheduled)). A group
    that offers another version, or no update, is not touched (C(skipped), with the reason).
  - Every option and every group is checked before the first approval - an unknown group, a group of another region,
    a bad O(start_time), or an O(ota_version) that none of the groups offers or runs (a typo; the error names the
    versions they offer, with counts) fails the task and nothing is approved. Then the groups are approved
    concurrently. A group whose approval fails (for example C(OtaTask.Running)) fails the task after all groups were
    tried; the result still lists what was approved.
  - An approval whose answer is lost (timeout, dropped connection) is never sent again blindly - the group is read
    again, and approved again only if the first approval did not take effect. Each approval gives the group a new task
    id; the groups are read once more at the end (retried up to O(retries) times), and RV(groups[].task_id) is that
    new id, the one to wait for. A group approved whose new task id still cannot be read fails the task with the reason
    (listed in RV(approved_without_task_id); wait for it by version) - success always comes with the task ids to wait for.
  - Runs where its task runs; its connection options are read on the controller first, in the order of the other
    plugins - the task's arguments, C(module_defaults), then the C(ansible_appstreaming_*) variables (see the guide
    "Getting started").
  - Check mode approves nothing and reports what would be done. With C(--diff), the version and the schedule of each
    group, before and after.
author:
  - App Streaming collection maintainers (@alibabacloud-ansible)
options:
  state:
    description:
      - V(approved) - the update to O(ota_version) is approved for each group (or already done).
    type: str
    default: approved
    choices: [approved]
  app_instance_group_ids:
    description:
      - The delivery groups (C(aig-...)) of O(region_id) to approve the update for.
    type: list
    elements: str
    required: true
    aliases: [app_instance_group_id]
  ota_version:
    description:
      - The OTA version you reviewed, as RV(alibabacloud.appstreaming.app_instance_group_info#module:app_instance_groups[].ota.new_ota_version)
        shows it. A group that offers another version is not touched.
    type: str
    required: true
  start_time:
    description:
      - When the update starts - V(now), or an ISO 8601 date and time with a time zone, such as C(2026-11-30T06:00Z)
        or C(2026-11-30T14:00+08:00). It is sent in UTC minutes (seconds are dropped).
      - A time without a zone is refused; so is one more than 5 minutes in the past, when an approval is to be sent (a
        re-run with a time that has passed still reports the groups that are up to date or already approved).
      - An explicit time reschedules an approved task that has not started yet (C(STANDBY)) when it differs;
        V(now) leaves such a task as it is scheduled.
    type: str
    default: now
extends_documentation_fragment:
  - alibabacloud.appstreaming.connection
  - alibabacloud.appstreaming.error
  - alibabacloud.appstreaming.attributes
attributes:
  check_mode:
    support: full
    details: Reads the groups and reports what would be approved; approves nothing.
  diff_mode:
    support: full
    details: Shows each group's version, current task, task status and start time, before and after.
  platform:
    platforms: all
notes:
  - RAM permissions needed - C(appstreaming:ListAppInstanceGroup) (groups and task lists) and
    C(appstreaming:ModifyAppInstanceGroupAttribute) (C(ApproveOtaTask)).
  - How an OTA update moves through its states is not documented by Alibaba Cloud. This module assumes that
    an approval gives the group a new task id, listed by C(ListOtaTask) as C(STANDBY) until its start time, then
    C(RUNNING); that approving a C(STANDBY) task again reschedules it; and that a group that runs O(ota_version) and
    is offered no update is up to date. See the guide "Rolling out an OTA update in waves".
seealso:
  - module: alibabacloud.appstreaming.app_instance_group_info
  - module: alibabacloud.appstreaming.ota_task_wait
'''

EXAMPLES = r'''
- name: Approve the reviewed update for two groups, starting now
  alibabacloud.appstreaming.ota_task:
    app_instance_group_ids:
      - aig-demo-office-01
      - aig-demo-office-02
    ota_version: 0.0.5-R-20261110.101500
  register: approved

- name: Wait until the approved tasks are done (those approved now and those approved before)
  alibabacloud.appstreaming.ota_task_wait:
    app_instance_group_ids: "{{ approved.groups | selectattr('task_id', 'in', approved.in_flight_task_ids)
                                | map(attribute='app_instance_group_id') | list }}"
    task_ids: "{{ approved.in_flight_task_ids }}"
    wait_timeout: 3600
    poll_interval: 5
  # Success names every task it approved; nothing in flight means every group is up to date or skipped.
  when: approved.in_flight_task_ids | length > 0

- name: Schedule the update for 02:00 (UTC+8) in two days; an approved task that has not started is rescheduled
  alibabacloud.appstreaming.ota_task:
    app_instance_group_id: aig-demo-office-03
    ota_version: 0.0.5-R-20261110.101500
    start_time: "{{ '%Y-%m-%dT02:00+08:00' | strftime(now().timestamp() | int + 2 * 86400) }}"

- name: Dry run - what would be approved?
  alibabacloud.appstreaming.ota_task:
    app_instance_group_id: aig-demo-office-04
    ota_version: 0.0.5-R-20261110.101500
  check_mode: true
  diff: true
  register: plan
'''

RETURN = r'''
groups:
  description: One entry per group, in the order given.
  returned: success and failure after the groups were read
  type: list
  elements: dict
  contains:
    app_instance_group_id:
      description: The delivery group.
      type: str
      sample: aig-53fvrq1oanz6c
    action:
      description:
        - C(approved), C(rescheduled) (in check mode - would be), C(up to date) (runs O(ota_version), offered no
          update), C(already approved), C(skipped), or C(failed).
      type: str
      sample: approved
    reason:
      description: Why (for C(failed), the error).
      type: str
      sample: version 0.0.2-R-20221130.000000 is available (task ota-pending01)
    ota_version:
      description: The version approved, or for C(skipped) the version the group offers (or runs).
      type: str
      sample: 0.0.2-R-20221130.000000
    task_id:
      description:
        - The group's task - for C(approved) and C(rescheduled) the new task id read after approving (in check mode a
          placeholder; null when it could not be read - see RV(approved_without_task_id)); for C(already approved) the
          approved task; else the group's current task id, or null.
      type: str
      sample: ota-7hq2m0x1c9k4d
    previous_task_id:
      description: For C(approved), C(rescheduled) and C(failed), the task id the approval quoted.
      type: str
      sample: ota-pending01
    start_time:
      description: When the approved task starts (UTC minutes for a new approval, as listed for an earlier one).
      type: str
      sample: "2026-11-30T06:00Z"
    error:
      description: For C(failed) on an API error - its code, message, request id, HTTP status and troubleshooting link.
      type: dict
      sample: {"code": "OtaTask.Running", "message": "The task is running and cannot be sumitted."}
approved:
  description:
    - The groups approved or rescheduled by this run.
    - In check mode, the groups that would be.
  returned: success and failure after the groups were read
  type: list
  elements: str
  sample: [aig-53fvrq1oanz6c]
approved_without_task_id:
  description:
    - The groups approved by this run whose new task id could not be read, even after retries; the task then fails.
      Their update is approved - wait for them by version (O(alibabacloud.appstreaming.ota_task_wait#module:ota_version)).
  returned: success and failure after the groups were read
  type: list
  elements: str
  sample: []
task_ids:
  description: The new task ids of the groups approved or rescheduled by this run (empty in check mode).
  returned: success and failure after the groups were read
  type: list
  elements: str
  sample: [ota-7hq2m0x1c9k4d]
in_flight_task_ids:
  description:
    - The tasks of O(ota_version) now approved and not done - approved by this run or before. Wait for these.
    - In check mode, the tasks approved before (the new ones do not exist yet).
  returned: success and failure after the groups were read
  type: list
  elements: str
  sample: [ota-7hq2m0x1c9k4d, ota-2mxk1q8rf0a7c]
ota_version:
  description: The version asked for.
  returned: success and failure after the groups were read
  type: str
  sample: 0.0.2-R-20221130.000000
start_time:
  description: The start time sent with the approvals, UTC minutes.
  returned: success and failure after the groups were read
  type: str
  sample: "2026-11-30T06:00Z"
'''

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.approval import argument_spec, parse, report
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.module import AppStreamingModule


def main():
    module = AppStreamingModule(argument_spec())
    module.run(parse, lambda client, spec, deadline: report(client, spec, module.check_mode, module.diff_mode, deadline))


if __name__ == '__main__':
    main()
