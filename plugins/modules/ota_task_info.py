#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ota_task_info
short_description: List the OTA update tasks of App Streaming delivery groups
version_added: 0.1.0
description:
  - Lists the over-the-air (OTA) update tasks of one or more Alibaba Cloud App Streaming (Wuying) delivery groups
    with the C(ListOtaTask) API, reading every page, and summarises their statuses.
  - Pages after the first and the groups are fetched concurrently; server errors and dropped connections are retried
    per request. Throttling (the account's API rate limit, shared by every job that uses it) slows the listing down
    instead of failing it, within the listing's 600 seconds; see O(retries) and O(max_requests_per_second).
  - Tasks are returned in API order (newest first), group by group in the order given, each task once.
  - C(ListOtaTask) returns a group's history, so C(all_terminal) is no gate (it is true for an empty list and when every
    task FAILED). Per group, RV(groups) also gives what the C(alibabacloud.appstreaming.ota_wait) gate would decide from
    this listing - the newest task, whether a task is in flight, C(succeeded), and the tasks it takes as superseded
    (listed C(STANDBY) or C(RUNNING) below a newer task that has started or ended - history, named in a warning).
author:
  - App Streaming collection maintainers (@alibabacloud-ansible)
options:
  app_instance_group_ids:
    description:
      - The delivery groups (C(aig-...)) whose tasks to list.
    type: list
    elements: str
    required: true
    aliases: [app_instance_group_id]
  ota_type:
    description:
      - The type of OTA task. C(Fota) is the Wuying system component update, the only type the API knows.
    type: str
    default: Fota
    choices: [Fota]
  page_size:
    description:
      - Tasks per ListOtaTask call, 1 to 100. The default, 100, needs the fewest calls.
    type: int
  page_number:
    description:
      - Return only this page of each group (1-based), as the API does, instead of every task.
      - O(ignore:total_count) still reports the API's total.
    type: int
  statuses:
    description:
      - Only return tasks in one of these statuses (filtered after listing).
    type: list
    elements: str
    choices: [STANDBY, RUNNING, FINISHED, PART_FINISHED, FAILED, TERMINATED]
  task_ids:
    description:
      - Only return the tasks with these task ids (filtered after listing).
    type: list
    elements: str
  ota_version:
    description:
      - Only return the tasks of this OTA version (filtered after listing).
    type: str
extends_documentation_fragment:
  - alibabacloud.appstreaming.connection
  - alibabacloud.appstreaming.error
  - alibabacloud.appstreaming.attributes
  - alibabacloud.appstreaming.attributes.info_module
notes:
  - "Like every module it runs on the play's hosts. Run it in a play on C(localhost), or with C(delegate_to: localhost) and
    C(run_once: true) in a play on other hosts, so that it calls the API once, from the controller."
  - Terminal statuses are C(FINISHED), C(PART_FINISHED), C(FAILED) and C(TERMINATED); C(STANDBY) and C(RUNNING) are not.
    A status the collection does not know is counted as not terminal, with a warning.
  - The RAM permission needed is C(appstreaming:ListAppInstanceGroup).
seealso:
  - plugin: alibabacloud.appstreaming.ota_tasks
    plugin_type: lookup
'''

EXAMPLES = r'''
- name: List every OTA task of a delivery group
  alibabacloud.appstreaming.ota_task_info:
    app_instance_group_id: aig-53fvrq1oanz6c
    region_id: cn-shanghai
  register: ota

- name: Show how the update is going
  ansible.builtin.debug:
    msg: >-
      {{ ota.status_counts }}; newest task {{ ota.groups['aig-53fvrq1oanz6c'].newest_status }},
      updated: {{ ota.groups['aig-53fvrq1oanz6c'].succeeded }}

- name: Only the running tasks of two groups, credentials from a profile
  alibabacloud.appstreaming.ota_task_info:
    app_instance_group_ids:
      - aig-53fvrq1oanz6c
      - aig-9x2kq7h1c3m0d
    statuses: [RUNNING, STANDBY]
    profile: ops
  register: running

