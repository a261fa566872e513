"""Cells to and from hoc.

:func:`to_hoc` / :func:`export_hoc` write any :class:`~cablemodels.cell.Cell` as
a hoc template (``begintemplate`` ... ``endtemplate``). The template is read off
the live NEURON sections, not off the builder's parameters, so it holds exactly
what the cell holds: topology, geometry (3-D points where the section has them),
``nseg``, ``Ra``, ``cm``, every density mechanism with every PARAMETER of every
segment, ion concentrations and ``ion_style``, and the GLOBAL parameters of our
mechanisms. Numbers are written with 17 significant digits, so the hoc cell is
the same model to the last bit. Anything that cannot be written faithfully
(a point process, a mechanism from another library, a section joined to another
cell, a non-finite value) raises :class:`UnexportableError`.

:func:`wrap_hoc` goes the other way: sections made by hoc (a template instance,
a SectionList or any iterable of sections) become a :class:`HocCell`, with roles
assigned by section-name patterns, ready for ``protocols`` and ``energy``.

The template's interface is documented in ``docs/hoc.md``.
"""

from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path
from typing import Iterable, Mapping

from . import __version__, mechanisms
from .biophysics import Ions
from .cell import ROLES, Cell, hoc
from .files import write_replacing

#: NEURON's own density mechanisms that an exported template may use.
BUILTIN_MECHANISMS = ("pas", "hh", "extracellular", "fastpas")

#: Name of the public SectionList holding each role's sections.
ROLE_LISTS = {"soma": "somatic", "dendrite": "dendritic", "axon": "axonal",
              "node": "nodes", "paranode": "paranodes", "internode": "internodes"}

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class UnexportableError(ValueError):
    """The cell has something a hoc template from cablemodels cannot reproduce."""


# --------------------------------------------------------------------------- helpers
def _num(value: float, what: str) -> str:
    """``value`` as a hoc literal that reads back to the same double."""
    value = float(value)
    if not math.isfinite(value):
        raise UnexportableError(f"{what} is {value!r}; hoc cannot hold a non-finite value")
    return repr(value)


def _density_mechanisms() -> list[str]:
    h = hoc()
    names, name = [], h.ref("")
    mt = h.MechanismType(0)
    for i in range(int(mt.count())):
        mt.select(i)
        mt.selected(name)
        names.append(name[0])
    return names


def _range_parameters(mechanism: str) -> list[tuple[str, int]]:
    """(hoc name, array size) of each PARAMETER range variable of ``mechanism``."""
    h = hoc()
    ms = h.MechanismStandard(mechanism, 1)
    name, out = h.ref(""), []
    for i in range(int(ms.count())):
        size = int(ms.name(name, i))
        out.append((name[0], size))
    return out


def _block(text: str, keyword: str) -> str:
    match = re.search(rf"^\s*{keyword}\s*{{(.*?)}}", text, re.S | re.M)
    return match.group(1) if match else ""


def global_parameters() -> dict[str, list[str]]:
    """Mechanism -> names of its GLOBAL variables that are PARAMETERs (from our sources)."""
    out = {}
    for path in mechanisms.mod_files():
        text = re.sub(r"^\s*COMMENT.*?ENDCOMMENT", "", path.read_text(), flags=re.S | re.M)
        text = re.sub(r":.*", "", text)
        suffix = re.search(r"\b(?:SUFFIX|POINT_PROCESS)\s+(\w+)", text)
        if not suffix:
            continue
        neuron_block = _block(text, "NEURON")
        globals_ = {g for line in re.findall(r"GLOBAL\s+([^\n]+)", neuron_block)
                    for g in re.findall(r"\w+", line)}
        params = {m.group(1) for m in re.finditer(r"^\s*([A-Za-z_]\w*)", _block(text, "PARAMETER"),
                                                  re.M)}
        out[suffix.group(1)] = sorted(globals_ & params)
    return out


