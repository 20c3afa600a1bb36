// Minimal typing of the part of pngjs used here (no @types package installed).
declare module 'pngjs' {
  export class PNG {
    constructor(opts: { width: number; height: number; colorType?: number; inputHasAlpha?: boolean });
    width: number;
    height: number;
    data: Buffer;
    static sync: {
      write(png: PNG, opts?: { colorType?: number; inputHasAlpha?: boolean; deflateLevel?: number }): Buffer;
      read(buf: Buffer): PNG;
    };
  }
}
