"""The pre-commit hook and the GitHub Action, run locally as pre-commit and GitHub would run them."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCHEMA = Path(__file__).parent / "resources" / "sarif" / "sarif-2.1.0-rtm.5.json"
DOC_FILE = "graph/optimism-vs-intelligence.trig"
CLAIMANT_LINE = "        cg:claimant    actor:us-intelligence-agencies ;\n"
CLAIM = "claim:us-intel-negotiation-assumptions-misaligned"


def hook() -> dict[str, Any]:
    (definition,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(definition, dict)
    return definition


def action() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def step(step_id: str | None = None, *, name: str | None = None) -> dict[str, Any]:
    for s in action()["runs"]["steps"]:
        if (step_id is not None and s.get("id") == step_id) or (name is not None and s.get("name") == name):
            assert isinstance(s, dict)
            return s
    raise AssertionError(f"action.yml has no step {step_id or name!r}")


def environment(**extra: str) -> dict[str, str]:
    """The environment of a CI job with claimgraph installed: this virtualenv first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMGRAPH_", "GITHUB_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def break_a_claim(root: Path) -> int:
    """Delete a claimant, as in a pull request; the line of the claim's subject."""
    path = root / DOC_FILE
    text = path.read_text(encoding="utf-8")
    assert CLAIMANT_LINE in text
    path.write_text(text.replace(CLAIMANT_LINE, "", 1), encoding="utf-8")
    return text.splitlines().index(f"    {CLAIM}") + 1


# --- pre-commit ----------------------------------------------------------------------------------


def test_hook_definition_validates_the_whole_data_directory() -> None:
    definition = hook()
    assert definition["id"] == "claimgraph-validate"
    assert definition["entry"] == "claimgraph validate"
    assert definition["language"] == "python"
    assert definition["pass_filenames"] is False  # SHACL needs the union of all graphs
    files = re.compile(definition["files"])
    for path in ["graph/x.trig", "graph/archive/x.txt", "ontology/shapes.ttl", "data/graph/x.nq", "graph/x.jsonld"]:
        assert files.search(path), path
    for path in ["README.md", "src/claimgraph/cli.py", "graphs.txt", "tests/resources/x.trig"]:
        assert not files.search(path), path


def run_entry_as_pre_commit(root: Path, *extra_args: str) -> subprocess.CompletedProcess[str]:
    """The hook's entry with its args and no file names, in the repository root, as pre-commit runs it."""
    definition = hook()
    command = [*shlex.split(definition["entry"]), *definition.get("args", []), *extra_args]
    return subprocess.run(command, cwd=root, env=environment(), capture_output=True, text=True, timeout=300)