def _decode_ion_style(style: int) -> tuple[int, int, int, int, int]:
    """NEURON's packed ``ion_style`` (c + 4 cinit + 8 e + 32 einit + 64 eadvance)
    as the (c_style, e_style, einit, eadvance, cinit) arguments of ``ion_style``."""
    return style & 3, (style >> 3) & 3, (style >> 5) & 1, (style >> 6) & 1, (style >> 2) & 1


def _values(sec, getter, what: str) -> list[str]:
    """Assignments for one range quantity: whole-section if uniform, else per segment."""
    values = [getter(seg) for seg in sec]
    if all(v == values[0] for v in values):
        return [f"= {_num(values[0], what)}"]
    return [f"({_num(seg.x, 'x')}) = {_num(v, what)}" for seg, v in zip(sec, values)]


def _assign(lines: list[str], indent: str, name: str, sec, getter, what: str) -> None:
    for rhs in _values(sec, getter, what):
        sep = "" if rhs.startswith("(") else " "
        lines.append(f"{indent}{name}{sep}{rhs}")


# --------------------------------------------------------------------------- export
def _cell_sections(cell: Cell) -> list[tuple[object, str]]:
    """(section, hoc name) in NEURON's creation order."""
    h = hoc()
    names = {}
    for role in ROLES:
        for i, sec in enumerate(cell.sections(role)):
            names[sec] = f"{role}[{i}]"
    if not names:
        raise UnexportableError(f"cell {cell.name} has no sections")
    ordered = [(sec, names[sec]) for sec in h.allsec() if sec in names]
    if len(ordered) != len(names):
        raise UnexportableError(f"cell {cell.name} holds sections NEURON no longer has")
    return ordered


def _check_exportable(cell: Cell, sections, allowed: set[str], density: list[str]) -> None:
    for sec, name in sections:
        info = sec.psection()
        points = info["point_processes"]
        if points:
            kinds = ", ".join(sorted(points))
            raise UnexportableError(
                f"section {name} of {cell.name} carries point processes ({kinds}); a cell "
                "template holds density mechanisms only. Remove them (they belong to the "
                "stimulus or synapse set-up, which the hoc script creates itself)")
        for mech in info["density_mechs"]:
            if mech not in allowed:
                raise UnexportableError(
                    f"section {name} of {cell.name} has mechanism {mech!r}, which is neither "
                    "cablemodels' nor built into NEURON; the exported template could not be "
                    "loaded with cablemodels' library alone")
        for ion in _ions_of(sec, density):
            if _decode_ion_style(int(hoc().ion_style(f"{ion}_ion", sec=sec)))[4]:
                raise UnexportableError(
                    f"section {name} of {cell.name} re-initialises {ion} concentrations from "
                    "NEURON's globals (ion_style cinit=1); a template sets per-segment "
                    "concentrations, which would silently replace the shared globals")


