"""Plain-NEURON references shared by the tests: NEURON's own mechanisms on plain
sections, no cablemodels code, so a test comparing against them is independent."""

from __future__ import annotations


def spike_times(h, segs, threshold=-20.0):
    out = []
    for seg in segs:
        nc = h.NetCon(seg._ref_v, None, sec=seg.sec)
        nc.threshold = threshold
        vec = h.Vector()
        nc.record(vec)
        out.append((nc, vec))
    return out


def plain_hh_velocity(h, length_um, diameter_um, nseg, celsius, amp_nA=None, tol=1e-6):
    """NEURON's ``hh`` on a plain section (cm 1, Ra 35.4): velocity (m/s) between x = 0.25
    and 0.75 from -20 mV crossings, CVODE atol ``tol`` (and rtol, when below 1e-6), a
    0.5 ms pulse of ``amp_nA`` (default 50 nA per um of diameter) at x = 0."""
    sec = h.Section(name="plainhh")
    try:
        sec.L, sec.diam, sec.nseg, sec.Ra, sec.cm = length_um, diameter_um, nseg, 35.4, 1.0
        sec.insert("hh")
        stim = h.IClamp(sec(0.0))
        stim.delay, stim.dur, stim.amp = 1.0, 0.5, amp_nA or 50.0 * diameter_um
        a, b = sec(0.25), sec(0.75)
        probes = spike_times(h, (a, b))
        cv = h.CVode()
        cv.active(1)
        cv.atol(tol)
        cv.rtol(tol if tol < 1e-6 else 0.0)
        try:
            h.celsius = celsius
            h.finitialize(-65.0)
            h.continuerun(20.0)
        finally:
            cv.active(0)
        t1, t2 = probes[0][1][0], probes[1][1][0]
        return h.distance(a, b) / (t2 - t1) * 1e-3
    finally:
        h.delete_section(sec=sec)
