/**
 * Analysis config keys renamed from snake_case to camelCase (the other stages' style).
 * config.ts passes them to `renamedKeys` of @imp/artifacts, so an old key gets one
 * error naming its new name instead of zod's generic "unrecognized key".
 */

export const RENAMED_KEYS: Record<string, string> = {
  detail_levels: 'detailLevels',
  top_n: 'topN',
  grid_columns: 'gridColumns',
  evolution_reference: 'evolutionReference',
  evolution_levels: 'evolutionLevels',
  ablation_levels: 'ablationLevels',
  ablation_sizes: 'ablationSizes',
  ablation_reference_width: 'ablationReferenceWidth',
  ablation_random_repeats: 'ablationRandomRepeats',
  ablation_max_val: 'ablationMaxVal',
  null_samples: 'nullSamples',
  exclude_constant_pixels: 'excludeConstantPixels',
  cin_bin_width: 'cinBinWidth',
  resolved_bin_width: 'resolvedBinWidth',
  resolved_panels: 'resolvedPanels',
  max_layers: 'maxLayers',
  bn_eps: 'bnEps',
  map_scale: 'mapScale',
  mask_scale: 'maskScale',
};
