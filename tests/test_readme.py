"""The README's reference must not drift from the code it documents."""

import re

from conftest import REPO

from sitegen.config import SETTABLE
from sitegen.content import schema

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_front_matter_table_is_the_generated_one():
    block = re.search(r"<!-- keys:start.*?-->\n(.*?)\n<!-- keys:end -->", README, re.S)
    assert block, "README lost its generated front-matter table"
    assert block.group(1) == schema.reference_table()


def test_every_setting_is_documented():
    for name in SETTABLE:
        assert f"`{name}`" in README, f"setting {name} is missing from the README"


def test_quick_start_commands_exist():
    assert "./dev site" in README and "./dev test" in README
    script = (REPO / "dev").read_text()
    assert "site)" in script and "test)" in script
    assert "./dev test" in (REPO / ".ci" / "run").read_text()
