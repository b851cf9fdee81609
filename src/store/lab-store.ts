/**
 * The lab's one zustand store, composed of slices (data, model, the current network and its
 * changes, train, evaluate, backend, jobs, score, sensitivity, plan, analysis, prune, history,
 * recovery, interrupted jobs, recipe run, measure records, network stack, nav: the open view and
 * the first-run hint); each slice file holds its Values, Actions and DEFAULT.
 */
import { create } from 'zustand';
import { createAnalysisSlice, type AnalysisSlice } from './analysis-slice';
import { createBackendSlice, type BackendSlice } from './backend-slice';
import { createDataSlice, type DataSlice } from './data-slice';
import { createEvalSlice, type EvalSlice } from './eval-slice';
import { createExportSlice, type ExportSlice } from './export-slice';
import { createHistorySlice, type HistorySlice } from './history-slice';
import { createInterruptedSlice, type InterruptedSlice } from './interrupted-slice';
import { createJobsSlice, type JobsSlice } from './jobs-slice';
import { createModelSlice, type ModelSlice } from './model-slice';
import { createNavSlice, type NavSlice } from './nav-slice';
import { createNetworkSlice, type NetworkSlice } from './network-slice';
import { createPlanSlice, type PlanSlice } from './plan-slice';
import { createPruneSlice, type PruneSlice } from './prune-slice';
import { createRecipeRunSlice, type RecipeRunSlice } from './recipe-run-slice';
import { createRecordsSlice, type RecordsSlice } from './records-slice';
import { createRecoverySlice, type RecoverySlice } from './recovery-slice';
import { createScoreSlice, type ScoreSlice } from './score-slice';
import { createSensitivitySlice, type SensitivitySlice } from './sensitivity-slice';
import { createStackSlice, type StackSlice } from './stack-slice';
import { createTrainSlice, type TrainSlice } from './train-slice';

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
