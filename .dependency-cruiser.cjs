// The house's layering, checked on every `npm test` (docs/architecture.md, "Packages").
// Paths are workspace-relative; npm workspaces resolve `@imp/<x>` to `packages/<x>/`.
const STAGES = '(data|train|mask|rewind|analysis|report|findings)';
const ORCHESTRATION = '(pipeline|cli)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'stage-imports-stage',
      comment: 'Stage packages meet only through artifacts, so any one of them can be swapped (docs/architecture.md).',
      severity: 'error',
      from: { path: `^packages/${STAGES}/` },
      to: { path: `^packages/${STAGES}/`, pathNot: `^packages/$1/` },
    },
    {
      name: 'stage-imports-orchestration',
      comment: 'Only the pipeline and the cli know every stage; a stage never reaches up to them.',
      severity: 'error',
      from: { path: `^packages/${STAGES}/` },
      to: { path: `^packages/${ORCHESTRATION}/` },
    },
    {
      name: 'foundation-imports-stage-or-orchestration',
      comment: 'The artifacts library and the engine are shared by every stage, so they import none of them.',
      severity: 'error',
      from: { path: '^packages/(artifacts|engine)/' },
      to: { path: `^packages/(${STAGES.slice(1, -1)}|${ORCHESTRATION.slice(1, -1)})/` },
    },
    {
      name: 'artifacts-imports-engine',
      comment: 'Reading and writing artifacts needs no compute backend.',
      severity: 'error',
      from: { path: '^packages/artifacts/' },
      to: { path: '^packages/engine/' },
    },
    {
      name: 'pipeline-imports-cli',
      comment: 'The cli sits on top of the pipeline, never the other way round.',
      severity: 'error',
      from: { path: '^packages/pipeline/' },
      to: { path: '^packages/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|(^|/)dist/|(^|/)build/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'default'],
      extensions: ['.ts', '.js', '.cjs'],
    },
  },
};