def test_hook_entry_passes_fails_and_reports_like_pre_commit_would(data_copy: Path) -> None:
    strict = run_entry_as_pre_commit(data_copy)
    assert strict.returncode == 1  # the bundled graph's warning fails without --allow-warnings
    assert "Provenance FAILS: 0 violations, 1 warning" in strict.stdout
    lenient = run_entry_as_pre_commit(data_copy, "--allow-warnings")
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    break_a_claim(data_copy)
    broken = run_entry_as_pre_commit(data_copy, "--allow-warnings")
    assert broken.returncode == 1
    assert f"VIOLATION {CLAIM} cg:claimant:" in broken.stdout


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=claimgraph tests", "-c", "user.email=tests@claimgraph.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.network
def test_pre_commit_try_repo_runs_the_hook(tmp_path: Path, data_copy: Path) -> None:
    """pre-commit builds its own virtualenv from a git repository of claimgraph (pip, from PyPI)."""
    if shutil.which("git") is None or not (BIN / "pre-commit").is_file():
        pytest.skip("git or pre-commit is not installed")
    hook_repo = tmp_path / "claimgraph"
    hook_repo.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, hook_repo / name)
    for name in ("src", "ontology", "graph", "queries"):
        shutil.copytree(REPO / name, hook_repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git(hook_repo, "init", "-q")
    git(hook_repo, "add", "-A")
    git(hook_repo, "commit", "-q", "-m", "claimgraph")
    line = break_a_claim(data_copy)
    git(data_copy, "init", "-q")
    git(data_copy, "add", "-A")
    result = subprocess.run(
        [str(BIN / "pre-commit"), "try-repo", str(hook_repo), "claimgraph-validate", "--all-files"],
        cwd=data_copy,
        env=environment(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home")),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"claimgraph validate \(provenance\)\.+Failed", result.stdout), result.stdout
    assert f"VIOLATION {CLAIM} cg:claimant:" in result.stdout
    assert line > 1


# --- GitHub Action -------------------------------------------------------------------------------


def test_action_is_a_composite_that_installs_validates_uploads_and_fails() -> None:
    definition = action()
    assert definition["runs"]["using"] == "composite"
    assert set(definition["inputs"]) >= {"data", "allow-warnings", "sarif"}
    install = step(name="Install claimgraph")
    assert "$CLAIMGRAPH_ACTION_PATH" in install["run"]
    assert install["env"]["CLAIMGRAPH_ACTION_PATH"] == "${{ github.action_path }}"
    upload = step(name="Upload SARIF to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif }}"
    fail = step(name="Fail on violations")
    assert fail["if"] == "steps.validate.outputs.exit-code != '0'"
    for s in definition["runs"]["steps"]:
        # Inputs reach scripts through the environment only: no ${{ }} spliced into shell code.
        assert "${{" not in s.get("run", ""), s["name"]


def run_validation_step(workspace: Path, *, data: str = ".", allow_warnings: str = "false") -> tuple[int, str, Path]:
    """The action's validation step, its ``run:`` script executed by bash as the runner would."""
    validate = step("validate")
    assert validate["shell"] == "bash"
    outputs = workspace.parent / "github-output"
    outputs.write_text("", encoding="utf-8")
    sarif = "claimgraph.sarif"
    env = environment(
        CLAIMGRAPH_DATA=data,
        CLAIMGRAPH_ALLOW_WARNINGS=allow_warnings,
        CLAIMGRAPH_SARIF=sarif,
        GITHUB_OUTPUT=str(outputs),
    )
    # GitHub runs `bash --noprofile --norc -eo pipefail {0}` for shell: bash.
    script = workspace.parent / "validate-step.sh"
    script.write_text(validate["run"], encoding="utf-8")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())
    assert done.returncode == (0 if int(found["exit-code"]) < 2 else int(found["exit-code"])), done.stderr
    return int(found["exit-code"]), done.stdout + done.stderr, workspace / sarif


def sarif_errors(path: Path) -> list[tuple[str, str, int]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(document)
    found = []
    for result in document["runs"][0]["results"]:
        if result["level"] == "error":
            physical = result["locations"][0]["physicalLocation"]
            found.append((result["ruleId"], physical["artifactLocation"]["uri"], physical["region"]["startLine"]))
    return found


def test_action_validation_step_on_good_and_broken_data(data_copy: Path) -> None:
    code, log, sarif = run_validation_step(data_copy)
    assert code == 1  # the bundled graph's warning fails unless allowed
    assert sarif_errors(sarif) == []
    assert "claimgraph: 0 violations, 1 warnings" in log

    code, log, sarif = run_validation_step(data_copy, allow_warnings="true")
    assert code == 0
    assert sarif_errors(sarif) == []

    line = break_a_claim(data_copy)
    code, log, sarif = run_validation_step(data_copy, allow_warnings="true")
    assert code == 1
    assert sarif_errors(sarif) == [("cgsh:Claim-claimant", DOC_FILE, line)]
    assert f"{DOC_FILE}:{line}: error: {CLAIM} cg:claimant: A claim needs exactly one claimant" in log


def test_action_validation_step_with_data_in_a_subdirectory(tmp_path: Path, data_copy: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.move(str(data_copy), workspace / "claims")
    line = break_a_claim(workspace / "claims")
    code, _, sarif = run_validation_step(workspace, data="claims", allow_warnings="true")
    assert code == 1
    assert sarif_errors(sarif) == [("cgsh:Claim-claimant", f"claims/{DOC_FILE}", line)]


def test_action_validation_step_stops_on_an_input_error(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    code, log, sarif = run_validation_step(workspace, data="missing")
    assert code == 2
    assert "::error title=claimgraph::validation could not run (exit code 2)" in log
    assert not sarif.exists()


def test_action_fail_step_fails_the_job(tmp_path: Path) -> None:
    fail = step(name="Fail on violations")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", fail["run"]],
        env=environment(CLAIMGRAPH_EXIT_CODE="1"),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "::error title=claimgraph::provenance validation failed (exit code 1)" in done.stdout
