# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: ota_tasks
short_description: The OTA update tasks of App Streaming delivery groups
version_added: 0.1.0
description:
  - Returns the over-the-air (OTA) update tasks of one or more Alibaba Cloud App Streaming (Wuying) delivery groups,
    read with the C(ListOtaTask) API (every page), as a flat list of task dicts.
  - Tasks come in API order (newest first), group by group in the order the terms give them.
  - Runs on the controller. It shares its client, credential resolution, retries and filters with
    M(alibabacloud.appstreaming.ota_task_info); the task dicts are the same as that module's RV(alibabacloud.appstreaming.ota_task_info#module:ota_tasks).
author:
  - App Streaming collection maintainers (@alibabacloud-ansible)
options:
  _terms:
    description: One or more delivery group ids (C(aig-...)).
    required: true
    type: list
    elements: str
  ota_type:
    description: The type of OTA task; C(Fota) is the only type the API knows.
    type: str
    default: Fota
    choices: [Fota]
  statuses:
    description: Only return tasks in one of these statuses.
    type: list
    elements: str
    choices: [STANDBY, RUNNING, FINISHED, PART_FINISHED, FAILED, TERMINATED]
  task_ids:
    description: Only return the tasks with these task ids.
    type: list
    elements: str
  ota_version:
    description: Only return the tasks of this OTA version.
    type: str
extends_documentation_fragment:
  - alibabacloud.appstreaming.connection
  - alibabacloud.appstreaming.connection.plugins
notes:
  - Lookups do not receive C(module_defaults). Set the connection options as keyword arguments, as the
    C(ansible_appstreaming_*) variables listed with each option (for example in C(group_vars), once per inventory; the
    wait action and the role read the same variables), or as environment variables - in that order of precedence, then
    the region of the credential profile in use, then C(cn-shanghai). A keyword set to C(omit) falls through to the next source.
  - Use C(query()) or C(lookup(..., wantlist=true)) to get a list; plain C(lookup()) joins the tasks into a string.
  - Each call resolves credentials once and uses one HTTP session for all its groups.
seealso:
  - module: alibabacloud.appstreaming.ota_task_info
'''

EXAMPLES = r'''
- name: Every task of two delivery groups
  ansible.builtin.debug:
    msg: "{{ query('alibabacloud.appstreaming.ota_tasks', 'aig-53fvrq1oanz6c', 'aig-9x2kq7h1c3m0d') }}"

- name: Running tasks only, as a fact
  ansible.builtin.set_fact:
    running: "{{ lookup('alibabacloud.appstreaming.ota_tasks', 'aig-53fvrq1oanz6c', statuses=['RUNNING'], wantlist=true) }}"

- name: Loop over the tasks of one OTA version
  ansible.builtin.debug:
    msg: "{{ item.task_id }} is {{ item.task_display_status }}"
  loop: "{{ query('alibabacloud.appstreaming.ota_tasks', 'aig-53fvrq1oanz6c', ota_version='0.0.1-R-20220708.110604') }}"

- name: Connection settings from variables (for example in group_vars), once for every lookup
  vars:
    ansible_appstreaming_region_id: ap-southeast-1
    ansible_appstreaming_profile: ops
  ansible.builtin.debug:
    msg: "{{ query('alibabacloud.appstreaming.ota_tasks', 'aig-53fvrq1oanz6c') | length }} tasks"
'''

RETURN = r'''
_raw:
  description:
    - The tasks, each a dict with C(task_id), C(ota_version), C(task_display_status), C(task_start_time) and
      C(app_instance_group_id), as RV(alibabacloud.appstreaming.ota_task_info#module:ota_tasks) describes them.
  type: list
  elements: dict
'''

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.client import run
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.errors import AppStreamingError, OptionError
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.module import missing_library
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.tasks import argument_spec
from ansible_collections.alibabacloud.appstreaming.plugins.plugin_utils.options import controller_params, plain, validate

display = Display()

_PAGING_OPTIONS = ('page_size', 'page_number')


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        hint = missing_library()
        if hint:
            raise AnsibleLookupError(hint)
        spec = argument_spec()
        for name in _PAGING_OPTIONS:
            del spec[name]
        spec.update(connection_argument_spec())
        variables = variables or {}
        try:
            if 'app_instance_group_ids' in kwargs or 'app_instance_group_id' in kwargs:
                raise OptionError('give the delivery group ids as the terms of the lookup, not as app_instance_group_ids')
            params, origins = controller_params(spec, kwargs, variables, self._templar, omit=variables.get('omit'))
            params['app_instance_group_ids'] = _flatten(plain(terms))
            result, warnings = run(validate(spec, params, origins))
        except AppStreamingError as exc:
            raise AnsibleLookupError('alibabacloud.appstreaming.ota_tasks: %s' % exc) from None
        for warning in warnings:
            display.warning(warning)
        return result['ota_tasks']


def _flatten(terms):
    groups = []
    for term in terms if isinstance(terms, (list, tuple)) else [terms]:
        if isinstance(term, (list, tuple)):
            groups.extend(_flatten(term))
        else:
            groups.append(term)
    return groups
