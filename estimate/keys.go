package estimate

import (
	"strconv"
	"strings"
)

// Every PrusaSlicer 2.5 setting is in one of four places: a field of FDM
// (honoured), Assumed (the value dgml's estimate is built on; any other
// is refused, naming the key), NoEffect (changes neither time nor
// material: temperatures, fans, G-code text, multi-material and support
// details that only matter when a refused key is on), or CommandLine
// (a PrusaSlicer action or shortcut, refused). estimate/keys_test.go
// holds the four to PrusaSlicer's own list (testdata).

// Assumed are settings dgml's estimate does not model, with the value it
// assumes (PrusaSlicer's default, or off).
var Assumed = map[string]string{
	"support_material": "0", "raft_layers": "0", "spiral_vase": "0",
	"skirts": "0", "brim_width": "0", "draft_shield": "disabled",
	"wipe": "0", "retract_lift": "0", "retract_restart_extra": "0",
	"ironing": "0", "fuzzy_skin": "none", "infill_only_where_needed": "0",
	"complete_objects": "0", "wipe_tower": "0", "solid_infill_every_layers": "0",
	"extra_perimeters": "0", "ensure_vertical_shell_thickness": "1", "interface_shells": "0",
	"overhangs": "1", "thick_bridges": "1", "xy_size_compensation": "0",
	"infill_anchor": "600%", "infill_anchor_max": "50", "infill_overlap": "25%",
	"gap_fill_enabled": "1", "thin_walls": "0", "avoid_crossing_perimeters": "0",
	"max_volumetric_extrusion_rate_slope_negative": "0", "max_volumetric_extrusion_rate_slope_positive": "0",
	"slicing_mode": "regular", "filament_retract_length": "nil", "filament_retract_lift": "nil",
	"filament_retract_speed": "nil", "filament_retract_restart_extra": "nil", "filament_retract_before_travel": "nil",
	"filament_retract_layer_change": "nil", "filament_retract_before_wipe": "nil", "filament_wipe": "nil",
	"filament_retract_lift_above": "nil", "filament_retract_lift_below": "nil", "filament_deretract_speed": "nil",
}

// NoEffect are settings that change neither the time nor the material
// of a print as dgml estimates it (with Assumed as assumed).
var NoEffect = set(`
after_layer_gcode before_layer_gcode between_objects_gcode color_change_gcode end_filament_gcode end_gcode
pause_print_gcode start_filament_gcode start_gcode template_custom_gcode toolchange_gcode gcode_comments
gcode_flavor gcode_label_objects gcode_substitutions output_filename_format post_process notes printer_notes
filament_notes preset_name preset_names thumbnails thumbnails_format
bed_custom_model bed_custom_texture bed_shape bed_temperature first_layer_bed_temperature temperature
first_layer_temperature standby_temperature_delta max_print_height
fan_always_on fan_below_layer_time disable_fan_first_layers full_fan_speed_layer min_fan_speed max_fan_speed bridge_fan_speed
filament_colour extruder_colour filament_cost filament_spool_weight filament_type filament_soluble
extruder extruder_offset extrusion_axis extruder_clearance_height extruder_clearance_radius
infill_extruder perimeter_extruder solid_infill_extruder support_material_extruder support_material_interface_extruder
single_extruder_multi_material single_extruder_multi_material_priming ooze_prevention high_current_on_filament_swap
parking_pos_retraction cooling_tube_length cooling_tube_retraction extra_loading_move
filament_cooling_final_speed filament_cooling_initial_speed filament_cooling_moves filament_load_time filament_loading_speed
filament_loading_speed_start filament_minimal_purge_on_wipe_tower filament_ramming_parameters filament_toolchange_delay
filament_unload_time filament_unloading_speed filament_unloading_speed_start mmu_segmented_region_max_width
retract_length_toolchange retract_restart_extra_toolchange wiping_volumes_extruders wiping_volumes_matrix
wipe_into_infill wipe_into_objects wipe_tower_bridging wipe_tower_brim_width wipe_tower_no_sparse_layers
wipe_tower_rotation_angle wipe_tower_width wipe_tower_x wipe_tower_y
support_material_angle support_material_auto support_material_bottom_contact_distance support_material_bottom_interface_layers
support_material_buildplate_only support_material_closing_radius support_material_contact_distance support_material_enforce_layers
support_material_extrusion_width support_material_interface_contact_loops support_material_interface_layers
support_material_interface_pattern support_material_interface_spacing support_material_interface_speed support_material_pattern
support_material_spacing support_material_speed support_material_style support_material_synchronize_layers
support_material_threshold support_material_with_sheath support_material_xy_spacing dont_support_bridges
raft_contact_distance raft_expansion raft_first_layer_density raft_first_layer_expansion
first_layer_speed_over_raft first_layer_acceleration_over_raft
skirt_distance skirt_height min_skirt_length brim_type brim_separation
ironing_flowrate ironing_spacing ironing_speed ironing_type fuzzy_skin_point_dist fuzzy_skin_thickness
retract_lift_above retract_lift_below avoid_crossing_perimeters_max_detour
bridge_angle fill_angle seam_position external_perimeters_first infill_first
elefant_foot_compensation resolution z_offset variable_layer_height
min_layer_height max_layer_height max_print_speed
min_bead_width min_feature_size wall_distribution_count wall_transition_angle wall_transition_filter_deviation wall_transition_length
only_retract_when_crossing_perimeters retract_before_wipe
use_firmware_retraction use_relative_e_distances use_volumetric_e clip_multipart_objects
machine_max_acceleration_e
machine_min_extruding_rate machine_min_travel_rate silent_mode remaining_times
printer_technology compatible_printers compatible_printers_condition compatible_prints compatible_prints_condition
inherits print_settings_id filament_settings_id printer_settings_id printer_model printer_variant printer_vendor
default_filament_profile default_print_profile host_type print_host printhost_apikey printhost_cafile
physical_printer_settings_id colorprint_heights`)

// CommandLine are PrusaSlicer's command-line actions and shortcuts: not
// print settings, so neither a profile nor --set takes them.
var CommandLine = set(`
align_xy center cut datadir dont_arrange duplicate duplicate_distance duplicate_grid ensure_on_bed
export_3mf export_amf export_gcode export_obj export_sla export_stl gcodeviewer help help_fff help_sla
ignore_nonexistent_config info load loglevel merge output repair rotate rotate_x rotate_y save scale
scale_to_fit single_instance slice split solid_layers solid_min_thickness config_compatibility`)

func set(words string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(words) {
		out[w] = true
	}
	return out
}

// sameValue compares a setting's value with an assumed one: as numbers
// when both are, else as text.
func sameValue(got, want string) bool {
	got = strings.TrimSpace(got)
	if got == want {
		return true
	}
	g, err1 := strconv.ParseFloat(strings.TrimSuffix(got, "%"), 64)
	w, err2 := strconv.ParseFloat(strings.TrimSuffix(want, "%"), 64)
	return err1 == nil && err2 == nil && g == w && strings.HasSuffix(got, "%") == strings.HasSuffix(want, "%")
}
