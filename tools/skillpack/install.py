"""Copy the pack's skills and agents into an agent's folder (``skillpack skills install``).

The sources in ``skills/`` stay valid Agent Skills; a flavour may add an agent's own
frontmatter switches to the installed copies only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from skillpack.errors import InputError, known_values

FLAVORS = ("plain", "claude")

#: frontmatter lines a flavour adds to each installed SKILL.md
_FLAVOR_SKILL_LINES = {
    "plain": (),
    # Each skill is a single step an orchestrator or the user calls on purpose.
    "claude": ("disable-model-invocation: true",),
}


@dataclass(frozen=True)
class Installed:
    """One file the install wrote or found current."""

    path: str
    action: str  # created | updated | unchanged


def pack_root() -> Path:
    """Where ``skills/`` and ``agents/`` are: inside the wheel, or the source checkout."""
    here = Path(__file__).resolve().parent
    bundled = here / "_data"
    if (bundled / "skills").is_dir():
        return bundled
    checkout = here.parent.parent
    if (checkout / "skills").is_dir():
        return checkout
    raise InputError(
        "this installation has no skills folder",
        hint="reinstall connector-skillpack from a wheel or a full checkout",
    )


def _with_flavor(text: str, flavor: str) -> str:
    extra = _FLAVOR_SKILL_LINES[flavor]
    if not extra or not text.startswith("---\n"):
        return text
    end = text.index("\n---", 4)
    head = text[4:end].splitlines()
    head += [line for line in extra if line not in head]
    return "---\n" + "\n".join(head) + text[end:]


def _put(path: Path, text: str, done: list[Installed]) -> None:
    if path.exists():
        action = "unchanged" if path.read_text(encoding="utf-8") == text else "updated"
    else:
        action = "created"
    if action != "unchanged":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    done.append(Installed(str(path), action))


def install_skills(target: str | Path, flavor: str = "plain") -> list[Installed]:
    """Copy every skill folder to TARGET/skills and every agent to TARGET/agents."""
    if flavor not in FLAVORS:
        raise InputError(known_values("flavor", flavor, FLAVORS), hint="use --flavor claude")
    root = pack_root()
    target = Path(target).expanduser()
    if target.exists() and not target.is_dir():
        raise InputError(f"target `{target}` is not a folder", hint="pass a folder path")
    done: list[Installed] = []
    for skill_dir in sorted(p for p in (root / "skills").iterdir() if p.is_dir()):
        if not (skill_dir / "SKILL.md").exists():
            continue
        for file in sorted(f for f in skill_dir.rglob("*") if f.is_file()):
            rel = file.relative_to(root)
            text = file.read_text(encoding="utf-8")
            if file.name == "SKILL.md":
                text = _with_flavor(text, flavor)
            _put(target / rel, text, done)
    for agent in sorted((root / "agents").glob("*.md")):
        _put(target / "agents" / agent.name, agent.read_text(encoding="utf-8"), done)
    return done


__all__ = ["FLAVORS", "Installed", "install_skills", "pack_root"]
