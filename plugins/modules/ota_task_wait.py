#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ota_task_wait
short_description: Wait until the OTA update tasks of App Streaming delivery groups are done
version_added: 0.1.0
description:
  - Polls the C(ListOtaTask) API until every waited OTA task of the delivery groups has reached a terminal status,
    and fails as soon as one of them ends in a status outside O(success_statuses).
  - Which tasks are waited for - O(task_ids) if given (tasks not listed yet are waited for);
    else the tasks of O(ota_version) (at least one must appear); else every task listed at the first poll
    (a group with no tasks is done at once).
  - One deadline, O(wait_timeout), on a monotonic clock bounds the whole wait, HTTP requests included.
    Errors that outlast the per-request retries are polled through until the deadline.
  - Prints one progress line per group at every poll, at default verbosity.
  - The role C(alibabacloud.appstreaming.ota_wait) wraps this action with variables, a fact and a summary.
author:
  - App Streaming collection maintainers (@alibabacloud-ansible)
options:
  app_instance_group_ids:
    description: The delivery groups (C(aig-...)) to wait for. They are polled concurrently.
    type: list
    elements: str
    required: true
    aliases: [app_instance_group_id]
  task_ids:
    description: Wait for exactly these tasks. A task that is not listed yet is waited for.
    type: list
    elements: str
  ota_version:
    description: Wait for the tasks of this OTA version; the wait goes on until at least one of them is listed.
    type: str
  wait_timeout:
    description: Seconds to wait in all, at most.
    type: float
    default: 1800
  poll_interval:
    description: Seconds between polls, at least 2.
    type: float
    default: 15
  success_statuses:
    description:
      - Terminal statuses that count as success. A waited task that ends in any other terminal status has failed.
    type: list
    elements: str
    default: [FINISHED]
    choices: [STANDBY, RUNNING, FINISHED, PART_FINISHED, FAILED, TERMINATED]
  fail_fast:
    description: Fail as soon as one waited task has failed, instead of waiting for the others to end too.
    type: bool
    default: true
extends_documentation_fragment:
  - alibabacloud.appstreaming.connection
  - alibabacloud.appstreaming.attributes
attributes:
  action:
    support: full
    description: Runs on the controller as an action plugin.
  async:
    support: none
    description: Does not support async.
  check_mode:
    support: full
    details: Only reads, so it behaves the same in check mode.
  diff_mode:
    support: N/A
    details: Never changes anything.
  platform:
    platforms: all
notes:
  - Runs on the controller; the connection options and environment variables are the controller's.
    It is part of the C(group/alibabacloud.appstreaming.appstreaming) action group for C(module_defaults).
seealso:
  - module: alibabacloud.appstreaming.ota_task_info
'''

EXAMPLES = r'''
- name: Wait up to 30 minutes for every task listed now in two groups
  alibabacloud.appstreaming.ota_task_wait:
    app_instance_group_ids: [aig-53fvrq1oanz6c, aig-9x2kq7h1c3m0d]
    wait_timeout: 1800
    poll_interval: 15

- name: Wait for the tasks of one OTA version, partly successful ones count as done
  alibabacloud.appstreaming.ota_task_wait:
    app_instance_group_id: aig-53fvrq1oanz6c
    ota_version: 0.0.1-R-20220708.110604
    success_statuses: [FINISHED, PART_FINISHED]
  register: wait
  ignore_errors: true

- name: Report
  ansible.builtin.debug:
    msg: "{{ wait.msg }}"
'''

RETURN = r'''
tasks:
  description: The waited tasks with their last status (same keys as RV(alibabacloud.appstreaming.ota_task_info#module:ota_tasks)).
  returned: always
  type: list
  elements: dict
failed_tasks:
  description: Waited tasks that ended in a terminal status outside O(success_statuses).
  returned: always
  type: list
  elements: dict
pending_tasks:
  description: Waited tasks not yet in a terminal status at the end of the wait.
  returned: always
  type: list
  elements: dict
missing_task_ids:
  description: Ids from O(task_ids) that were never listed.
  returned: always
  type: list
  elements: str
groups:
  description: Per group, C(status_counts) and C(task_count) of its waited tasks, and C(empty) when it has no task at all.
  returned: always
  type: dict
  sample: {"aig-53fvrq1oanz6c": {"status_counts": {"FINISHED": 3}, "task_count": 3, "empty": false}}
elapsed:
  description: Seconds the wait took.
  returned: always
  type: float
  sample: 92.4
timed_out:
  description: Whether the wait ended at O(wait_timeout).
  returned: always
  type: bool
polls:
  description: How many times the groups were listed.
  returned: always
  type: int
success:
  description: Whether every waited task ended in one of O(success_statuses) before the deadline.
  returned: always
  type: bool
msg:
  description: A one-line summary; on failure or timeout it lists each failed or unfinished task.
  returned: always
  type: str
  sample: "OTA task(s) failed after 1m12s: aig-53fvrq1oanz6c/ota-be7jzm29wrrz5 (0.0.1-R-20220708.110604) FAILED"
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.waiter import wait_argument_spec


def main():
    """The work is done by the action plugin of the same name, on the controller."""
    argument_spec = wait_argument_spec()
    argument_spec.update(connection_argument_spec())
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    module.fail_json(msg='alibabacloud.appstreaming.ota_task_wait runs on the controller through its action plugin; '
                         'it cannot be run as a module on its own')


if __name__ == '__main__':
    main()