def to_hoc(cell: Cell, template: str | None = None, set_celsius: bool = False) -> str:
    """The cell as the text of a hoc template named ``template``.

    Parameters
    ----------
    cell
        Any cell a builder returned (or a :class:`HocCell`).
    template
        hoc name of the template; default ``Cm_`` + the cell's name.
    set_celsius
        If true, the template's ``init`` also sets NEURON's global ``celsius`` to the
        cell's ``celsius_degC`` (degC) whenever an instance is created. Tools that
        never read ``celsius_degC`` (NetPyNE's default is 6.3 degC) then run the cell
        at the temperature it was built for. Off by default: ``celsius`` is shared by
        every cell of the process, and the last instance created would set it.

    Raises
    ------
    UnexportableError
        If the cell has a point process, a mechanism outside cablemodels and NEURON's
        built-ins, a section connected to a section of another cell, or a non-finite value.
    ValueError
        If ``template`` is not a hoc identifier.
    """
    h = hoc()
    template = template or "Cm_" + re.sub(r"\W", "_", cell.name)
    if not _IDENT.match(template):
        raise ValueError(f"template name {template!r} is not a hoc identifier "
                         "(letter, then letters, digits or _)")
    sections = _cell_sections(cell)
    hoc_name = dict(sections)
    ours = set(mechanisms.mechanism_names())
    all_density = _density_mechanisms()
    allowed = ours | set(BUILTIN_MECHANISMS)
    _check_exportable(cell, sections, allowed, all_density)
    roles = [r for r in ROLES if cell.sections(r)]

    out = _header(cell, template, roles, set_celsius)
    out.append(f"begintemplate {template}")
    public = [ROLE_LISTS[r] for r in ROLES] + ["all"] + roles + ["celsius_degC"]
    if cell.cached_rest() is not None:
        public.append("v_rest_mV")
    out.append("public " + ", ".join(public))
    out.append("objref " + ", ".join(["all"] + [ROLE_LISTS[r] for r in ROLES]))
    out.append("create " + ", ".join(f"{r}[{len(cell.sections(r))}]" for r in roles))
    out.append("")
    out.append("proc init() {")
    out.append(f"    celsius_degC = {_num(cell.temperature_degC, 'temperature')}")
    if set_celsius:
        out.append("    celsius = celsius_degC  // exported with set_celsius=True")
    if cell.cached_rest() is not None:
        out.append(f"    v_rest_mV = {_num(cell.cached_rest(), 'resting potential')}")
    out.append("    connect_sections()\n    set_geometry()\n    set_biophysics()\n    fill_section_lists()")
    out.append("    set_globals()\n}\n")

    # topology
    out.append("proc connect_sections() {")
    for sec, name in sections:
        parent = sec.parentseg()
        if parent is None:
            continue
        if parent.sec not in hoc_name:
            raise UnexportableError(f"section {name} of {cell.name} is connected to "
                                    f"{parent.sec.name()}, which belongs to no role of the cell")
        out.append(f"    connect {name}({_num(sec.orientation(), 'x')}), "
                   f"{hoc_name[parent.sec]}({_num(parent.x, 'x')})")
    out.append("}\n")

    # geometry
    out.append("proc set_geometry() {")
    for sec, name in sections:
        out.append(f"    {name} {{")
        n3d = int(sec.n3d())
        if n3d:
            out.append("        pt3dclear()")
            for i in range(n3d):
                pts = ", ".join(_num(v, f"3-D point {i} of {name}") for v in
                                (sec.x3d(i), sec.y3d(i), sec.z3d(i), sec.diam3d(i)))
                out.append(f"        pt3dadd({pts})")
            out.append(f"        nseg = {sec.nseg}")
        else:
            out.append(f"        L = {_num(sec.L, f'L of {name}')}")
            out.append(f"        nseg = {sec.nseg}")
            _assign(out, "        ", "diam", sec, lambda s: s.diam, f"diam of {name}")
        out.append(f"        Ra = {_num(sec.Ra, f'Ra of {name}')}")
        out.append("    }")
    out.append("}\n")

    # biophysics
    out.append("proc set_biophysics() {")
    used = []
    for sec, name in sections:
        out.append(f"    {name} {{")
        _assign(out, "        ", "cm", sec, lambda s: s.cm, f"cm of {name}")
        present = [m for m in all_density if m in allowed and sec.has_membrane(m)]
        for mech in present:
            out.append(f"        insert {mech}")
            if mech not in used:
                used.append(mech)
        for mech in present:
            for pname, size in _range_parameters(mech):
                if size == 1:
                    _assign(out, "        ", pname, sec, lambda s, p=pname: getattr(s, p),
                            f"{pname} of {name}")
                else:
                    for k in range(size):
                        _assign(out, "        ", f"{pname}[{k}]", sec,
                                lambda s, p=pname, k=k: getattr(s, p)[k], f"{pname}[{k}] of {name}")
        for ion in _ions_of(sec, all_density):
            for var in (f"{ion}i", f"{ion}o", f"e{ion}"):
                _assign(out, "        ", var, sec, lambda s, v=var: getattr(s, v),
                        f"{var} of {name}")
            style = _decode_ion_style(int(h.ion_style(f"{ion}_ion", sec=sec)))
            out.append(f"        ion_style(\"{ion}_ion\", {', '.join(map(str, style))})")
        out.append("    }")
    out.append("}\n")

    # section lists
    out.append("proc fill_section_lists() {")
    out.append("    all = new SectionList()")
    for role in ROLES:
        out.append(f"    {ROLE_LISTS[role]} = new SectionList()")
    for sec, name in sections:
        role = name.split("[")[0]
        out.append(f"    {name} {{ all.append() {ROLE_LISTS[role]}.append() }}")
    out.append("}\n")

    # globals
    out.append("// GLOBAL parameters are shared by every cell in the process; these are the")
    out.append("// values this cell was built with.")
    out.append("proc set_globals() {")
    gparams = global_parameters()
    for mech in used:
        for g in gparams.get(mech, []):
            full = f"{g}_{mech}"
            out.append(f"    {full} = {_num(getattr(h, full), full)}")
    out.append("}\n")
    out.append(f"endtemplate {template}")
    return "\n".join(out) + "\n"


