"""Resting potential: big implicit steps against long settling, spontaneous firing (issue 20).

``protocols.rest_mV`` finds rest, where no concentration evolves, as the fixed
point of the membrane equations by large implicit-Euler steps, checked stable. The
reference here is the definition of rest: the same cell integrated by NEURON's
CVODE at 1e-10 for 3 s from the GHK guess, with no cablemodels run control.
"""

from __future__ import annotations

import pytest

from cablemodels import biophysics as B
from cablemodels import protocols as pr
from cablemodels.axon import (MyelinatedAxonParams, UnmyelinatedAxonParams, build_myelinated_axon,
                              build_unmyelinated_axon)
from cablemodels.soma import NeuronParams, build_neuron


def settled_by_neuron(h, cell, guess_mV, t_ms=3000.0):
    """Voltage at the cell's origin after ``t_ms`` of plain CVODE (1e-10) from ``guess_mV``."""
    seg = cell.origin()
    cvode = h.CVode()
    cvode.active(1)
    cvode.atol(1e-10)
    cvode.rtol(1e-10)
    h.celsius = cell.temperature_degC
    h.finitialize(guess_mV)
    h.continuerun(t_ms)
    cvode.active(0)
    return seg.v


@pytest.mark.parametrize("make", [
    lambda: build_unmyelinated_axon(UnmyelinatedAxonParams()),
    lambda: build_myelinated_axon(MyelinatedAxonParams.mammalian(axon_diameter_um=1.0)),
    lambda: build_neuron(NeuronParams()),
], ids=["squid_axon", "ms96_myelinated", "wb_neuron"])
def test_big_step_rest_equals_settled_rest(h, make):
    cell = make()
    assert not pr._concentrations_evolve(cell)
    rest = pr.rest_mV(cell)
    reference = settled_by_neuron(h, cell, pr._rest_guess(cell, cell.origin()))
    assert rest == pytest.approx(reference, abs=1e-5)
    cell.delete()


def test_spontaneous_firing_is_refused_at_its_first_spike(h):
    """Squid nodes with 3x HH's Na+ density fire on their own (E1's squid thought
    experiment found this); settling stops at the first spike after the start-up
    transient instead of settling for the full second."""
    cell = build_myelinated_axon(MyelinatedAxonParams(
        node_membrane=B.Membrane.squid(gnabar_S_cm2=0.36)))
    with pytest.raises(RuntimeError, match="fires spontaneously"):
        pr.rest_mV(cell)
    assert cell.cached_rest() is None
    cell.delete()


def test_evolving_concentrations_are_settled_not_stepped(h):
    """With ion accumulation a 1e9 ms step would move the concentrations; such cells
    are settled under CVODE (NEURON's ion_style reports the concentration as a state)."""
    membrane = B.Membrane.mammalian("soma", accumulation=True, pump_imax_mA_cm2=0.0)
    cell = build_neuron(NeuronParams(membrane=membrane))
    assert pr._concentrations_evolve(cell)
    cell.delete()


@pytest.mark.parametrize("dt_ms", [0.002, 0.025])
def test_spike_stop_reaches_the_end_under_fixed_step(h, dt_ms):
    """A fixed step can end a hair short of a target time, where psolve will not move;
    SpikeStop's slices are counted from the start, so a silent run still ends (a loop
    on h.t ran forever at dt 2 us and filled memory). With a spike it stops in the
    slice of the crossing, well before the end."""
    from cablemodels import simulation as sim

    cell = build_neuron(NeuronParams())
    seg = cell.origin()
    with sim.foreign_sections_allowed():
        stop = sim.SpikeStop(seg, 0.0)
        sim.start(cell, sim.Integrator(method="fixed", dt_ms=dt_ms), pr.rest_mV(cell))
        assert stop.advance(41.3) is None
        assert h.t == pytest.approx(41.3, abs=dt_ms)
        clamp = h.IClamp(seg)
        clamp.amp, clamp.delay, clamp.dur = 1.0, 1.0, 2.0
        stop = sim.SpikeStop(seg, 0.0)
        sim.start(cell, sim.Integrator(method="fixed", dt_ms=dt_ms), pr.rest_mV(cell))
        first = stop.advance(400.0)
        assert first is not None and first < 5.0 and h.t <= 21.0 + dt_ms
        del clamp, stop
    h.CVode().active(0)
    cell.delete()


def test_big_steps_leave_a_callers_interval_recording_small(h):
    """A caller may set up ``Vector.record(ref, 0.05)`` before asking for rest (as
    analyses/dendrites.py does). The big steps run at negative time, so the recording
    gains at most the stability check's samples instead of 1e9 ms worth (which ended
    in std::bad_alloc)."""
    cell = build_neuron(NeuronParams())
    vec = h.Vector().record(cell.origin()._ref_v, 0.05)
    pr.rest_mV(cell)
    assert len(vec) <= pr.REST_CHECK_MS / 0.05 + 10
    del vec
    cell.delete()
