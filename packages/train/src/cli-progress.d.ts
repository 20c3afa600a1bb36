// cli-progress ships no types; only what progress.ts uses.
declare module 'cli-progress' {
  export class SingleBar {
    constructor(opts: Record<string, unknown>, preset?: unknown);
    start(total: number, start: number, payload?: Record<string, unknown>): void;
    update(value: number, payload?: Record<string, unknown>): void;
    stop(): void;
  }
  export const Presets: { shades_classic: unknown };
  const _default: { SingleBar: typeof SingleBar; Presets: typeof Presets };
  export default _default;
}