- name: Connection options for the tasks of this block (on top of the play's group/alibabacloud.appstreaming.appstreaming)
  module_defaults:
    alibabacloud.appstreaming.ota_task_info:
      region_id: ap-southeast-1
      role_arn: acs:ram::1234567890123456:role/ota-reader
  block:
    - name: Tasks of one OTA version
      alibabacloud.appstreaming.ota_task_info:
        app_instance_group_id: aig-53fvrq1oanz6c
        ota_version: 0.0.1-R-20220708.110604
      register: version_tasks

- name: In a play on other hosts, ask once, from the controller
  alibabacloud.appstreaming.ota_task_info:
    app_instance_group_id: aig-53fvrq1oanz6c
  delegate_to: localhost
  run_once: true
  register: ota_once

# Ad hoc, against the bundled emulator:
# ansible localhost -m alibabacloud.appstreaming.ota_task_info \
#   -a "app_instance_group_id=aig-demo-rollout endpoint=http://127.0.0.1:8080"
'''

RETURN = r'''
ota_tasks:
  description: The tasks, in API order (newest first), group by group in the order given, after the filters.
  returned: success
  type: list
  elements: dict
  contains:
    task_id:
      description: The task id.
      type: str
      sample: ota-be7jzm29wrrz5
    ota_version:
      description: The OTA version the task installs.
      type: str
      sample: 0.0.1-R-20220708.110604
    task_display_status:
      description: One of C(STANDBY), C(RUNNING), C(FINISHED), C(PART_FINISHED), C(FAILED), C(TERMINATED).
      type: str
      sample: RUNNING
    task_start_time:
      description: When the task started, ISO 8601 as the API gives it.
      type: str
      sample: "2022-08-04T14:36:00+08:00"
    app_instance_group_id:
      description: The delivery group of the task.
      type: str
      sample: aig-53fvrq1oanz6c
total_count:
  description: The number of tasks the API reports for the groups (its C(TotalCount)s added up), before the filters.
  returned: success
  type: int
  sample: 6
status_counts:
  description: How many of the returned tasks are in each status.
  returned: success
  type: dict
  sample: {"FINISHED": 5, "RUNNING": 1}
all_terminal:
  description:
    - Whether every returned task is in a terminal status (true when no task is returned).
    - Not a gate - it is true when every task FAILED and when nothing is listed yet; use RV(succeeded) or the role C(alibabacloud.appstreaming.ota_wait).
  returned: success
  type: bool
  sample: false
succeeded:
  description: Whether every group's C(succeeded) is true (see RV(groups)).
  returned: success
  type: bool
  sample: false
groups:
  description: Per delivery group, computed as above and as the C(ota_wait) gate decides from this one listing.
  returned: success
  type: dict
  contains:
    total_count:
      description: The API's C(TotalCount) of the group.
      type: int
    status_counts:
      description: The statuses of the group's returned tasks.
      type: dict
    all_terminal:
      description: Whether each of the group's returned tasks is terminal.
      type: bool
    newest_task_id:
      description: The group's newest task (of O(ota_version) if given); null when it has none, and with O(task_ids).
      type: str
    newest_status:
      description: Its status.
      type: str
    in_flight:
      description:
        - Whether a task the gate waits for is C(STANDBY) or C(RUNNING) (or in a status this collection does not know).
          Superseded tasks are not waited for.
      type: bool
    succeeded:
      description:
        - Nothing in flight, and the newest task (or each of O(task_ids)) ended C(FINISHED). True for a group with no task;
          false when the newest task FAILED, and with O(ota_version) when no task of that version is listed yet.
      type: bool
    superseded_task_ids:
      description:
        - The tasks the gate takes as superseded, newest first - listed C(STANDBY) or C(RUNNING) below a newer task that has
          started or ended, so an update that will never run. They are history, not in flight; a warning names them.
        - With O(ota_version), those of that version; with O(task_ids), none.
      type: list
      elements: str
  sample: {"aig-53fvrq1oanz6c": {"total_count": 6, "status_counts": {"FINISHED": 4, "RUNNING": 1, "STANDBY": 1}, "all_terminal": false,
           "newest_task_id": "ota-be7jzm29wrrz5", "newest_status": "RUNNING", "in_flight": true, "succeeded": false,
           "superseded_task_ids": ["ota-mc35kyldmfx4x"]}}
'''

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.module import AppStreamingModule
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.tasks import argument_spec, parse


def main():
    module = AppStreamingModule(argument_spec())
    module.run(parse, lambda client, query, deadline: client.task_report(query, deadline, gate_warnings=True))


if __name__ == '__main__':
    main()
