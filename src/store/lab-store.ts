/**
 * The lab's one zustand store, composed of slices (data, model, the current network and its
 * changes, train, evaluate, backend, jobs, score, sensitivity, plan, analysis, prune, history,
 * recovery, interrupted jobs, recipe run, measure records, network stack, nav: the open view and
 * the first-run hint); each slice file holds its Values, Actions and DEFAULT.
 */
import { create } from 'zustand';
import { createAnalysisSlice, type AnalysisSlice } from './analysis-slice.ts';
import { createBackendSlice, type BackendSlice } from './backend-slice.ts';
import { createDataSlice, type DataSlice } from './data-slice.ts';
import { createEvalSlice, type EvalSlice } from './eval-slice.ts';
import { createExportSlice, type ExportSlice } from './export-slice.ts';
import { createHistorySlice, type HistorySlice } from './history-slice.ts';
import { createInterruptedSlice, type InterruptedSlice } from './interrupted-slice.ts';
import { createJobsSlice, type JobsSlice } from './jobs-slice.ts';
import { createModelSlice, type ModelSlice } from './model-slice.ts';
import { createNavSlice, type NavSlice } from './nav-slice.ts';
import { createNetworkSlice, type NetworkSlice } from './network-slice.ts';
import { createPlanSlice, type PlanSlice } from './plan-slice.ts';
import { createPruneSlice, type PruneSlice } from './prune-slice.ts';
import { createRecipeRunSlice, type RecipeRunSlice } from './recipe-run-slice.ts';
import { createRecordsSlice, type RecordsSlice } from './records-slice.ts';
import { createRecoverySlice, type RecoverySlice } from './recovery-slice.ts';
import { createScoreSlice, type ScoreSlice } from './score-slice.ts';
import { createSensitivitySlice, type SensitivitySlice } from './sensitivity-slice.ts';
import { createStackSlice, type StackSlice } from './stack-slice.ts';
import { createTrainSlice, type TrainSlice } from './train-slice.ts';

export type LabState = DataSlice &
  ModelSlice &
  NetworkSlice &
  TrainSlice &
  EvalSlice &
  BackendSlice &
  JobsSlice &
  ScoreSlice &
  SensitivitySlice &
  PlanSlice &
  AnalysisSlice &
  PruneSlice &
  ExportSlice &
  HistorySlice &
  RecoverySlice &
  InterruptedSlice &
  RecipeRunSlice &
  NavSlice &
  RecordsSlice &
  StackSlice;

export const useLabStore = create<LabState>()((...a) => ({
  ...createDataSlice(...a),
  ...createModelSlice(...a),
  ...createNetworkSlice(...a),
  ...createTrainSlice(...a),
  ...createEvalSlice(...a),
  ...createBackendSlice(...a),
  ...createJobsSlice(...a),
  ...createScoreSlice(...a),
  ...createSensitivitySlice(...a),
  ...createPlanSlice(...a),
  ...createAnalysisSlice(...a),
  ...createPruneSlice(...a),
  ...createExportSlice(...a),
  ...createHistorySlice(...a),
  ...createRecoverySlice(...a),
  ...createInterruptedSlice(...a),
  ...createRecipeRunSlice(...a),
  ...createNavSlice(...a),
  ...createRecordsSlice(...a),
  ...createStackSlice(...a),
}));
