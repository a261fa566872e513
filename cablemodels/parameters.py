"""Every published number cablemodels uses, each with its source.

Builders never carry bare literals: they read :data:`TABLE` through :func:`value`.
A test checks that every entry names a source. Units are in the keys.

Conventions for sources: first author, year, journal or book, and the table,
equation or page the number comes from. Where a value is a choice within a
published range, the source gives the range and the note says what we chose.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Published:
    """One published parameter value.

    Attributes
    ----------
    value : float
        In the unit named by the key it is stored under.
    source : str
        Paper or book and the table, equation or page.
    note : str
        What was chosen within a range, or how the value was converted.
    """

    value: float
    source: str
    note: str = ""


PURVES = "Purves D et al. (2018) Neuroscience, 6th ed., Sinauer/Oxford, Table 2.1"
HH52 = "Hodgkin AL & Huxley AF (1952) J Physiol 117:500-544"
MS96 = ("Mainen ZF & Sejnowski TJ (1996) Nature 382:363-366, model files of ModelDB 2488 "
        "(demofig1.hoc)")
WB96 = "Wang X-J & Buzsaki G (1996) J Neurosci 16:6402-6413, model equations and parameters"
MRG02 = "McIntyre CC, Richardson AG & Grill WM (2002) J Neurophysiol 87:995-1006, Table 1"
MRG02_CODE = ("McIntyre CC, Richardson AG & Grill WM (2002) J Neurophysiol 87:995-1006, model "
              "files of ModelDB 3810 (MRGaxon.hoc, AXNODE.mod)")
MRG02_TABLE = ("McIntyre CC, Richardson AG & Grill WM (2002) J Neurophysiol 87:995-1006, "
               "Table 1 (geometry by fibre diameter), as in ModelDB 3810 MRGaxon.hoc")
ARANCIBIA17 = ("Arancibia-Carcamo IL et al. (2017) eLife 6:e23329, Table 1, as in the authors' "
               "model files (AttwellLab/MyelinatedAxonModel, Examples/Axons/Carcamo2017*Axon.m)")
ARANCIBIA17_RESULTS = ("Arancibia-Carcamo IL et al. (2017) eLife 6:e23329, Results, 'Predicted "
                       "effects of node length variation on conduction speed'")
R2000 = ("Richardson AG, McIntyre CC & Grill WM (2000) Med Biol Eng Comput 38:438-446, nodal "
         "channels as used by Arancibia-Carcamo et al. (2017) eLife 6:e23329 (authors' model "
         "files, AttwellLab/MyelinatedAxonModel, Richardson2000*.m)")

TABLE: dict[str, Published] = {
    # --- ion concentrations -------------------------------------------------------------
    "mammalian.nai_mM": Published(12.0, PURVES, "range 5-15 mM; 12 chosen"),
    "mammalian.nao_mM": Published(145.0, PURVES),
    "mammalian.ki_mM": Published(140.0, PURVES),
    "mammalian.ko_mM": Published(5.0, PURVES),
    "mammalian.cli_mM": Published(10.0, PURVES, "range 4-30 mM; 10 chosen"),
    "mammalian.clo_mM": Published(110.0, PURVES),
    "squid.nai_mM": Published(50.0, PURVES),
    "squid.nao_mM": Published(440.0, PURVES),
    "squid.ki_mM": Published(400.0, PURVES),
    "squid.ko_mM": Published(20.0, PURVES),
    "squid.cli_mM": Published(100.0, PURVES, "range 40-150 mM; 100 chosen"),
    "squid.clo_mM": Published(560.0, PURVES),
    # --- squid axon, Hodgkin & Huxley 1952 ----------------------------------------------
    "squid.gnabar_S_cm2": Published(0.120, HH52, "Table 3"),
    "squid.gkbar_S_cm2": Published(0.036, HH52, "Table 3"),
    "squid.gleak_S_cm2": Published(0.0003, HH52, "Table 3"),
    "squid.eleak_mV": Published(-54.3, HH52, "Table 3, V_l = -10.613 mV from rest at -65 mV"),
    "squid.cm_uF_cm2": Published(1.0, HH52, "Table 3"),
    "squid.ra_ohm_cm": Published(35.4, HH52, "p. 528, R2 = 35.4 ohm cm"),
    "squid.v_rest_mV": Published(-65.0, HH52, "modern convention used by NEURON's hh"),
    "squid.temperature_degC": Published(6.3, HH52, "temperature of the reference rates"),
    "squid.ena_mV": Published(
        50.0, HH52, "Table 3, V_Na = -115 mV from rest, i.e. +50 mV with rest at -65 mV; "
        "the ena NEURON's hh uses"),
    "squid.ek_mV": Published(
        -77.0, HH52, "Table 3, V_K = +12 mV from rest, i.e. -77 mV with rest at -65 mV; "
        "the ek NEURON's hh uses"),
    "squid.propagation_temperature_degC": Published(
        18.5, HH52, "p. 530, temperature of the propagated-AP calculation"),
    "squid.giant_axon_diameter_um": Published(
        476.0, HH52, "p. 528, the 476 um axon of the propagated-AP calculation"),
    "squid.hh_velocity_m_s": Published(
        18.8, HH52, "p. 530, computed velocity at 18.5 degC for the 476 um axon "
        "(measured: 21.2 m/s)"),
    # --- mammalian: Wang & Buzsaki 1996 interneuron (default mammalian kinetics) -----------
    "wb.gnabar_S_cm2": Published(0.035, WB96, "g_Na = 35 mS/cm2"),
    "wb.gkbar_S_cm2": Published(0.009, WB96, "g_K = 9 mS/cm2"),
    "wb.gleak_S_cm2": Published(0.0001, WB96, "g_L = 0.1 mS/cm2"),
    "wb.eleak_mV": Published(-65.0, WB96, "E_L = -65 mV"),
    "wb.cm_uF_cm2": Published(1.0, WB96, "C_m = 1 uF/cm2"),
    "wb.phi": Published(5.0, WB96, "temperature factor phi = 5; taken to apply at 37 degC"),
    "wb.ena_mV": Published(55.0, WB96, "E_Na = 55 mV"),
    "wb.ek_mV": Published(-90.0, WB96, "E_K = -90 mV"),
    # --- mammalian nodes of Ranvier and axoplasm: McIntyre, Richardson & Grill 2002 ----
    "mrg.node_gnabar_S_cm2": Published(3.0, MRG02, "fast Na+ at the node, 3 S/cm2"),
    "mrg.node_gleak_S_cm2": Published(0.007, MRG02, "nodal leak 0.007 S/cm2"),
    "mrg.node_eleak_mV": Published(
        -90.0, MRG02_CODE, "AXNODE.mod el = -90 mV (an ohmic, non-specific leak there)"),
    "mrg.axolemma_gleak_S_cm2": Published(
        0.0001, MRG02_CODE, "MRGaxon.hoc FLUT and STIN g_pas = 0.0001 S/cm2 (MYSA 0.001)"),
    "mrg.axolemma_eleak_mV": Published(
        -80.0, MRG02_CODE, "MRGaxon.hoc e_pas = v_init = -80 mV under the myelin"),
    "mrg.ra_ohm_cm": Published(70.0, MRG02, "axoplasmic resistivity 70 ohm cm"),
    "mammalian.temperature_degC": Published(37.0, MRG02, "body temperature, as in MRG and MS96"),
    # --- mammalian cortical neuron, Mainen & Sejnowski 1996 (second mammalian set) ------
    "ms96.axon_gnabar_S_cm2": Published(
        3.0, MS96, "gna_node = 30000 pS/um2 at nodes, hillock and initial segment"),
    "ms96.axon_gkbar_S_cm2": Published(
        0.2, MS96, "gkv_axon = 2000 pS/um2 in hillock and initial segment (nodes have none). "
        "Like every MS96 density it is multiplied by tadj (3.21 at 37 degC) in the published "
        "kv.mod, and in ours unless tadj_gbar = 0"),
    "ms96.soma_gnabar_S_cm2": Published(0.002, MS96, "gna_soma = 20 pS/um2"),
    "ms96.soma_gkbar_S_cm2": Published(0.02, MS96, "gkv_soma = 200 pS/um2"),
    "ms96.rm_ohm_cm2": Published(30000.0, MS96, "rm = 30000 ohm cm2"),
    "ms96.eleak_mV": Published(-70.0, MS96, "e_pas = v_init = -70 mV"),
    "ms96.cm_uF_cm2": Published(0.75, MS96, "c_m = 0.75 uF/cm2"),
    "ms96.myelin_cm_uF_cm2": Published(0.04, MS96, "cm_myelin = 0.04 uF/cm2"),
    "ms96.ra_ohm_cm": Published(150.0, MS96, "ra = 150 ohm cm"),
    "ms96.node_gleak_S_cm2": Published(
        0.02, MS96, "g_pas_node = 0.02 S/cm2, ohmic pas at e_pas = -70 mV; the nodes carry "
        "no K+ channel, so this leak repolarises them"),
    "ms96.ena_mV": Published(60.0, MS96, "Ena = 60 mV"),
    "ms96.ek_mV": Published(-90.0, MS96, "Ek = -90 mV"),
    "ms96.vshift_mV": Published(
        -5.0, MS96, "vshift_na = -5 mV; na.mod evaluates its rates at v + vshift"),
    "ms96.q10": Published(2.3, MS96, "na.mod and kv.mod q10 = 2.3"),
    "ms96.tref_degC": Published(
        23.0, MS96, "na.mod and kv.mod temp = 23 degC; both multiply gbar by "
        "tadj = q10^((celsius - temp)/10), 3.21 at 37 degC"),
    # --- myelin -------------------------------------------------------------------------
    "myelin.cm_per_lamella_membrane_uF_cm2": Published(
        0.1, MRG02, "myelin capacitance 0.1 uF/cm2 per lamella membrane"),
    "myelin.g_per_lamella_membrane_S_cm2": Published(
        0.001, MRG02, "myelin conductance 0.001 S/cm2 per lamella membrane"),
    "myelin.membranes_per_lamella": Published(
        2.0, MRG02, "each lamella is a double membrane (2 x number of lamellae)"),
    "myelin.lamella_period_um": Published(
        0.016, "Inouye H & Kirschner DA (1988) Biophys J 53:235-245",
        "X-ray periods about 15.5-16 nm (CNS) and 17.5 nm (PNS); 16 nm chosen"),
    "myelin.g_ratio": Published(
        0.6, "Rushton WAH (1951) J Physiol 115:101-122",
        "velocity-optimal g-ratio 0.6; measured 0.6-0.8 across fibres"),
    "myelin.internode_per_fibre_diameter": Published(
        100.0, "Rushton WAH (1951) J Physiol 115:101-122; Hursh JB (1939) Am J Physiol "
        "127:131", "internode length about 100 x fibre diameter"),
    "myelin.node_length_um": Published(1.0, MRG02, "node length 1 um"),
    "myelin.paranode_length_um": Published(
        3.0, MRG02, "MYSA 3 um (the FLUT length depends on fibre diameter)"),
    "myelin.periaxonal_space_um": Published(
        0.002, MRG02, "periaxonal space width 0.002 um (2 nm)"),
    # --- somata -------------------------------------------------------------------------
    "soma.granule_diameter_um": Published(
        6.0, "Delvendahl I et al. (2015) PNAS 112:E3075, cerebellar granule cells",
        "soma diameter about 5-7 um"),
    "soma.interneuron_diameter_um": Published(
        10.0, "Freund TF & Buzsaki G (1996) Hippocampus 6:347-470",
        "small hippocampal interneuron somata about 10-15 um"),
    "soma.pyramidal_diameter_um": Published(
        20.0, "Spruston N (2008) Nat Rev Neurosci 9:206-221",
        "pyramidal somata about 20 um"),
    "soma.motoneuron_diameter_um": Published(
        55.0, "Cullheim S et al. (1987) J Comp Neurol 255:68-81, cat alpha motoneurons",
        "mean soma diameter about 50-60 um"),
    # --- Na+/K+-ATPase ------------------------------------------------------------------
    "pump.km_na_mM": Published(10.0, "Kager H, Wadman WJ & Somjen GG (2000) "
                               "J Neurophysiol 84:495-512, pump equation"),
    "pump.km_k_mM": Published(3.5, "Kager H, Wadman WJ & Somjen GG (2000) "
                              "J Neurophysiol 84:495-512, pump equation"),
    "pump.na_per_atp": Published(3.0, "Skou JC (1957) Biochim Biophys Acta 23:394; "
                                 "Post RL & Jolly PC (1957) Biochim Biophys Acta 25:118"),
    "pump.k_per_atp": Published(2.0, "Post RL & Jolly PC (1957) Biochim Biophys Acta 25:118"),
    # --- energetics ---------------------------------------------------------------------
    "atp.free_energy_kJ_mol": Published(
        57.0, "Nicholls DG & Ferguson SJ (2013) Bioenergetics, 4th ed., ch. 3",
        "magnitude of the free energy of ATP hydrolysis in cells, about 50-60 kJ/mol; "
        "Attwell & Laughlin (2001) JCBFM 21:1133 used a similar value"),
    "atp.per_ca_ion": Published(
        1.0, "Attwell D & Laughlin SB (2001) J Cereb Blood Flow Metab 21:1133-1145, methods",
        "each Ca2+ that enters is extruded by Na+/Ca2+ exchange, whose 3 Na+ cost the pump "
        "1 ATP: 1 ATP per Ca2+ ion"),
    # --- HCN presets --------------------------------------------------------------------
    "hcn1.vhalf_mV": Published(-73.0, "Wang J, Chen S & Siegelbaum SA (2001) "
                               "J Gen Physiol 118:237-250, Table I", "rounded"),
    "hcn1.slope_mV": Published(8.0, "Wang J, Chen S & Siegelbaum SA (2001) "
                               "J Gen Physiol 118:237-250, Table I", "rounded"),
    "hcn1.camp_shift_mV": Published(4.0, "Wang J, Chen S & Siegelbaum SA (2001) "
                                    "J Gen Physiol 118:237-250", "HCN1 shift is small, ~2-4 mV"),
    "hcn1.taupeak_ms": Published(50.0, "Santoro B et al. (2000) J Neurosci 20:5264-5275",
                                 "HCN1 activates in tens of ms; 50 ms chosen at 22 degC"),
    "hcn2.vhalf_mV": Published(-95.0, "Wang J, Chen S & Siegelbaum SA (2001) "
                               "J Gen Physiol 118:237-250, Table I", "rounded"),
    "hcn2.slope_mV": Published(7.0, "Wang J, Chen S & Siegelbaum SA (2001) "
                               "J Gen Physiol 118:237-250, Table I", "rounded"),
    "hcn2.camp_shift_mV": Published(13.0, "Wainger BJ et al. (2001) Nature 411:805-810",
                                    "cAMP shifts HCN2 by about +10 to +15 mV"),
    "hcn2.taupeak_ms": Published(500.0, "Santoro B et al. (2000) J Neurosci 20:5264-5275",
                                 "HCN2 activates in hundreds of ms; 500 ms chosen at 22 degC"),
    "hcn.pna_pk": Published(0.25, "Wollmuth LP & Hille B (1992) J Gen Physiol 100:749-765; "
                            "Biel M et al. (2009) Physiol Rev 89:847-885",
                            "P_Na/P_K about 0.2-0.27; 0.25 chosen"),
    "hcn.q10": Published(3.0, "Magee JC (1998) J Neurosci 18:7613-7624",
                         "Q10 of Ih kinetics about 3 (range 2.8-4.5 reported)"),
    "hcn.tref_degC": Published(22.0, "Santoro B et al. (2000) J Neurosci 20:5264-5275",
                               "room-temperature recordings"),
    # --- MRG 2002 fibre (cablemodels.mrg): the published model's own values ------------
    "mrg.temperature_degC": Published(37.0, MRG02_CODE, "celsius = 37"),
    "mrg.v_init_mV": Published(-80.0, MRG02_CODE, "v_init = -80 mV"),
    "mrg.n_nodes": Published(21.0, MRG02_CODE, "axonnodes = 21"),
    "mrg.stin_per_internode": Published(6.0, MRG02_CODE, "six STIN compartments per internode"),
    "mrg.node_length_um": Published(1.0, MRG02_CODE, "nodelength = 1 um"),
    "mrg.mysa_length_um": Published(3.0, MRG02_CODE, "paralength1 = 3 um"),
    "mrg.node_space_um": Published(0.002, MRG02_CODE, "space_p1 = 0.002 um, used at nodes too"),
    "mrg.mysa_space_um": Published(0.002, MRG02_CODE, "space_p1 = 0.002 um"),
    "mrg.flut_space_um": Published(0.004, MRG02_CODE, "space_p2 = 0.004 um"),
    "mrg.stin_space_um": Published(0.004, MRG02_CODE, "space_i = 0.004 um"),
    "mrg.axolemma_cm_uF_cm2": Published(2.0, MRG02_CODE, "cm = 2 uF/cm2 at the node and "
                                        "per axolemma area in MYSA, FLUT and STIN"),
    "mrg.mysa_g_S_cm2": Published(0.001, MRG02_CODE, "g_pas = 0.001 S/cm2 per axolemma area"),
    "mrg.node_gnapbar_S_cm2": Published(0.01, MRG02_CODE, "AXNODE.mod gnapbar = 0.01 S/cm2"),
    "mrg.node_gkbar_S_cm2": Published(0.08, MRG02_CODE, "AXNODE.mod gkbar = 0.08 S/cm2"),
    "mrg.ena_mV": Published(50.0, MRG02_CODE, "AXNODE.mod ena = 50 mV (fixed)"),
    "mrg.ek_mV": Published(-90.0, MRG02_CODE, "AXNODE.mod ek = -90 mV (fixed)"),
    "mrg.ground_xg_S_cm2": Published(1e10, MRG02_CODE, "xg = 1e10 S/cm2 at nodes: the "
                                     "periaxonal layer is shorted to ground there"),
    # Fibre-diameter-dependent geometry (MRG 2002 Table 1; the same rows in MRGaxon.hoc's
    # dependent_var): one entry per published fibre diameter and column.
    "mrg.table_5p7um.fibre_diameter_um": Published(5.7, MRG02_TABLE),
    "mrg.table_5p7um.g_ratio": Published(0.605, MRG02_TABLE),
    "mrg.table_5p7um.axon_diameter_um": Published(3.4, MRG02_TABLE),
    "mrg.table_5p7um.node_diameter_um": Published(1.9, MRG02_TABLE),
    "mrg.table_5p7um.mysa_diameter_um": Published(1.9, MRG02_TABLE),
    "mrg.table_5p7um.flut_diameter_um": Published(3.4, MRG02_TABLE),
    "mrg.table_5p7um.node_spacing_um": Published(500.0, MRG02_TABLE),
    "mrg.table_5p7um.flut_length_um": Published(35.0, MRG02_TABLE),
    "mrg.table_5p7um.n_lamellae": Published(80.0, MRG02_TABLE),
    "mrg.table_7p3um.fibre_diameter_um": Published(7.3, MRG02_TABLE),
    "mrg.table_7p3um.g_ratio": Published(0.63, MRG02_TABLE),
    "mrg.table_7p3um.axon_diameter_um": Published(4.6, MRG02_TABLE),
    "mrg.table_7p3um.node_diameter_um": Published(2.4, MRG02_TABLE),
    "mrg.table_7p3um.mysa_diameter_um": Published(2.4, MRG02_TABLE),
    "mrg.table_7p3um.flut_diameter_um": Published(4.6, MRG02_TABLE),
    "mrg.table_7p3um.node_spacing_um": Published(750.0, MRG02_TABLE),
    "mrg.table_7p3um.flut_length_um": Published(38.0, MRG02_TABLE),
    "mrg.table_7p3um.n_lamellae": Published(100.0, MRG02_TABLE),
    "mrg.table_8p7um.fibre_diameter_um": Published(8.7, MRG02_TABLE),
    "mrg.table_8p7um.g_ratio": Published(0.661, MRG02_TABLE),
    "mrg.table_8p7um.axon_diameter_um": Published(5.8, MRG02_TABLE),
    "mrg.table_8p7um.node_diameter_um": Published(2.8, MRG02_TABLE),
    "mrg.table_8p7um.mysa_diameter_um": Published(2.8, MRG02_TABLE),
    "mrg.table_8p7um.flut_diameter_um": Published(5.8, MRG02_TABLE),
    "mrg.table_8p7um.node_spacing_um": Published(1000.0, MRG02_TABLE),
    "mrg.table_8p7um.flut_length_um": Published(40.0, MRG02_TABLE),
    "mrg.table_8p7um.n_lamellae": Published(110.0, MRG02_TABLE),
    "mrg.table_10um.fibre_diameter_um": Published(10.0, MRG02_TABLE),
    "mrg.table_10um.g_ratio": Published(0.69, MRG02_TABLE),
    "mrg.table_10um.axon_diameter_um": Published(6.9, MRG02_TABLE),
    "mrg.table_10um.node_diameter_um": Published(3.3, MRG02_TABLE),
    "mrg.table_10um.mysa_diameter_um": Published(3.3, MRG02_TABLE),
    "mrg.table_10um.flut_diameter_um": Published(6.9, MRG02_TABLE),
    "mrg.table_10um.node_spacing_um": Published(1150.0, MRG02_TABLE),
    "mrg.table_10um.flut_length_um": Published(46.0, MRG02_TABLE),
    "mrg.table_10um.n_lamellae": Published(120.0, MRG02_TABLE),
    "mrg.table_11p5um.fibre_diameter_um": Published(11.5, MRG02_TABLE),
    "mrg.table_11p5um.g_ratio": Published(0.7, MRG02_TABLE),
    "mrg.table_11p5um.axon_diameter_um": Published(8.1, MRG02_TABLE),
    "mrg.table_11p5um.node_diameter_um": Published(3.7, MRG02_TABLE),
    "mrg.table_11p5um.mysa_diameter_um": Published(3.7, MRG02_TABLE),
    "mrg.table_11p5um.flut_diameter_um": Published(8.1, MRG02_TABLE),
    "mrg.table_11p5um.node_spacing_um": Published(1250.0, MRG02_TABLE),
    "mrg.table_11p5um.flut_length_um": Published(50.0, MRG02_TABLE),
    "mrg.table_11p5um.n_lamellae": Published(130.0, MRG02_TABLE),
    "mrg.table_12p8um.fibre_diameter_um": Published(12.8, MRG02_TABLE),
    "mrg.table_12p8um.g_ratio": Published(0.719, MRG02_TABLE),
    "mrg.table_12p8um.axon_diameter_um": Published(9.2, MRG02_TABLE),
    "mrg.table_12p8um.node_diameter_um": Published(4.2, MRG02_TABLE),
    "mrg.table_12p8um.mysa_diameter_um": Published(4.2, MRG02_TABLE),
    "mrg.table_12p8um.flut_diameter_um": Published(9.2, MRG02_TABLE),
    "mrg.table_12p8um.node_spacing_um": Published(1350.0, MRG02_TABLE),
    "mrg.table_12p8um.flut_length_um": Published(54.0, MRG02_TABLE),
    "mrg.table_12p8um.n_lamellae": Published(135.0, MRG02_TABLE),
    "mrg.table_14um.fibre_diameter_um": Published(14.0, MRG02_TABLE),
    "mrg.table_14um.g_ratio": Published(0.739, MRG02_TABLE),
    "mrg.table_14um.axon_diameter_um": Published(10.4, MRG02_TABLE),
    "mrg.table_14um.node_diameter_um": Published(4.7, MRG02_TABLE),
    "mrg.table_14um.mysa_diameter_um": Published(4.7, MRG02_TABLE),
    "mrg.table_14um.flut_diameter_um": Published(10.4, MRG02_TABLE),
    "mrg.table_14um.node_spacing_um": Published(1400.0, MRG02_TABLE),
    "mrg.table_14um.flut_length_um": Published(56.0, MRG02_TABLE),
    "mrg.table_14um.n_lamellae": Published(140.0, MRG02_TABLE),
    "mrg.table_15um.fibre_diameter_um": Published(15.0, MRG02_TABLE),
    "mrg.table_15um.g_ratio": Published(0.767, MRG02_TABLE),
    "mrg.table_15um.axon_diameter_um": Published(11.5, MRG02_TABLE),
    "mrg.table_15um.node_diameter_um": Published(5.0, MRG02_TABLE),
    "mrg.table_15um.mysa_diameter_um": Published(5.0, MRG02_TABLE),
    "mrg.table_15um.flut_diameter_um": Published(11.5, MRG02_TABLE),
    "mrg.table_15um.node_spacing_um": Published(1450.0, MRG02_TABLE),
    "mrg.table_15um.flut_length_um": Published(58.0, MRG02_TABLE),
    "mrg.table_15um.n_lamellae": Published(145.0, MRG02_TABLE),
    "mrg.table_16um.fibre_diameter_um": Published(16.0, MRG02_TABLE),
    "mrg.table_16um.g_ratio": Published(0.791, MRG02_TABLE),
    "mrg.table_16um.axon_diameter_um": Published(12.7, MRG02_TABLE),
    "mrg.table_16um.node_diameter_um": Published(5.5, MRG02_TABLE),
    "mrg.table_16um.mysa_diameter_um": Published(5.5, MRG02_TABLE),
    "mrg.table_16um.flut_diameter_um": Published(12.7, MRG02_TABLE),
    "mrg.table_16um.node_spacing_um": Published(1500.0, MRG02_TABLE),
    "mrg.table_16um.flut_length_um": Published(60.0, MRG02_TABLE),
    "mrg.table_16um.n_lamellae": Published(150.0, MRG02_TABLE),
    # --- CNS myelinated axons, rat (cablemodels.cns) -------------------------------------
    "cns.optic_nerve.axon_diameter_um": Published(0.8201, ARANCIBIA17, "internode axon diameter"),
    "cns.optic_nerve.node_diameter_um": Published(0.7274, ARANCIBIA17),
    "cns.optic_nerve.node_length_um": Published(1.02, ARANCIBIA17, "mean node length"),
    "cns.optic_nerve.internode_length_um": Published(139.26, ARANCIBIA17),
    "cns.optic_nerve.g_ratio": Published(0.79, ARANCIBIA17, "measured g-ratio (axon diameter "
                                         "over outer myelin diameter)"),
    "cns.optic_nerve.velocity_m_s": Published(
        2.95, ARANCIBIA17_RESULTS, "model velocity at the mean node length"),
    "cns.cortex.axon_diameter_um": Published(0.7308, ARANCIBIA17, "internode axon diameter"),
    "cns.cortex.node_diameter_um": Published(0.6404, ARANCIBIA17),
    "cns.cortex.node_length_um": Published(1.5, ARANCIBIA17, "mean node length, layer V"),
    "cns.cortex.internode_length_um": Published(81.7, ARANCIBIA17),
    "cns.cortex.g_ratio": Published(0.8, ARANCIBIA17, "measured g-ratio"),
    "cns.cortex.velocity_m_s": Published(
        2.61, ARANCIBIA17_RESULTS, "model velocity at the mean node length"),
    "cns.periaxonal_space_um": Published(0.015, ARANCIBIA17, "periaxonal space 15 nm "
                                         "(narrower in the paranodal segments; not modelled here)"),
    "cns.lamella_period_um": Published(0.0156, ARANCIBIA17, "myelin period 15.6 nm"),
    "cns.myelin_cm_per_membrane_uF_cm2": Published(
        0.9, ARANCIBIA17, "0.9 uF/cm2 per myelin membrane, as for the axon membrane (MRG 2002 "
        "use 0.1 uF/cm2 per lamella membrane: parameter myelin.cm_per_lamella_membrane_uF_cm2)"),
    "cns.myelin_g_per_membrane_S_cm2": Published(0.001, ARANCIBIA17, "1 mS/cm2 per membrane"),
    "cns.axolemma_cm_uF_cm2": Published(0.9, ARANCIBIA17, "node and internodal axon membrane"),
    "cns.axolemma_g_S_cm2": Published(0.0001, ARANCIBIA17, "internodal axon membrane "
                                      "0.1 mS/cm2"),
    "cns.ra_ohm_cm": Published(70.0, ARANCIBIA17, "axoplasm and periaxonal space 0.7 ohm m"),
    "cns.optic_nerve.paranode_length_um": Published(
        2.11, ARANCIBIA17, "paranodal segment: first and last of 66 internode segments"),
    "cns.optic_nerve.paranode_space_um": Published(
        0.007719692e-3, ARANCIBIA17, "periaxonal space in the paranodal segments: 0.007719692 "
        "nm as set in the authors' files (UpdateInternodePeriaxonalSpaceWidth, nm units), a "
        "near-seal; this value gives the paper's 2.95 m/s"),
    "cns.cortex.paranode_length_um": Published(
        1.9, ARANCIBIA17, "paranodal segments: first and last two of 86 internode "
        "segments (2 x 81.7/86 um)"),
    "cns.cortex.paranode_space_um": Published(
        0.012255632e-3, ARANCIBIA17, "periaxonal space in the paranodal segments: 0.012255632 "
        "nm as set in the authors' files (nm units), a near-seal"),
    "cns.v_rest_mV": Published(-82.0, ARANCIBIA17, "resting potential; the nodal leak "
                               "conductance is set to hold it, the internodal leak reverses "
                               "there"),
    "cns.node_eleak_mV": Published(-83.381372, ARANCIBIA17, "nodal leak reversal"),
    "r2000.node_gnabar_S_cm2": Published(3.0, R2000, "fast Na+ 30 mS/mm2"),
    "r2000.node_gnapbar_S_cm2": Published(0.005, R2000, "persistent Na+ 0.05 mS/mm2"),
    "r2000.node_gkbar_S_cm2": Published(0.08, R2000, "slow K+ 0.8 mS/mm2"),
    "r2000.ena_mV": Published(50.0, R2000),
    "r2000.ek_mV": Published(-84.0, R2000),
}


def value(key: str) -> float:
    """The value stored under ``key`` (unit in the key's name).

    Raises
    ------
    KeyError
        With the list of known keys sharing the key's prefix.
    """
    try:
        return TABLE[key].value
    except KeyError:
        prefix = key.split(".")[0]
        known = sorted(k for k in TABLE if k.startswith(prefix + "."))
        raise KeyError(f"no published parameter {key!r}; known {prefix}.*: {known}") from None


def source(key: str) -> str:
    """The source of the value stored under ``key``."""
    entry = TABLE[key]
    return f"{entry.source} ({entry.note})" if entry.note else entry.source
