# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``error`` every module returns on an API error (module_utils/module.py fails with errors.ApiError.details()).

Documented once, as a note every module takes: ansible-core 2.17, which the collection supports,
does not merge fragments into RETURN (its ansible-doc lists ``extends_documentation_fragment`` as
a return value and its validate-modules fails on it), while notes merge on every core.
"""

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r'''
options: {}
notes:
  - "On an API error that retries could not get past, the task fails and its result also has C(error), a dictionary with the
    error's C(code), C(message), C(request_id), C(http_status) and C(recommend) (Alibaba Cloud's troubleshooting link), for
    example C({\"code\": \"InvalidAppInstanceGroup.NotFound\", \"message\": \"The app instance group is not found.\",
    \"request_id\": \"1CBAFFAB-B697-4049-A9B1-67E1FC5F0000\", \"http_status\": 400, \"recommend\": \"https://api.aliyun.com/troubleshoot\"})."
'''
