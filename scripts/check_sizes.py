#!/usr/bin/env python3
"""Size limits: every tracked source file at most 400 lines, every C++ function body at most 80.

Source files are the tracked .h, .cpp, .py, .sh, .cmake and CMakeLists.txt files and the
extensionless scripts that start with "#!" (scripts/start, .ci/run, ...), tests included;
resources/ (generated and third-party data) and binary files are left out. What counts as a
C++ function and how its lines are counted: scripts/cpp_functions.py.

Prints one line per offender ("path:line: name is N lines (limit 80)") and exits 1 if any.
Usage: scripts/check_sizes.py [REPO]   (REPO defaults to this script's repository)
"""
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in scripts/ of a clean clone
from cpp_functions import ScanError, function_lengths  # noqa: E402

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 80
SOURCE_SUFFIXES = ('.h', '.cpp', '.py', '.sh', '.cmake')
CPP_SUFFIXES = ('.h', '.cpp')
EXCLUDED_DIRS = ('resources/',)


def tracked_files(root):
    try:
        listed = subprocess.run(['git', '-C', root, 'ls-files', '-z'], check=True,
                                capture_output=True).stdout.decode().split('\0')
        return sorted(p for p in listed if p)
    except (OSError, subprocess.CalledProcessError):
        found = []
        for dirpath, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(('.git', 'build'))]
            found += [os.path.relpath(os.path.join(dirpath, n), root) for n in names]
        return sorted(found)


def source_text(root, path):
    """The file's text if it is a source file under the limits, else None."""
    if path.startswith(EXCLUDED_DIRS):
        return None
    try:
        with open(os.path.join(root, path), 'rb') as f:
            data = f.read()
        text = data.decode('utf-8')
    except (OSError, UnicodeDecodeError):
        return None
    if '\0' in text:
        return None
    name = os.path.basename(path)
    if name == 'CMakeLists.txt' or name.endswith(SOURCE_SUFFIXES):
        return text
    if '.' not in name and text.startswith('#!'):
        return text
    return None


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), '..'))
    faults, files, functions = [], 0, 0
    for path in tracked_files(root):
        text = source_text(root, path)
        if text is None:
            continue
        files += 1
        lines = text.count('\n') + (0 if text.endswith('\n') or not text else 1)
        if lines > MAX_FILE_LINES:
            faults.append(f'{path}: {lines} lines (limit {MAX_FILE_LINES})')
        if not path.endswith(CPP_SUFFIXES):
            continue
        try:
            found = function_lengths(text)
        except ScanError as e:
            faults.append(f'{path}:{e.line}: cannot scan: {e}')
            continue
        functions += len(found)
        for line, name, length in found:
            if length > MAX_FUNCTION_LINES:
                faults.append(f'{path}:{line}: {name} is {length} lines '
                              f'(limit {MAX_FUNCTION_LINES})')
    for fault in faults:
        print(fault)
    if faults:
        print(f'check_sizes: {len(faults)} over the limits', file=sys.stderr)
        return 1
    print(f'check_sizes: {files} files, {functions} C++ functions, all within the limits')
    return 0


if __name__ == '__main__':
    sys.exit(main())
