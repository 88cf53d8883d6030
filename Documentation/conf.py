# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration for zheap's documentation: `make htmldocs`.
#
# The kernel-doc comments are pulled from the sources by the kernel's own
# kerneldoc extension and scripts/kernel-doc, both from the linux-source
# tree that scripts/setup.sh unpacks (ZHEAP_SRC).

import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
srctree = os.path.dirname(here)
ksrc = os.environ.get('ZHEAP_SRC')
if not ksrc or not os.path.isdir(os.path.join(ksrc, 'Documentation', 'sphinx')):
    raise RuntimeError('ZHEAP_SRC must name an unpacked linux-source tree '
                       '(run scripts/setup.sh; make htmldocs sets it)')
sys.path.insert(0, os.path.join(ksrc, 'Documentation', 'sphinx'))

project = 'zheap'
copyright = 'The zheap authors'
with open(os.path.join(srctree, 'VERSION')) as f:
    release = f.read().strip()
version = release

extensions = ['kerneldoc', 'rstFlatTable']
kerneldoc_bin = os.path.join(ksrc, 'scripts', 'kernel-doc')
kerneldoc_srctree = srctree
kerneldoc_verbosity = 1

# The C domain as the kernel uses it: attributes it knows.
c_id_attributes = ['__must_check', '__always_inline', 'noinline',
                   '__init', '__exit']

master_doc = 'index'
source_suffix = '.rst'
exclude_patterns = ['_build']
primary_domain = 'c'
highlight_language = 'none'
html_theme = 'alabaster'
html_title = 'zheap ' + release
html_static_path = []
