# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark stub: return a saved module result through exit_json, doing nothing else.

``ansible localhost -M tests/bench/library -m bench_replay -a path=RESULT.json`` costs what Ansible
alone costs for a result of that size (module start, exit_json, the controller's result handling
and printing); run_bench.py sets it beside the real module, which returns the same result.
"""

from __future__ import annotations

import json

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(path=dict(type='path', required=True)))
    with open(module.params['path'], encoding='utf-8') as handle:
        result = json.load(handle)
    result.pop('invocation', None)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
