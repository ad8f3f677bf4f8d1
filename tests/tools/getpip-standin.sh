#!/usr/bin/env bash
# Put the offline get-pip stand-in (tests/tools/get_pip_standin.py) where
# ansible-test looks for its cached bootstrap script:
#   $HOME/.ansible/test/cache/get_pip_<ver>.py
# <ver> is the pip version the installed ansible-test wants (the pip='...'
# value in ansible_test/_internal/python_requirements.py). HOME is the private
# one set by isolate_env (.build/home). Prints the path written.
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
isolate_env
require_venv

ansible_test_dir=$("$VENV/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
requirements_py="$ansible_test_dir/_internal/python_requirements.py"
[[ -f "$requirements_py" ]] || die "cannot find $requirements_py"
pip_version=$(sed -n "s/^[[:space:]]*pip='\([0-9][0-9.]*\)',.*$/\1/p" "$requirements_py" | head -n1)
[[ -n "$pip_version" ]] || die "cannot find the pip='...' version in $requirements_py"

cache_path="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$cache_path")"
cp "$ROOT/tests/tools/get_pip_standin.py" "$cache_path"
echo "$cache_path"