def _ions_of(sec, density: list[str]) -> list[str]:
    """Ions present in ``sec`` (``na``, ``k``, ...), in NEURON's mechanism order
    (``density``: :func:`_density_mechanisms`)."""
    return [m[:-4] for m in density if m.endswith("_ion") and sec.has_membrane(m)]


def _header(cell: Cell, template: str, roles: list[str], set_celsius: bool) -> list[str]:
    info = mechanisms.load()
    params = textwrap.wrap(_portable(repr(cell.params)), 96)
    lines = [
        f"// {template}: cell {cell.name} ({cell.kind}) exported by cablemodels {__version__}",
        f"// NEURON {info.neuron_version}; cablemodels mechanism sources sha256 "
        f"{info.source_hash[:16]}.",
        "//",
        "// Load cablemodels' compiled mechanisms first:",
        "//     nrniv -dll \"$(cablemodels build)\" this_file.hoc your_script.hoc",
        (f"// then:  objref cell   cell = new {template}()   (sets celsius = cell.celsius_degC)"
         if set_celsius else
         f"// then:  objref cell   cell = new {template}()   celsius = cell.celsius_degC"),
        "// Sections: " + ", ".join(f"{r}[{len(cell.sections(r))}]" for r in roles)
        + "; SectionLists: all, " + ", ".join(ROLE_LISTS[r] for r in ROLES) + ".",
        "// Built from:",
    ]
    lines += [f"//   {p}" for p in params]
    lines.append("")
    return lines


def _portable(text: str) -> str:
    """``text`` with absolute paths (e.g. an SWC file's) reduced to file names."""
    text = re.sub(r"\w*Path\('([^']*)'\)", lambda m: repr(Path(m.group(1)).name), text)
    return re.sub(r"'(/[^']*)'", lambda m: repr(Path(m.group(1)).name), text)


def export_hoc(cell: Cell, path: str | Path, template: str | None = None,
               set_celsius: bool = False) -> Path:
    """Write :func:`to_hoc` of ``cell`` to ``path`` (only once the text is complete).

    ``template`` and ``set_celsius`` are passed to :func:`to_hoc`; returns ``path``.

    Raises
    ------
    UnexportableError, ValueError
        As :func:`to_hoc`, or ``path`` exists and is not a regular file (a folder, a
        device: renaming over it would replace it); nothing is written then.
    OSError
        If ``path``'s folder does not exist or is not writable.
    """
    text = to_hoc(cell, template, set_celsius)
    return write_replacing(path, lambda tmp: tmp.write_text(text))


