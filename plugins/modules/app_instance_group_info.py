#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: app_instance_group_info
short_description: List the App Streaming delivery groups of a region and their pending OTA updates
version_added: 0.1.0
description:
  - Lists the Alibaba Cloud App Streaming (Wuying) delivery groups of O(region_id) (product type C(CloudApp))
    with the C(ListAppInstanceGroup) API, reading every page, and returns each with its OTA state.
  - A group has an OTA update available when its RV(app_instance_groups[].ota.new_ota_version) is not empty;
    RV(app_instance_groups[].ota.task_id) then names the pending update task, which the module
    M(alibabacloud.appstreaming.ota_task) approves.
  - Pages after the first are fetched concurrently; server errors and dropped connections are retried per request,
    and throttling slows the listing down instead of failing it.
author:
  - App Streaming collection maintainers (@alibabacloud-ansible)
options:
  app_instance_group_ids:
    description:
      - Only these delivery groups (C(aig-...)). One id is filtered by the API, several are picked from the region's
        listing. An id that is not found is warned about.
    type: list
    elements: str
    aliases: [app_instance_group_id]
  name:
    description:
      - Only the groups whose name contains this text (the API matches a substring).
    type: str
  statuses:
    description:
      - Only the groups in one of these statuses, for example C(PUBLISHED) or C(MAINTAINING) (filtered by the API).
    type: list
    elements: str
  release_notes:
    description:
      - Also read the release note of each pending update (C(GetOtaTaskByTaskId), one call per distinct pending task,
        concurrently) into RV(app_instance_groups[].ota.release_note).
    type: bool
    default: false
extends_documentation_fragment:
  - alibabacloud.appstreaming.connection
  - alibabacloud.appstreaming.error
  - alibabacloud.appstreaming.attributes
  - alibabacloud.appstreaming.attributes.info_module
notes:
  - RAM permissions needed - C(appstreaming:ListAppInstanceGroup); with O(release_notes=true) also
    C(appstreaming:ModifyAppInstanceGroupAttribute), which C(GetOtaTaskByTaskId) requires.
  - What an OTA update of a group looks like through the API (update available, approved, up to date) is not
    documented by Alibaba Cloud; this collection assumes the lifecycle described in the guide
    "Rolling out an OTA update in waves".
seealso:
  - module: alibabacloud.appstreaming.ota_task
  - module: alibabacloud.appstreaming.ota_task_info
'''

EXAMPLES = r'''
- name: Find the delivery groups that have an OTA update waiting, with its release note
  alibabacloud.appstreaming.app_instance_group_info:
    region_id: cn-shanghai
    release_notes: true
  register: found

- name: Show what each update brings
  ansible.builtin.debug:
    msg: "{{ item.app_instance_group_id }}: {{ item.ota.ota_version }} -> {{ item.ota.new_ota_version }}: {{ item.ota.release_note }}"
  loop: "{{ found.app_instance_groups | selectattr('ota.update_available') }}"
  loop_control:
    label: "{{ item.app_instance_group_id }}"

- name: Only the published groups whose name contains office
  alibabacloud.appstreaming.app_instance_group_info:
    name: office
    statuses: [PUBLISHED]
  register: office

- name: One group
  alibabacloud.appstreaming.app_instance_group_info:
    app_instance_group_id: aig-demo-office-01
  register: one

# Ad hoc, against the bundled emulator:
# ansible localhost -m alibabacloud.appstreaming.app_instance_group_info -a "endpoint=http://127.0.0.1:8080"
'''

RETURN = r'''
app_instance_groups:
  description: The delivery groups, in API order, after the filters.
  returned: success
  type: list
  elements: dict
  contains:
    app_instance_group_id:
      description: The delivery group id.
      type: str
      sample: aig-53fvrq1oanz6c
    app_instance_group_name:
      description: Its name.
      type: str
      sample: office-apps
    region_id:
      description: Its region.
      type: str
      sample: cn-shanghai
    product_type:
      description: Its product type.
      type: str
      sample: CloudApp
    status:
      description: Its status.
      type: str
      sample: PUBLISHED
    os_type:
      description: Its operating system type.
      type: str
      sample: Windows
    gmt_create:
      description: When it was created, as the API gives it.
      type: str
      sample: "2026-01-05T08:00:00.000+08:00"
    app_center_image_id:
      description: Its image.
      type: str
      sample: img-8z4nztpaqvay4jmht
    ota:
      description: Its OTA state.
      type: dict
      contains:
        ota_version:
          description: The system component version it runs.
          type: str
          sample: 0.0.1-R-20220708.110604
        new_ota_version:
          description: The version it is offered; empty when no update is available.
          type: str
          sample: 0.0.2-R-20221130.000000
        task_id:
          description: Its current OTA task; while an update is available and not approved, the pending task to approve.
          type: str
          sample: ota-pending01
        update_available:
          description: Whether an update is available (O(ignore:new_ota_version) not empty).
          type: bool
          sample: true
        release_note:
          description: The release note of the pending update (only with O(release_notes=true); null without an update).
          type: str
          returned: when O(release_notes=true)
          sample: Fixes the clipboard redirection.
total_count:
  description: The number of groups returned.
  returned: success
  type: int
  sample: 3
updates_available:
  description: How many of the returned groups have an update available.
  returned: success
  type: int
  sample: 2
region_id:
  description: The region that was listed.
  returned: success
  type: str
  sample: cn-shanghai
'''

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.groups import argument_spec, parse, report
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.module import AppStreamingModule


def main():
    AppStreamingModule(argument_spec()).run(parse, report)


if __name__ == '__main__':
    main()
