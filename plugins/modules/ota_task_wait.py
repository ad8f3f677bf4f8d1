#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ota_task_wait
short_description: Wait until the OTA updates of App Streaming delivery groups are done
version_added: 0.1.0
description:
  - Polls the C(ListOtaTask) API until the OTA update of every given delivery group is done, and fails as soon as a task
    it waits for ends in a status outside O(success_statuses).
  - C(ListOtaTask) returns a group's B(history). Without O(task_ids) or O(ota_version), a group's state is decided by its
    B(newest) task (API order, newest first) and by every task seen in flight (C(STANDBY) or C(RUNNING)) at any poll,
    including tasks first listed during the wait (someone approved an update; one first listed already ended counts
    too). Older tasks that had already ended are history - they neither fail nor hold the wait, and are counted in RV(groups).
  - B(Superseded tasks are history.) A task listed C(STANDBY) or C(RUNNING) below a newer task that has started
    (C(RUNNING)) or ended is superseded - an update a newer task has overtaken never runs, the API just still lists it.
    It is not in flight, even if it was waited for at an earlier poll; RV(superseded_tasks) and RV(groups) name it, and a
    warning says which tasks were taken as superseded. The newest task is never superseded, and a newest C(STANDBY) task
    does not supersede an older C(RUNNING) one (both are waited for until the newer one starts). Every task in
    O(task_ids) is waited for, superseded or not.
  - "The wait is done when no task it waits for is in flight; it succeeds when each of them ended in O(success_statuses).
    A group with no task, or whose newest task has already ended in a success status, is done at the first poll
    (C(nothing in flight)). A group whose newest task has already ended C(FAILED) fails the wait at once."
  - "Examples, newest task first. C(RUNNING), then older C(FINISHED), C(FAILED), C(TERMINATED) - waits for the running
    task, succeeds when it ends C(FINISHED). C(FINISHED), then older C(FAILED) - done at the first poll. C(FAILED), then
    older C(FINISHED) - fails at the first poll. C(RUNNING), and a C(STANDBY) task appears during the wait - waits for both
    until the new one starts. C(FINISHED), then an older C(STANDBY) - done at the first poll (the C(STANDBY) task is
    superseded). C(STANDBY), then an older C(RUNNING) - waits for both."
  - With O(task_ids), exactly those tasks count; one not listed yet is waited for, one already listed as C(FAILED) fails
    the wait. With O(ota_version), the rule above applies to the tasks of that version (a C(FINISHED) retry beats an
    older C(FAILED) attempt); a group with no task of that version yet is waited for.
  - One deadline, O(wait_timeout), on a monotonic clock bounds the whole wait - every HTTP request and the wait for a
    free request slot included. A credential request already started (STS C(AssumeRole), the default chain) keeps the
    alibabacloud-credentials timeouts (at most 15 seconds for STS). Errors that outlast the per-request retries are
    polled through until the deadline; a status this collection does not know counts as in flight, with one warning.
  - Throttling (the account's API rate limit, shared with every job that uses it) does not fail a poll, it makes it
    slower - the poll goes on until it completes or O(wait_timeout) comes, and the next poll starts after
    max(O(poll_interval), the poll's own time), so the wait takes at most half of a rate limit it shares. The wait fails
    only on its own O(wait_timeout) or after a poll that really failed.
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
    description:
      - Wait for exactly these tasks (ids are stripped; an empty one is refused). A task that is not listed yet is waited for.
      - Mutually exclusive with O(ota_version).
    type: list
    elements: str
  ota_version:
    description:
      - Wait for the update to this OTA version - the newest task of that version decides, tasks of that version seen in
        flight are waited for. A group with no task of that version yet (or only superseded ones) is waited for.
      - Mutually exclusive with O(task_ids).
    type: str
  wait_timeout:
    description: Seconds to wait in all, at most.
    type: float
    default: 1800
  poll_interval:
    description: Seconds from the end of one poll to the next, at least 2 (after a poll that took longer, as long as that poll).
    type: float
    default: 15
  success_statuses:
    description:
      - Terminal statuses that count as success. A task the wait decides on that ends in any other terminal status has failed.
    type: list
    elements: str
    default: [FINISHED]
    choices: [FAILED, FINISHED, PART_FINISHED, TERMINATED]
  fail_fast:
    description: Fail as soon as one task has failed, instead of waiting for the others to end too.
    type: bool
    default: true
extends_documentation_fragment:
  - alibabacloud.appstreaming.connection
  - alibabacloud.appstreaming.error
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
    details: It only reads, so in check mode it polls and decides exactly as without it.
  diff_mode:
    support: N/A
    details: Never changes anything.
  platform:
    platforms: all
notes:
  - Runs on the controller, once per host of the play (use C(run_once) in a play on several hosts, as the role does);
    the environment variables and files it reads are the controller's.
  - "Connection options, per option, in order of precedence: the task's arguments; C(module_defaults) (it is part of
    the C(group/alibabacloud.appstreaming.appstreaming) action group); the variable C(ansible_appstreaming_<option>)
    (for example C(ansible_appstreaming_region_id)), as for the lookup; the controller's environment variables;
    for O(region_id), the region of the credential profile in use,
    then C(cn-shanghai). An argument set to C(omit) falls through to the next source."
seealso:
  - module: alibabacloud.appstreaming.ota_task_info
'''

EXAMPLES = r'''
- name: Wait up to 30 minutes for the OTA updates of two groups
  alibabacloud.appstreaming.ota_task_wait:
    app_instance_group_ids: [aig-53fvrq1oanz6c, aig-9x2kq7h1c3m0d]
    wait_timeout: 1800
    poll_interval: 15

- name: Wait for the update to one OTA version, partly successful ones count as done
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
msg:
  description:
    - A one-line summary. On success it says per group what happened (C(nothing in flight - newest task ... FINISHED on ...),
      C(done - ...), C(no OTA tasks)); on failure or timeout it names each failed or unfinished task, both when a
      timeout comes after a failure with O(fail_fast=false).
    - On an error that is not about the tasks (bad option, credentials, unknown group) it is the error, and only
      RV(msg) and C(error) (see the notes) are returned.
  returned: always
  type: str
  sample: "OTA task(s) failed after 1m12s: aig-53fvrq1oanz6c/ota-be7jzm29wrrz5 (0.0.1-R-20220708.110604) FAILED"
success:
  description:
    - Whether every task the wait decided on ended in one of O(success_statuses) before the deadline.
    - Returned when the wait ran - it succeeded, a task failed, or it timed out.
  returned: when the wait ran
  type: bool
  sample: true
tasks:
  description:
    - The tasks the wait decided on (newest task, tasks seen in flight, or O(task_ids)), with their last status, in API order,
      group by group.
    - Each a dict with C(task_id), C(ota_version), C(task_display_status), C(task_start_time) and C(app_instance_group_id), as
      RV(alibabacloud.appstreaming.ota_task_info#module:ota_tasks) describes them; so are those of RV(failed_tasks),
      RV(pending_tasks) and RV(superseded_tasks).
  returned: when the wait ran
  type: list
  elements: dict
failed_tasks:
  description: Tasks the wait decided on that ended in a terminal status outside O(success_statuses).
  returned: when the wait ran
  type: list
  elements: dict
pending_tasks:
  description: Tasks the wait decided on that were still in flight at the end of the wait.
  returned: when the wait ran
  type: list
  elements: dict
superseded_tasks:
  description:
    - Tasks taken as superseded at the last poll - listed C(STANDBY) or C(RUNNING) below a newer task that has started or
      ended. They are history, not waited for. With O(ota_version), those of that version; with O(task_ids), none.
  returned: when the wait ran
  type: list
  elements: dict
missing_task_ids:
  description: Ids from O(task_ids) that were never listed.
  returned: when the wait ran
  type: list
  elements: str
  sample: []
groups:
  description: Per group, what the wait decided at the last poll.
  returned: when the wait ran
  type: dict
  contains:
    summary:
      description: The group's line of the summary.
      type: str
      sample: "nothing in flight: newest task ota-be7jzm29wrrz5 FINISHED on 2022-08-04T14:36:00+08:00 (12 older tasks in history)"
    newest_task_id:
      description: The newest task the rule looks at (of O(ota_version) if given); null for a group without one, and with O(task_ids).
      type: str
    newest_status:
      description: Its status.
      type: str
    done:
      description: Nothing the wait decides on is in flight in this group.
      type: bool
    succeeded:
      description: Done, and each task decided on ended in O(success_statuses).
      type: bool
    in_flight:
      description:
        - Whether a task decided on is in flight - a bool, as in M(alibabacloud.appstreaming.ota_task_info) and in the
          event source's events; C(in_flight_count) counts them.
      type: bool
    in_flight_count:
      description: How many tasks decided on are in flight.
      type: int
    superseded_task_ids:
      description: The group's tasks taken as superseded (history, not waited for), newest first.
      type: list
      elements: str
    history_count:
      description: Listed tasks that do not decide (ended before the wait, superseded, or of another version).
      type: int
    status_counts:
      description: The statuses of the tasks decided on.
      type: dict
    task_count:
      description: How many tasks were decided on.
      type: int
    empty:
      description: The group lists no OTA task at all.
      type: bool
  sample: {"aig-53fvrq1oanz6c": {"summary": "done: ota-be7jzm29wrrz5 FINISHED (0.0.1-R-20220708.110604)", "newest_task_id": "ota-be7jzm29wrrz5",
           "newest_status": "FINISHED", "done": true, "succeeded": true, "in_flight": false, "in_flight_count": 0,
           "superseded_task_ids": [], "history_count": 12,
           "status_counts": {"FINISHED": 1}, "task_count": 1, "empty": false}}
unknown_statuses:
  description: Statuses this collection does not know that were listed (counted as in flight).
  returned: when the wait ran
  type: list
  elements: str
  sample: []
elapsed:
  description: Seconds the wait took.
  returned: when the wait ran
  type: float
  sample: 92.4
timed_out:
  description: Whether the wait ended at O(wait_timeout).
  returned: when the wait ran
  type: bool
  sample: false
polls:
  description: How many times the groups were listed.
  returned: when the wait ran
  type: int
  sample: 7
'''

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.module import AppStreamingModule
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.waiter import argument_spec


def main():
    """The work is done by the action plugin of the same name, on the controller."""
    module = AppStreamingModule(argument_spec(), check_libraries=False)
    module.fail_json(msg='alibabacloud.appstreaming.ota_task_wait runs on the controller through its action plugin; '
                         'it cannot be run as a module on its own')


if __name__ == '__main__':
    main()
