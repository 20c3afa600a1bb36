export * from './stage.ts';
export { renderReport, type ReportModel } from './render-report.ts';
export { renderCompare, type CompareModel, type CompareExperiment } from './render-compare.ts';
export { lineChartSvg, type Series, type ChartOptions } from './svg-chart.ts';
export { parseAnalysisSummary, AnalysisSummary, type LevelRow, type FigureEntry } from './analysis-summary.ts';