# --------------------------------------------------------------------------- import
def _pattern(glob: str) -> re.Pattern:
    """Shell-style ``*`` and ``?``; everything else (brackets included) literal."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob]
    return re.compile("".join(parts) + r"\Z")


def _local_name(sec) -> str:
    """Section name without its template instance prefix (``Tmpl[0].soma`` -> ``soma``)."""
    name = sec.name()
    owner = sec.cell()
    if owner is not None and name.startswith(f"{owner}."):
        return name[len(str(owner)) + 1:]
    return name


class HocCell(Cell):
    """A :class:`Cell` around sections that hoc created and owns.

    :meth:`delete` releases cablemodels' references only; the sections live as long
    as their hoc template instance (or hoc's top level) keeps them.
    """

    def __init__(self, owner, roles: dict[str, list], temperature_degC: float, ions: Ions,
                 patterns: dict):
        super().__init__("hoc", {"source": "hoc", "owner": str(owner) if owner else None,
                                 "roles": patterns}, temperature_degC, ions)
        self.owner = owner
        for role, secs in roles.items():
            for sec in secs:
                self.adopt(role, sec)

    def membrane(self, role: str):
        raise KeyError(f"cell {self.name} was built in hoc; it has no cablemodels Membrane "
                       f"description for role {role!r} (read its mechanisms from the sections)")

    def delete(self) -> None:
        self._roles.clear()
        self._role_of.clear()
        self.owner = None


def _ions_from(seg) -> Ions:
    h = hoc()

    def conc(var: str, ion: str) -> float:
        if hasattr(seg, var):
            return float(getattr(seg, var))
        return float(getattr(h, f"{var}0_{ion}_ion"))

    return Ions(conc("nai", "na"), conc("nao", "na"), conc("ki", "k"), conc("ko", "k"),
                conc("cli", "cl"), conc("clo", "cl"))


def wrap_hoc(cell_or_sections, roles: Mapping[str, str | Iterable[str]],
             temperature_degC: float | None = None, ions: Ions | None = None) -> HocCell:
    """Wrap sections made in hoc so protocols and energy accounting can measure them.

    Parameters
    ----------
    cell_or_sections
        A hoc template instance (its sections are found with ``Section.cell()``),
        a ``SectionList``, or any iterable of sections.
    roles
        Role -> shell-style pattern(s) (``*`` and ``?``; brackets literal) matched
        against each section's name without the instance prefix, e.g.
        ``{"soma": "soma", "dendrite": "dend*", "axon": "axon*"}``. Every section
        must match exactly one role.
    temperature_degC
        Default: the template's public ``celsius_degC`` if it has one, else
        NEURON's current ``celsius``.
    ions
        Default: read from the first section's first segment (the cell's rest guess
        and reports use them; the simulation uses each segment's own values).

    Raises
    ------
    ValueError
        Unknown role, no sections, a section matching no role or several roles.
    """
    h = hoc()
    bad = sorted(set(roles) - set(ROLES))
    if bad:
        raise ValueError(f"unknown role(s) {bad}; choose from {ROLES}")
    owner = None
    if isinstance(cell_or_sections, type(h.SectionList())) or not hasattr(
            cell_or_sections, "hname"):
        sections = list(cell_or_sections)
    else:
        owner = cell_or_sections
        if owner.hname() == "SectionList":
            sections, owner = list(owner), None
        else:
            sections = [s for s in h.allsec() if s.cell() == owner]
    if not sections:
        raise ValueError(f"no sections found in {cell_or_sections!r}")
    compiled = {role: [_pattern(p) for p in ([pats] if isinstance(pats, str) else list(pats))]
                for role, pats in roles.items()}
    by_role: dict[str, list] = {}
    unmatched, ambiguous = [], []
    for sec in sections:
        local = _local_name(sec)
        hits = [role for role, pats in compiled.items() if any(p.match(local) for p in pats)]
        if not hits:
            unmatched.append(local)
        elif len(hits) > 1:
            ambiguous.append(f"{local} ({', '.join(hits)})")
        else:
            by_role.setdefault(hits[0], []).append(sec)
    if unmatched:
        raise ValueError(f"{len(unmatched)} section(s) match no role pattern: "
                         f"{', '.join(unmatched[:8])}{' ...' if len(unmatched) > 8 else ''}; "
                         f"patterns: {dict(roles)}")
    if ambiguous:
        raise ValueError(f"section(s) match several roles: {', '.join(ambiguous[:8])}")
    if temperature_degC is None:
        temperature_degC = (float(owner.celsius_degC)
                            if owner is not None and hasattr(owner, "celsius_degC")
                            else float(h.celsius))
    ions = ions or _ions_from(sections[0](0.5))
    ordered = {role: by_role[role] for role in ROLES if role in by_role}
    return HocCell(owner, ordered, temperature_degC, ions,
                   {r: p if isinstance(p, str) else list(p) for r, p in roles.items()})
