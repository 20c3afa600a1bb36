/**
 * Config keys renamed from snake_case to camelCase (the other stages' style). An old key
 * gets one error naming its new name instead of zod's generic "unrecognized key".
 *
 * When `@imp/artifacts` (config.ts) gains its generic helper for this, config.ts switches
 * to it in one line: only `renamedKeysError` below is replaced.
 */
import type { z } from 'zod';

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

/** A zod error map for a strict object: unknown keys that were renamed say so. */
export function renamedKeysError(renamed: Record<string, string>): z.core.$ZodErrorMap {
  return (iss) => {
    if (iss.code !== 'unrecognized_keys') return undefined;
    return iss.keys
      .map((k) => (k in renamed ? `'${k}' was renamed to '${renamed[k]}'` : `unknown key '${k}'`))
      .join('; ');
  };
}
