/**
 * Model slice: the zoo of networks the worker can build (name + parameter count) and the one
 * picked for training / evaluation.
 */
import type { StateCreator } from 'zustand';
import type { ModelInfo } from '../worker/lab-types.ts';
import { errorMessage, getLab } from '../worker/lab-client.ts';
import type { LabState } from './lab-store.ts';

export const DEFAULT_MODEL = 'pyramidnet-bottleneck-20-a48';

export interface ModelValues {
  models: ModelInfo[];
  modelName: string;
  modelError: string | null;
}

export interface ModelActions {
  fetchModels: () => Promise<void>;
  setModelName: (name: string) => void;
}

export type ModelSlice = ModelValues & ModelActions;

export const MODEL_DEFAULT: ModelValues = {
  models: [],
  modelName: DEFAULT_MODEL,
  modelError: null,
};

export const createModelSlice: StateCreator<LabState, [], [], ModelSlice> = (set, get) => ({
  ...MODEL_DEFAULT,
  fetchModels: async () => {
    try {
      const models = await getLab().listModels();
      const current = get().modelName;
      const keep = models.some((m) => m.name === current);
      set({ models, modelError: null, modelName: keep ? current : (models[0]?.name ?? current) });
    } catch (err) {
      set({ modelError: `Could not list the model zoo: ${errorMessage(err)}` });
    }
  },
  setModelName: (name) => set({ modelName: name }),
});
