# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``error`` every module returns on an API error (module_utils/module.py fails with it).

A RETURN fragment: ansible-core 2.17 does not merge fragments into RETURN (its ansible-doc lists
``extends_documentation_fragment`` as a return value, its validate-modules fails on it), so each
module's RETURN holds this text itself, and tests/unit/plugins/doc_fragments/test_error.py keeps
every copy equal to this one. When 2.17 is no longer supported, the modules can name this fragment
in their RETURN instead.
"""

from __future__ import annotations


class ModuleDocFragment:

    RETURN = r'''
error:
  description: On an API error that retries could not get past, its code, message, request id, HTTP status and troubleshooting link.
  returned: on an API error
  type: dict
  sample: {"code": "InvalidAppInstanceGroup.NotFound", "message": "The app instance group is not found.",
           "request_id": "1CBAFFAB-B697-4049-A9B1-67E1FC5F0000", "http_status": 400, "recommend": "https://api.aliyun.com/troubleshoot"}
'''
