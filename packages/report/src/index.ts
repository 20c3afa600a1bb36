export * from './stage.ts';
export { renderReport, type ReportModel } from './render-report.ts';
export { renderCompare, type CompareModel, type CompareExperiment } from './render-compare.ts';
export { overlaySpec } from './overlay.ts';
export { parseAnalysisSummary, AnalysisSummary, type LevelRow, type FigureEntry } from './analysis-summary.ts';
